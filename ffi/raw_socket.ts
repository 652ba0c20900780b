/**
 * Raw sockets: an `IPPROTO_RAW` sender (we write the whole IPv4 header) and non-blocking receivers that hand out
 * whole IPv4 frames: `AF_INET`/`SOCK_RAW` ({@linkcode openRawReceiver}) or `AF_PACKET`/`SOCK_DGRAM` bound to one
 * interface ({@linkcode openPacketReceiver}).
 *
 * Every send and receive is one synchronous FFI call (~0.2–0.4 µs) that never blocks; waiting happens only in
 * `waitReadable`, a `nonblocking: true` poll that leaves the event loop free.
 *
 * @module
 */

import { IPPROTO_TCP, type Ipv4Address } from "../src/wire/mod.ts";
import { attachFilter as attachBpf, type BpfProgram, rejectOutgoing, type TcpFlow, tcpFlowFilter } from "./bpf.ts";
import { EAGAIN, EINTR, ENOBUFS, EPERM, lastErrno, strayErrno } from "./errno.ts";
import { cString, libc } from "./libc.ts";
import { check, OsError } from "./os_error.ts";
import { waitFor, waitReadable as pollReadable } from "./poll.ts";
import { RecvBatch } from "./recv_batch.ts";
import { AF_INET, encodeSockaddrIn, SOCKADDR_IN_LEN } from "./sockaddr.ts";
import {
  closeQuietly,
  getIntOption,
  MSG_DONTWAIT,
  openSocket,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOL_SOCKET,
  trySetIntOption,
} from "./_socket.ts";

/** IP protocol number for "raw": the sender supplies the IP header (IP_HDRINCL implied). */
export const IPPROTO_RAW = 255;
/** Address family of packet sockets. */
export const AF_PACKET = 17;
/** Ethertype of IPv4. */
export const ETH_P_IP = 0x0800;

const SO_SNDBUF = 7, SO_RCVBUF = 8, SO_SNDBUFFORCE = 32, SO_RCVBUFFORCE = 33, SO_MARK = 36, SO_LOCK_FILTER = 44;
const MSG_TRUNC = 0x20;
const POLLOUT = 0x4;

/** Sets a buffer size with the *FORCE option (root may exceed rmem_max/wmem_max), falling back to the plain one. */
function setBufferSize(fd: number, force: number, plain: number, bytes: number, name: string): number {
  if (trySetIntOption(fd, SOL_SOCKET, force, bytes) !== 0) {
    const errno = trySetIntOption(fd, SOL_SOCKET, plain, bytes);
    if (errno !== 0) throw new OsError(errno, "setsockopt", `${fd}, SOL_SOCKET, ${name}, ${bytes}`);
  }
  // The kernel doubles the request to account for its bookkeeping; report what it granted.
  return getIntOption(fd, SOL_SOCKET, plain, `SOL_SOCKET, ${name}`);
}

/** Sends whole IPv4 frames (header included) with `sendto` on an `AF_INET, SOCK_RAW, IPPROTO_RAW` socket. */
export class RawSender {
  /** The socket's file descriptor (-1 once closed). */
  fd: number;
  /** Send buffer size granted by the kernel, in bytes. */
  readonly sndbuf: number;
  /** The SO_MARK every frame carries (a firewall rule can tell our frames by it); null when unmarked. */
  readonly mark: number | null;
  #sa = new Uint8Array(SOCKADDR_IN_LEN);
  #saAddr: Ipv4Address | null = null;

  /** Wraps an open raw socket; use {@linkcode openRawSender}. */
  constructor(fd: number, sndbuf: number, mark: number | null = null) {
    this.fd = fd;
    this.sndbuf = sndbuf;
    this.mark = mark;
  }

