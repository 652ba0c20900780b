/**
 * IPv4 header codec (RFC 791 §3.1), for the one protocol this stack carries: unfragmented TCP.
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |   DSCP    |ECN|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options                    |    Padding    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * Flags are 0, DF, MF from the high bit (RFC 791); DSCP/ECN split the old TOS byte (RFC 2474, RFC 3168).
 *
 * @module
 */

import { ipv4, type Ipv4Address } from "./address.ts";
import { onesComplementSum } from "./checksum.ts";
import { checkField, checkRoom, hex16, readU16, readU32, writeU16, writeU32 } from "./_bytes.ts";
import { WireError } from "./errors.ts";

/** Byte offsets of the fixed header fields. */
const F = {
  VERSION_IHL: 0,
  DSCP_ECN: 1,
  TOTAL_LENGTH: 2,
  IDENTIFICATION: 4,
  FLAGS_FRAGMENT: 6,
  TTL: 8,
  PROTOCOL: 9,
  CHECKSUM: 10,
  SRC: 12,
  DST: 16,
} as const;

/** Length of an IPv4 header without options, the only kind this stack emits. */
export const IPV4_HEADER_LEN = 20;

const DF = 0x4000;
const MF = 0x2000;
const FRAGMENT_OFFSET = 0x1fff;

/** The header fields this stack sends and reads; `emitIpv4` takes exactly these. */
export interface Ipv4Header {
  /** Differentiated services code point, 6 bits. */
  readonly dscp: number;
  /** Explicit congestion notification, 2 bits. */
  readonly ecn: number;
  /** The identification field (RFC 6864: only meaningful for fragments). */
  readonly identification: number;
  /** The DF flag. */
  readonly dontFragment: boolean;
  /** Time to live. */
  readonly ttl: number;
  /** Upper-layer protocol, e.g. `IPPROTO_TCP`. */
  readonly protocol: number;
  /** Source address. */
  readonly src: Ipv4Address;
  /** Destination address. */
  readonly dst: Ipv4Address;
  /** Bytes after the header: total length minus header length. */
  readonly payloadLength: number;
}

/** A parsed IPv4 datagram: its header fields and a view of the payload (never copied). */
export interface Ipv4Repr extends Ipv4Header {
  /** Header length in bytes, options included (20..60). */
  readonly headerLength: number;
  /** The payload, a view into the parsed frame ending at the total length (link padding excluded). */
  readonly payload: Uint8Array;
}

/** Options for {@link parseIpv4}. */
export interface ParseIpv4Options {
  /** Verify the header checksum (default true). Turn off only for frames whose checksum was already checked. */
  readonly verifyChecksum?: boolean;
}

/**
 * Parses and validates an IPv4 datagram. Every field is checked against the buffer before it is read.
 *
 * Rejected with a {@link WireError}: a buffer shorter than 20 bytes or than the header or total length
 * (`"truncated"`), a version other than 4 (`"bad-version"`), IHL below 5 (`"bad-ihl"`), a total length below the
 * header length (`"bad-total-length"`), a wrong header checksum (`"bad-checksum"`), any fragment (`"fragment"`).
 * Ignored on purpose: IP options (skipped by IHL; RFC 1122 §3.2.1.8 lets a host ignore unknown ones), the reserved
 * flag bit, and bytes after the total length (Ethernet pads short frames to 60 bytes).
 *
 * @example
 * ```ts
 * const ip = parseIpv4(frame);
 * if (ip.protocol === IPPROTO_TCP) handle(parseTcp(ip.payload));
 * ```
 */
