/**
 * TCP segment codec (RFC 9293 §3.1). Parses into and emits from the shared {@link TcpRepr}.
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Options (0..40 bytes)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                             Data                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * @module
 */

import { checkField, checkRoom, readU16, readU32, writeU16, writeU32 } from "./_bytes.ts";
import type { Ipv4Address } from "./address.ts";
import { IPPROTO_TCP, onesComplementSum, pseudoHeaderSum, tcpChecksumOf } from "./checksum.ts";
import { WireError } from "./errors.ts";
import { seq } from "./seq.ts";
import { emitTcpOptions, parseTcpOptions, tcpOptionsLength } from "./tcp_options.ts";
import type { TcpOptions, TcpRepr } from "./tcp_repr.ts";

/** Byte offsets of the fixed header fields. */
const F = {
  SRC_PORT: 0,
  DST_PORT: 2,
  SEQ: 4,
  ACK: 8,
  DATA_OFFSET: 12,
  FLAGS: 13,
  WINDOW: 14,
  CHECKSUM: 16,
  URGENT: 18,
  OPTIONS: 20,
} as const;

/** Length of a TCP header without options. */
export const TCP_HEADER_LEN = 20;

/**
 * Parses and validates a TCP segment (the IPv4 payload). The payload is a view into `segment`, not a copy.
 *
 * Rejected with a {@link WireError}: fewer than 20 bytes (`"truncated"`), a data offset below 5 words or past the end
 * of the segment (`"bad-data-offset"`), malformed options (`"bad-option"`, see {@link parseTcpOptions}). The
 * checksum is not checked here because it needs the addresses: see {@link verifyTcpChecksum}. Ignored on purpose:
 * the 4 reserved bits of byte 12 (RFC 9293 §3.1 says to ignore them; the AccECN "AE" bit lives there too).
 *
 * @example
 * ```ts
 * const tcp = parseTcp(ip.payload);
 * if ((tcp.flags & SYN) !== 0) console.log(tcp.options.mss);
 * ```
 */
export function parseTcp(segment: Uint8Array): TcpRepr {
  const length = segment.length;
  // The fixed header must be whole before any field of it is read.
  if (length < TCP_HEADER_LEN) {
    throw new WireError("truncated", `Cannot parse TCP header: ${length} bytes is shorter than 20`);
  }
  const dataOffset = segment[F.DATA_OFFSET] >> 4;
  // RFC 9293 §3.1: the header is at least 5 words; a smaller offset would put data inside the fixed fields.
  if (dataOffset < 5) {
    throw new WireError("bad-data-offset", `Cannot parse TCP header: data offset ${dataOffset} is below 5`);
  }
  const headerLength = dataOffset * 4;
  // The options area must lie inside the segment; the options parser reads no further than its end.
  if (headerLength > length) {
    throw new WireError(
      "bad-data-offset",
      `Cannot parse TCP header: data offset ${dataOffset} (${headerLength} bytes) exceeds the ${length}-byte segment`,
    );
  }
  return {
    srcPort: readU16(segment, F.SRC_PORT),
    dstPort: readU16(segment, F.DST_PORT),
    seq: seq(readU32(segment, F.SEQ)),
    ack: seq(readU32(segment, F.ACK)),
    flags: segment[F.FLAGS],
    window: readU16(segment, F.WINDOW),
    urgent: readU16(segment, F.URGENT),
    options: parseTcpOptions(segment, F.OPTIONS, headerLength),
    payload: segment.subarray(headerLength),
  };
}

/**
 * The header length `emitTcp` writes for these options: 20 plus the options in Linux's layout (a multiple of 4).
 *
 * @example
 * ```ts
 * tcpHeaderLength({ timestamp: { tsVal: 1, tsEcr: 2 } }); // 32
 * ```
 */
export function tcpHeaderLength(options: TcpOptions): number {
  return TCP_HEADER_LEN + tcpOptionsLength(options);
}

/**
 * Writes `repr` (header, options, payload) at `buf[offset]`, fills in the checksum for the `src` → `dst` addresses
 * and returns the segment length. Allocates nothing; the payload copy is skipped when `repr.payload` already sits at
 * its place in `buf`. Throws `RangeError` when the segment does not fit or a field is out of range.
 *
 * @example
 * ```ts
 * const n = emitTcp({ srcPort: 40000, dstPort: 80, seq: seq(1), ack: seq(0), flags: SYN, window: 64240,
 *   urgent: 0, options: { mss: 1460 }, payload: new Uint8Array(0) }, buf, 20, src, dst); // 24
 * ```
 */
export function emitTcp(repr: TcpRepr, buf: Uint8Array, offset: number, src: Ipv4Address, dst: Ipv4Address): number {
  const total = emitTcpUnsummed(repr, buf, offset);
  writeU16(buf, offset + F.CHECKSUM, tcpChecksumOf(src, dst, buf, offset, offset + total));
  return total;
}

/**
 * {@link emitTcp} without the checksum (the field is left 0), for a network layer that sums its own pseudo-header
 * (IPv6: {@link fillTcpChecksum} with `pseudoHeaderSumV6`).
 *
 * @example
 * ```ts
 * const n = emitTcpUnsummed(seg, buf, 40);
 * fillTcpChecksum(buf, 40, 40 + n, pseudoHeaderSumV6(buf, 8, buf, 24, IPPROTO_TCP, n));
 * ```
 */
