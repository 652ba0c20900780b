/**
 * ICMPv4 error messages about our TCP segments (RFC 792; next-hop MTU from RFC 1191 §4): what a router or the
 * destination says when a segment of ours could not be delivered.
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            unused             |   Next-Hop MTU (type 3 code 4) |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Internet Header + at least 64 bits of the original datagram  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * The quoted datagram is our own segment as the reporter received it: an IPv4 header (ours have no options) and at
 * least the first 8 bytes of TCP — the ports and the sequence number, which is all RFC 5927 §4.1 needs to check that
 * the message is about a segment we really sent.
 *
 * @module
 */

import { ipv4, type Ipv4Address } from "./address.ts";
import { onesComplementSum } from "./checksum.ts";
import { checkField, readU16, readU32, writeU16 } from "./_bytes.ts";
import { WireError } from "./errors.ts";
import { seq, type SeqNumber } from "./seq.ts";

/** The IP protocol number of ICMPv4. */
export const IPPROTO_ICMP = 1;

/** ICMPv4 types that report an error about a datagram (RFC 792). */
export const ICMP_DEST_UNREACHABLE = 3;
/** Time exceeded: TTL ran out in transit (a routing loop) or fragment reassembly timed out. */
export const ICMP_TIME_EXCEEDED = 11;
/** Parameter problem: a header field was wrong. */
export const ICMP_PARAMETER_PROBLEM = 12;
/** Destination unreachable, code 4: fragmentation needed and DF set (RFC 1191: carries the next-hop MTU). */
export const ICMP_FRAG_NEEDED = 4;

/** Byte offsets of the fixed fields. */
const F = { TYPE: 0, CODE: 1, CHECKSUM: 2, NEXT_HOP_MTU: 6, QUOTED: 8 } as const;

/** The shortest quote we can use: a 20-byte IPv4 header and the first 8 bytes of TCP (RFC 792). */
const MIN_QUOTE = 28;

/** A parsed ICMPv4 error message. */
export interface IcmpErrorRepr {
  /** Type (3, 11 or 12). */
  readonly type: number;
  /** Code (its meaning depends on the type). */
  readonly code: number;
  /** Next-hop MTU of a "fragmentation needed" message (RFC 1191 §4); 0 when absent (old routers) or another code. */
  readonly nextHopMtu: number;
  /** The quoted datagram (a view into the message). */
  readonly quoted: Uint8Array;
}

/**
 * Parses an ICMPv4 error message (the payload of an IPv4 datagram of protocol 1).
 *
 * Rejected with a {@link WireError}: fewer than 8 + 28 bytes (`"truncated"`: no room for the quote we need), a
 * checksum that does not verify (`"bad-checksum"`), a type that reports no error about a datagram (`"bad-icmp"`:
 * echo, redirect, source quench — RFC 6633 deprecated it — and the rest).
 *
 * @example
 * ```ts
 * const icmp = parseIcmpv4(ip.payload); // { type: 3, code: 4, nextHopMtu: 1400, quoted }
 * ```
 */
export function parseIcmpv4(message: Uint8Array): IcmpErrorRepr {
  // The quote must hold our IP header and the TCP ports and sequence number, or it identifies nothing.
  if (message.length < F.QUOTED + MIN_QUOTE) {
    throw new WireError("truncated", `Cannot parse ICMP error: ${message.length} bytes is shorter than 36`);
  }
  // RFC 792: the checksum covers the whole ICMP message; a message that does not sum up was damaged or forged.
  if (onesComplementSum(message, 0, message.length, 0) !== 0xffff) {
    throw new WireError("bad-checksum", "Cannot parse ICMP error: the checksum does not verify");
  }
  const type = message[F.TYPE];
  // Only these three types quote a datagram we sent; anything else says nothing about our connection.
  if (type !== ICMP_DEST_UNREACHABLE && type !== ICMP_TIME_EXCEEDED && type !== ICMP_PARAMETER_PROBLEM) {
    throw new WireError("bad-icmp", `Cannot parse ICMP error: type ${type} reports no error about a datagram`);
  }
  const code = message[F.CODE];
  return {
    type,
    code,
    nextHopMtu: type === ICMP_DEST_UNREACHABLE && code === ICMP_FRAG_NEEDED ? readU16(message, F.NEXT_HOP_MTU) : 0,
    quoted: message.subarray(F.QUOTED),
  };
}

/** The fields of our TCP segment that an ICMP error quotes. */
export interface QuotedTcp {
  /** Our address (the quoted datagram's source). */
  readonly src: Ipv4Address;
  /** The peer's address. */
  readonly dst: Ipv4Address;
  /** Our port. */
  readonly srcPort: number;
  /** The peer's port. */
  readonly dstPort: number;
  /** The quoted segment's sequence number. */
  readonly seq: SeqNumber;
  /** The quoted datagram's total length (what did not fit, for a "fragmentation needed" without an MTU). */
  readonly totalLength: number;
}

