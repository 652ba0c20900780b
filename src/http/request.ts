/**
 * Builds the bytes of a request rawhttpget sends: a GET (`Connection: Keep-Alive` when the connection may carry
 * more requests, as wget asks, else `Connection: close`); a HEAD before it
 * when timestamping without If-Modified-Since or for `--spider`; another method, with a body, when asked
 * (`--method`, `--post-data`, …); the user's own fields (`--header`) last, each replacing ours of the same name.
 *
 * @module
 */

import { TOKEN } from "./_head.ts";
import { authorityHost } from "./_host.ts";
import { quote } from "./errors.ts";

/** What goes into the request line and header section. */
export interface GetRequestOptions {
  /**
   * Host name or IPv4 literal as the user wrote it (lower-cased by the URL parser), or an IPv6 literal without
   * brackets (`2001:2::1`): the Host field and an absolute-form target put it in brackets.
   */
  host: string;
  /** The TCP port connected to. */
  port: number;
  /** The scheme's default port (80 for http): the Host field names the port only when it differs (RFC 9110 §7.2). */
  defaultPort: number;
  /** Origin-form target, `/path?query` (RFC 9112 §3.2.1); characters outside the URI grammar are percent-encoded. */
  path: string;
  /** The whole User-Agent value, e.g. `rawhttpget/0.1.0`; "" sends no User-Agent field (wget's `-U ""`). */
  userAgent: string;
  /** A Referer field (RFC 9110 §10.1.3), sent right after Host as wget places it. */
  referer?: string;
  /** The version written in the request line. */
  version: "1.0" | "1.1";
  /** Ask the server to keep the connection open for the next request (default false: `Connection: close`). */
  keepAlive?: boolean;
  /**
   * Ask for bytes `start` to `last` (inclusive; to the end when absent) with `Range: bytes=START-LAST` (RFC 9110
   * §14.1.2): a resume, or one part of a file fetched over several connections; also asks for identity coding.
   */
  range?: { start: number; last?: number };
  /** More fields, appended after the standard ones in order. Names must be tokens, values must not break lines. */
  extraHeaders?: ReadonlyArray<readonly [string, string]>;
  /** The method, a token (RFC 9110 §9.1): "HEAD" asks for the head only (§9.3.2); "GET" by default. */
  method?: string;
  /**
   * Content sent after the head, framed by Content-Length (RFC 9112 §6.2), with a Content-Type when `type` is given.
   * An empty `bytes` still sends `Content-Length: 0` (what a POST without data says).
   */
  body?: RequestBody;
  /**
   * Fields given by the user (`--header`), applied last and in order as wget applies them: each replaces the field
   * of the same name (case-insensitive; ours or an earlier one of the user's) where it stands, else it is appended.
   */
  userHeaders?: ReadonlyArray<readonly [string, string]>;
  /** Ask for the identity coding, so that the Content-Length is the file's size (timestamping compares them). */
  identity?: boolean;
  /**
   * The request goes to an HTTP proxy: the target is in absolute-form, `http://host[:port]/path` (RFC 9112 §3.2.2),
   * so that the proxy knows where to forward it.
   */
  viaProxy?: boolean;
}

/** A request's content and its media type. */
export interface RequestBody {
  /** The bytes sent after the head. */
  readonly bytes: Uint8Array;
  /** The Content-Type value, if any. */
  readonly type?: string;
}

// RFC 9110 §5.5: VCHAR and obs-text, with SP and HTAB only inside. A character above U+007F is sent as UTF-8, whose
// bytes are all obs-text.
// deno-lint-ignore no-control-regex -- control characters are what this rejects
const FIELD_VALUE = /^(?:[^\x00-\x20\x7f](?:[^\x00-\x08\x0a-\x1f\x7f]*[^\x00-\x20\x7f])?)?$/u;
// Characters allowed unencoded in an origin-form target: pchar, "/", "?" (RFC 3986 §3.3, §3.4), plus "%".
const TARGET_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/;