  /**
   * Sends one frame to `dstAddr` (the kernel routes by it, the frame's own header says the same). Returns false
   * when the socket buffer or the device queue is full (EAGAIN/ENOBUFS: treat it as a lost frame), true when sent.
   * Throws OsError otherwise, e.g. EPERM when a firewall rule drops our own output, EMSGSIZE above the route MTU.
   */
  send(frame: Uint8Array<ArrayBuffer>, dstAddr: Ipv4Address): boolean {
    if (dstAddr !== this.#saAddr) {
      encodeSockaddrIn(dstAddr, 0, this.#sa);
      this.#saAddr = dstAddr;
    }
    for (let stray = false;;) {
      const n = libc().sendto(this.fd, frame, BigInt(frame.length), MSG_DONTWAIT, this.#sa, SOCKADDR_IN_LEN);
      if (n >= 0) return true;
      const errno = lastErrno();
      if (errno === EINTR) continue;
      if (strayErrno(errno) && !stray) {
        stray = true; // see strayErrno: sending the frame again is what TCP would do anyway
        continue;
      }
      if (errno === EAGAIN || errno === ENOBUFS) return false;
      throw new OsError(errno, "sendto", `${this.fd}, ${frame.length} bytes`);
    }
  }

  /** Resolves true once the send buffer has room again, false after `timeoutMs`. */
  async waitWritable(timeoutMs: number): Promise<boolean> {
    return ((await waitFor(this.fd, POLLOUT, timeoutMs)) & POLLOUT) !== 0;
  }

  /** Closes the socket; calling it twice is harmless. */
  close(): void {
    if (this.fd >= 0) closeQuietly(this.fd);
    this.fd = -1;
  }
}

/** Options of {@linkcode openRawSender}. */
export interface RawSenderOptions {
  /** Send buffer size in bytes (SO_SNDBUFFORCE, falling back to SO_SNDBUF); the kernel default if absent. */
  readonly sndbuf?: number;
  /**
   * SO_MARK for every frame sent (a u32, not 0), so that a firewall rule can exempt them, e.g. our RSTs from our own
   * RST guard. Setting it needs CAP_NET_ADMIN, or CAP_NET_RAW since Linux 5.17: when the kernel refuses (EPERM),
   * the sender stays unmarked (`mark` is null).
   */
  readonly mark?: number;
}

/**
 * Opens an `AF_INET, SOCK_RAW, IPPROTO_RAW` socket, marked with SO_MARK if asked. Throws PrivilegeError without root
 * or CAP_NET_RAW, and RangeError for a mark that is not a non-zero u32.
 *
 * @example
 * ```ts
 * const tx = openRawSender();
 * tx.send(frame, ipv4(0xc6120002));
 * ```
 */
export function openRawSender(opts: RawSenderOptions = {}): RawSender {
  const fd = openSocket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW, "AF_INET, SOCK_RAW, IPPROTO_RAW", true);
  try {
    const sndbuf = opts.sndbuf === undefined
      ? getIntOption(fd, SOL_SOCKET, SO_SNDBUF, "SOL_SOCKET, SO_SNDBUF")
      : setBufferSize(fd, SO_SNDBUFFORCE, SO_SNDBUF, opts.sndbuf, "SO_SNDBUF");
    return new RawSender(fd, sndbuf, opts.mark === undefined ? null : setMark(fd, opts.mark));
  } catch (e) {
    closeQuietly(fd);
    throw e;
  }
}

/** Sets SO_MARK; returns the mark, or null when the kernel refuses it (EPERM: no CAP_NET_ADMIN, Linux < 5.17). */
function setMark(fd: number, mark: number): number | null {
  if (!Number.isInteger(mark) || mark < 1 || mark > 0xffffffff) {
    throw new RangeError(`Cannot mark the raw socket: ${mark} is not a non-zero u32`);
  }
  const errno = trySetIntOption(fd, SOL_SOCKET, SO_MARK, mark | 0);
  if (errno === EPERM) return null;
  if (errno !== 0) throw new OsError(errno, "setsockopt", `${fd}, SOL_SOCKET, SO_MARK, 0x${mark.toString(16)}`);
  return mark;
}

/** Receives whole IPv4 frames (from the first byte of the IP header) from a non-blocking raw or packet socket. */
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
    return new RawReceiver(fd, receiveBuffer(fd, opts.rcvbuf));
  } catch (e) {
    closeQuietly(fd);
    throw e;
  }
}

