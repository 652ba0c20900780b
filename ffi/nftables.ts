/**
 * nftables over NETLINK_NETFILTER: one batch that creates an owner table (`NFT_TABLE_F_OWNER`, Linux ≥ 5.12) with
 * base chains and rules that drop one TCP 4-tuple, so the kernel deletes everything when our socket closes, even
 * after `kill -9`. The table's family (`ip` or `ip6`) is the tuple's; the constants and the rule's expressions are in
 * `nft_rule.ts`.
 *
 * @module
 */

import { type NetlinkRequest, NetlinkSocket, NetlinkWriter, NL } from "./netlink.ts";
import { chainsFamily, type DropChain, encodeDropRule, NFT, type NftFamily } from "./nft_rule.ts";

export { type DropChain, NFT, type TcpTuple } from "./nft_rule.ts";

const be16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];

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
  readonly #family: NftFamily;
  #open = false;

  constructor(family: NftFamily, nextSeq: () => number) {
    this.#family = family;
    this.#nextSeq = nextSeq;
    this.#control(NFT.NFNL_MSG_BATCH_BEGIN);
  }

  /** Starts an nf_tables message of the batch's family, named `call(<family> args)` in errors; write to `this.w`. */
  message(type: number, flags: number, call: string, args: string): NetlinkWriter {
    if (this.#open) this.w.endMessage();
    const seq = this.#nextSeq();
    this.#acked.push(seq);
    this.#requests.set(seq, { call, args: `${this.#family.name} ${args}` });
    this.w.beginMessage((NFT.NFNL_SUBSYS_NFTABLES << 8) | type, NL.NLM_F_REQUEST | NL.NLM_F_ACK | flags, seq);
    this.w.raw([this.#family.nfproto, 0, 0, 0]); // nfgenmsg: family, version 0, res_id 0
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
 * Encodes the batch that creates table `ip <table>` or `ip6 <table>` (the family of the chains' tuples; flags owner)
 * holding one base chain per entry of `chains` (type filter, priority raw, policy accept) with its drop rule. Throws
 * `RangeError` when the tuples' addresses are not all of one family.
 *
 * @example
 * ```ts
 * const { bytes, acked, requests } = buildOwnerTableBatch("rawhttpget_4242_40000", chains, () => sock.nextSeq());
 * sock.transact(bytes, acked, requests);
 * ```
 */
export function buildOwnerTableBatch(table: string, chains: readonly DropChain[], nextSeq: () => number): NftBatch {
  const b = new BatchWriter(chainsFamily(chains), nextSeq);
  let w = b.message(NFT.MSG_NEWTABLE, NL.NLM_F_CREATE | NL.NLM_F_EXCL, "NFT_MSG_NEWTABLE", table);
  w.attrString(NFT.TABLE_NAME, table);
  w.attrU32be(NFT.TABLE_FLAGS, NFT.TABLE_F_OWNER);
  for (const c of chains) {
    w = b.message(NFT.MSG_NEWCHAIN, NL.NLM_F_CREATE, "NFT_MSG_NEWCHAIN", `${table} ${c.name}`);
    w.attrString(NFT.CHAIN_TABLE, table);
    w.attrString(NFT.CHAIN_NAME, c.name);
    w.beginNest(NFT.CHAIN_HOOK);
    w.attrU32be(NFT.HOOK_HOOKNUM, c.hook);
    w.attrU32be(NFT.HOOK_PRIORITY, NFT.PRIORITY_RAW);
    w.endNest();
    w.attrU32be(NFT.CHAIN_POLICY, NFT.NF_ACCEPT);
    w.attrString(NFT.CHAIN_TYPE, "filter");
    w = b.message(NFT.MSG_NEWRULE, NL.NLM_F_CREATE | NL.NLM_F_APPEND, "NFT_MSG_NEWRULE", `${table} ${c.name}`);
    w.attrString(NFT.RULE_TABLE, table);
    w.attrString(NFT.RULE_CHAIN, c.name);
    w.beginNest(NFT.RULE_EXPRESSIONS);
    encodeDropRule(w, c);
    w.endNest();
  }
  return b.finish();
}

/**
 * Encodes the batch that deletes table `<family> <table>` (family `ip` unless given).
 *
 * @example
 * ```ts
 * const batch = buildDeleteTableBatch("rawhttpget_4242_40000", () => sock.nextSeq(), nftFamily(flow.localAddr));
 * ```
 */
export function buildDeleteTableBatch(table: string, nextSeq: () => number, family?: NftFamily): NftBatch {
  const b = new BatchWriter(family ?? chainsFamily([]), nextSeq);
  b.message(NFT.MSG_DELTABLE, 0, "NFT_MSG_DELTABLE", table).attrString(NFT.TABLE_NAME, table);
  return b.finish();
}

/**
 * An nftables owner table held through our own netlink socket. The kernel removes the table when that socket
 * closes, whether by `close()`, normal exit or `kill -9`; the socket is close-on-exec so no child keeps it alive.
 */
export class NftOwnerTable {
  /** The table's name. */
  readonly name: string;
  /** The table's family: that of its chains' tuples. */
  readonly family: NftFamily;
  #sock: NetlinkSocket;

  private constructor(name: string, family: NftFamily, sock: NetlinkSocket) {
    this.name = name;
    this.family = family;
    this.#sock = sock;
  }

  /**
   * Creates the table (family `ip` or `ip6`, as the chains' tuples) and its chains in one atomic batch; throws
   * `NetlinkError` (an OsError) if the kernel refuses, `RangeError` if the tuples mix families.
   */
  static create(name: string, chains: readonly DropChain[]): NftOwnerTable {
    const family = chainsFamily(chains);
    const sock = NetlinkSocket.open(NL.NETLINK_NETFILTER);
    try {
      const { bytes, acked, requests } = buildOwnerTableBatch(name, chains, () => sock.nextSeq());
      sock.transact(bytes, acked, requests);
    } catch (e) {
      sock.close();
      throw e;
    }
    return new NftOwnerTable(name, family, sock);
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
      const { bytes, acked, requests } = buildDeleteTableBatch(this.name, () => this.#sock.nextSeq(), this.family);
      this.#sock.transact(bytes, acked, requests);
    } catch {
      // The kernel deletes an owner table when its socket closes, which happens next.
    } finally {
      this.#sock.close();
    }
  }
}
