/**
 * The network layer a flow runs over, picked in one place: header length, parse, emit, the TCP checksum over its
 * pseudo-header, and the ICMP errors it carries about our segments. {@linkcode IPV4} and {@linkcode IPV6} are the two
 * layers; the address type of a flow follows its layer (a number for IPv4, RFC 5952 text for IPv6), so the 4-tuple
 * compares with `===` in both.
 *
 * @module
 */

import {
  describeIcmp,
  describeIcmpv6,
  emitIpv4,
  emitIpv6,
  emitTcp,
  emitTcpUnsummed,
  fillTcpChecksum,
  formatIpv4Address,
  icmpv6Verdict,
  type IcmpVerdict,
  icmpVerdict,
  type IpAddress,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  IPV4_HEADER_LEN,
  type Ipv4Address,
  IPV6_HEADER_LEN,
  type Ipv6Address,
  ipv6ToBytes,
  isFoldedPseudoHeaderChecksum,
  isFoldedPseudoSum,
  parseIcmpv4,
  parseIcmpv6,
  parseIpv4,
  parseIpv6,
  parseQuotedTcp,
  parseQuotedTcpV6,
  pseudoHeaderSumV6,
  type SeqNumber,
  TCP_HEADER_LEN,
  type TcpRepr,
  verifyTcpChecksum,
  verifyTcpSum,
} from "../wire/mod.ts";

export type { IpAddress } from "../wire/mod.ts";

/** The parts of a received datagram the transport reads. */
export interface Datagram<A extends IpAddress = Ipv4Address> {
  /** Source address. */
  readonly src: A;
  /** Destination address. */
  readonly dst: A;
  /** The protocol of the payload (6 for TCP), after any IPv6 extension headers. */
  readonly protocol: number;
  /** The payload (a view into the frame). */
  readonly payload: Uint8Array;
  /** The ECN field (RFC 3168 §5: 3 is CE, congestion experienced). */
  readonly ecn: number;
}

/** An ICMP or ICMPv6 error, read far enough to tell which segment of which flow it is about. */
export interface IcmpReading<A extends IpAddress = Ipv4Address> {
  /** ICMP type. */
  readonly type: number;
  /** ICMP code. */
  readonly code: number;
  /** What it means to TCP. */
  readonly verdict: IcmpVerdict;
  /** "Fragmentation needed"'s next-hop MTU or "packet too big"'s MTU; 0 when absent. */
  readonly mtu: number;
  /** The quoted segment's source (ours), destination, ports and sequence number, and the quoted datagram's length. */
  readonly quoted: {
    readonly src: A;
    readonly dst: A;
    readonly srcPort: number;
    readonly dstPort: number;
    readonly seq: SeqNumber;
    readonly totalLength: number;
  };
}

/** One IP version, as the frame codec uses it. */
export interface NetworkLayer<A extends IpAddress = Ipv4Address> {
  /** "IPv4" or "IPv6". */
  readonly name: string;
  /** Bytes of the header we emit (no options, no extension headers). */
  readonly headerLength: number;
  /** The smallest MTU every link of this version carries (RFC 791: 576, RFC 8200 §5: 1280). */
  readonly minMtu: number;
  /** Parses a datagram; throws a `WireError` for anything malformed (fragments included). */
  parse(frame: Uint8Array): Datagram<A>;
  /** Writes a TCP segment and its header into `buf` from offset 0; returns the frame length. */
  emitTcp(seg: TcpRepr, src: A, dst: A, identification: number, buf: Uint8Array): number;
  /** Whether the TCP checksum of `ip` (parsed from `frame`) holds over this layer's pseudo-header. */
  verifyTcp(ip: Datagram<A>, frame: Uint8Array): boolean;
  /** Whether the checksum field holds the folded pseudo-header sum a same-host offloading sender leaves. */
  isOffloadChecksum(ip: Datagram<A>, frame: Uint8Array): boolean;
  /** The ICMP error `ip` carries (it is of this layer's ICMP protocol), or null when it is none we read. */
  icmpError(ip: Datagram<A>, frame: Uint8Array): IcmpReading<A> | null;
  /** The words for an ICMP error of this layer, as a router "says" it. */
  describeIcmp(type: number, code: number): string;
  /** An address as text. */
  format(address: A): string;
  /** The TCP MSS a path of `mtu` bytes carries (RFC 9293 §3.7.1: MTU minus both fixed headers). */
  mssFor(mtu: number): number;
}

