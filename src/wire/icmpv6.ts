/**
 * ICMPv6 error messages about our TCP segments (RFC 4443 §3): what a router or the destination says when a segment
 * of ours could not be delivered, and "packet too big" with the MTU of the next link (RFC 8201).
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Unused / MTU (type 2) / Pointer (type 4), 32 bits         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    As much of the invoking packet as fits in 1280 bytes       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * Unlike ICMPv4's, the checksum covers an IPv6 pseudo-header (RFC 4443 §2.3, next header 58), so the message's own
 * source and destination addresses are part of what is verified.
 *
 * @module
 */

import { readU16, readU32, writeU16, writeU32 } from "./_bytes.ts";
import { IPPROTO_TCP, onesComplementSum, pseudoHeaderSumV6 } from "./checksum.ts";
import { WireError } from "./errors.ts";
import type { IcmpVerdict } from "./icmp.ts";
import { type Ipv6Address, ipv6FromBytes } from "./ipv6_address.ts";
import { seq, type SeqNumber } from "./seq.ts";

/** The IPv6 next-header value of ICMPv6. */
export const IPPROTO_ICMPV6 = 58;
/** ICMPv6 Destination Unreachable. */
export const ICMPV6_DEST_UNREACHABLE = 1;
/** ICMPv6 Packet Too Big (RFC 4443 §3.2): the MTU of the link the packet could not enter. */
export const ICMPV6_PACKET_TOO_BIG = 2;
/** ICMPv6 Time Exceeded. */
export const ICMPV6_TIME_EXCEEDED = 3;
/** ICMPv6 Parameter Problem. */
export const ICMPV6_PARAMETER_PROBLEM = 4;

/** The fixed part, then the quote: our 40-byte header and the first 8 bytes of TCP. */
const QUOTED = 8;
const MIN_QUOTE = 48;

/** A parsed ICMPv6 error message. */
export interface Icmpv6ErrorRepr {
  /** Type (1 to 4). */
  readonly type: number;
  /** Code. */
  readonly code: number;
  /** The MTU of a "packet too big" message; 0 for the other types. */
  readonly mtu: number;
  /** The quoted packet (a view into the message). */
  readonly quoted: Uint8Array;
}

/**
 * Parses an ICMPv6 error message that `src` sent to `dst` (the 16-byte addresses of its IPv6 header, at `frame[8]`
 * and `frame[24]`). Rejected with a {@link WireError}: fewer than 8 + 48 bytes (`"truncated"`), a checksum that does
 * not verify over the pseudo-header (`"bad-checksum"`), a type that reports no error (`"bad-icmp"`: echo, neighbour
 * discovery, and informational types 128 and up).
 *
 * @example
 * ```ts
 * const icmp = parseIcmpv6(ip.payload, frame, 8, frame, 24); // { type: 2, code: 0, mtu: 1400, quoted }
 * ```
 */
export function parseIcmpv6(
  message: Uint8Array,
  src: Uint8Array,
  srcAt: number,
  dst: Uint8Array,
  dstAt: number,
): Icmpv6ErrorRepr {
  if (message.length < QUOTED + MIN_QUOTE) {
    throw new WireError("truncated", `Cannot parse ICMPv6 error: ${message.length} bytes is shorter than 56`);
  }
  const pseudo = pseudoHeaderSumV6(src, srcAt, dst, dstAt, IPPROTO_ICMPV6, message.length);
  // RFC 4443 §2.3: the checksum covers the pseudo-header and the whole message.
  if (onesComplementSum(message, 0, message.length, pseudo) !== 0xffff) {
    throw new WireError("bad-checksum", "Cannot parse ICMPv6 error: the checksum does not verify");
  }
  const type = message[0];
  // RFC 4443 §2.1: types 0-127 are errors; of those only these four exist.
  if (type < ICMPV6_DEST_UNREACHABLE || type > ICMPV6_PARAMETER_PROBLEM) {
    throw new WireError("bad-icmp", `Cannot parse ICMPv6 error: type ${type} reports no error about a packet`);
  }
  return {
    type,
    code: message[1],
    mtu: type === ICMPV6_PACKET_TOO_BIG ? readU32(message, 4) : 0,
    quoted: message.subarray(QUOTED),
  };
}

