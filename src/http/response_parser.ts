/**
 * A sans-IO HTTP/1.x response parser: bytes in with `receiveData`/`receiveEof`, events out with `nextEvent`.
 *
 * Framing follows RFC 9112 §6: no body for 1xx, 204 and 304; `Transfer-Encoding: chunked` (HTTP/1.1 only; chunk
 * extensions and trailer fields are read and dropped); else `Content-Length`; else the body runs to EOF. Interim 1xx
 * responses are skipped. Line endings may be CRLF or a bare LF (RFC 9112 §2.2); a bare CR anywhere else is an error.
 *
 * Choices where the RFC leaves one:
 * - Transfer-Encoding together with Content-Length is refused ("conflicting-length"), not resolved (RFC 9112 §6.1).
 * - An obs-fold continuation is replaced by one space and joined to the previous value (RFC 9112 §5.2).
 * - Bytes after the end of the response (past Content-Length, after the last chunk, after a 204) are dropped and
 *   counted in `trailingBytes`: we send `Connection: close`, so nothing legitimate follows.
 * - A response to HEAD (the parser is told, `{ head: true }`) has no body; its Content-Length is reported as the size a
 *   GET would get (RFC 9110 §8.6), and is not a framing.
 *
 * Only `HttpError` escapes on hostile input. After an error every later `nextEvent` throws the same error.
 *
 * Buffer ownership: received arrays are kept by reference until consumed, and a partial line is copied out, so once
 * `nextEvent()` has returned null the parser holds no reference to any received array. A caller may therefore pass a
 * view of a buffer it reuses (the TCP engine's `read()`) if it drains events to null before reusing it.
 *
 * @module
 */

import { ByteQueue, LineTooLong } from "./_byte_queue.ts";
import {
  contentLengthOf,
  type Framing,
  framingOf,
  isFoldLine,
  parseFieldLine,
  parseStatusLine,
  type StatusLine,
  unfold,
} from "./_head.ts";
import { HttpError, quote } from "./errors.ts";
import { type HeaderField, HttpHeaders } from "./headers.ts";

/** Most bytes in a status line, its line terminator included. */
export const MAX_STATUS_LINE_BYTES = 8 * 1024;
/** Most bytes in a head: status line, field lines, terminators and the empty line. Also the trailer budget. */
export const MAX_HEAD_BYTES = 64 * 1024;
/** Most field lines in one head (obs-fold continuations not counted). Also the trailer limit. */
export const MAX_HEADER_FIELDS = 100;
/** Most bytes in a chunk-size line, extensions and terminator included. */
export const MAX_CHUNK_LINE_BYTES = 4 * 1024;

/** The status line and header fields of the final response. */
export interface HeadEvent {
  /** Discriminant. */
  readonly type: "head";
  /** "1.0" or "1.1". */
  readonly version: "1.0" | "1.1";
  /** Status code, 200–599 (interim 1xx responses are skipped). */
  readonly status: number;
  /** Reason phrase, possibly empty. */
  readonly reason: string;
  /** The fields, case-insensitive, duplicates kept. */
  readonly headers: HttpHeaders;
  /**
   * The Content-Length that frames the body, or null for chunked, read-to-EOF and no-body responses; for a HEAD
   * request, the Content-Length the server declared (the size of the body a GET would get), or null.
   */
  readonly contentLength: number | null;
  /** Whether the body is chunked. */
  readonly chunked: boolean;
  /** Whether the body runs to the end of the connection (neither a length nor chunks delimit it, RFC 9112 §6.3). */
  readonly untilClose: boolean;
}

/**
 * A piece of the body (after transfer decoding, before content decoding).
 *
 * `bytes` is a view into an array passed to `receiveData` (no copy): consume it before that array is reused.
 */
export interface BodyEvent {
  /** Discriminant. */
  readonly type: "body";
  /** At least one byte. */
  readonly bytes: Uint8Array;
}

/** The response is complete. */
export interface EndEvent {
  /** Discriminant. */
  readonly type: "end";
}

/** Options of {@linkcode ResponseParser}. */
export interface ResponseParserOptions {
  /** The request was a HEAD: the response has no body (RFC 9112 §6.3 rule 1). Default false. */
  readonly head?: boolean;
  /**
   * Disregard Content-Length (wget's `--ignore-length`, for servers that send a wrong one): a body it would frame
   * runs to EOF instead, and `contentLength` is null. Chunked bodies stay chunked. Default false.
   */
  readonly ignoreLength?: boolean;
}

