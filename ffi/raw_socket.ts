/**
 * Raw sockets: an `IPPROTO_RAW` sender (we write the whole IP header; raw_sender.ts) and non-blocking receivers that
 * hand out whole IP frames: `AF_INET`/`SOCK_RAW` ({@linkcode openRawReceiver}) or `AF_PACKET`/`SOCK_DGRAM` bound to
 * one interface and one ether type, IPv4 or IPv6 ({@linkcode openPacketReceiver}).
 *
 * Every send and receive is one synchronous FFI call (~0.2–0.4 µs) that never blocks; waiting happens only in
 * `waitReadable`, a `nonblocking: true` poll that leaves the event loop free.
 *
 * @module
 */

import { IPPROTO_TCP } from "../src/wire/mod.ts";
import { attachFilter as attachBpf, type BpfProgram, rejectOutgoing, type TcpFlow, tcpFlowFilter } from "./bpf.ts";
import { type TcpFlow6, tcpFlowFilter6 } from "./bpf6.ts";
import { EAGAIN, EINTR, lastErrno, strayErrno } from "./errno.ts";
import { cString, libc } from "./libc.ts";
import { check, OsError } from "./os_error.ts";
import { waitReadable as pollReadable } from "./poll.ts";
import { RecvBatch } from "./recv_batch.ts";
import { AF_INET } from "./sockaddr.ts";
import {
  bufferSize,
  closeQuietly,
  MSG_DONTWAIT,
  openSocket,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOL_SOCKET,
  trySetIntOption,
} from "./_socket.ts";

export { IPPROTO_RAW, openRawSender, RawSender, type RawSenderOptions } from "./raw_sender.ts";

/** Address family of packet sockets. */
export const AF_PACKET = 17;
/** Ethertype of IPv4. */
export const ETH_P_IP = 0x0800;
/** Ethertype of IPv6. */
export const ETH_P_IPV6 = 0x86dd;

const SO_LOCK_FILTER = 44;
const MSG_TRUNC = 0x20;

/** Receives whole IPv4 or IPv6 frames (from the first byte of the IP header) from a non-blocking raw or packet socket. */
export class RawReceiver {
  /** The socket's file descriptor (-1 once closed). */
  fd: number;
  /** Receive buffer size granted by the kernel, in bytes. */
  readonly rcvbuf: number;
  // The usual caller passes the same buffer every time: keep its length as the bigint size_t argument.
  #lastBuf: Uint8Array | null = null;
  #lastLen = 0n;

  /** Wraps an open socket; use {@linkcode openRawReceiver} or {@linkcode openPacketReceiver}. */
  constructor(fd: number, rcvbuf: number) {
    this.fd = fd;
    this.rcvbuf = rcvbuf;
  }

