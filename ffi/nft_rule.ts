/**
 * The nf_tables rule of the RST guard, for IPv4 (table family `ip`) and IPv6 (`ip6`) tuples: the numbers of
 * `linux/netfilter/nfnetlink.h`, `nf_tables.h` and `netfilter.h`, and the expressions of one drop (or notrack) rule
 * in the order `nft --debug=netlink add rule ...` prints them for the same rule. `nftables.ts` puts them in a batch.
 *
 * @module
 */

import { type IpAddress, IPPROTO_TCP, ipv6ToBytes, isIpv6Address } from "../src/wire/mod.ts";
import type { NetlinkWriter } from "./netlink.ts";

/** nfnetlink and nf_tables numbers used here. */
export const NFT = {
  NFNL_SUBSYS_NFTABLES: 10,
  NFNL_MSG_BATCH_BEGIN: 16,
  NFNL_MSG_BATCH_END: 17,
  NFPROTO_UNSPEC: 0,
  NFPROTO_IPV4: 2,
  NFPROTO_IPV6: 10,
  MSG_NEWTABLE: 0,
  MSG_DELTABLE: 2,
  MSG_NEWCHAIN: 3,
  MSG_NEWRULE: 6,
  TABLE_NAME: 1,
  TABLE_FLAGS: 2,
  TABLE_F_OWNER: 0x2,
  CHAIN_TABLE: 1,
  CHAIN_NAME: 3,
  CHAIN_HOOK: 4,
  CHAIN_POLICY: 5,
  CHAIN_TYPE: 7,
  HOOK_HOOKNUM: 1,
  HOOK_PRIORITY: 2,
  RULE_TABLE: 1,
  RULE_CHAIN: 2,
  RULE_EXPRESSIONS: 4,
  LIST_ELEM: 1,
  EXPR_NAME: 1,
  EXPR_DATA: 2,
  NF_INET_PRE_ROUTING: 0,
  NF_INET_LOCAL_OUT: 3,
  NF_DROP: 0,
  NF_ACCEPT: 1,
  /** "priority raw": ahead of conntrack (-200), so conntrack never sees what we drop. */
  PRIORITY_RAW: -300,
  REG_VERDICT: 0,
  REG_1: 1,
  PAYLOAD_NETWORK_HEADER: 1,
  PAYLOAD_TRANSPORT_HEADER: 2,
  CMP_EQ: 0,
  CMP_NEQ: 1,
  META_MARK: 3,
  META_L4PROTO: 16,
  TCP_FLAG_RST: 0x04,
} as const;

/** A TCP 4-tuple in the direction of the packets to match; both addresses of one family. */
export interface TcpTuple {
  /** Source address: IPv4 (a u32) or IPv6 (canonical text). */
  readonly srcAddr: IpAddress;
  /** TCP source port. */
  readonly srcPort: number;
  /** Destination address, of the source's family. */
  readonly dstAddr: IpAddress;
  /** TCP destination port. */
  readonly dstPort: number;
}

/**
 * One base chain with one rule: packets of `tuple` (only RSTs if `rstOnly`, never those marked `exemptMark`) are
 * counted and dropped, or (`notrack`) exempted from connection tracking and left to go on.
 */
export interface DropChain {
  /** Chain name inside the table. */
  readonly name: string;
  /** `NFT.NF_INET_LOCAL_OUT` or `NFT.NF_INET_PRE_ROUTING`. */
  readonly hook: number;
  /** Packets to drop. */
  readonly tuple: TcpTuple;
  /** Match only segments with RST set. */
  readonly rstOnly: boolean;
  /** Let packets with this socket mark (SO_MARK) through: our own RSTs, sent by a marked raw socket. */
  readonly exemptMark?: number;
  /**
   * Instead of dropping: `notrack`, so that connection tracking never follows the flow. It cannot: the flow's
   * incoming segments are dropped before conntrack sees them, so it would take our handshake ACK for INVALID and a
   * common rule (`-m state --state INVALID -j DROP`) would refuse it.
   */
  readonly notrack?: boolean;
}