/** The fields of our TCP segment that an ICMPv6 error quotes. */
export interface QuotedTcpV6 {
  /** Our address. */
  readonly src: Ipv6Address;
  /** The peer's address. */
  readonly dst: Ipv6Address;
  /** Our port. */
  readonly srcPort: number;
  /** The peer's port. */
  readonly dstPort: number;
  /** The quoted segment's sequence number. */
  readonly seq: SeqNumber;
  /** The quoted packet's length (40 plus its payload length). */
  readonly totalLength: number;
}

/**
 * Reads the TCP segment an ICMPv6 error quotes: ours carry no extension headers, so TCP must follow the 40-byte
 * header. Rejected with a {@link WireError} (`"bad-icmp"`) otherwise.
 *
 * @example
 * ```ts
 * parseQuotedTcpV6(icmp.quoted); // { src, dst, srcPort: 40000, dstPort: 80, seq, totalLength: 1500 }
 * ```
 */
export function parseQuotedTcpV6(quoted: Uint8Array): QuotedTcpV6 {
  const fail = (why: string) => new WireError("bad-icmp", `Cannot read the quoted segment: ${why}`);
  if (quoted.length < MIN_QUOTE) throw fail(`${quoted.length} bytes is shorter than 48`);
  if (quoted[0] >> 4 !== 6) throw fail(`version ${quoted[0] >> 4} is not 6`);
  if (quoted[6] !== IPPROTO_TCP) throw fail(`next header ${quoted[6]} is not TCP`);
  return {
    src: ipv6FromBytes(quoted, 8),
    dst: ipv6FromBytes(quoted, 24),
    srcPort: readU16(quoted, 40),
    dstPort: readU16(quoted, 42),
    seq: seq(readU32(quoted, 44)),
    totalLength: 40 + readU16(quoted, 4),
  };
}

/**
 * How a TCP connection should take an ICMPv6 error (RFC 4443 §3, RFC 5461 as for ICMPv4).
 *
 * @example `icmpv6Verdict(2, 0) === "too-big"`
 */
export function icmpv6Verdict(type: number, code: number): IcmpVerdict {
  if (type === ICMPV6_PACKET_TOO_BIG) return "too-big";
  if (type === ICMPV6_DEST_UNREACHABLE) return code === 4 ? "hard" : "unreachable";
  // Parameter problem, code 1: an unrecognized next header, the counterpart of "protocol unreachable".
  if (type === ICMPV6_PARAMETER_PROBLEM && code === 1) return "hard";
  return "soft";
}

const UNREACHABLE_CODES: readonly string[] = [
  "no route to destination",
  "communication administratively prohibited",
  "beyond scope of source address",
  "address unreachable",
  "port unreachable",
  "source address failed ingress/egress policy",
  "reject route to destination",
];

/**
 * The words for an ICMPv6 error, as a router "says" it.
 *
 * @example `describeIcmpv6(1, 3) === "address unreachable"`
 */
export function describeIcmpv6(type: number, code: number): string {
  if (type === ICMPV6_DEST_UNREACHABLE) return UNREACHABLE_CODES[code] ?? `destination unreachable (code ${code})`;
  if (type === ICMPV6_PACKET_TOO_BIG) return "packet too big";
  if (type === ICMPV6_TIME_EXCEEDED) return code === 0 ? "hop limit exceeded in transit" : "reassembly time exceeded";
  if (type === ICMPV6_PARAMETER_PROBLEM) return "parameter problem";
  return `ICMPv6 type ${type} code ${code}`;
}

/**
 * Writes an ICMPv6 error from `src` to `dst` (16 bytes each) quoting `quoted`, with its checksum; returns the message.
 * What a router makes: tests and the adversarial peer use it.
 *
 * @example
 * ```ts
 * const msg = emitIcmpv6Error(2, 0, 1400, quote, routerBytes, ourBytes);
 * ```
 */
export function emitIcmpv6Error(
  type: number,
  code: number,
  value: number,
  quoted: Uint8Array,
  src: Uint8Array,
  dst: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const message = new Uint8Array(QUOTED + quoted.length);
  message[0] = type;
  message[1] = code;
  writeU32(message, 4, value >>> 0);
  message.set(quoted, QUOTED);
  const pseudo = pseudoHeaderSumV6(src, 0, dst, 0, IPPROTO_ICMPV6, message.length);
  writeU16(message, 2, ~onesComplementSum(message, 0, message.length, pseudo) & 0xffff);
  return message;
}