  /**
   * Reads one frame into `buf` and returns its length, or -1 when none is queued. The length is the frame's real
   * length (MSG_TRUNC): a value above `buf.length` means the frame was cut to fit.
   */
  recv(buf: Uint8Array<ArrayBuffer>): number {
    if (buf !== this.#lastBuf) {
      this.#lastBuf = buf;
      this.#lastLen = BigInt(buf.length);
    }
    for (let stray = false;;) {
      const n = libc().recvfrom(this.fd, buf, this.#lastLen, MSG_DONTWAIT | MSG_TRUNC, null, null);
      if (n >= 0) return Number(n);
      const errno = lastErrno();
      if (errno === EAGAIN) return -1;
      if (strayErrno(errno) && !stray) {
        stray = true; // see strayErrno
        continue;
      }
      if (errno !== EINTR) throw new OsError(errno, "recvfrom", `${this.fd}`);
    }
  }

  /**
   * Reads up to `batch.capacity` queued frames with one `recvmmsg` call; returns how many (0 when none is queued).
   * Frame i is `batch.frame(i)` until the next call.
   */
  recvBatch(batch: RecvBatch): number {
    for (let stray = false;;) {
      const n = libc().recvmmsg(this.fd, batch.mmsghdrs, batch.capacity, MSG_DONTWAIT | MSG_TRUNC, null);
      if (n >= 0) return batch.received(n);
      const errno = lastErrno();
      if (errno === EAGAIN) return batch.received(0);
      if (strayErrno(errno) && !stray) {
        stray = true; // see strayErrno: asked again, an empty queue says EAGAIN
        continue;
      }
      if (errno !== EINTR) throw new OsError(errno, "recvmmsg", `${this.fd}`);
    }
  }

  /**
   * Attaches a BPF program, then drains the frames queued before it existed (they were not filtered).
   * Returns how many frames were thrown away.
   */
  attachFilter(program: BpfProgram): number {
    attachBpf(this.fd, program);
    return this.drain();
  }

  /** Throws away every queued frame; returns how many there were. */
  drain(): number {
    const scratch = new Uint8Array(1);
    let count = 0;
    while (this.recv(scratch) >= 0) count++;
    return count;
  }

  /** Resolves true when a frame is queued (or an error is pending), false after `timeoutMs`. */
  waitReadable(timeoutMs: number): Promise<boolean> {
    return pollReadable(this.fd, timeoutMs);
  }

  /** Closes the socket; calling it twice is harmless. */
  close(): void {
    if (this.fd >= 0) closeQuietly(this.fd);
    this.fd = -1;
  }
}

/** Options of {@linkcode openRawReceiver}. */
export interface RawReceiverOptions {
  /** IP protocol to receive; {@linkcode IPPROTO_TCP} by default. */
  readonly protocol?: number;
  /** Receive buffer size in bytes (SO_RCVBUFFORCE, falling back to SO_RCVBUF); the default ~208 KiB overflows. */
  readonly rcvbuf?: number;
}

/**
 * Opens a non-blocking `AF_INET, SOCK_RAW, protocol` socket that receives a copy of every incoming IPv4 frame of that
 * protocol, from every interface. It queues frames at once: attach a filter (which drains) before using it.
 * Throws PrivilegeError without root or CAP_NET_RAW.
 *
 * @example
 * ```ts
 * const rx = openRawReceiver({ protocol: IPPROTO_TCP, rcvbuf: 16 << 20 });
 * rx.attachFilter(tcpFlowFilter(flow));
 * ```
 */
export function openRawReceiver(opts: RawReceiverOptions = {}): RawReceiver {
  const protocol = opts.protocol ?? IPPROTO_TCP;
  const fd = openSocket(
    AF_INET,
    SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
    protocol,
    `AF_INET, SOCK_RAW, ${protocol}`,
    true,
  );
  try {
    return new RawReceiver(fd, bufferSize(fd, "SO_RCVBUF", opts.rcvbuf));
  } catch (e) {
    closeQuietly(fd);
    throw e;
  }
}

/** Options of {@linkcode openPacketReceiver}. */
export interface PacketReceiverOptions {
  /**
   * Interface to listen on, e.g. `"eth0"`; every interface when absent (the filter picks the flow's frames, and the
   * route's interface need not be known).
   */
  readonly ifname?: string;
  /** Receive buffer size in bytes (SO_RCVBUFFORCE, falling back to SO_RCVBUF). */
  readonly rcvbuf?: number;
  /**
   * Filter attached before the socket starts receiving, so nothing unfiltered is ever queued. Frames this host sends
   * are dropped in front of it (see `rejectOutgoing`).
   */
  readonly filter?: BpfProgram;
  /** The frames' ether type: {@linkcode ETH_P_IP} (the default) or {@linkcode ETH_P_IPV6}. */
  readonly etherType?: number;
}

/**
 * Opens an `AF_PACKET, SOCK_DGRAM` socket bound to one interface (or to all) for IPv4 frames, or those of
 * `etherType` (no link header).
 * Unlike a raw IP socket it sees frames before netfilter (a firewall DROP of incoming segments does not hide them);
 * frames this host sends are dropped by the filter when one is given. It starts with protocol 0, gets its filter,
 * and only then binds to its ether type, so no unfiltered frame is queued. Throws PrivilegeError without root or
 * CAP_NET_RAW.
 *
 * @example
 * ```ts
 * const rx = openPacketReceiver({ ifname: "veth0", rcvbuf: 16 << 20, filter: tcpFlowFilter(flow) });
 * const rx6 = openPacketReceiver({ etherType: ETH_P_IPV6, filter: tcpFlowFilter6(flow6) });
 * ```
 */
export function openPacketReceiver(opts: PacketReceiverOptions): RawReceiver {
  const etherType = opts.etherType ?? ETH_P_IP;
  // It goes into a be16 field: a larger value would bind to some other protocol's frames.
  if (!Number.isInteger(etherType) || etherType < 0 || etherType > 0xffff) {
    throw new RangeError(`Cannot open a packet receiver: ether type ${etherType} is not a u16`);
  }
  const ifindex = opts.ifname === undefined ? 0 : libc().if_nametoindex(cString(opts.ifname));
  if (ifindex === 0 && opts.ifname !== undefined) throw new OsError(lastErrno(), "if_nametoindex", `"${opts.ifname}"`);
  const fd = openSocket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, "AF_PACKET, SOCK_DGRAM, 0", true);
  try {
    const rcvbuf = bufferSize(fd, "SO_RCVBUF", opts.rcvbuf);
    if (opts.filter !== undefined) attachBpf(fd, rejectOutgoing(opts.filter));
    // struct sockaddr_ll { u16 family; be16 protocol; i32 ifindex; u16 hatype; u8 pkttype; u8 halen; u8 addr[8]; }
    const sll = new Uint8Array(20);
    const view = new DataView(sll.buffer);
    view.setUint16(0, AF_PACKET, true);
    view.setUint16(2, etherType, false);
    view.setInt32(4, ifindex, true);
    const describe = `${fd}, AF_PACKET, 0x${etherType.toString(16).padStart(4, "0")}, ${
      opts.ifname ?? "any interface"
    }`;
    check(libc().bind(fd, sll, 20), "bind", describe);
    return new RawReceiver(fd, rcvbuf);
  } catch (e) {
    closeQuietly(fd);
    throw e;
  }
}

