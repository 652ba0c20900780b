/**
 * The options that shape the request and what is made of its response, read as GNU wget 1.21 reads them: `--method`,
 * `--body-data`, `--body-file`, `--post-data`, `--post-file`, `--header`, `-U`, `--referer`, `-S`, `--spider`,
 * `--content-on-error`, `--ignore-length`.
 *
 * @module
 */

import type { FetchOptions } from "../fetch/mod.ts";
import { isFieldValue, isToken } from "../http/mod.ts";
import { UsageError } from "./options.ts";

/**
 * Options that wget refuses to combine (`--post-data` with `--method`, `--body-data` without it, …): wget exits 1 for
 * them, not 2, and so do we.
 */
export class OptionConflictError extends Error {
  /** Builds the error from one sentence. */
  constructor(message: string) {
    super(message);
    this.name = "OptionConflictError";
  }
}

/** What these options set. */
export type RequestSettings =
  & Pick<
    FetchOptions,
    | "method"
    | "bodyData"
    | "bodyFile"
    | "headers"
    | "userAgent"
    | "referer"
    | "spider"
    | "contentOnError"
    | "ignoreLength"
  >
  & { readonly serverResponse?: boolean };

/**
 * Reads the request options from `text`, `flag` and `list` (an option's values in order): only those given are set
 * (a flag only when on). Throws {@linkcode UsageError} for a value that cannot be sent and
 * {@linkcode OptionConflictError} for a combination wget refuses.
 *
 * @example
 * ```ts
 * requestSettings(text, flag, list); // { method: "POST", bodyData: "a=1" } for --post-data=a=1
 * ```
 */
export function requestSettings(
  text: (name: string) => string | undefined,
  flag: (name: string) => boolean,
  list: (name: string) => readonly string[],
): RequestSettings {
  const postData = text("post-data"), postFile = text("post-file");
  const bodyData = text("body-data"), bodyFile = text("body-file");
  let method = text("method")?.toUpperCase();
  // wget's checks, in wget's order (src/main.c).
  if (postData !== undefined || postFile !== undefined) {
    if (postData !== undefined && postFile !== undefined) {
      throw new OptionConflictError("--post-data and --post-file cannot be given together");
    }
    if (method !== undefined) {
      throw new OptionConflictError(
        "--post-data and --post-file cannot go with --method, which takes its content from --body-data or --body-file",
      );
    }
  }
  if (bodyData !== undefined || bodyFile !== undefined) {
    if (method === undefined) throw new OptionConflictError("--body-data and --body-file need --method");
    if (bodyData !== undefined && bodyFile !== undefined) {
      throw new OptionConflictError("--body-data and --body-file cannot be given together");
    }
  }
  if (method !== undefined && !isToken(method)) {
    throw new UsageError(`The method "${method}" is not an HTTP method (a token, RFC 9110 §9.1)`);
  }
  const posts = postData !== undefined || postFile !== undefined;
  if (posts) method = "POST";
  const settings: RequestSettings = {
    method,
    bodyData: posts ? postData : bodyData,
    bodyFile: posts ? postFile : bodyFile,
    headers: headerList(list("header")),
    userAgent: fieldValue("user-agent", text("user-agent")),
    referer: fieldValue("referer", text("referer")),
    // wget: a HEAD fetches nothing, so --method=HEAD is spider mode.
    spider: flag("spider") || method === "HEAD",
    contentOnError: flag("content-on-error"),
    ignoreLength: flag("ignore-length"),
    serverResponse: flag("server-response"),
  };
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined && v !== false));
}

/**
 * Parses one `--header` value as wget does: a name without spaces, a colon, then the value (leading whitespace
 * skipped). The name must also be a token and the value sendable (trailing whitespace is dropped); anything else is a
 * usage error, as wget's "Invalid header" is.
 *
 * @example
 * ```ts
 * parseHeader("X-Probe:  1"); // ["X-Probe", "1"]
 * parseHeader("no colon"); // throws UsageError
 * ```
 */
export function parseHeader(line: string): [string, string] {
  const colon = line.indexOf(":");
  const name = colon < 0 ? "" : line.slice(0, colon);
  const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
  if (!isToken(name) || !isFieldValue(value)) {
    throw new UsageError(`The header "${line}" is not 'Name: value' (a token, a colon, a value on one line)`);
  }
  return [name, value];
}

/** `--header` values in order; an empty one clears those before it, as in wget. Absent when the list is empty. */
function headerList(values: readonly string[]): Array<[string, string]> | undefined {
  let fields: Array<[string, string]> = [];
  for (const line of values) fields = line === "" ? [] : [...fields, parseHeader(line)];
  return fields.length === 0 ? undefined : fields;
}

/** A value sent as a field (`-U`, `--referer`), trimmed; one with a line break or another control is refused. */
function fieldValue(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.replace(/^[ \t]+|[ \t]+$/g, "");
  if (!isFieldValue(trimmed)) throw new UsageError(`--${option} cannot send "${value}": it has a control character`);
  return trimmed;
}