export function parseIpv4(frame: Uint8Array, options: ParseIpv4Options = {}): Ipv4Repr {
  const available = frame.length;
  // The fixed header must be whole before any field of it is read.
  if (available < IPV4_HEADER_LEN) {
    throw new WireError("truncated", `Cannot parse IPv4 header: ${available} bytes is shorter than 20`);
  }
  const version = frame[F.VERSION_IHL] >> 4;
  // Only IPv4 is carried; anything else in the version nibble is another protocol or noise.
  if (version !== 4) throw new WireError("bad-version", `Cannot parse IPv4 header: version ${version} is not 4`);
  const ihl = frame[F.VERSION_IHL] & 0x0f;
  // RFC 791 §3.1: the minimum header is 5 words; a smaller IHL would put the payload inside the fixed fields.
  if (ihl < 5) throw new WireError("bad-ihl", `Cannot parse IPv4 header: IHL ${ihl} is below 5`);
  const headerLength = ihl * 4;
  // The options must lie inside the buffer for the payload to start after them.
  if (headerLength > available) {
    throw new WireError(
      "truncated",
      `Cannot parse IPv4 header: header length ${headerLength} exceeds the ${available}-byte buffer`,
    );
  }
  const totalLength = readU16(frame, F.TOTAL_LENGTH);
  // RFC 791 §3.1: the total length counts the header.
  if (totalLength < headerLength) {
    throw new WireError(
      "bad-total-length",
      `Cannot parse IPv4 header: total length ${totalLength} is below the header length ${headerLength}`,
    );
  }
  // A datagram cut short (a small snaplen, a lying length) has no payload to trust.
  if (totalLength > available) {
    throw new WireError(
      "truncated",
      `Cannot parse IPv4 header: total length ${totalLength} exceeds the ${available}-byte buffer`,
    );
  }
  // A header that sums (checksum included) to 0xffff is intact (RFC 1071 §1 (3)).
  if (options.verifyChecksum !== false && onesComplementSum(frame, 0, headerLength, 0) !== 0xffff) {
    const stored = readU16(frame, F.CHECKSUM);
    const expected = ~onesComplementSum(frame, F.CHECKSUM + 2, headerLength, onesComplementSum(frame, 0, F.CHECKSUM)) &
      0xffff;
    throw new WireError(
      "bad-checksum",
      `Cannot parse IPv4 header: checksum 0x${hex16(stored)} does not verify (expected 0x${hex16(expected)})`,
    );
  }
  const flagsFragment = readU16(frame, F.FLAGS_FRAGMENT);
  // This stack never reassembles: a download over TCP with PMTU discovery (DF) should never see fragments.
  if ((flagsFragment & (MF | FRAGMENT_OFFSET)) !== 0) {
    throw new WireError(
      "fragment",
      `Cannot parse IPv4 datagram: it is a fragment (flags and offset 0x${hex16(flagsFragment)})`,
    );
  }
  return {
    dscp: frame[F.DSCP_ECN] >> 2,
    ecn: frame[F.DSCP_ECN] & 0x03,
    identification: readU16(frame, F.IDENTIFICATION),
    dontFragment: (flagsFragment & DF) !== 0,
    ttl: frame[F.TTL],
    protocol: frame[F.PROTOCOL],
    src: ipv4(readU32(frame, F.SRC)),
    dst: ipv4(readU32(frame, F.DST)),
    payloadLength: totalLength - headerLength,
    headerLength,
    payload: frame.subarray(headerLength, totalLength),
  };
}

/**
 * Writes a 20-byte IPv4 header (no options) with its checksum at `buf[offset]` and returns 20. The payload is copied
 * after the header only when `payload` is given (it must then be `payloadLength` bytes); otherwise the caller has
 * put it there already. Allocates nothing.
 *
 * @example
 * ```ts
 * const segmentLength = emitTcp(tcp, buf, IPV4_HEADER_LEN, src, dst);
 * emitIpv4({ dscp: 0, ecn: 0, identification: 0, dontFragment: true, ttl: 64, protocol: IPPROTO_TCP, src, dst,
 *   payloadLength: segmentLength }, buf);
 * ```
 */
export function emitIpv4(header: Ipv4Header, buf: Uint8Array, offset = 0, payload?: Uint8Array): number {
  const totalLength = IPV4_HEADER_LEN + header.payloadLength;
  checkField("payload length", header.payloadLength, 0xffff - IPV4_HEADER_LEN);
  if (payload !== undefined && payload.length !== header.payloadLength) {
    throw new RangeError(
      `Cannot emit IPv4: payload of ${payload.length} bytes but payloadLength ${header.payloadLength}`,
    );
  }
  const needed = payload === undefined ? IPV4_HEADER_LEN : totalLength;
  checkRoom("IPv4", buf, offset, needed);
  checkField("DSCP", header.dscp, 0x3f);
  checkField("ECN", header.ecn, 0x03);
  checkField("identification", header.identification, 0xffff);
  checkField("TTL", header.ttl, 0xff);
  checkField("protocol", header.protocol, 0xff);
  checkField("source address", header.src, 0xffffffff);
  checkField("destination address", header.dst, 0xffffffff);
  const o = offset;
  buf[o + F.VERSION_IHL] = 0x45;
  buf[o + F.DSCP_ECN] = (header.dscp << 2) | header.ecn;
  writeU16(buf, o + F.TOTAL_LENGTH, totalLength);
  writeU16(buf, o + F.IDENTIFICATION, header.identification);
  writeU16(buf, o + F.FLAGS_FRAGMENT, header.dontFragment ? DF : 0);
  buf[o + F.TTL] = header.ttl;
  buf[o + F.PROTOCOL] = header.protocol;
  writeU16(buf, o + F.CHECKSUM, 0);
  writeU32(buf, o + F.SRC, header.src);
  writeU32(buf, o + F.DST, header.dst);
  const sum = ~onesComplementSum(buf, o, o + IPV4_HEADER_LEN, 0) & 0xffff;
  writeU16(buf, o + F.CHECKSUM, sum);
  if (payload !== undefined) buf.set(payload, o + IPV4_HEADER_LEN);
  return IPV4_HEADER_LEN;
}