/** What the parser reports, in order: one head, zero or more bodies, one end. */
export type HttpEvent = HeadEvent | BodyEvent | EndEvent;

type State =
  | "status"
  | "fields"
  | "body"
  | "chunk-size"
  | "chunk-data"
  | "chunk-end"
  | "trailers"
  | "end"
  | "done";

/**
 * Parses one HTTP/1.x response.
 *
 * @example
 * ```ts
 * const p = new ResponseParser();
 * p.receiveData(new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"));
 * p.nextEvent(); // { type: "head", status: 200, ... }
 * p.nextEvent(); // { type: "body", bytes: "hi" }
 * p.nextEvent(); // { type: "end" }
 * ```
 */
export class ResponseParser {
  readonly #headRequest: boolean;
  readonly #ignoreLength: boolean;
  readonly #queue = new ByteQueue();
  #state: State = "status";
  #eof = false;
  #error: HttpError | null = null;
  #received = 0;
  #trailing = 0;
  #head: StatusLine | null = null;
  #fields: HeaderField[] = [];
  #lineBytes = 0; // head (or trailer) bytes so far
  #remaining = 0; // body bytes left in the Content-Length body or the current chunk; -1: until EOF

  /** A parser for the response to one request; `head: true` when that request was a HEAD. */
  constructor(options: ResponseParserOptions = {}) {
    this.#headRequest = options.head ?? false;
    this.#ignoreLength = options.ignoreLength ?? false;
  }

