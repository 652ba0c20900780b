/**
 * Whether a connection may carry another request once a response is complete (RFC 9112 §9.3), as a pure verdict on
 * the response head and on what we asked for. The caller also needs the response to have ended where its framing
 * says (a whole body, nothing past it) before it reuses the connection.
 *
 * | we sent                   | the response                                   | persists |
 * |---------------------------|------------------------------------------------|----------|
 * | `Connection: close`       | anything                                       | no       |
 * | keep-alive                | `Connection: close`                            | no       |
 * | keep-alive                | HTTP/1.1                                       | yes      |
 * | keep-alive                | HTTP/1.0 with `Connection: keep-alive`         | yes      |
 * | keep-alive                | HTTP/1.0 without it                            | no       |
 * | keep-alive                | a body read to the end of the connection       | no       |
 *
 * @module
 */

import type { HeadEvent } from "./response_parser.ts";

/** Why a connection does not persist, or null when it does. */
export type PersistenceVerdict = null | "we-asked-close" | "server-closes" | "http-1.0" | "body-until-close";

/**
 * Whether the connection of `head`'s response may carry the next request; `askedKeepAlive`: our request did not say
 * `Connection: close`. Returns null when it may, else the reason it may not.
 *
 * @example
 * ```ts
 * persistenceOf(head, true); // null: an HTTP/1.1 response with a Content-Length
 * ```
 */
export function persistenceOf(head: HeadEvent, askedKeepAlive: boolean): PersistenceVerdict {
  if (!askedKeepAlive) return "we-asked-close";
  // RFC 9110 §7.6.1: the Connection field is a list of case-insensitive options, possibly over several lines.
  const options = head.headers.getAll("connection").flatMap((v) => v.split(",")).map((o) => o.trim().toLowerCase());
  if (options.includes("close")) return "server-closes";
  if (head.version === "1.0" && !options.includes("keep-alive")) return "http-1.0";
  // RFC 9112 §6.3 rule 8: such a body ends only when the server closes.
  if (head.untilClose) return "body-until-close";
  return null;
}
