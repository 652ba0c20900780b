/**
 * The request and response heads as `-d` prints them, framed as wget's debug output frames them
 * (`---request begin---` … `---response end---`). Credentials are not printed. Cookies are, as `wget -d` prints
 * them: debugging cookies is what the trace is for, and the server's `Set-Cookie` shows the same values anyway.
 *
 * @module
 */

import type { HeadEvent } from "../http/mod.ts";

/** Fields whose values are secrets: shown as `<hidden>`. */
const SECRET_FIELDS = /^(proxy-)?authorization:/i;

/**
 * The request's head, one line per field, between wget's markers.
 *
 * @example
 * ```ts
 * requestTrace(new TextEncoder().encode("GET / HTTP/1.0\r\nHost: h\r\n\r\n"));
 * // "---request begin---\nGET / HTTP/1.0\nHost: h\n---request end---"
 * ```
 */
export function requestTrace(request: Uint8Array): string {
  const head = new TextDecoder().decode(request).split("\r\n\r\n")[0];
  const lines = head.split("\r\n").map((line) =>
    SECRET_FIELDS.test(line) ? `${line.slice(0, line.indexOf(":"))}: <hidden>` : line
  );
  return ["---request begin---", ...lines, "---request end---"].join("\n");
}

/**
 * The response's status line and fields as received, between wget's markers.
 *
 * @example
 * ```ts
 * responseTrace(head); // "---response begin---\nHTTP/1.1 200 OK\nContent-Length: 5\n---response end---"
 * ```
 */
export function responseTrace(head: Pick<HeadEvent, "version" | "status" | "reason" | "headers">): string {
  return ["---response begin---", ...headLines(head), "---response end---"].join("\n");
}

/**
 * The response head as `-S` prints it, wget's way: each line indented by two spaces, control characters escaped.
 *
 * @example
 * ```ts
 * serverResponseText(head); // "  HTTP/1.1 200 OK\n  Content-Length: 5"
 * ```
 */
export function serverResponseText(head: Pick<HeadEvent, "version" | "status" | "reason" | "headers">): string {
  return headLines(head).map((line) => `  ${escapeControls(line)}`).join("\n");
}

/**
 * The response head's status line, then one line per field, as received (what `--report` shows).
 *
 * @example
 * ```ts
 * headLines(head); // ["HTTP/1.1 200 OK", "Content-Length: 5"]
 * ```
 */
export function headLines(head: Pick<HeadEvent, "version" | "status" | "reason" | "headers">): string[] {
  const status = `HTTP/${head.version} ${head.status}${head.reason === "" ? "" : ` ${head.reason}`}`;
  return [status, ...[...head.headers].map((f) => `${f.name}: ${f.value}`)];
}

/**
 * A backslash doubled, a tab as `\t`, other controls in octal, as wget's escape quoting shows them: a server's head
 * cannot drive the terminal.
 */
function escapeControls(line: string): string {
  // deno-lint-ignore no-control-regex -- control characters are what this escapes
  return line.replace(/[\x00-\x1f\x7f\\]/g, (c) => {
    if (c === "\\") return "\\\\";
    return c === "\t" ? "\\t" : `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`;
  });
}
