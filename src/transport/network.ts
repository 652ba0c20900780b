/**
 * The network layer a flow runs over, picked in one place: header length, parse, emit and the TCP checksum over its
 * pseudo-header. IPv4 is the one layer today; an IPv6 layer is a second object of the same shape, and the sites that
 * must change are the ones that name {@linkcode IPV4}.
 *
 * @module
 */

import {
  emitIpv4,
  emitTcp,
  IPPROTO_TCP,
  IPV4_HEADER_LEN,
  type Ipv4Address,
  isFoldedPseudoHeaderChecksum,
  parseIpv4,
  TCP_HEADER_LEN,
  type TcpRepr,
  verifyTcpChecksum,
} from "../wire/mod.ts";

/** The parts of a received datagram the transport reads. */
export interface Datagram {
  /** Source address. */
  readonly src: Ipv4Address;
  /** Destination address. */
  readonly dst: Ipv4Address;
  /** The protocol of the payload (6 for TCP). */
  readonly protocol: number;
  /** The payload (a view into the frame). */
  readonly payload: Uint8Array;
  /** The ECN field (RFC 3168 §5: 3 is CE, congestion experienced). */
  readonly ecn: number;
}

/** One IP version, as the frame codec uses it. */
export interface NetworkLayer {
  /** "IPv4". */
  readonly name: string;
  /** Bytes of the header we emit (no options). */
  readonly headerLength: number;
  /** Parses a datagram; throws a `WireError` for anything malformed (fragments included). */
  parse(frame: Uint8Array): Datagram;
  /** Writes a TCP segment and its header into `buf` from offset 0; returns the frame length. */
  emitTcp(seg: TcpRepr, src: Ipv4Address, dst: Ipv4Address, identification: number, buf: Uint8Array): number;
  /** Whether a TCP segment's checksum holds over this layer's pseudo-header. */
  verifyTcp(src: Ipv4Address, dst: Ipv4Address, segment: Uint8Array): boolean;
  /** Whether the checksum field holds the folded pseudo-header sum a same-host offloading sender leaves. */
  isOffloadChecksum(src: Ipv4Address, dst: Ipv4Address, segment: Uint8Array): boolean;
  /** The TCP MSS a path of `mtu` bytes carries (RFC 9293 §3.7.1: MTU minus both fixed headers). */
  mssFor(mtu: number): number;
}

/** IPv4 (RFC 791) with DF set (RFC 6864: any identification works then). */
export const IPV4: NetworkLayer = {
  name: "IPv4",
  headerLength: IPV4_HEADER_LEN,
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
  verifyTcp: verifyTcpChecksum,
  isOffloadChecksum: isFoldedPseudoHeaderChecksum,
  mssFor: (mtu) => Math.min(mtu, 65535) - IPV4_HEADER_LEN - TCP_HEADER_LEN,
};