/**
 * Encodes a request: a GET unless `method` says otherwise, its content after the head.
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
  const uriHost = authorityHost(host);
  if (uriHost === null) throw new TypeError(`Cannot put host ${quote(host)} in a request`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`Port ${port} is not in 1–65535`);
  // RFC 9110 §7.2: the port only when it is not the scheme's; an IPv6 literal in brackets (`[2001:2::1]:8080`).
  const authority = port === defaultPort ? uriHost : `${uriHost}:${port}`;
  const target = requestTarget(options);
  const fields: Array<readonly [string, string]> = [["Host", authority]];
  if (options.referer !== undefined) fields.push(["Referer", options.referer]);
  if (userAgent !== "") fields.push(["User-Agent", userAgent]);
  fields.push(
    ["Accept", "*/*"],
    // A range is a range of the content-coded representation (RFC 9110 §14.1): gzip bytes from mid-stream could not
    // be decoded, so a resumed download asks for identity.
    ["Accept-Encoding", range || options.identity ? "identity" : "gzip"],
    // RFC 9112 §9.3: HTTP/1.1 persists unless told otherwise; the option is also what HTTP/1.0 servers look for.
    ["Connection", options.keepAlive ? "Keep-Alive" : "close"],
  );
  if (range) {
    if (!Number.isSafeInteger(range.start) || range.start < 0) {
      throw new RangeError(`Range start ${range.start} is not a byte offset`);
    }
    const last = range.last;
    if (last !== undefined && (!Number.isSafeInteger(last) || last < range.start)) {
      throw new RangeError(`Range end ${last} does not follow its start ${range.start}`);
    }
    fields.push(["Range", `bytes=${range.start}-${last ?? ""}`]);
  }
  fields.push(...(options.extraHeaders ?? []));
  const body = options.body;
  if (body?.type !== undefined) fields.push(["Content-Type", body.type]);
  if (body !== undefined) fields.push(["Content-Length", String(body.bytes.length)]);
  const method = options.method ?? "GET";
  if (!isToken(method)) throw new TypeError(`Cannot send method ${quote(method)}`);
  let text = `${method} ${target} HTTP/${version}\r\n`;
  for (const [name, value] of withUserFields(fields, options.userHeaders ?? [])) {
    if (!isToken(name)) throw new TypeError(`Cannot send header field name ${quote(name)}`);
    if (!isFieldValue(value)) throw new TypeError(`Cannot send header ${name} value ${quote(value)}`);
    text += `${name}: ${value}\r\n`;
  }
  const head = new TextEncoder().encode(text + "\r\n");
  if (body === undefined || body.bytes.length === 0) return head;
  const request = new Uint8Array(head.length + body.bytes.length);
  request.set(head);
  request.set(body.bytes, head.length);
  return request;
}

/**
 * The request-target as sent: origin-form `/path?query` (RFC 9112 §3.2.1), or absolute-form
 * `http://host[:port]/path` to a proxy (§3.2.2). Digest authentication signs exactly this (RFC 7616 §3.4 `uri`).
 *
 * @example
 * ```ts
 * requestTarget({ host: "a.test", port: 8080, defaultPort: 80, path: "/x", viaProxy: true }); // "http://a.test:8080/x"
 * ```
 */
export function requestTarget(
  options: Pick<GetRequestOptions, "host" | "port" | "defaultPort" | "path" | "viaProxy">,
): string {
  const { port, defaultPort } = options;
  const host = authorityHost(options.host) ?? options.host;
  const origin = encodeTarget(options.path);
  return options.viaProxy ? `http://${port === defaultPort ? host : `${host}:${port}`}${origin}` : origin;
}

/**
 * Whether `text` is a token (RFC 9110 §5.6.2), as field names (§5.1) and methods (§9.1) must be.
 *
 * @example
 * ```ts
 * isToken("X-Probe"); // true
 * isToken("X Probe"); // false
 * ```
 */
export function isToken(text: string): boolean {
  return TOKEN.test(text);
}

/**
 * Whether `value` may be sent as a field value: no control character (HTAB inside excepted), no leading or trailing
 * whitespace (RFC 9110 §5.5); characters above U+007F go out as UTF-8.
 *
 * @example
 * ```ts
 * isFieldValue("text/plain; q=1"); // true
 * isFieldValue("a\r\nInjected: 1"); // false
 * ```
 */
export function isFieldValue(value: string): boolean {
  return FIELD_VALUE.test(value);
}

/** `fields` with each user field replacing the first of the same name in place, or appended (wget's order). */
function withUserFields(
  fields: ReadonlyArray<readonly [string, string]>,
  user: ReadonlyArray<readonly [string, string]>,
): Array<readonly [string, string]> {
  const out = [...fields];
  for (const field of user) {
    const at = out.findIndex(([name]) => name.toLowerCase() === field[0].toLowerCase());
    if (at < 0) out.push(field);
    else out[at] = field;
  }
  return out;
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
