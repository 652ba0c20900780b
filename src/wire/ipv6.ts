/**
 * IPv6 header codec (RFC 8200 §3), for the one protocol this stack carries: unfragmented TCP, and the ICMPv6 errors
 * about it.
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                     Source Address (128 bits)                 +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                  Destination Address (128 bits)               +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 *
 * Extension headers (RFC 8200 §4) between it and the upper layer are skipped by their length: Hop-by-Hop Options,
 * Routing, Destination Options (length in 8-octet units after the first 8), Authentication (RFC 4302: 4-octet units
 * after the first 8), and a Fragment header that makes no fragment (an atomic fragment, RFC 6946). Real fragments,
 * ESP (nothing after it is readable) and chains longer than {@link MAX_EXTENSION_HEADERS} are refused.
 *
 * The traffic class splits into DSCP and ECN as in IPv4 (RFC 2474, RFC 3168).
 *
 * @module
 */

import { checkField, checkRoom, readU16, readU32, writeU16, writeU32 } from "./_bytes.ts";
import { WireError } from "./errors.ts";
import { type Ipv6Address, ipv6FromBytes, ipv6ToBytes } from "./ipv6_address.ts";

/** Byte offsets of the fixed header fields. */
const F = { VERSION_CLASS_FLOW: 0, PAYLOAD_LENGTH: 4, NEXT_HEADER: 6, HOP_LIMIT: 7, SRC: 8, DST: 24 } as const;

/** Length of the fixed IPv6 header, the only one this stack emits. */
export const IPV6_HEADER_LEN = 40;

/** The next-header values of the extension headers this codec skips or refuses (IANA "IPv6 Extension Header Types"). */
const EXT = { HOP_BY_HOP: 0, ROUTING: 43, FRAGMENT: 44, ESP: 50, AUTH: 51, DEST_OPTIONS: 60 } as const;
/** "No Next Header" (RFC 8200 §4.7): nothing follows. */
export const IPV6_NO_NEXT_HEADER = 59;
/** At most this many extension headers are walked: a longer chain is an attack on the parser, not traffic. */
export const MAX_EXTENSION_HEADERS = 8;

/** The header fields this stack sends and reads; `emitIpv6` takes exactly these. */
export interface Ipv6Header {
  /** Differentiated services code point, the traffic class's high 6 bits. */
  readonly dscp: number;
  /** Explicit congestion notification, its low 2 bits. */
  readonly ecn: number;
  /** The flow label, 20 bits. */
  readonly flowLabel: number;
  /** The upper-layer protocol (after any extension headers), e.g. `IPPROTO_TCP`. */
  readonly nextHeader: number;
  /** Hop limit. */
  readonly hopLimit: number;
  /** Source address. */
  readonly src: Ipv6Address;
  /** Destination address. */
  readonly dst: Ipv6Address;
  /** Bytes of the upper-layer payload (after any extension headers). */
  readonly payloadLength: number;
}

/** A parsed IPv6 datagram: its header fields and a view of the upper-layer payload (never copied). */
export interface Ipv6Repr extends Ipv6Header {
  /** Bytes before the upper-layer payload: 40 plus the extension headers skipped. */
  readonly headerLength: number;
  /** The upper-layer payload, a view into the parsed frame ending at the payload length (link padding excluded). */
  readonly payload: Uint8Array;
}

/**
 * Parses and validates an IPv6 datagram, walking its extension headers to the upper layer. Every field is checked
 * against the buffer before it is read.
 *
 * Rejected with a {@link WireError}: a buffer shorter than 40 bytes or than the payload length says (`"truncated"`),
 * a version other than 6 (`"bad-version"`), a payload length of 0 before a hop-by-hop header (a jumbogram, RFC 2675:
 * `"bad-total-length"`; a payload length of 0 otherwise is an empty payload, which the upper layer refuses), a
 * fragment (`"fragment"`), an extension header that runs past the payload, a hop-by-hop header anywhere but first
 * (RFC 8200 §4.3), ESP, or a chain of more than {@link MAX_EXTENSION_HEADERS} (`"bad-extension"`).
 *
 * @example
 * ```ts
 * const ip = parseIpv6(frame);
 * if (ip.nextHeader === IPPROTO_TCP) handle(parseTcp(ip.payload));
 * ```
 */
