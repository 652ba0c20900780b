/**
 * The proxy side of an HTTP tunnel: the `CONNECT` request (RFC 9110 §9.3.6, authority-form target, RFC 9112
 * §3.2.3) and a reader for the proxy's answer. A 2xx answer has no content: the bytes after its head already belong
 * to the tunnel (RFC 9112 §6.3 rule 2), so the reader hands them back untouched.
 *
 * @module
 */

import { isFoldLine, parseFieldLine, parseStatusLine, type StatusLine, TOKEN, unfold } from "./_head.ts";
import { authorityHost } from "./_host.ts";
import { HttpError, quote } from "./errors.ts";
import { type HeaderField, HttpHeaders } from "./headers.ts";

/** The head of the proxy's answer to CONNECT, and the bytes that followed it. */
export interface TunnelAnswer extends StatusLine {
  /** The answer's header fields. */
  readonly headers: HttpHeaders;
  /** Bytes received after the head (for a 2xx: the first bytes from the far end of the tunnel). */
  readonly rest: Uint8Array;
}

/** Most bytes of an answer head; a proxy that sends more is not answering CONNECT. */
const MAX_TUNNEL_HEAD_BYTES = 64 * 1024;

/** What a CONNECT request carries. */
export interface ConnectRequestOptions {
  /** The host at the far end: a name, an IPv4 literal, or an IPv6 literal without brackets (sent in brackets). */
  readonly host: string;
  /** Its port. */
  readonly port: number;
  /** The whole User-Agent value; "" sends none (wget's `-U ""`). */
  readonly userAgent: string;
  /** More fields (e.g. Proxy-Authorization), in order. */
  readonly extraHeaders?: ReadonlyArray<readonly [string, string]>;
}

/**
 * Builds `CONNECT host:port HTTP/1.1` with its Host field.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(buildConnectRequest({ host: "a.test", port: 443, userAgent: "rawhttpget/1" }));
 * // "CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\nUser-Agent: rawhttpget/1\r\n\r\n"
 * ```
 */
export function buildConnectRequest(options: ConnectRequestOptions): Uint8Array {
  const { host, port } = options;
  const uriHost = authorityHost(host);
  if (uriHost === null) throw new TypeError(`Cannot put host ${quote(host)} in a CONNECT request`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`Port ${port} is not in 1–65535`);
  // RFC 9112 §3.2.3 authority-form: `[2001:2::1]:443` for an IPv6 literal.
  const authority = `${uriHost}:${port}`;
  let text = `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n`;
  if (options.userAgent !== "") text += `User-Agent: ${options.userAgent}\r\n`;
  for (const [name, value] of options.extraHeaders ?? []) {
    // deno-lint-ignore no-control-regex -- control characters are what this rejects
    if (!TOKEN.test(name) || /[\x00-\x1f\x7f]/.test(value)) {
      throw new TypeError(`Cannot send header ${quote(name)} in a CONNECT request`);
    }
    text += `${name}: ${value}\r\n`;
  }
  return new TextEncoder().encode(`${text}\r\n`);
}

/**
 * Reads the proxy's answer to CONNECT, as bytes arrive.
 *
 * @example
 * ```ts
 * const reader = new TunnelReader();
 * const answer = reader.receive(new TextEncoder().encode("HTTP/1.1 200 OK\r\n\r\n\x16\x03"));
 * answer?.status; // 200; answer.rest holds the two bytes after the head
 * ```
 */
export class TunnelReader {
  #buffer = new Uint8Array(0);
  #done = false;

  /**
   * Adds bytes; returns the answer once its head is complete, else null. Throws `HttpError` for a malformed or
   * oversized head. Only one answer is read: later calls are a `TypeError`.
   */
  receive(bytes: Uint8Array): TunnelAnswer | null {
    if (this.#done) throw new TypeError("Cannot read past the proxy's answer: the tunnel is open");
    const joined = new Uint8Array(this.#buffer.length + bytes.length);
    joined.set(this.#buffer);
    joined.set(bytes, this.#buffer.length);
    this.#buffer = joined;
    const end = headEnd(joined);
    if (end < 0) {
      if (joined.length > MAX_TUNNEL_HEAD_BYTES) {
        throw new HttpError(
          "header-too-large",
          `The proxy's answer head is longer than ${MAX_TUNNEL_HEAD_BYTES} bytes`,
        );
      }
      return null;
    }
    this.#done = true;
    const lines = new TextDecoder("latin1").decode(joined.subarray(0, end)).split("\r\n");
    const status = parseStatusLine(lines[0]);
    const fields: HeaderField[] = [];
    for (const line of lines.slice(1)) {
      if (isFoldLine(line)) fields.push(unfold(fields.pop(), line));
      else fields.push(parseFieldLine(line));
    }
    return { ...status, headers: new HttpHeaders(fields), rest: joined.slice(end + 4) };
  }
}

/** Index of the CRLF CRLF that ends the head, or -1. */
function headEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  }
  return -1;
}
