/**
 * The Internet checksum (RFC 1071) and the TCP pseudo-header (RFC 9293 §3.1).
 *
 * This runs on every frame sent and received, so the bulk of the data is summed as 32-bit words through a
 * `Uint32Array` view of the underlying buffer, in the machine's byte order, into a float accumulator (exact below
 * 2^53) that is folded once at the end. RFC 1071 §2 (A, B) makes this valid: the one's complement sum is associative,
 * and summing in the other byte order yields the byte-swapped result. Swapping the two bytes of a 16-bit value is
 * multiplying it by 256 modulo 0xffff, which is how the parts of an unaligned or odd-length range are recombined.
 *
 * @module
 */

import type { Ipv4Address } from "./address.ts";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Below this many bytes a plain byte loop beats setting up the word view. */
const SMALL = 64;
/** Words summed between two folds: keeps the float accumulator far below 2^53. */
const CHUNK_WORDS = 1 << 20;

// One cached word view: the receive and send paths reuse one large buffer, so this avoids a view per call.
let cachedBuffer: ArrayBufferLike | null = null;
let cachedLength = -1;
let cachedWords: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

function wordsOf(buffer: ArrayBufferLike): Uint32Array<ArrayBufferLike> {
  if (buffer !== cachedBuffer || buffer.byteLength !== cachedLength) {
    cachedWords = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
    cachedBuffer = buffer;
    cachedLength = buffer.byteLength;
  }
  return cachedWords;
}

/** Folds a non-negative sum to 16 bits with end-around carry: 0 stays 0, any other multiple of 0xffff is 0xffff. */
function fold(sum: number): number {
  return sum === 0 ? 0 : ((sum - 1) % 0xffff) + 1;
}

/**
 * The one's complement sum of `bytes[start..end)` read as big-endian 16-bit words (an odd last byte is padded with a
 * zero), plus `acc`, folded to 16 bits but not complemented.
 *
 * `acc` may be any non-negative integer below 2^52, typically a previous result or {@link pseudoHeaderSum}; so a
 * checksum can be computed over several ranges, each starting at an even offset from the first.
 *
 * @example
 * ```ts
 * onesComplementSum(new Uint8Array([0x00, 0x01, 0xf2, 0x03]), 0, 4, 0); // 0xf204
 * ```
 */
