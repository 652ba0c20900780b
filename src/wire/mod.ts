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
  tcpChecksum,
  tcpChecksumOf,
} from "./checksum.ts";
export { WireError, type WireErrorReason } from "./errors.ts";
export { formatTcp, formatTcpFlags, formatTcpOptions, formatTrace } from "./format.ts";
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
  isFoldedPseudoHeaderChecksum,
  parseTcp,
  TCP_HEADER_LEN,
  tcpHeaderLength,
  verifyTcpChecksum,
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