/** An nftables table family: its name in `nft` and its nfgenmsg number. */
export interface NftFamily {
  /** `ip` or `ip6`; also the payload protocol of address matches (`ip saddr`, `ip6 saddr`). */
  readonly name: "ip" | "ip6";
  /** `NFT.NFPROTO_IPV4` or `NFT.NFPROTO_IPV6`. */
  readonly nfproto: number;
}

const IP: NftFamily = { name: "ip", nfproto: NFT.NFPROTO_IPV4 };
const IP6: NftFamily = { name: "ip6", nfproto: NFT.NFPROTO_IPV6 };

/**
 * The table family that matches `address`'s version.
 *
 * @example
 * ```ts
 * nftFamily(parseIpAddress("2001:2::1")); // { name: "ip6", nfproto: 10 }
 * ```
 */
export function nftFamily(address: IpAddress): NftFamily {
  return isIpv6Address(address) ? IP6 : IP;
}

/**
 * The one family of every address in `chains` (`ip` when there are none); throws `RangeError` when they mix.
 *
 * @example
 * ```ts
 * chainsFamily(dropChains).name; // "ip6"
 * ```
 */
export function chainsFamily(chains: readonly DropChain[]): NftFamily {
  const family = chains.length === 0 ? IP : nftFamily(chains[0].tuple.srcAddr);
  for (const c of chains) {
    // One table has one family: an ip6 table never sees an IPv4 packet, so a mixed tuple could never match.
    if (nftFamily(c.tuple.srcAddr) !== family || nftFamily(c.tuple.dstAddr) !== family) {
      throw new RangeError(
        `Cannot build nftables chain "${c.name}": its addresses are not all of family ${family.name}`,
      );
    }
  }
  return family;
}

const be32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const be16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];
/** A u32 in host byte order, as nf_tables keeps meta keys such as the mark in its registers. */
const hostU32 = (v: number): number[] => [...new Uint8Array(new Uint32Array([v]).buffer)];

/** The address as it sits in the network header: 4 or 16 bytes, network order. */
function addressBytes(address: IpAddress): number[] {
  if (!isIpv6Address(address)) return be32(address);
  const bytes = new Uint8Array(16);
  ipv6ToBytes(address, bytes);
  return [...bytes];
}

/** Where the addresses sit in the network header: IPv4 (RFC 791 §3.1) at 12 and 16, IPv6 (RFC 8200 §3) 8 and 24. */
const ADDRESS_OFFSETS: Readonly<Record<NftFamily["name"], { src: number; dst: number }>> = {
  ip: { src: 12, dst: 16 },
  ip6: { src: 8, dst: 24 },
};

function expression(w: NetlinkWriter, name: string, data?: () => void): void {
  w.beginNest(NFT.LIST_ELEM);
  w.attrString(NFT.EXPR_NAME, name);
  if (data) {
    w.beginNest(NFT.EXPR_DATA);
    data();
    w.endNest();
  }
  w.endNest();
}

function dataValue(w: NetlinkWriter, type: number, bytes: number[]): void {
  w.beginNest(type);
  w.attr(1, bytes); // NFTA_DATA_VALUE
  w.endNest();
}

/** `[ payload load <len>b @ <base> header + <offset> => reg 1 ]` */
function payload(w: NetlinkWriter, base: number, offset: number, len: number): void {
  expression(w, "payload", () => {
    w.attrU32be(1, NFT.REG_1); // NFTA_PAYLOAD_DREG
    w.attrU32be(2, base); // NFTA_PAYLOAD_BASE
    w.attrU32be(3, offset); // NFTA_PAYLOAD_OFFSET
    w.attrU32be(4, len); // NFTA_PAYLOAD_LEN
  });
}

/** `[ cmp <op> reg 1 <bytes> ]` */
function cmp(w: NetlinkWriter, op: number, bytes: number[]): void {
  expression(w, "cmp", () => {
    w.attrU32be(1, NFT.REG_1); // NFTA_CMP_SREG
    w.attrU32be(2, op); // NFTA_CMP_OP
    dataValue(w, 3, bytes); // NFTA_CMP_DATA
  });
}

