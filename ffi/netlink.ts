/**
 * Netlink sockets through libc (the one table of `ffi/libc.ts`) and the `nlattr` encoding (RFC 3549,
 * `linux/netlink.h`).
 *
 * Byte order: netlink headers and generic attribute headers are host order (little endian here); the payloads that
 * nftables reads (`u32` attributes, addresses, ports) are network order, so callers choose per attribute.
 *
 * @module
 */

import { closeQuietly, MSG_DONTWAIT, openSocket, SOCK_CLOEXEC, SOCK_RAW, trySetIntOption } from "./_socket.ts";
import { EAGAIN, EBADF, EINTR, EPROTO, lastErrno } from "./errno.ts";
import { libc } from "./libc.ts";
import { check, OsError } from "./os_error.ts";

/** What a netlink request was, for messages: `call` is the message type, `args` the object it names. */
export interface NetlinkRequest {
  /** The message type, e.g. `"NFT_MSG_NEWTABLE"`. */
  readonly call: string;
  /** The object, e.g. `"ip rawhttpget_4242_40000"`. */
  readonly args: string;
}

/**
 * The kernel refused a netlink request: an {@linkcode OsError} whose `call` is the message type. The message reads
 * `EPERM from NFT_MSG_NEWTABLE(ip rawhttpget_4242_40000): Operation not permitted`, plus the kernel's extended-ack
 * text in parentheses when it sent one.
 *
 * @example
 * ```ts
 * throw new NetlinkError(17, { call: "NFT_MSG_NEWTABLE", args: "ip t" }); // EEXIST from NFT_MSG_NEWTABLE(ip t): …
 * ```
 */
export class NetlinkError extends OsError {
  /** The kernel's extended-ack message (`NLMSGERR_ATTR_MSG`), if any. */
  readonly detail?: string;

  /** Builds the error from the positive errno of an `NLMSG_ERROR` reply. */
  constructor(errno: number, request: NetlinkRequest, detail?: string) {
    super(errno, request.call, request.args);
    this.name = "NetlinkError";
    this.detail = detail;
    if (detail) this.message += ` (${detail})`;
  }
}

/** Netlink message and attribute constants (`linux/netlink.h`). */
export const NL = {
  AF_NETLINK: 16,
  NETLINK_NETFILTER: 12,
  SOL_NETLINK: 270,
  NETLINK_CAP_ACK: 10,
  NETLINK_EXT_ACK: 11,
  NLM_F_REQUEST: 0x1,
  NLM_F_ACK: 0x4,
  NLM_F_EXCL: 0x200,
  NLM_F_CREATE: 0x400,
  NLM_F_APPEND: 0x800,
  NLM_F_CAPPED: 0x100,
  NLM_F_ACK_TLVS: 0x200,
  NLMSG_ERROR: 2,
  NLMSG_DONE: 3,
  NLMSGERR_ATTR_MSG: 1,
  NLA_F_NESTED: 0x8000,
  HEADER_LEN: 16,
} as const;

const align4 = (n: number): number => (n + 3) & ~3;

/**
 * Builds a run of netlink messages (a batch) in one growing buffer: `beginMessage`, attributes (nested ones with
 * `beginNest`/`endNest`), `endMessage`, then `finish()`. Lengths are patched in place; every attribute is padded to
 * 4 bytes (NLA_ALIGNTO).
 */
export class NetlinkWriter {
  #buf = new Uint8Array(512);
  #len = 0;
  #message = -1;
  #nests: number[] = [];

  /** Starts a message with a 16-byte `nlmsghdr` (length patched by `endMessage`). */
  beginMessage(type: number, flags: number, seq: number): void {
    this.#message = this.#len;
    const v = this.#reserve(NL.HEADER_LEN);
    v.setUint16(4, type, true);
    v.setUint16(6, flags, true);
    v.setUint32(8, seq, true);
    v.setUint32(12, 0, true); // port id 0: addressed to the kernel
  }

