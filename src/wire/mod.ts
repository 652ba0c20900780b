/**
 * The wire codecs of rawhttpget: IPv4 addresses, checksums, IPv4 and TCP parse/emit, sequence arithmetic, trace
 * formatting and pcap output. Sans-IO: nothing here performs I/O or reads a clock.
 *
 * @example
 * ```ts
 * import { IPPROTO_TCP, parseIpv4, parseTcp, verifyTcpChecksum, formatTcp } from "./src/wire/mod.ts";
 * const ip = parseIpv4(frame);
 * if (ip.protocol === IPPROTO_TCP && verifyTcpChecksum(ip.src, ip.dst, ip.payload)) {
 *   console.log(formatTcp(parseTcp(ip.payload)));
 * }
 * ```
 *
 * @module
 */

export { formatIpv4Address, ipv4, type Ipv4Address, parseIpv4Address, tryParseIpv4Address } from "./address.ts";
export {
  internetChecksum,
  IPPROTO_TCP,
  onesComplementSum,
  pseudoHeaderSum,
  pseudoHeaderSumV6,
  tcpChecksum,
  tcpChecksumOf,
} from "./checksum.ts";
export { WireError, type WireErrorReason } from "./errors.ts";
export { formatTcp, formatTcpFlags, formatTcpOptions, formatTrace } from "./format.ts";
export {
  describeIcmp,
  emitIcmpv4Error,
  ICMP_DEST_UNREACHABLE,
  ICMP_FRAG_NEEDED,
  ICMP_PARAMETER_PROBLEM,
  ICMP_TIME_EXCEEDED,
  type IcmpErrorRepr,
  type IcmpVerdict,
  icmpVerdict,
  IPPROTO_ICMP,
  parseIcmpv4,
  parseQuotedTcp,
  type QuotedTcp,
} from "./icmp.ts";
export {
  describeIcmpv6,
  emitIcmpv6Error,
  ICMPV6_DEST_UNREACHABLE,
  ICMPV6_PACKET_TOO_BIG,
  ICMPV6_PARAMETER_PROBLEM,
  ICMPV6_TIME_EXCEEDED,
  type Icmpv6ErrorRepr,
  icmpv6Verdict,
  IPPROTO_ICMPV6,
  parseIcmpv6,
  parseQuotedTcpV6,
  type QuotedTcpV6,
} from "./icmpv6.ts";
export {
  emitIpv6,
  IPV6_HEADER_LEN,
  IPV6_NO_NEXT_HEADER,
  type Ipv6Header,
  type Ipv6Repr,
  MAX_EXTENSION_HEADERS,
  parseIpv6,
} from "./ipv6.ts";
export { type Ipv6Address, ipv6FromBytes, ipv6ToBytes, parseIpv6Address, tryParseIpv6Address } from "./ipv6_address.ts";
export {
  formatAddressPort,
  formatIpAddress,
  type IpAddress,
  ipVersion,
  isIpv6Address,
  parseIpAddress,
  tryParseIpAddress,
} from "./ip_address.ts";
export { emitIpv4, IPV4_HEADER_LEN, type Ipv4Header, type Ipv4Repr, parseIpv4, type ParseIpv4Options } from "./ipv4.ts";
export { LINKTYPE_RAW, PCAP_SNAPLEN, PcapWriter } from "./pcap.ts";
export {
  seq,
  seqAdd,
  seqDiff,
  seqGe,
  seqGt,
  seqInWindow,
  seqLe,
  seqLt,
  seqMax,
  seqMin,
  type SeqNumber,
} from "./seq.ts";
export {
  emitTcp,
  emitTcpUnsummed,
  fillTcpChecksum,
  isFoldedPseudoHeaderChecksum,
  isFoldedPseudoSum,
  parseTcp,
  TCP_HEADER_LEN,
  tcpHeaderLength,
  verifyTcpChecksum,
  verifyTcpSum,
} from "./tcp.ts";
export {
  emitTcpOptions,
  MAX_OPTIONS_LEN,
  MAX_SACK_BLOCKS,
  MAX_WINDOW_SCALE,
  parseTcpOptions,
  TCP_OPTION,
  tcpOptionsLength,
} from "./tcp_options.ts";
export {
  ACK,
  CWR,
  ECE,
  FIN,
  PSH,
  RST,
  type SackBlock,
  SYN,
  type TcpOptions,
  type TcpRepr,
  type TcpTimestamp,
  URG,
} from "./tcp_repr.ts";