/** `[ bitwise reg 1 = ( reg 1 & mask ) ^ 0 ]` */
function bitwiseAnd(w: NetlinkWriter, mask: number[]): void {
  expression(w, "bitwise", () => {
    w.attrU32be(1, NFT.REG_1); // NFTA_BITWISE_SREG
    w.attrU32be(2, NFT.REG_1); // NFTA_BITWISE_DREG
    w.attrU32be(3, mask.length); // NFTA_BITWISE_LEN
    dataValue(w, 4, mask); // NFTA_BITWISE_MASK
    dataValue(w, 5, mask.map(() => 0)); // NFTA_BITWISE_XOR
  });
}

/** `[ meta load <key> => reg 1 ]` */
function meta(w: NetlinkWriter, key: number): void {
  expression(w, "meta", () => {
    w.attrU32be(1, NFT.REG_1); // NFTA_META_DREG
    w.attrU32be(2, key); // NFTA_META_KEY
  });
}

/**
 * Writes the expressions of `c`'s rule, in the order `nft` lists them for `meta l4proto tcp ip saddr … ip daddr …
 * tcp sport … tcp dport … tcp flags rst meta mark != <exemptMark> counter drop` (or `… counter notrack`;
 * `ip6 saddr` for an IPv6 tuple), into the open RULE_EXPRESSIONS nest of `w`.
 *
 * @example
 * ```ts
 * w.beginNest(NFT.RULE_EXPRESSIONS);
 * encodeDropRule(w, chain);
 * w.endNest();
 * ```
 */
export function encodeDropRule(w: NetlinkWriter, c: DropChain): void {
  const t = c.tuple;
  const at = ADDRESS_OFFSETS[chainsFamily([c]).name];
  // The upper-layer protocol after any extension headers (IPv6, RFC 8200 §4), not the IPv6 Next Header byte.
  meta(w, NFT.META_L4PROTO);
  cmp(w, NFT.CMP_EQ, [IPPROTO_TCP]);
  const src = addressBytes(t.srcAddr), dst = addressBytes(t.dstAddr);
  payload(w, NFT.PAYLOAD_NETWORK_HEADER, at.src, src.length); // ip/ip6 saddr
  cmp(w, NFT.CMP_EQ, src);
  payload(w, NFT.PAYLOAD_NETWORK_HEADER, at.dst, dst.length); // ip/ip6 daddr
  cmp(w, NFT.CMP_EQ, dst);
  payload(w, NFT.PAYLOAD_TRANSPORT_HEADER, 0, 4); // tcp sport and dport together
  cmp(w, NFT.CMP_EQ, [...be16(t.srcPort), ...be16(t.dstPort)]);
  if (c.rstOnly) {
    payload(w, NFT.PAYLOAD_TRANSPORT_HEADER, 13, 1); // tcp flags
    bitwiseAnd(w, [NFT.TCP_FLAG_RST]);
    cmp(w, NFT.CMP_NEQ, [0]);
  }
  if (c.exemptMark !== undefined) {
    meta(w, NFT.META_MARK); // [ meta load mark => reg 1 ]
    cmp(w, NFT.CMP_NEQ, hostU32(c.exemptMark)); // [ cmp neq reg 1 <mark> ]
  }
  expression(w, "counter");
  if (c.notrack) {
    expression(w, "notrack"); // [ notrack ]: no verdict, the packet goes on untracked
    return;
  }
  expression(w, "immediate", () => {
    w.attrU32be(1, NFT.REG_VERDICT); // NFTA_IMMEDIATE_DREG
    w.beginNest(2); // NFTA_IMMEDIATE_DATA
    w.beginNest(2); // NFTA_DATA_VERDICT
    w.attrU32be(1, NFT.NF_DROP); // NFTA_VERDICT_CODE
    w.endNest();
    w.endNest();
  });
}
