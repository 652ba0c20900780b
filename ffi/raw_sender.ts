/**
 * The raw sender: whole IP frames (header included) written with `sendto` on an `IPPROTO_RAW` socket of either
 * family. On `AF_INET` the protocol implies IP_HDRINCL; on `AF_INET6` it implies IPV6_HDRINCL (raw(7), ipv6(7)):
 * the kernel adds no header of its own in both cases, and routes the frame by the `sendto` address.
 *
 * @module
 */

import { formatIpAddress, type IpAddress, ipVersion, isIpv6Address } from "../src/wire/mod.ts";
import { EAGAIN, EINTR, ENOBUFS, EPERM, lastErrno, strayErrno } from "./errno.ts";
import { libc } from "./libc.ts";
import { OsError } from "./os_error.ts";
import { waitFor } from "./poll.ts";
import {
  AF_INET,
  AF_INET6,
  encodeSockaddrIn,
  encodeSockaddrIn6,
  SOCKADDR_IN6_LEN,
  SOCKADDR_IN_LEN,
} from "./sockaddr.ts";
import {
  bufferSize,
  closeQuietly,
  MSG_DONTWAIT,
  openSocket,
  SOCK_CLOEXEC,
  SOCK_RAW,
  SOL_SOCKET,
  trySetIntOption,
} from "./_socket.ts";

/** IP protocol number for "raw": the sender supplies the IP header (IP_HDRINCL or IPV6_HDRINCL implied). */
export const IPPROTO_RAW = 255;

const SO_MARK = 36;
const POLLOUT = 0x4;

/**
 * Sends whole IPv4 or IPv6 frames (header included) with `sendto` on an `AF_INET` or `AF_INET6`,
 * `SOCK_RAW, IPPROTO_RAW` socket.
 */
export class RawSender {
  /** The socket's file descriptor (-1 once closed). */
  fd: number;
  /** Send buffer size granted by the kernel, in bytes. */
  readonly sndbuf: number;
  /** The SO_MARK every frame carries (a firewall rule can tell our frames by it); null when unmarked. */
  readonly mark: number | null;
  /** The IP version of the socket, and of every frame and destination it takes. */
  readonly family: 4 | 6;
  readonly #sa: Uint8Array<ArrayBuffer>;
  #saAddr: IpAddress | null = null;

  /** Wraps an open raw socket of IP version `family`; use {@linkcode openRawSender}. */
  constructor(fd: number, sndbuf: number, mark: number | null = null, family: 4 | 6 = 4) {
    this.fd = fd;
    this.sndbuf = sndbuf;
    this.mark = mark;
    this.family = family;
    this.#sa = new Uint8Array(family === 6 ? SOCKADDR_IN6_LEN : SOCKADDR_IN_LEN);
  }

  /**
   * Sends one frame to `dstAddr` (the kernel routes by it, the frame's own header says the same). Returns false
   * when the socket buffer or the device queue is full (EAGAIN/ENOBUFS: treat it as a lost frame), true when sent.
   * Throws OsError otherwise, e.g. EPERM when a firewall rule drops our own output, EMSGSIZE above the route MTU,
   * and TypeError for an address of the other IP version.
   */
  send(frame: Uint8Array<ArrayBuffer>, dstAddr: IpAddress): boolean {
    if (dstAddr !== this.#saAddr) {
      // The kernel would read an address of the other family as garbage, or refuse it with EINVAL.
      if (ipVersion(dstAddr) !== this.family) {
        throw new TypeError(`Cannot send to ${formatIpAddress(dstAddr)} through an IPv${this.family} raw sender`);
      }
      // The port must be 0 (or the protocol, IPPROTO_RAW): rawv6_sendmsg reads it as the protocol to send.
      if (isIpv6Address(dstAddr)) encodeSockaddrIn6(dstAddr, 0, this.#sa);
      else encodeSockaddrIn(dstAddr, 0, this.#sa);
      this.#saAddr = dstAddr;
    }
    for (let stray = false;;) {
      const n = libc().sendto(this.fd, frame, BigInt(frame.length), MSG_DONTWAIT, this.#sa, this.#sa.length);
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
  /** IP version of the frames: 4 (`AF_INET`, the default) or 6 (`AF_INET6`). */
  readonly family?: 4 | 6;
}

/**
 * Opens an `AF_INET` (or, with `family: 6`, `AF_INET6`) `SOCK_RAW, IPPROTO_RAW` socket, marked with SO_MARK if
 * asked. Throws PrivilegeError without root or CAP_NET_RAW, and RangeError for a mark that is not a non-zero u32.
 *
 * @example
 * ```ts
 * const tx = openRawSender();
 * tx.send(frame, ipv4(0xc6120002));
 * const tx6 = openRawSender({ family: 6 });
 * tx6.send(frame6, parseIpv6Address("2001:2::2"));
 * ```
 */
export function openRawSender(opts: RawSenderOptions = {}): RawSender {
  const family = opts.family ?? 4;
  // Anything else would open an AF_INET socket for a caller that meant something else.
  if (family !== 4 && family !== 6) throw new RangeError(`Cannot open a raw sender: family ${family} is not 4 or 6`);
  const domain = family === 6 ? "AF_INET6" : "AF_INET";
  const fd = openSocket(
    family === 6 ? AF_INET6 : AF_INET,
    SOCK_RAW | SOCK_CLOEXEC,
    IPPROTO_RAW,
    `${domain}, SOCK_RAW, IPPROTO_RAW`,
    true,
  );
  try {
    const sndbuf = bufferSize(fd, "SO_SNDBUF", opts.sndbuf);
    return new RawSender(fd, sndbuf, opts.mark === undefined ? null : setMark(fd, opts.mark), family);
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