export function onesComplementSum(bytes: Uint8Array, start = 0, end: number = bytes.length, acc = 0): number {
  if (!(start >= 0 && start <= end && end <= bytes.length && Number.isInteger(start) && Number.isInteger(end))) {
    throw new RangeError(`Cannot sum bytes ${start}..${end} of a ${bytes.length}-byte buffer`);
  }
  const n = end - start;
  if (n < SMALL) {
    let sum = acc;
    let i = start;
    for (; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
    if (i < end) sum += bytes[i] << 8;
    return fold(sum);
  }
  // Bytes before the first 4-byte-aligned address, weighted by their parity from `start`.
  const address = bytes.byteOffset + start;
  const head = (4 - (address & 3)) & 3;
  let edges = acc;
  for (let j = 0; j < head; j++) edges += (j & 1) === 0 ? bytes[start + j] << 8 : bytes[start + j];
  const words = wordsOf(bytes.buffer);
  const first = (address + head) >>> 2;
  const count = (n - head) >>> 2;
  let middle = 0;
  for (let w = first, last = first + count; w < last;) {
    const stop = Math.min(last, w + CHUNK_WORDS);
    let chunk = 0;
    for (; w < stop; w++) chunk += words[w];
    middle = fold(middle + fold(chunk));
  }
  // The words were read in machine order and start at an offset of parity `head` from `start`; each of those two
  // facts swaps the bytes once (multiplies by 256), and two swaps cancel.
  const swapped = LITTLE_ENDIAN !== ((head & 1) === 1);
  if (swapped) middle *= 256;
  for (let j = head + count * 4; j < n; j++) edges += (j & 1) === 0 ? bytes[start + j] << 8 : bytes[start + j];
  return fold(edges + middle);
}

/**
 * The Internet checksum of `bytes`: the complement of their one's complement sum (plus `initial`), as written into a
 * header. Computed over a header that already holds its checksum, it is 0 when the checksum is right.
 *
 * @example
 * ```ts
 * internetChecksum(new Uint8Array([0x45, 0x00, 0x00, 0x1c])); // 0xbae3
 * ```
 */
export function internetChecksum(bytes: Uint8Array, initial = 0): number {
  return ~onesComplementSum(bytes, 0, bytes.length, initial) & 0xffff;
}

/**
 * The folded (not complemented) sum of the IPv4 pseudo-header: source and destination addresses as u32, the protocol
 * number and the upper-layer length (RFC 9293 §3.1).
 *
 * @example
 * ```ts
 * pseudoHeaderSum(ipv4(0xc612c801), ipv4(0xc612c802), IPPROTO_TCP, 40); // 0x1c58
 * ```
 */
export function pseudoHeaderSum(src: Ipv4Address, dst: Ipv4Address, protocol: number, length: number): number {
  return fold((src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + (protocol & 0xff) + (length & 0xffff));
}

/**
 * The folded sum of an IPv6 pseudo-header (RFC 8200 §8.1): the 16-byte source and destination addresses at
 * `src[srcAt]` and `dst[dstAt]`, the upper-layer length (a 32-bit field) and the next header. Equal to the IPv4 sum's
 * role: a TCP or ICMPv6 checksum is the complemented sum of it and the segment.
 *
 * @example
 * ```ts
 * pseudoHeaderSumV6(frame, 8, frame, 24, IPPROTO_TCP, 40); // addresses read from an IPv6 header
 * ```
 */
export function pseudoHeaderSumV6(
  src: Uint8Array,
  srcAt: number,
  dst: Uint8Array,
  dstAt: number,
  nextHeader: number,
  length: number,
): number {
  const addresses = onesComplementSum(dst, dstAt, dstAt + 16, onesComplementSum(src, srcAt, srcAt + 16, 0));
  return fold(addresses + (length >>> 16) + (length & 0xffff) + (nextHeader & 0xff));
}

/** The IP protocol number of TCP (RFC 790), in the IPv4 protocol field and in the pseudo-header. */
export const IPPROTO_TCP = 6;
/** Offset of the checksum field in a TCP header. */
const TCP_CHECKSUM = 16;

/**
 * The checksum a TCP segment (header, options and payload) must carry between `src` and `dst`. The segment's own
 * checksum field is skipped, so its current value does not matter. A result of 0 is sent as 0 (unlike UDP).
 *
 * @example
 * ```ts
 * const sum = tcpChecksum(ipv4(0xc612c801), ipv4(0xc612c802), segment);
 * segment[16] = sum >> 8;
 * segment[17] = sum & 0xff;
 * ```
 */
export function tcpChecksum(src: Ipv4Address, dst: Ipv4Address, segment: Uint8Array): number {
  return tcpChecksumOf(src, dst, segment, 0, segment.length);
}

/**
 * {@link tcpChecksum} over `bytes[start..end)` without making a view: the emitter's allocation-free form.
 *
 * @example
 * ```ts
 * tcpChecksumOf(src, dst, frame, 20, frame.length); // the segment after a 20-byte IPv4 header
 * ```
 */
export function tcpChecksumOf(
  src: Ipv4Address,
  dst: Ipv4Address,
  bytes: Uint8Array,
  start: number,
  end: number,
): number {
  if (end - start < TCP_CHECKSUM + 2) {
    throw new RangeError(`Cannot checksum a TCP segment of ${end - start} bytes: the header needs at least 18`);
  }
  const pseudo = pseudoHeaderSum(src, dst, IPPROTO_TCP, end - start);
  const before = onesComplementSum(bytes, start, start + TCP_CHECKSUM, pseudo);
  return ~onesComplementSum(bytes, start + TCP_CHECKSUM + 2, end, before) & 0xffff;
}
