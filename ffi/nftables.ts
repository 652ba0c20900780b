/**
 * nftables over NETLINK_NETFILTER: one batch that creates an owner table (`NFT_TABLE_F_OWNER`, Linux ≥ 5.12) with
 * base chains and rules that drop one TCP 4-tuple, so the kernel deletes everything when our socket closes, even
 * after `kill -9`. Constants come from `linux/netfilter/nfnetlink.h`, `nf_tables.h` and `netfilter.h`; the
 * expressions mirror what `nft --debug=netlink add rule ...` prints for the same rule.
 *
 * @module
 */

import { IPPROTO_TCP, type Ipv4Address } from "../src/wire/mod.ts";
import { type NetlinkRequest, NetlinkSocket, NetlinkWriter, NL } from "./netlink.ts";

/** nfnetlink and nf_tables numbers used here. */
export const NFT = {
  NFNL_SUBSYS_NFTABLES: 10,
  NFNL_MSG_BATCH_BEGIN: 16,
  NFNL_MSG_BATCH_END: 17,
  NFPROTO_UNSPEC: 0,
  NFPROTO_IPV4: 2,
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

/** A TCP 4-tuple in the direction of the packets to match. */
export interface TcpTuple {
  /** IPv4 source address. */
  readonly srcAddr: Ipv4Address;
  /** TCP source port. */
  readonly srcPort: number;
  /** IPv4 destination address. */
  readonly dstAddr: Ipv4Address;
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

const be32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const be16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];
/** A u32 in host byte order, as nf_tables keeps meta keys such as the mark in its registers. */
const hostU32 = (v: number): number[] => [...new Uint8Array(new Uint32Array([v]).buffer)];

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
 * The expressions of one rule, in the order `nft` lists them for `meta l4proto tcp ip saddr … ip daddr … tcp
 * sport … tcp dport … tcp flags rst meta mark != <exemptMark> counter drop` (or `… counter notrack`).
 */
function dropRule(w: NetlinkWriter, c: DropChain): void {
  const t = c.tuple;
  meta(w, NFT.META_L4PROTO);
  cmp(w, NFT.CMP_EQ, [IPPROTO_TCP]);
  payload(w, NFT.PAYLOAD_NETWORK_HEADER, 12, 4); // ip saddr
  cmp(w, NFT.CMP_EQ, be32(t.srcAddr));
  payload(w, NFT.PAYLOAD_NETWORK_HEADER, 16, 4); // ip daddr
  cmp(w, NFT.CMP_EQ, be32(t.dstAddr));
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

/** A batch ready to send: the bytes, the sequence numbers that ask for an ACK, and what each message asks. */
export interface NftBatch {
  /** The datagram. */
  readonly bytes: Uint8Array;
  /** Sequence numbers of the messages that carry NLM_F_ACK. */
  readonly acked: readonly number[];
  /** What each message (by sequence number) does, for error messages. */
  readonly requests: ReadonlyMap<number, NetlinkRequest>;
}

/** Writes nf_tables messages between BATCH_BEGIN and BATCH_END; each asks for an ACK. */
class BatchWriter {
  readonly w = new NetlinkWriter();
  readonly #acked: number[] = [];
  readonly #requests = new Map<number, NetlinkRequest>();
  readonly #nextSeq: () => number;
  #open = false;

  constructor(nextSeq: () => number) {
    this.#nextSeq = nextSeq;
    this.#control(NFT.NFNL_MSG_BATCH_BEGIN);
  }

  /** Starts an nf_tables message (ip family) named `call(args)` in errors; its attributes go to `this.w`. */
  message(type: number, flags: number, call: string, args: string): NetlinkWriter {
    if (this.#open) this.w.endMessage();
    const seq = this.#nextSeq();
    this.#acked.push(seq);
    this.#requests.set(seq, { call, args });
    this.w.beginMessage((NFT.NFNL_SUBSYS_NFTABLES << 8) | type, NL.NLM_F_REQUEST | NL.NLM_F_ACK | flags, seq);
    this.w.raw([NFT.NFPROTO_IPV4, 0, 0, 0]); // nfgenmsg: family, version 0, res_id 0
    this.#open = true;
    return this.w;
  }

  finish(): NftBatch {
    if (this.#open) this.w.endMessage();
    this.#open = false;
    this.#control(NFT.NFNL_MSG_BATCH_END);
    return { bytes: this.w.finish(), acked: this.#acked, requests: this.#requests };
  }

  #control(type: number): void {
    const seq = this.#nextSeq();
    const call = type === NFT.NFNL_MSG_BATCH_BEGIN ? "NFNL_MSG_BATCH_BEGIN" : "NFNL_MSG_BATCH_END";
    this.#requests.set(seq, { call, args: "nf_tables" });
    this.w.beginMessage(type, NL.NLM_F_REQUEST, seq);
    this.w.raw([NFT.NFPROTO_UNSPEC, 0, ...be16(NFT.NFNL_SUBSYS_NFTABLES)]); // res_id is big endian
    this.w.endMessage();
  }
}

/**
 * Encodes the batch that creates table `ip <table>` (flags owner) holding one base chain per entry of `chains`
 * (type filter, priority raw, policy accept) with its drop rule.
 */
export function buildOwnerTableBatch(table: string, chains: readonly DropChain[], nextSeq: () => number): NftBatch {
  const b = new BatchWriter(nextSeq);
  let w = b.message(NFT.MSG_NEWTABLE, NL.NLM_F_CREATE | NL.NLM_F_EXCL, "NFT_MSG_NEWTABLE", `ip ${table}`);
  w.attrString(NFT.TABLE_NAME, table);
  w.attrU32be(NFT.TABLE_FLAGS, NFT.TABLE_F_OWNER);
  for (const c of chains) {
    w = b.message(NFT.MSG_NEWCHAIN, NL.NLM_F_CREATE, "NFT_MSG_NEWCHAIN", `ip ${table} ${c.name}`);
    w.attrString(NFT.CHAIN_TABLE, table);
    w.attrString(NFT.CHAIN_NAME, c.name);
    w.beginNest(NFT.CHAIN_HOOK);
    w.attrU32be(NFT.HOOK_HOOKNUM, c.hook);
    w.attrU32be(NFT.HOOK_PRIORITY, NFT.PRIORITY_RAW);
    w.endNest();
    w.attrU32be(NFT.CHAIN_POLICY, NFT.NF_ACCEPT);
    w.attrString(NFT.CHAIN_TYPE, "filter");
    w = b.message(NFT.MSG_NEWRULE, NL.NLM_F_CREATE | NL.NLM_F_APPEND, "NFT_MSG_NEWRULE", `ip ${table} ${c.name}`);
    w.attrString(NFT.RULE_TABLE, table);
    w.attrString(NFT.RULE_CHAIN, c.name);
    w.beginNest(NFT.RULE_EXPRESSIONS);
    dropRule(w, c);
    w.endNest();
  }
  return b.finish();
}

/** Encodes the batch that deletes table `ip <table>`. */
export function buildDeleteTableBatch(table: string, nextSeq: () => number): NftBatch {
  const b = new BatchWriter(nextSeq);
  b.message(NFT.MSG_DELTABLE, 0, "NFT_MSG_DELTABLE", `ip ${table}`).attrString(NFT.TABLE_NAME, table);
  return b.finish();
}

/**
 * An nftables owner table held through our own netlink socket. The kernel removes the table when that socket
 * closes, whether by `close()`, normal exit or `kill -9`; the socket is close-on-exec so no child keeps it alive.
 */
export class NftOwnerTable {
  /** The table's name (family ip). */
  readonly name: string;
  #sock: NetlinkSocket;

  private constructor(name: string, sock: NetlinkSocket) {
    this.name = name;
    this.#sock = sock;
  }

  /** Creates the table and its chains in one atomic batch; throws `NetlinkError` (an OsError) if the kernel refuses. */
  static create(name: string, chains: readonly DropChain[]): NftOwnerTable {
    const sock = NetlinkSocket.open(NL.NETLINK_NETFILTER);
    try {
      const { bytes, acked, requests } = buildOwnerTableBatch(name, chains, () => sock.nextSeq());
      sock.transact(bytes, acked, requests);
    } catch (e) {
      sock.close();
      throw e;
    }
    return new NftOwnerTable(name, sock);
  }

  /**
   * The netlink socket that owns the table. The kernel deletes the table when the socket is released, that is when
   * the last copy of this descriptor closes, in whatever process holds it (a copy may be passed with SCM_RIGHTS).
   */
  get descriptor(): number {
    return this.#sock.fd;
  }

  /** Closes our descriptor without deleting the table: a copy passed to another process now decides its life. */
  forget(): void {
    this.#sock.close();
  }

  /** Deletes the table now (best effort; closing the socket would delete it anyway) and closes the socket. */
  close(): void {
    if (!this.#sock.isOpen) return;
    try {
      const { bytes, acked, requests } = buildDeleteTableBatch(this.name, () => this.#sock.nextSeq());
      this.#sock.transact(bytes, acked, requests);
    } catch {
      // The kernel deletes an owner table when its socket closes, which happens next.
    } finally {
      this.#sock.close();
    }
  }
}