/** IPv4 (RFC 791) with DF set (RFC 6864: any identification works then). */
export const IPV4: NetworkLayer<Ipv4Address> = {
  name: "IPv4",
  headerLength: IPV4_HEADER_LEN,
  minMtu: 576,
  parse: (frame) => parseIpv4(frame),
  emitTcp(seg, src, dst, identification, buf) {
    const tcpLength = emitTcp(seg, buf, IPV4_HEADER_LEN, src, dst);
    const header = {
      dscp: 0,
      ecn: 0,
      identification,
      dontFragment: true,
      ttl: 64,
      protocol: IPPROTO_TCP,
      src,
      dst,
      payloadLength: tcpLength,
    };
    emitIpv4(header, buf, 0);
    return IPV4_HEADER_LEN + tcpLength;
  },
  verifyTcp: (ip) => verifyTcpChecksum(ip.src, ip.dst, ip.payload),
  isOffloadChecksum: (ip) => isFoldedPseudoHeaderChecksum(ip.src, ip.dst, ip.payload),
  icmpError(ip) {
    if (ip.protocol !== IPPROTO_ICMP) return null;
    try {
      const icmp = parseIcmpv4(ip.payload);
      const quoted = parseQuotedTcp(icmp.quoted);
      return {
        type: icmp.type,
        code: icmp.code,
        verdict: icmpVerdict(icmp.type, icmp.code),
        mtu: icmp.nextHopMtu,
        quoted,
      };
    } catch {
      return null; // malformed, or about something else
    }
  },
  describeIcmp,
  format: formatIpv4Address,
  mssFor: (mtu) => Math.min(mtu, 65535) - IPV4_HEADER_LEN - TCP_HEADER_LEN,
};

/** The folded pseudo-header sum of a received IPv6 TCP segment: its addresses are read from the frame itself. */
function receivedSum(frame: Uint8Array, length: number): number {
  return pseudoHeaderSumV6(frame, 8, frame, 24, IPPROTO_TCP, length);
}

/** The last pair of addresses written, as bytes: a flow sends from one pair, so the text is parsed once. */
const lastPair = { src: "", dst: "", bytes: new Uint8Array(32) };

/** IPv6 (RFC 8200): no fragmentation by routers, so every packet may be sent whole (path MTU, RFC 8201). */
export const IPV6: NetworkLayer<Ipv6Address> = {
  name: "IPv6",
  headerLength: IPV6_HEADER_LEN,
  minMtu: 1280,
  parse(frame) {
    const ip = parseIpv6(frame);
    return { src: ip.src, dst: ip.dst, protocol: ip.nextHeader, payload: ip.payload, ecn: ip.ecn };
  },
  emitTcp(seg, src, dst, _identification, buf) {
    const tcpLength = emitTcpUnsummed(seg, buf, IPV6_HEADER_LEN);
    const header = { dscp: 0, ecn: 0, flowLabel: 0, nextHeader: IPPROTO_TCP, hopLimit: 64, src, dst };
    if (lastPair.src !== src || lastPair.dst !== dst) {
      ipv6ToBytes(src, lastPair.bytes, 0);
      ipv6ToBytes(dst, lastPair.bytes, 16);
      [lastPair.src, lastPair.dst] = [src, dst];
    }
    emitIpv6({ ...header, payloadLength: tcpLength }, buf, 0);
    const sum = pseudoHeaderSumV6(lastPair.bytes, 0, lastPair.bytes, 16, IPPROTO_TCP, tcpLength);
    fillTcpChecksum(buf, IPV6_HEADER_LEN, IPV6_HEADER_LEN + tcpLength, sum);
    return IPV6_HEADER_LEN + tcpLength;
  },
  verifyTcp: (ip, frame) => verifyTcpSum(receivedSum(frame, ip.payload.length), ip.payload),
  isOffloadChecksum: (ip, frame) => isFoldedPseudoSum(receivedSum(frame, ip.payload.length), ip.payload),
  icmpError(ip, frame) {
    if (ip.protocol !== IPPROTO_ICMPV6) return null;
    try {
      const icmp = parseIcmpv6(ip.payload, frame, 8, frame, 24);
      const quoted = parseQuotedTcpV6(icmp.quoted);
      return { type: icmp.type, code: icmp.code, verdict: icmpv6Verdict(icmp.type, icmp.code), mtu: icmp.mtu, quoted };
    } catch {
      return null;
    }
  },
  describeIcmp: describeIcmpv6,
  format: (address) => address,
  mssFor: (mtu) => Math.min(mtu, 65535) - IPV6_HEADER_LEN - TCP_HEADER_LEN,
};

/**
 * The layer of `address`'s family. Typed for addresses of either family: a flow's two addresses are always of one.
 *
 * @example
 * ```ts
 * networkOf(parseIpAddress("2001:2::1")).name; // "IPv6"
 * ```
 */
export function networkOf(address: IpAddress): NetworkLayer<IpAddress> {
  return (typeof address === "string" ? IPV6 : IPV4) as NetworkLayer<IpAddress>;
}
