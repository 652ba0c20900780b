/**
 * Just enough DER (ITU-T X.690 §8, §10) to read certificates and CRLs: a tag-length-value view with definite lengths
 * only (DER forbids the indefinite form), single-byte tags (every tag of RFC 5280's structures is one), and the
 * children of a constructed value. Anything else is a {@linkcode DerError}: a file or peer that sends it is not
 * read further.
 *
 * @module
 */

/** Bytes that are not the DER this reader understands. */
export class DerError extends Error {
  /** Builds the error from one sentence. */
  constructor(message: string) {
    super(message);
    this.name = "DerError";
  }
}

/** Universal tags used by RFC 5280's certificates and CRLs. */
export const DER = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OBJECT_IDENTIFIER: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  /** `[0] EXPLICIT`, constructed (a certificate's version, a CRL's extensions). */
  CONTEXT_0: 0xa0,
} as const;

/** One value: its tag, the whole encoding (`tlv`) and its contents. */
export interface DerValue {
  /** The identifier octet. */
  readonly tag: number;
  /** Tag, length and contents, as encoded (what a signature covers, what names are compared by). */
  readonly tlv: Uint8Array;
  /** The contents octets. */
  readonly content: Uint8Array;
}

/**
 * Reads the value that starts at `offset` of `bytes`.
 *
 * @example
 * ```ts
 * readDer(new Uint8Array([0x02, 0x01, 0x05])).content; // Uint8Array [5]
 * ```
 */
export function readDer(bytes: Uint8Array, offset = 0): DerValue {
  if (offset + 2 > bytes.length) throw new DerError(`Cannot read DER at byte ${offset}: the data ends`);
  const tag = bytes[offset];
  // High-tag-number form (X.690 §8.1.2.4): no structure read here uses it.
  if ((tag & 0x1f) === 0x1f) throw new DerError(`Cannot read DER at byte ${offset}: multi-byte tags are not used`);
  let length = bytes[offset + 1];
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    // 0x80 is the indefinite form, which DER forbids (X.690 §10.1); four length bytes are 4 GiB, more than enough.
    if (count === 0 || count > 4) throw new DerError(`Cannot read DER at byte ${offset}: bad length form`);
    if (offset + 2 + count > bytes.length) throw new DerError(`Cannot read DER at byte ${offset}: the data ends`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[offset + 2 + i];
    header += count;
  }
  const end = offset + header + length;
  if (end > bytes.length) {
    throw new DerError(`Cannot read DER at byte ${offset}: ${length} bytes announced, fewer left`);
  }
  return { tag, tlv: bytes.subarray(offset, end), content: bytes.subarray(offset + header, end) };
}

/**
 * The values inside a constructed value, in order.
 *
 * @example
 * ```ts
 * derChildren(readDer(certificateDer)).length; // 3: tbsCertificate, signatureAlgorithm, signatureValue
 * ```
 */
export function derChildren(value: DerValue): DerValue[] {
  if ((value.tag & 0x20) === 0) throw new DerError(`Cannot read inside DER tag 0x${value.tag.toString(16)}`);
  const out: DerValue[] = [];
  for (let at = 0; at < value.content.length;) {
    const child = readDer(value.content, at);
    out.push(child);
    at += child.tlv.length;
  }
  return out;
}

/** The value of `tag` at `index` of `values`, or a DerError naming `what`. */
export function expectDer(values: readonly DerValue[], index: number, tag: number, what: string): DerValue {
  const value = values[index];
  if (value?.tag !== tag) throw new DerError(`Cannot read the ${what}: tag 0x${tag.toString(16)} expected`);
  return value;
}

/**
 * A dotted object identifier (X.690 §8.19).
 *
 * @example
 * ```ts
 * derOid(new Uint8Array([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02])); // "1.2.840.10045.4.3.2"
 * ```
 */
export function derOid(content: Uint8Array): string {
  const arcs: number[] = [];
  let n = 0;
  for (const byte of content) {
    n = n * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    if (arcs.length === 0) arcs.push(n < 80 ? Math.floor(n / 40) : 2, n < 80 ? n % 40 : n - 80);
    else arcs.push(n);
    n = 0;
  }
  return arcs.join(".");
}

/**
 * An INTEGER's contents as upper-case hex without leading zero bytes (how serial numbers are shown and compared).
 *
 * @example
 * ```ts
 * derIntegerHex(new Uint8Array([0x00, 0x90, 0x01])); // "9001"
 * ```
 */
export function derIntegerHex(content: Uint8Array): string {
  let start = 0;
  while (start < content.length - 1 && content[start] === 0) start++;
  return Array.from(content.subarray(start), (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}

/**
 * A UTCTime or GeneralizedTime (RFC 5280 §4.1.2.5: `YYMMDDHHMMSSZ`, `YYYYMMDDHHMMSSZ`) as ms since the epoch, or
 * NaN when it is in another form.
 *
 * @example
 * ```ts
 * derTime({ tag: DER.UTC_TIME, content: new TextEncoder().encode("261202035819Z") } as DerValue);
 * ```
 */
export function derTime(value: DerValue): number {
  const text = new TextDecoder().decode(value.content);
  const m = value.tag === DER.UTC_TIME
    ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
    : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (m === null) return NaN;
  let year = Number(m[1]);
  // RFC 5280 §4.1.2.5.1: a two-digit year of 50 or more is 19YY, below 50 it is 20YY.
  if (value.tag === DER.UTC_TIME) year += year >= 50 ? 1900 : 2000;
  return Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** Whether two byte strings are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * Standard base64 with padding (RFC 4648 §4), as PEM and pins carry it, to bytes; null when `text` is not that.
 *
 * @example
 * ```ts
 * decodeBase64("AQI="); // Uint8Array [1, 2]
 * ```
 */
export function decodeBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