  /** Closes the current message, writing its length. */
  endMessage(): void {
    if (this.#message < 0 || this.#nests.length > 0) throw new RangeError("Cannot end a netlink message: none open");
    new DataView(this.#buf.buffer).setUint32(this.#message, this.#len - this.#message, true);
    this.#message = -1;
  }

  /** Appends raw bytes (a family header such as `nfgenmsg`), padded to 4. */
  raw(bytes: ArrayLike<number>): void {
    const start = this.#len;
    this.#reserve(align4(bytes.length));
    this.#buf.set(bytes, start);
  }

  /** Appends one attribute whose payload is `bytes` (padding after it, not counted in `nla_len`). */
  attr(type: number, bytes: ArrayLike<number>): void {
    const start = this.#len;
    const v = this.#reserve(align4(4 + bytes.length));
    v.setUint16(0, 4 + bytes.length, true);
    v.setUint16(2, type, true);
    this.#buf.set(bytes, start + 4);
  }

  /** Appends a 32-bit attribute in network byte order (what nf_tables expects for every `u32`). */
  attrU32be(type: number, value: number): void {
    this.attr(type, [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
  }

  /** Appends a NUL-terminated string attribute. */
  attrString(type: number, value: string): void {
    const bytes = new TextEncoder().encode(value);
    const z = new Uint8Array(bytes.length + 1);
    z.set(bytes);
    this.attr(type, z);
  }

  /** Opens a nested attribute (`NLA_F_NESTED` set); close it with `endNest`. */
  beginNest(type: number): void {
    this.#nests.push(this.#len);
    const v = this.#reserve(4);
    v.setUint16(2, type | NL.NLA_F_NESTED, true);
  }

  /** Closes the innermost nested attribute, writing its length. */
  endNest(): void {
    const start = this.#nests.pop();
    if (start === undefined) throw new RangeError("Cannot end a netlink attribute nest: none open");
    new DataView(this.#buf.buffer).setUint16(start, this.#len - start, true);
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    if (this.#message >= 0 || this.#nests.length > 0) throw new RangeError("Cannot finish a netlink batch: open parts");
    return this.#buf.slice(0, this.#len);
  }

  #reserve(n: number): DataView {
    if (this.#len + n > this.#buf.length) {
      const bigger = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
      bigger.set(this.#buf.subarray(0, this.#len));
      this.#buf = bigger;
    }
    const v = new DataView(this.#buf.buffer, this.#len, n);
    this.#buf.fill(0, this.#len, this.#len + n);
    this.#len += n;
    return v;
  }
}

/** One `NLMSG_ERROR` reply: `errno` 0 is an ACK; `detail` is the kernel's extended-ack message, if any. */
export interface NetlinkAck {
  /** Sequence number of the request it answers. */
  readonly seq: number;
  /** 0 for success, else a positive errno. */
  readonly errno: number;
  /** `NLMSGERR_ATTR_MSG`, when the kernel sent one. */
  readonly detail?: string;
}

/** Parses the `NLMSG_ERROR` messages (ACKs and errors) in one datagram; other message types are skipped. */
export function parseAcks(bytes: Uint8Array): NetlinkAck[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const acks: NetlinkAck[] = [];
  for (let off = 0; off + NL.HEADER_LEN <= bytes.length;) {
    const len = v.getUint32(off, true);
    if (len < NL.HEADER_LEN || off + len > bytes.length) break;
    const type = v.getUint16(off + 4, true);
    const flags = v.getUint16(off + 6, true);
    if (type === NL.NLMSG_ERROR && len >= NL.HEADER_LEN + 20) {
      const errno = 0 - v.getInt32(off + 16, true); // not -x: an ACK must give +0
      const seq = v.getUint32(off + 20 + 8, true); // the echoed request header
      const requestLen = v.getUint32(off + 20, true);
      let detail: string | undefined;
      if (flags & NL.NLM_F_ACK_TLVS) {
        // With NETLINK_CAP_ACK only the request header is echoed on errors; on ACKs it never carries a payload.
        const echoed = errno !== 0 && !(flags & NL.NLM_F_CAPPED) ? align4(requestLen) : NL.HEADER_LEN;
        for (let a = off + 20 + echoed; a + 4 <= off + len;) {
          const alen = v.getUint16(a, true);
          if (alen < 4) break;
          if ((v.getUint16(a + 2, true) & 0x3fff) === NL.NLMSGERR_ATTR_MSG) {
            detail = new TextDecoder().decode(bytes.subarray(a + 4, a + alen)).replace(/\0+$/, "");
          }
          a += align4(alen);
        }
      }
      acks.push({ seq, errno, detail });
    }
    off += align4(len);
  }
  return acks;
}

/** A netlink socket (non-inheritable across exec). The kernel forgets what it owns when the socket closes. */
export class NetlinkSocket {
  #fd: number;
  #seq = 1;

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /** Opens and binds a socket of `protocol` (e.g. `NL.NETLINK_NETFILTER`), asking for short ACKs with messages. */
  static open(protocol: number, name = "NETLINK_NETFILTER"): NetlinkSocket {
    const fd = openSocket(NL.AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol, `AF_NETLINK, SOCK_RAW, ${name}`, false);
    try {
      trySetIntOption(fd, NL.SOL_NETLINK, NL.NETLINK_CAP_ACK, 1); // best effort: small error replies
      trySetIntOption(fd, NL.SOL_NETLINK, NL.NETLINK_EXT_ACK, 1); // best effort: the kernel's reason text
      const addr = new Uint8Array(12); // sockaddr_nl: family, pad, pid 0 (kernel picks), groups 0
      new DataView(addr.buffer).setUint16(0, NL.AF_NETLINK, true);
      check(libc().bind(fd, addr, addr.length), "bind", `${fd}, AF_NETLINK`);
    } catch (e) {
      closeQuietly(fd);
      throw e;
    }
    return new NetlinkSocket(fd);
  }

  /** True until `close()`. */
  get isOpen(): boolean {
    return this.#fd >= 0;
  }

  /** The socket's descriptor (-1 once closed). */
  get fd(): number {
    return this.#fd;
  }

  /** Hands out the next sequence number for a message of a batch. */
  nextSeq(): number {
    return this.#seq++;
  }

  /**
   * Sends one datagram and checks the kernel's replies: each sequence number in `acked` must be ACKed with no error.
   * The kernel handles a request to a netlink kernel socket inside `send`, so the replies are already queued when it
   * returns; reading them never blocks. `requests` names each sequence number for error messages.
   */
  transact(bytes: Uint8Array, acked: readonly number[], requests: ReadonlyMap<number, NetlinkRequest>): void {
    const c = libc();
    if (this.#fd < 0) throw new OsError(EBADF, "send", "closed netlink socket");
    check(c.send(this.#fd, bytes, BigInt(bytes.length), 0), "send", `${this.#fd}, netlink batch`);
    const waiting = new Set(acked);
    const buf = new Uint8Array(65536);
    let firstError: NetlinkError | null = null;
    while (waiting.size > 0) {
      const n = Number(c.recv(this.#fd, buf, BigInt(buf.length), MSG_DONTWAIT));
      if (n < 0) {
        const errno = lastErrno();
        if (errno === EINTR) continue;
        if (errno === EAGAIN) break; // nothing more will come
        throw new OsError(errno, "recv", `${this.#fd}, netlink replies`);
      }
      for (const ack of parseAcks(buf.subarray(0, n))) {
        waiting.delete(ack.seq);
        if (ack.errno !== 0 && firstError === null) {
          const request = requests.get(ack.seq) ?? { call: "netlink request", args: String(ack.seq) };
          firstError = new NetlinkError(ack.errno, request, ack.detail);
        }
      }
    }
    if (firstError) throw firstError;
    if (waiting.size > 0) {
      const missing = [...waiting].map((s) => requests.get(s)?.call ?? String(s)).join(", ");
      throw new NetlinkError(EPROTO, { call: "recv", args: `${this.#fd}, netlink replies` }, `no reply to ${missing}`);
    }
  }

  /** Closes the socket; idempotent. */
  close(): void {
    if (this.#fd >= 0) closeQuietly(this.#fd);
    this.#fd = -1;
  }
}