  /** Queues received bytes (kept by reference: body events are views into them). */
  receiveData(bytes: Uint8Array): void {
    if (this.#eof) throw new TypeError("Cannot receive data after receiveEof()");
    this.#received += bytes.length;
    this.#queue.push(bytes);
  }

  /** Records that the peer closed its side (FIN): no more data will come. */
  receiveEof(): void {
    this.#eof = true;
  }

  /** Bytes received after the response was complete, which were dropped. */
  get trailingBytes(): number {
    return this.#trailing;
  }

  /** Whether the `end` event has been returned. */
  get done(): boolean {
    return this.#state === "done";
  }

  /** The next event, or null when more data (or EOF) is needed. Throws `HttpError` on a protocol error. */
  nextEvent(): HttpEvent | null {
    if (this.#error) throw this.#error;
    try {
      return this.#step();
    } catch (e) {
      if (e instanceof HttpError) this.#error = e;
      else if (e instanceof LineTooLong) this.#error = this.#lineTooLong(e);
      else throw e;
      throw this.#error;
    }
  }

  #step(): HttpEvent | null {
    for (;;) {
      switch (this.#state) {
        case "status": {
          const line = this.#line(Math.min(MAX_STATUS_LINE_BYTES, MAX_HEAD_BYTES - this.#lineBytes) - 1);
          if (line === null) return null;
          this.#head = parseStatusLine(line);
          this.#fields = [];
          this.#state = "fields";
          break;
        }
        case "fields": {
          const line = this.#line(MAX_HEAD_BYTES - this.#lineBytes - 1);
          if (line === null) return null;
          if (line !== "") {
            this.#addField(line, "bad-header");
            break;
          }
          const head = this.#head!;
          const headers = new HttpHeaders(this.#fields);
          // RFC 9112 §6.3 rule 1: a response to HEAD ends at its empty line, whatever its fields say.
          const framing: Framing = this.#headRequest ? { kind: "none" } : framingOf(head, headers, this.#ignoreLength);
          this.#lineBytes = 0;
          if (head.status < 200) {
            // RFC 9110 §15.2: interim responses precede the final one. 101 would switch protocols, never asked for.
            if (head.status === 101) {
              throw new HttpError("unexpected-upgrade", `Server switched protocols (${quote(head.reason)}) unasked`);
            }
            this.#state = "status";
            break;
          }
          this.#enterBody(framing);
          const contentLength = framing.kind === "length"
            ? framing.length
            : this.#headRequest && !this.#ignoreLength
            ? contentLengthOf(headers.getAll("content-length"))
            : null;
          const chunked = framing.kind === "chunked";
          return { type: "head", ...head, headers, contentLength, chunked, untilClose: framing.kind === "eof" };
        }
        case "body":
        case "chunk-data": {
          const bytes = this.#queue.take(this.#remaining < 0 ? Number.MAX_SAFE_INTEGER : this.#remaining);
          if (bytes !== null) {
            if (this.#remaining > 0) this.#remaining -= bytes.length;
            return { type: "body", bytes };
          }
          if (this.#remaining === 0) {
            this.#state = this.#state === "body" ? "end" : "chunk-end";
            break;
          }
          if (!this.#eof) return null;
          if (this.#remaining < 0) {
            this.#state = "end";
            break;
          }
          throw new HttpError("truncated-body", `Connection closed with ${this.#remaining} body bytes still expected`);
        }
        case "chunk-size": {
          const line = this.#line(MAX_CHUNK_LINE_BYTES - 1);
          if (line === null) return null;
          // RFC 9112 §7.1: chunk-size [ chunk-ext ]; extensions are ignored, but must start with ";".
          const m = /^([0-9A-Fa-f]{1,13})[ \t]*(?:;[\t\x20-\x7e\x80-\xff]*)?$/.exec(line);
          if (!m) throw new HttpError("bad-chunk", `Cannot parse chunk size line ${quote(line)}`);
          this.#remaining = parseInt(m[1], 16);
          this.#state = this.#remaining === 0 ? "trailers" : "chunk-data";
          this.#lineBytes = 0; // the head budget applies to the trailer section afresh; chunk lines have their own
          break;
        }
        case "chunk-end": {
          const line = this.#line(1);
          if (line === null) return null;
          if (line !== "") throw new HttpError("bad-chunk", `Chunk data is followed by ${quote(line)}, not CRLF`);
          this.#state = "chunk-size";
          break;
        }
        case "trailers": {
          const line = this.#line(MAX_HEAD_BYTES - this.#lineBytes - 1);
          if (line === null) return null;
          // RFC 9112 §7.1.2: trailer fields are parsed (so garbage is caught) and dropped.
          if (line !== "") this.#addField(line, "bad-chunk");
          else this.#state = "end";
          break;
        }
        case "end":
          this.#state = "done";
          return { type: "end" };
        case "done":
          this.#trailing += this.#queue.discardAll();
          return null;
      }
    }
  }

  /** Reads one line within a byte budget (LF excluded), strips one CR, and handles EOF in mid-line. */
  #line(maxBytes: number): string | null {
    const raw = this.#queue.readLine(maxBytes);
    if (raw === null) {
      if (this.#eof) throw this.#truncated();
      return null;
    }
    this.#lineBytes += raw.length + 1;
    return raw.endsWith("\r") ? raw.slice(0, -1) : raw;
  }

  #addField(line: string, reason: "bad-header" | "bad-chunk"): void {
    try {
      if (isFoldLine(line)) {
        this.#fields[this.#fields.length - 1] = unfold(this.#fields.at(-1), line);
        return;
      }
      if (this.#fields.length >= MAX_HEADER_FIELDS) {
        throw new HttpError("too-many-headers", `Response has more than ${MAX_HEADER_FIELDS} header fields`);
      }
      this.#fields.push(parseFieldLine(line));
    } catch (e) {
      if (e instanceof HttpError && e.reason === "bad-header" && reason !== "bad-header") {
        throw new HttpError(reason, `Cannot parse trailer field line ${quote(line)}`);
      }
      throw e;
    }
  }

  #enterBody(framing: Framing): void {
    this.#fields = [];
    switch (framing.kind) {
      case "none":
        this.#state = "end";
        return;
      case "length":
        this.#state = "body";
        this.#remaining = framing.length;
        return;
      case "eof":
        this.#state = "body";
        this.#remaining = -1;
        return;
      case "chunked":
        this.#state = "chunk-size";
        return;
    }
  }

  #truncated(): HttpError {
    if (this.#state === "status" || this.#state === "fields") {
      if (this.#received === 0) return new HttpError("truncated-head", "Connection closed before any response byte");
      return new HttpError("truncated-head", "Connection closed before the end of the response header section");
    }
    return new HttpError("truncated-body", "Connection closed before the end of the chunked body");
  }

  #lineTooLong(e: LineTooLong): HttpError {
    const partial = quote(e.partial, 40);
    switch (this.#state) {
      case "status":
        return new HttpError("bad-status-line", `Status line starting ${partial} is longer than 8192 bytes`);
      case "fields":
        return new HttpError("header-too-large", `Response head is larger than ${MAX_HEAD_BYTES} bytes`);
      default:
        return new HttpError("bad-chunk", `Chunk line starting ${partial} is too long`);
    }
  }
}
