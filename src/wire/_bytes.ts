/**
 * Private byte helpers of the wire codecs (not re-exported by `mod.ts`).
 *
 * @module
 */

/** Reads a big-endian u16; the caller has checked `offset + 2 <= bytes.length`. */
export function readU16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] << 8) | bytes[offset + 1];
}

/** Writes a big-endian u16; the caller has checked `offset + 2 <= bytes.length`. */
export function writeU16(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = (value >>> 8) & 0xff;
  bytes[offset + 1] = value & 0xff;
}

/** Reads a big-endian u32; the caller has checked `offset + 4 <= bytes.length`. */
export function readU32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
}

/** Writes a big-endian u32; the caller has checked `offset + 4 <= bytes.length`. */
export function writeU32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 24;
  bytes[offset + 1] = (value >>> 16) & 0xff;
  bytes[offset + 2] = (value >>> 8) & 0xff;
  bytes[offset + 3] = value & 0xff;
}

/** Throws `RangeError` unless `value` is an integer in `[0, max]`. */
export function checkField(name: string, value: number, max: number): void {
  if (!(Number.isInteger(value) && value >= 0 && value <= max)) {
    throw new RangeError(`Cannot emit: ${name} ${value} is not an integer in 0..${max}`);
  }
}

/** Throws `RangeError` unless `needed` bytes of a `what` header fit in `buf` at integer `offset` ≥ 0. */
export function checkRoom(what: string, buf: Uint8Array, offset: number, needed: number): void {
  if (!(offset >= 0 && Number.isInteger(offset) && offset + needed <= buf.length)) {
    throw new RangeError(`Cannot emit ${what} at offset ${offset}: ${needed} bytes do not fit in ${buf.length}`);
  }
}

/** Four lowercase hex digits. */
export function hex16(value: number): string {
  return value.toString(16).padStart(4, "0");
}
