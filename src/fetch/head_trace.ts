/**
 * The request and response heads as `-d` prints them, framed as wget's debug output frames them
 * (`---request begin---` … `---response end---`). Credentials are not printed.
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
  const status = `HTTP/${head.version} ${head.status}${head.reason === "" ? "" : ` ${head.reason}`}`;
  const fields = [...head.headers].map((f) => `${f.name}: ${f.value}`);
  return ["---response begin---", status, ...fields, "---response end---"].join("\n");
}