function receiveBuffer(fd: number, rcvbuf: number | undefined): number {
  return rcvbuf === undefined
    ? getIntOption(fd, SOL_SOCKET, SO_RCVBUF, "SOL_SOCKET, SO_RCVBUF")
    : setBufferSize(fd, SO_RCVBUFFORCE, SO_RCVBUF, rcvbuf, "SO_RCVBUF");
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
}

/**
 * Opens an `AF_PACKET, SOCK_DGRAM` socket bound to one interface (or to all) for IPv4 frames (no link header).
 * Unlike a raw IP socket it sees frames before netfilter (a firewall DROP of incoming segments does not hide them);
 * frames this host sends are dropped by the filter when one is given. It starts with protocol 0, gets its filter,
 * and only then binds to ETH_P_IP, so no unfiltered frame is queued. Throws PrivilegeError without root or
 * CAP_NET_RAW.
 *
 * @example
 * ```ts
 * const rx = openPacketReceiver({ ifname: "veth0", rcvbuf: 16 << 20, filter: tcpFlowFilter(flow) });
 * ```
 */
export function openPacketReceiver(opts: PacketReceiverOptions): RawReceiver {
  const ifindex = opts.ifname === undefined ? 0 : libc().if_nametoindex(cString(opts.ifname));
  if (ifindex === 0 && opts.ifname !== undefined) throw new OsError(lastErrno(), "if_nametoindex", `"${opts.ifname}"`);
  const fd = openSocket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, "AF_PACKET, SOCK_DGRAM, 0", true);
  try {
    const rcvbuf = receiveBuffer(fd, opts.rcvbuf);
    if (opts.filter !== undefined) attachBpf(fd, rejectOutgoing(opts.filter));
    // struct sockaddr_ll { u16 family; be16 protocol; i32 ifindex; u16 hatype; u8 pkttype; u8 halen; u8 addr[8]; }
    const sll = new Uint8Array(20);
    const view = new DataView(sll.buffer);
    view.setUint16(0, AF_PACKET, true);
    view.setUint16(2, ETH_P_IP, false);
    view.setInt32(4, ifindex, true);
    check(libc().bind(fd, sll, 20), "bind", `${fd}, AF_PACKET, ETH_P_IP, ${opts.ifname ?? "any interface"}`);
    return new RawReceiver(fd, rcvbuf);
  } catch (e) {
    closeQuietly(fd);
    throw e;
  }
}

/**
 * The receiver of one TCP flow's incoming frames (`from` = the peer's address and port, `to` = ours): an
 * `AF_PACKET` socket on every interface (or `ifname`) with the flow's BPF filter. Pair it with a firewall rule that
 * drops these frames before the kernel's TCP, which otherwise builds an RST for each one: that cost ~25% of the
 * throughput on 2 cores (tests/bench/README.md).
 *
 * @example
 * ```ts
 * const rx = openFlowReceiver({ srcAddr: server, srcPort: 80, dstAddr: us, dstPort: 40000 }, { rcvbuf: 32 << 20 });
 * ```
 */
export function openFlowReceiver(flow: TcpFlow, opts: { rcvbuf?: number; ifname?: string } = {}): RawReceiver {
  const rx = openPacketReceiver({ ifname: opts.ifname, rcvbuf: opts.rcvbuf, filter: tcpFlowFilter(flow) });
  // Locked, the filter can be neither changed nor removed (socket(7) SO_LOCK_FILTER): whoever holds this socket,
  // e.g. our unprivileged side after the privileged helper handed it over, sees this flow and nothing else.
  const errno = trySetIntOption(rx.fd, SOL_SOCKET, SO_LOCK_FILTER, 1);
  if (errno !== 0) {
    rx.close();
    throw new OsError(errno, "setsockopt", `${rx.fd}, SOL_SOCKET, SO_LOCK_FILTER, 1`);
  }
  return rx;
}
