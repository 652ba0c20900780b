/**
 * Documents read one character per byte ("binary strings"), so that every index a parser reports is a byte offset,
 * and the text of a run of such bytes in the document's charset.
 *
 * @module
 */

import type { Charset } from "../http/mod.ts";

/** Bytes converted per `String.fromCharCode` call: far below any engine's argument limit. */
const CHUNK = 8192;

/** `bytes` as a string of the same length, byte N as the character U+00NN. */
export function binaryString(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) {
    parts.push(String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]));
  }
  return parts.join("");
}

/** C's `isspace` in the C locale (space, \t, \n, \v, \f, \r): what wget trims from an attribute value. */
export function isCSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/**
 * The text of `binary` (bytes as characters) in `charset`. ASCII is read as it is; bytes the charset cannot read, or
 * any byte outside ASCII when the charset is unknown (null), become %XX, which names the same bytes in a URL.
 */
export function bytesText(binary: string, charset: Charset | null): string {
  // deno-lint-ignore no-control-regex -- ASCII, controls included, needs no decoding
  if (/^[\x00-\x7f]*$/.test(binary)) return binary;
  const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  const text = charset?.decode(bytes) ?? null;
  if (text !== null) return text;
  let out = "";
  for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  return out;
}