export function emitTcpUnsummed(repr: TcpRepr, buf: Uint8Array, offset: number): number {
  const headerLength = tcpHeaderLength(repr.options);
  const total = headerLength + repr.payload.length;
  checkRoom("TCP", buf, offset, total);
  checkField("source port", repr.srcPort, 0xffff);
  checkField("destination port", repr.dstPort, 0xffff);
  checkField("sequence number", repr.seq, 0xffffffff);
  checkField("acknowledgment number", repr.ack, 0xffffffff);
  checkField("flags", repr.flags, 0xff);
  checkField("window", repr.window, 0xffff);
  checkField("urgent pointer", repr.urgent, 0xffff);
  const o = offset;
  writeU16(buf, o + F.SRC_PORT, repr.srcPort);
  writeU16(buf, o + F.DST_PORT, repr.dstPort);
  writeU32(buf, o + F.SEQ, repr.seq);
  writeU32(buf, o + F.ACK, repr.ack);
  buf[o + F.DATA_OFFSET] = (headerLength / 4) << 4;
  buf[o + F.FLAGS] = repr.flags;
  writeU16(buf, o + F.WINDOW, repr.window);
  writeU16(buf, o + F.URGENT, repr.urgent);
  emitTcpOptions(repr.options, buf, o + F.OPTIONS);
  const payload = repr.payload;
  const inPlace = payload.buffer === buf.buffer && payload.byteOffset === buf.byteOffset + o + headerLength;
  if (!inPlace && payload.length > 0) buf.set(payload, o + headerLength);
  writeU16(buf, o + F.CHECKSUM, 0);
  return total;
}

/**
 * Writes the checksum of the segment at `buf[start..end)` given its pseudo-header's folded sum (length included).
 *
 * @example
 * ```ts
 * fillTcpChecksum(buf, 40, 40 + n, pseudoHeaderSumV6(buf, 8, buf, 24, IPPROTO_TCP, n));
 * ```
 */
export function fillTcpChecksum(buf: Uint8Array, start: number, end: number, pseudo: number): void {
  writeU16(buf, start + F.CHECKSUM, 0);
  writeU16(buf, start + F.CHECKSUM, ~onesComplementSum(buf, start, end, pseudo) & 0xffff);
}

/**
 * {@link verifyTcpChecksum} for any network layer: `pseudo` is the folded sum of its pseudo-header (length included).
 *
 * @example
 * ```ts
 * verifyTcpSum(pseudoHeaderSumV6(frame, 8, frame, 24, IPPROTO_TCP, seg.length), seg);
 * ```
 */
export function verifyTcpSum(pseudo: number, segment: Uint8Array): boolean {
  if (segment.length < TCP_HEADER_LEN) return false;
  return onesComplementSum(segment, 0, segment.length, pseudo) === 0xffff;
}

/**
 * {@link isFoldedPseudoHeaderChecksum} for any network layer (`pseudo`: the pseudo-header's folded sum).
 *
 * @example
 * ```ts
 * isFoldedPseudoSum(pseudoHeaderSumV6(frame, 8, frame, 24, IPPROTO_TCP, seg.length), seg);
 * ```
 */
export function isFoldedPseudoSum(pseudo: number, segment: Uint8Array): boolean {
  if (segment.length < TCP_HEADER_LEN) return false;
  return readU16(segment, F.CHECKSUM) % 0xffff === pseudo % 0xffff;
}

/**
 * True when the segment's checksum is right for the `src` → `dst` pseudo-header (RFC 9293 §3.1). Never throws:
 * a segment too short to hold a checksum is simply not valid.
 *
 * @example
 * ```ts
 * if (!verifyTcpChecksum(ip.src, ip.dst, ip.payload)) stats.badChecksum++;
 * ```
 */
export function verifyTcpChecksum(src: Ipv4Address, dst: Ipv4Address, segment: Uint8Array): boolean {
  if (segment.length < TCP_HEADER_LEN || segment.length > 0xffff) return false;
  return onesComplementSum(segment, 0, segment.length, pseudoHeaderSum(src, dst, IPPROTO_TCP, segment.length)) ===
    0xffff;
}

/**
 * True when the checksum field holds the folded, not complemented, pseudo-header sum rather than a checksum: what a
 * sender on the same host leaves when checksum offload is on and the "hardware" never fills the field in (a SYN-ACK
 * from 198.18.200.2 to 198.18.200.1 carries `0x1c58`). The driver may accept such a segment from a local peer.
 * Both representations of zero (0 and 0xffff) match.
 *
 * @example
 * ```ts
 * const ok = verifyTcpChecksum(s, d, seg) || (peerIsLocal && isFoldedPseudoHeaderChecksum(s, d, seg));
 * ```
 */
export function isFoldedPseudoHeaderChecksum(src: Ipv4Address, dst: Ipv4Address, segment: Uint8Array): boolean {
  if (segment.length < TCP_HEADER_LEN || segment.length > 0xffff) return false;
  const stored = readU16(segment, F.CHECKSUM);
  return stored % 0xffff === pseudoHeaderSum(src, dst, IPPROTO_TCP, segment.length) % 0xffff;
}
