/**
 * The one error type the HTTP layer throws for a peer's (or a URL's) fault.
 *
 * Hostile or broken input from the server never escapes as anything else: `main.ts` maps an `HttpError` to an exit
 * code by its `reason` and shows its message, one plain sentence quoting the failing value.
 *
 * @module
 */

/** Why a response (or its content coding) could not be understood. */
export type HttpErrorReason =
  /** The status line is not `HTTP/1.x SP 3DIGIT SP reason`, or it is longer than the limit. */
  | "bad-status-line"
  /** The status line plus header section exceed `MAX_HEAD_BYTES`. */
  | "header-too-large"
  /** More than `MAX_HEADER_FIELDS` field lines. */
  | "too-many-headers"
  /** A field line is malformed (no colon, bad name, forbidden character, fold before any field). */
  | "bad-header"
  /** A Content-Length value is not a decimal number. */
  | "bad-content-length"
  /** Content-Length values disagree, or Content-Length comes with Transfer-Encoding (RFC 9112 §6.1). */
  | "conflicting-length"
  /** Transfer-Encoding other than a single final `chunked` in an HTTP/1.1 response. */
  | "bad-transfer-encoding"
  /** The connection closed before the end of the header section. */
  | "truncated-head"
  /** The connection closed before the body announced by Content-Length or chunking was complete. */
  | "truncated-body"
  /** A chunk-size line, chunk delimiter or trailer line is malformed. */
  | "bad-chunk"
  /** A 101 Switching Protocols arrived although the request asked for no upgrade. */
  | "unexpected-upgrade"
  /** The gzip content coding is corrupt or truncated. */
  | "bad-encoding"
  /** The decoded body grew past the decompression-bomb limits. */
  | "decompression-limit"
  /** A Content-Encoding that rawhttpget did not ask for and cannot decode. */
  | "unsupported-encoding"
  /** Bytes arrived after the end of a response whose length was declared (Content-Length or chunking). */
  | "excess-data";

/**
 * A protocol error caused by the remote side.
 *
 * @example
 * ```ts
 * throw new HttpError("bad-chunk", `Cannot parse chunk size "zz"`);
 * ```
 */
export class HttpError extends Error {
  /** The machine-readable cause, stable across message wording changes. */
  readonly reason: HttpErrorReason;

  /** Creates an error with a reason and a one-sentence message. */
  constructor(reason: HttpErrorReason, message: string) {
    super(message);
    this.name = "HttpError";
    this.reason = reason;
  }
}

/**
 * Quotes a peer-supplied value for an error message: JSON-style escapes, cut to `max` characters.
 *
 * @example
 * ```ts
 * quote("a\r\nb"); // "\"a\\r\\nb\""
 * ```
 */
export function quote(value: string, max = 60): string {
  const cut = value.length > max ? value.slice(0, max) + "…" : value;
  return JSON.stringify(cut);
}

/** Why a URL (typed by the user or sent in a Location field) cannot be fetched. */
export type UrlErrorReason =
  /** A space, tab, CR, LF or other control character appears in it. */
  | "bad-character"
  /** The URL grammar (WHATWG URL) rejects it. */
  | "bad-url"
  /** No scheme and no host: it starts with "/" or ":" (wget: "Scheme missing"). */
  | "missing-scheme"
  /** A scheme other than http and https. */
  | "unsupported-scheme"
  /** An IPv6 literal host that cannot be used: malformed, or with a zone id (`[fe80::1%25eth0]`). */
  | "ipv6-literal"
  /** `user:password@` in the authority, never sent anywhere. */
  | "credentials";

/**
 * A URL that cannot be fetched.
 *
 * @example
 * ```ts
 * throw new UrlError("unsupported-scheme", `Cannot fetch "ftp://x/": scheme "ftp" is not supported`);
 * ```
 */
export class UrlError extends Error {
  /** The machine-readable cause. */
  readonly reason: UrlErrorReason;

  /** Creates an error with a reason and a one-sentence message. */
  constructor(reason: UrlErrorReason, message: string) {
    super(message);
    this.name = "UrlError";
    this.reason = reason;
  }
}