/**
 * Reads the TCP segment an ICMP error quotes. Rejected with a {@link WireError} (`"bad-icmp"`): a quote that is not
 * IPv4, not TCP, or too short to hold the TCP ports and sequence number after its header.
 *
 * @example
 * ```ts
 * const q = parseQuotedTcp(icmp.quoted); // { src, dst, srcPort: 40000, dstPort: 80, seq, totalLength: 1500 }
 * ```
 */
export function parseQuotedTcp(quoted: Uint8Array): QuotedTcp {
  const fail = (why: string) => new WireError("bad-icmp", `Cannot read the quoted segment: ${why}`);
  if (quoted.length < MIN_QUOTE) throw fail(`${quoted.length} bytes is shorter than 28`);
  if (quoted[0] >> 4 !== 4) throw fail(`version ${quoted[0] >> 4} is not 4`);
  const headerLength = (quoted[0] & 0x0f) * 4;
  // The TCP ports and sequence number follow the quoted header (options included, should a reporter add any).
  if (headerLength < 20 || quoted.length < headerLength + 8) {
    throw fail(`a header of ${headerLength} bytes leaves no TCP ports and sequence number in ${quoted.length}`);
  }
  if (quoted[9] !== 6) throw fail(`protocol ${quoted[9]} is not TCP`);
  return {
    src: ipv4(readU32(quoted, 12)),
    dst: ipv4(readU32(quoted, 16)),
    srcPort: readU16(quoted, headerLength),
    dstPort: readU16(quoted, headerLength + 2),
    seq: seq(readU32(quoted, headerLength + 4)),
    totalLength: readU16(quoted, 2),
  };
}

/** What an ICMP error means to a TCP connection (RFC 1122 §4.2.3.9, RFC 5461). */
export type IcmpVerdict =
  /** The destination cannot be reached at all: protocol or port unreachable. */
  | "hard"
  /** The destination may be unreachable for now: ends a connection attempt, only noted once connected. */
  | "unreachable"
  /** Transient (time exceeded, parameter problem): only noted, said if the connection later times out. */
  | "soft"
  /** Fragmentation needed: the path's MTU is smaller than our segment (RFC 1191). */
  | "too-big";

/**
 * How a TCP connection should take an ICMP error of `type` and `code`.
 *
 * @example `icmpVerdict(3, 13) === "unreachable"` (communication administratively prohibited)
 */
export function icmpVerdict(type: number, code: number): IcmpVerdict {
  if (type !== ICMP_DEST_UNREACHABLE) return "soft";
  // RFC 1122 §4.2.3.9: protocol and port unreachable are hard errors.
  if (code === 2 || code === 3) return "hard";
  if (code === ICMP_FRAG_NEEDED) return "too-big";
  // Net/host unreachable, unknown, prohibited: soft for an established connection (routes change), but RFC 5461
  // §4 and every common stack end a connection attempt on them rather than resend the SYN into a known wall.
  return "unreachable";
}

const UNREACHABLE_CODES: readonly string[] = [
  "network unreachable",
  "host unreachable",
  "protocol unreachable",
  "port unreachable",
  "fragmentation needed",
  "source route failed",
  "destination network unknown",
  "destination host unknown",
  "source host isolated",
  "network administratively prohibited",
  "host administratively prohibited",
  "network unreachable for the type of service",
  "host unreachable for the type of service",
  "communication administratively prohibited",
  "host precedence violation",
  "precedence cutoff in effect",
];

/**
 * The words for an ICMP error, as a router "says" it.
 *
 * @example `describeIcmp(3, 1) === "host unreachable"`
 */
export function describeIcmp(type: number, code: number): string {
  if (type === ICMP_DEST_UNREACHABLE) return UNREACHABLE_CODES[code] ?? `destination unreachable (code ${code})`;
  if (type === ICMP_TIME_EXCEEDED) return code === 0 ? "time to live exceeded in transit" : "reassembly time exceeded";
  if (type === ICMP_PARAMETER_PROBLEM) return "parameter problem";
  return `ICMP type ${type} code ${code}`;
}

/**
 * Writes an ICMP error message quoting `quoted` (the offending datagram's first bytes) with its checksum; returns
 * the message. What a router makes: tests and the adversarial peer use it.
 *
 * @example
 * ```ts
 * const msg = emitIcmpv4Error(3, 4, 1400, frame.subarray(0, 28));
 * ```
 */
export function emitIcmpv4Error(
  type: number,
  code: number,
  nextHopMtu: number,
  quoted: Uint8Array,
): Uint8Array<ArrayBuffer> {
  checkField("ICMP type", type, 0xff);
  checkField("ICMP code", code, 0xff);
  checkField("next-hop MTU", nextHopMtu, 0xffff);
  const message = new Uint8Array(F.QUOTED + quoted.length);
  message[F.TYPE] = type;
  message[F.CODE] = code;
  writeU16(message, F.NEXT_HOP_MTU, nextHopMtu);
  message.set(quoted, F.QUOTED);
  writeU16(message, F.CHECKSUM, ~onesComplementSum(message, 0, message.length, 0) & 0xffff);
  return message;
}
