/**
 * Pure functions for one response head: status line, field lines, and the body framing they imply.
 *
 * @module
 */

import { HttpError, quote } from "./errors.ts";
import type { HeaderField, HttpHeaders } from "./headers.ts";

/** The parsed status line. */
export interface StatusLine {
  /** "1.0" or "1.1"; a higher 1.x minor is processed as 1.1 (RFC 9110 §2.5). */
  readonly version: "1.0" | "1.1";
  /** The three-digit status code, 100–599. */
  readonly status: number;
  /** The reason phrase (may be empty; never used for decisions, RFC 9112 §4). */
  readonly reason: string;
}

/** How the body of a response is delimited (RFC 9112 §6.3). */
export type Framing =
  | { readonly kind: "none" }
  | { readonly kind: "length"; readonly length: number }
  | { readonly kind: "chunked" }
  | { readonly kind: "eof" };

// RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]. The final SP is tolerated when the
// reason is empty ("HTTP/1.1 200"), which many servers send. The reason is HTAB / SP / VCHAR / obs-text.
const STATUS_LINE = /^HTTP\/1\.([0-9]) ([1-5][0-9][0-9])(?: ([\t\x20-\x7e\x80-\xff]*))?$/;
/** RFC 9110 §5.6.2: field names are tokens. */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 §5.5: field values are VCHAR / obs-text with SP and HTAB inside; CR, LF, NUL and other controls are
// rejected rather than replaced, since nothing legitimate sends them.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Parses `HTTP/1.x SP 3DIGIT SP reason`; throws `HttpError("bad-status-line")` otherwise. */
export function parseStatusLine(line: string): StatusLine {
  const m = STATUS_LINE.exec(line);
  if (!m) throw new HttpError("bad-status-line", `Cannot parse status line ${quote(line)}`);
  return { version: m[1] === "0" ? "1.0" : "1.1", status: Number(m[2]), reason: m[3] ?? "" };
}

/** Whether a line continues the previous field value (obs-fold, RFC 9112 §5.2). */
export function isFoldLine(line: string): boolean {
  return line.startsWith(" ") || line.startsWith("\t");
}

/** Parses `name ":" OWS value OWS`; throws `HttpError("bad-header")` otherwise. */
export function parseFieldLine(line: string): HeaderField {
  const colon = line.indexOf(":");
  // RFC 9112 §5.1: no whitespace between name and colon; such a line is rejected, not repaired.
  const name = colon < 0 ? "" : line.slice(0, colon);
  if (!TOKEN.test(name)) throw new HttpError("bad-header", `Cannot parse header field line ${quote(line)}`);
  const value = trimOws(line.slice(colon + 1));
  if (!FIELD_VALUE.test(value)) {
    throw new HttpError("bad-header", `Header field ${quote(name)} has a forbidden character in ${quote(value)}`);
  }
  return { name, value };
}

/**
 * Appends an obs-fold continuation to a field, replacing the fold with one space (RFC 9112 §5.2 lets a user agent do
 * so). Throws when there is no field to continue or the continuation has a forbidden character.
 */
export function unfold(previous: HeaderField | undefined, line: string): HeaderField {
  if (!previous) throw new HttpError("bad-header", `Cannot continue a header field that is not there: ${quote(line)}`);
  const more = trimOws(line);
  if (!FIELD_VALUE.test(more)) throw new HttpError("bad-header", `Folded header line ${quote(line)} is malformed`);
  const value = previous.value === "" ? more : more === "" ? previous.value : `${previous.value} ${more}`;
  return { name: previous.name, value };
}

/**
 * Decides how the body is delimited, per RFC 9112 §6.3 (a GET response; the parser frames a HEAD response itself).
 * `ignoreLength`: Content-Length is not read at all (`--ignore-length`): no Transfer-Encoding means EOF.
 */
export function framingOf(head: StatusLine, headers: HttpHeaders, ignoreLength = false): Framing {
  // §6.3 rule 1: 1xx, 204 and 304 never have content, whatever the fields say.
  if (head.status < 200 || head.status === 204 || head.status === 304) return { kind: "none" };
  const te = headers.getAll("transfer-encoding");
  const cl = ignoreLength ? [] : headers.getAll("content-length");
  if (te.length > 0) {
    // §6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing.
    if (head.version === "1.0") {
      throw new HttpError("bad-transfer-encoding", `HTTP/1.0 response has Transfer-Encoding ${quote(te.join(", "))}`);
    }
    // §6.1: TE overrides CL, but the pair "ought to be handled as an error" (smuggling); we choose the error.
    if (cl.length > 0) {
      throw new HttpError(
        "conflicting-length",
        `Response has both Transfer-Encoding and Content-Length ${quote(cl[0])}`,
      );
    }
    const codings = te.join(",").split(",").map((c) => trimOws(c).toLowerCase()).filter((c) => c !== "");
    // We only ask for identity transfer; chunked once and last is the only framing we accept (gzip-then-chunked
    // transfer codings are never requested, so they are refused rather than saved undecoded).
    if (codings.length !== 1 || codings[0] !== "chunked") {
      throw new HttpError("bad-transfer-encoding", `Cannot decode Transfer-Encoding ${quote(te.join(", "))}`);
    }
    return { kind: "chunked" };
  }
  const length = contentLengthOf(cl);
  return length === null ? { kind: "eof" } : { kind: "length", length };
}

/** The single Content-Length that all values agree on (RFC 9110 §8.6 lists allowed), or null when absent. */
export function contentLengthOf(values: readonly string[]): number | null {
  let length: number | null = null;
  for (const value of values) {
    for (const part of value.split(",")) {
      const text = trimOws(part);
      if (!/^[0-9]{1,16}$/.test(text) || Number(text) > Number.MAX_SAFE_INTEGER) {
        throw new HttpError("bad-content-length", `Cannot parse Content-Length ${quote(value)}`);
      }
      const n = Number(text);
      if (length !== null && n !== length) {
        throw new HttpError("conflicting-length", `Content-Length values ${length} and ${n} disagree`);
      }
      length = n;
    }
  }
  return length;
}

function trimOws(s: string): string {
  return s.replace(/^[ \t]+|[ \t]+$/g, "");
}