/**
 * The receiver of one TCP flow's incoming frames (`from` = the peer's address and port, `to` = ours): an
 * `AF_PACKET` socket on every interface (or `ifname`) with the flow's BPF filter, for IPv4 frames with a
 * {@linkcode TcpFlow} and IPv6 frames with a {@linkcode TcpFlow6} (told apart by the addresses' type). Pair it with a firewall rule that
 * drops these frames before the kernel's TCP, which otherwise builds an RST for each one: that cost ~25% of the
 * throughput on 2 cores (tests/bench/README.md).
 *
 * @example
 * ```ts
 * const rx = openFlowReceiver({ srcAddr: server, srcPort: 80, dstAddr: us, dstPort: 40000 }, { rcvbuf: 32 << 20 });
 * ```
 */
export function openFlowReceiver(
  flow: TcpFlow | TcpFlow6,
  opts: { rcvbuf?: number; ifname?: string } = {},
): RawReceiver {
  const v6 = isFlow6(flow);
  // A filter of one version on a socket of the other would admit nothing, silently: say so instead.
  if (v6 !== (typeof flow.dstAddr === "string")) {
    throw new TypeError("Cannot receive a TCP flow whose two addresses are of different IP versions");
  }
  const rx = openPacketReceiver({
    ifname: opts.ifname,
    rcvbuf: opts.rcvbuf,
    filter: v6 ? tcpFlowFilter6(flow) : tcpFlowFilter(flow),
    etherType: v6 ? ETH_P_IPV6 : ETH_P_IP,
  });
  // Locked, the filter can be neither changed nor removed (socket(7) SO_LOCK_FILTER): whoever holds this socket,
  // e.g. our unprivileged side after the privileged helper handed it over, sees this flow and nothing else.
  const errno = trySetIntOption(rx.fd, SOL_SOCKET, SO_LOCK_FILTER, 1);
  if (errno !== 0) {
    rx.close();
    throw new OsError(errno, "setsockopt", `${rx.fd}, SOL_SOCKET, SO_LOCK_FILTER, 1`);
  }
  return rx;
}

/** Whether a flow is an IPv6 one: its addresses are text (see src/wire/ip_address.ts). */
function isFlow6(flow: TcpFlow | TcpFlow6): flow is TcpFlow6 {
  return typeof flow.srcAddr === "string";
}