export function parseIpv6(frame: Uint8Array): Ipv6Repr {
  const available = frame.length;
  if (available < IPV6_HEADER_LEN) {
    throw new WireError("truncated", `Cannot parse IPv6 header: ${available} bytes is shorter than 40`);
  }
  const word = readU32(frame, F.VERSION_CLASS_FLOW);
  const version = word >>> 28;
  if (version !== 6) throw new WireError("bad-version", `Cannot parse IPv6 header: version ${version} is not 6`);
  const payloadLength = readU16(frame, F.PAYLOAD_LENGTH);
  // RFC 2675: a payload length of 0 announces a jumbogram, which no link of ours carries.
  if (payloadLength === 0 && frame[F.NEXT_HEADER] === EXT.HOP_BY_HOP) {
    throw new WireError(
      "bad-total-length",
      "Cannot parse IPv6 datagram: a jumbogram (payload length 0) is not carried",
    );
  }
  const end = IPV6_HEADER_LEN + payloadLength;
  if (end > available) {
    throw new WireError(
      "truncated",
      `Cannot parse IPv6 header: payload length ${payloadLength} exceeds the ${available - 40} bytes after the header`,
    );
  }
  let next = frame[F.NEXT_HEADER];
  let at = IPV6_HEADER_LEN;
  for (let count = 0;; count++) {
    if (next !== EXT.HOP_BY_HOP && next !== EXT.ROUTING && next !== EXT.DEST_OPTIONS && next !== EXT.AUTH) {
      if (next !== EXT.FRAGMENT) break;
    }
    if (count >= MAX_EXTENSION_HEADERS) {
      throw new WireError(
        "bad-extension",
        `Cannot parse IPv6 datagram: more than ${MAX_EXTENSION_HEADERS} extension headers`,
      );
    }
    // RFC 8200 §4.3: a hop-by-hop header comes right after the IPv6 header or not at all (routers read it there).
    if (next === EXT.HOP_BY_HOP && count > 0) {
      throw new WireError(
        "bad-extension",
        "Cannot parse IPv6 datagram: a hop-by-hop options header follows another extension header",
      );
    }
    // Every extension header starts with its next header and a length byte.
    if (at + 8 > end) {
      throw new WireError("bad-extension", `Cannot parse IPv6 extension header ${next}: it runs past the payload`);
    }
    if (next === EXT.FRAGMENT) {
      const offsetAndFlags = readU16(frame, at + 2);
      // RFC 6946: an atomic fragment (offset 0, no more fragments) is a whole datagram; anything else needs
      // reassembly, which this stack never does.
      if ((offsetAndFlags & 0xfff9) !== 0) {
        throw new WireError(
          "fragment",
          `Cannot parse IPv6 datagram: it is a fragment (offset and flags 0x${offsetAndFlags.toString(16)})`,
        );
      }
      next = frame[at];
      at += 8;
      continue;
    }
    const length = next === EXT.AUTH ? (frame[at + 1] + 2) * 4 : (frame[at + 1] + 1) * 8;
    if (at + length > end) {
      throw new WireError("bad-extension", `Cannot parse IPv6 extension header ${next}: it runs past the payload`);
    }
    next = frame[at];
    at += length;
  }
  if (next === EXT.ESP) {
    throw new WireError("bad-extension", "Cannot parse IPv6 datagram: what follows ESP is encrypted");
  }
  const trafficClass = (word >>> 20) & 0xff;
  return {
    dscp: trafficClass >> 2,
    ecn: trafficClass & 0x03,
    flowLabel: word & 0xfffff,
    nextHeader: next,
    hopLimit: frame[F.HOP_LIMIT],
    src: ipv6FromBytes(frame, F.SRC),
    dst: ipv6FromBytes(frame, F.DST),
    payloadLength: end - at,
    headerLength: at,
    payload: frame.subarray(at, end),
  };
}

/**
 * Writes a 40-byte IPv6 header (no extension headers) at `buf[offset]` and returns 40. The payload is copied after the
 * header only when `payload` is given (it must then be `payloadLength` bytes); otherwise the caller has put it there.
 *
 * @example
 * ```ts
 * emitIpv6({ dscp: 0, ecn: 0, flowLabel: 0, nextHeader: IPPROTO_TCP, hopLimit: 64, src, dst, payloadLength: n }, buf);
 * ```
 */
export function emitIpv6(header: Ipv6Header, buf: Uint8Array, offset = 0, payload?: Uint8Array): number {
  checkField("payload length", header.payloadLength, 0xffff);
  checkField("DSCP", header.dscp, 0x3f);
  checkField("ECN", header.ecn, 0x03);
  checkField("flow label", header.flowLabel, 0xfffff);
  checkField("next header", header.nextHeader, 0xff);
  checkField("hop limit", header.hopLimit, 0xff);
  if (payload !== undefined && payload.length !== header.payloadLength) {
    throw new RangeError(
      `Cannot emit IPv6: payload of ${payload.length} bytes but payloadLength ${header.payloadLength}`,
    );
  }
  checkRoom("IPv6", buf, offset, IPV6_HEADER_LEN + (payload === undefined ? 0 : payload.length));
  const trafficClass = (header.dscp << 2) | header.ecn;
  writeU32(buf, offset + F.VERSION_CLASS_FLOW, ((6 << 28) | (trafficClass << 20) | header.flowLabel) >>> 0);
  writeU16(buf, offset + F.PAYLOAD_LENGTH, header.payloadLength);
  buf[offset + F.NEXT_HEADER] = header.nextHeader;
  buf[offset + F.HOP_LIMIT] = header.hopLimit;
  ipv6ToBytes(header.src, buf, offset + F.SRC);
  ipv6ToBytes(header.dst, buf, offset + F.DST);
  if (payload !== undefined) buf.set(payload, offset + IPV6_HEADER_LEN);
  return IPV6_HEADER_LEN;
}
