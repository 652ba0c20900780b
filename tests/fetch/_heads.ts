/**
 * Response heads for the policy tests: what the response parser hands the fetch layer, built from a status and a
 * few fields.
 *
 * @module
 */

import { HttpHeaders } from "../../src/http/headers.ts";
import type { HeadEvent } from "../../src/http/response_parser.ts";

/**
 * An HTTP/1.1 head with `status`, the `fields` in order, and `contentLength` (null: none), neither chunked nor
 * delimited by the close.
 *
 * @example
 * ```ts
 * const ok = head(200, { "Accept-Ranges": "bytes" }, 5000);
 * ```
 */
export function head(
  status: number,
  fields: Record<string, string> = {},
  contentLength: number | null = null,
): HeadEvent {
  const headers = new HttpHeaders(Object.entries(fields).map(([name, value]) => ({ name, value })));
  return {
    type: "head",
    version: "1.1",
    status,
    reason: "",
    headers,
    contentLength,
    chunked: false,
    untilClose: false,
  };
}
