/**
 * The method and content of a download's requests, as GNU wget 1.21 sends them:
 *
 * - `--method=M` (upper-cased) with `--body-data` or `--body-file` as content, framed by Content-Length and typed
 *   `application/x-www-form-urlencoded`; `--post-data` and `--post-file` are the same with POST. The file is read
 *   before the URL's first connection: a missing one fails that URL alone, and nothing is sent.
 * - POST, PUT and PATCH without content say `Content-Length: 0` (RFC 9110 §8.6: a request that has content but none
 *   of it).
 * - Redirects: 307 and 308 keep the method and content (RFC 9110 §15.4.8, §15.4.9); 301 and 302 keep them unless the
 *   method is POST, which becomes a GET (the user agent's choice that §15.4.2 and §15.4.3 allow); a 303 always
 *   becomes a GET (§15.4.4). A request that became a GET stays a GET for the rest of the chain.
 *
 * @module
 */

import { OsError, readFileBytes, strerror } from "../../ffi/mod.ts";
import type { RequestBody } from "../http/mod.ts";
import { BodyFileError } from "./errors.ts";
import type { FetchOptions } from "./options.ts";

/** What a request sends: its method and its content (null: no content fields at all). */
export interface RequestMethod {
  /** The method, upper case. */
  readonly name: string;
  /** The content given by the user, or null when none was given. */
  readonly content: Uint8Array | null;
}

/** A plain GET: the default, and what a redirect turns a POST into. */
export const PLAIN_GET: RequestMethod = { name: "GET", content: null };

/** The Content-Type wget gives every request content. */
export const FORM_TYPE = "application/x-www-form-urlencoded";

/** Methods whose requests say `Content-Length: 0` when no content is given (wget's list). */
const EMPTY_CONTENT_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH"]);

/**
 * The method a download starts with; reads `bodyFile` with `read` (throws {@linkcode BodyFileError}).
 *
 * @example
 * ```ts
 * requestMethod({ method: "PUT", bodyData: "a=1" }); // { name: "PUT", content: <61 3d 31> }
 * requestMethod({}); // PLAIN_GET
 * ```
 */
export function requestMethod(
  options: Pick<FetchOptions, "method" | "bodyData" | "bodyFile">,
  read: (path: string) => Uint8Array = readFileBytes,
): RequestMethod {
  const name = options.method?.toUpperCase() ?? "GET";
  if (options.bodyData !== undefined) return { name, content: new TextEncoder().encode(options.bodyData) };
  if (options.bodyFile === undefined) return name === "GET" ? PLAIN_GET : { name, content: null };
  try {
    return { name, content: read(options.bodyFile) };
  } catch (e) {
    const reason = e instanceof OsError ? strerror(e.errno) : (e as Error).message;
    throw new BodyFileError(options.bodyFile, reason);
  }
}

/**
 * The method after a redirect with `status`, as wget 1.21 follows them.
 *
 * @example
 * ```ts
 * afterRedirect({ name: "POST", content }, 302); // PLAIN_GET
 * afterRedirect({ name: "POST", content }, 307); // the same POST
 * ```
 */
export function afterRedirect(method: RequestMethod, status: number): RequestMethod {
  if (status === 307 || status === 308) return method;
  if ((status === 301 || status === 302) && method.name !== "POST") return method;
  return PLAIN_GET;
}

/**
 * The content a request with `method` carries, when it has content fields: the user's bytes typed as a form, or an
 * empty content for POST, PUT and PATCH; a HEAD never has any (RFC 9110 §9.3.2).
 *
 * @example
 * ```ts
 * requestBody({ name: "POST", content: null }, "POST"); // { bytes: <empty> }
 * requestBody({ name: "DELETE", content: null }, "DELETE"); // undefined
 * ```
 */
export function requestBody(method: RequestMethod, wire: string): RequestBody | undefined {
  if (wire === "HEAD") return undefined;
  if (method.content !== null) return { bytes: method.content, type: FORM_TYPE };
  return EMPTY_CONTENT_METHODS.has(method.name) ? { bytes: new Uint8Array(0) } : undefined;
}
