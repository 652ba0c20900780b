/**
 * Builds the bytes of the one request rawhttpget sends: a GET with `Connection: close` (a HEAD before it when
 * timestamping without If-Modified-Since).
 *
 * @module
 */

import { TOKEN } from "./_head.ts";
import { quote } from "./errors.ts";

/** What goes into the request line and header section. */
export interface GetRequestOptions {
  /** Host name or IPv4 literal as the user wrote it (lower-cased by the URL parser). */
  host: string;
  /** The TCP port connected to. */
  port: number;
  /** The scheme's default port (80 for http): the Host field names the port only when it differs (RFC 9110 §7.2). */
  defaultPort: number;
  /** Origin-form target, `/path?query` (RFC 9112 §3.2.1); characters outside the URI grammar are percent-encoded. */
  path: string;
  /** The whole User-Agent value, e.g. `rawhttpget/0.1.0`. */
  userAgent: string;
  /** The version written in the request line. */
  version: "1.0" | "1.1";
  /** Resume from this byte offset with `Range: bytes=N-` (RFC 9110 §14.1.2); also asks for identity coding. */
  range?: { start: number };
  /** More fields, appended after the standard ones in order. Names must be tokens, values must not break lines. */
  extraHeaders?: ReadonlyArray<readonly [string, string]>;
  /** "HEAD" asks for the head only (RFC 9110 §9.3.2); "GET" by default. */
  method?: "GET" | "HEAD";
  /** Ask for the identity coding, so that the Content-Length is the file's size (timestamping compares them). */
  identity?: boolean;
  /**
   * The request goes to an HTTP proxy: the target is in absolute-form, `http://host[:port]/path` (RFC 9112 §3.2.2),
   * so that the proxy knows where to forward it.
   */
  viaProxy?: boolean;
}

const FIELD_VALUE = /^[\x21-\x7e]([\t\x20-\x7e]*[\x21-\x7e])?$|^$/;
// RFC 3986 reg-name or IPv4address; no userinfo, no brackets (IPv6 is refused by the URL parser for now).
const HOST = /^[A-Za-z0-9\-._~!$&'()*+,;=%]+$/;
// Characters allowed unencoded in an origin-form target: pchar, "/", "?" (RFC 3986 §3.3, §3.4), plus "%".
const TARGET_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/;

/**
 * Encodes a GET (or HEAD) request.
 *
 * @example
 * ```ts
 * buildGetRequest({ host: "example.com", port: 80, defaultPort: 80, path: "/", userAgent: "rawhttpget/0.1.0",
 *   version: "1.0" });
 * // "GET / HTTP/1.0\r\nHost: example.com\r\nUser-Agent: rawhttpget/0.1.0\r\nAccept: *\/*\r\n..."
 * ```
 */
export function buildGetRequest(options: GetRequestOptions): Uint8Array {
  const { host, port, defaultPort, userAgent, version, range } = options;
  if (!HOST.test(host)) throw new TypeError(`Cannot put host ${quote(host)} in a request`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`Port ${port} is not in 1–65535`);
  const authority = port === defaultPort ? host : `${host}:${port}`;
  const target = options.viaProxy ? `http://${authority}${encodeTarget(options.path)}` : encodeTarget(options.path);
  const fields: Array<readonly [string, string]> = [
    ["Host", authority],
    ["User-Agent", userAgent],
    ["Accept", "*/*"],
    // A range is a range of the content-coded representation (RFC 9110 §14.1): gzip bytes from mid-stream could not
    // be decoded, so a resumed download asks for identity.
    ["Accept-Encoding", range || options.identity ? "identity" : "gzip"],
    ["Connection", "close"],
  ];
  if (range) {
    if (!Number.isSafeInteger(range.start) || range.start < 0) {
      throw new RangeError(`Range start ${range.start} is not a byte offset`);
    }
    fields.push(["Range", `bytes=${range.start}-`]);
  }
  fields.push(...(options.extraHeaders ?? []));
  let text = `${options.method ?? "GET"} ${target} HTTP/${version}\r\n`;
  for (const [name, value] of fields) {
    if (!TOKEN.test(name)) throw new TypeError(`Cannot send header field name ${quote(name)}`);
    if (!FIELD_VALUE.test(value)) throw new TypeError(`Cannot send header ${name} value ${quote(value)}`);
    text += `${name}: ${value}\r\n`;
  }
  return new TextEncoder().encode(text + "\r\n");
}

/**
 * Makes an origin-form request target: percent-encodes every character outside the URI grammar (UTF-8 first), and
 * refuses controls and spaces outright since they mean the caller skipped URL parsing.
 *
 * @example
 * ```ts
 * encodeTarget("/a b"); // throws TypeError
 * encodeTarget("/é"); // "/%C3%A9"
 * ```
 */
export function encodeTarget(path: string): string {
  if (!path.startsWith("/")) throw new TypeError(`Request target ${quote(path)} does not start with "/"`);
  // Space, CR, LF, NUL and the other controls would split or smuggle the request line (RFC 9112 §3).
  // deno-lint-ignore no-control-regex -- control characters are what this rejects
  if (/[\x00-\x20\x7f]/.test(path)) {
    throw new TypeError(`Request target ${quote(path)} has a space or control`);
  }
  let out = "";
  for (const ch of path) {
    if (TARGET_SAFE.test(ch)) out += ch;
    else for (const b of new TextEncoder().encode(ch)) out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  // A "%" not followed by two hex digits is a literal percent sign.
  return out.replace(/%(?![0-9A-Fa-f]{2})/g, "%25");
}
