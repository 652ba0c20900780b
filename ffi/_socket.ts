/**
 * Private socket helpers shared by ffi/ modules: creation with typed errors, integer socket options, close.
 *
 * @module
 */

import { EACCES, EPERM, lastErrno } from "./errno.ts";
import { libc } from "./libc.ts";
import { check, OsError, PrivilegeError } from "./os_error.ts";
import { decodeSockaddr, SOCKADDR_IN6_LEN, type SocketAddress } from "./sockaddr.ts";

/** Socket type: raw. */
export const SOCK_RAW = 3;
/** Socket type: datagram. */
export const SOCK_DGRAM = 2;
/** Socket type: stream. */
export const SOCK_STREAM = 1;
/** socket(2) type flag: non-blocking. */
export const SOCK_NONBLOCK = 0x800;
/** socket(2) type flag: close on exec. */
export const SOCK_CLOEXEC = 0x80000;
/** Socket option level. */
export const SOL_SOCKET = 1;
/** recv/send flag: do not block. */
export const MSG_DONTWAIT = 0x40;

/**
 * Opens a socket; `describe` renders the arguments for messages. With `raw`, EPERM/EACCES become PrivilegeError.
 */
export function openSocket(domain: number, type: number, protocol: number, describe: string, raw: boolean): number {
  const fd = libc().socket(domain, type, protocol);
  if (fd >= 0) return fd;
  const errno = lastErrno();
  if (raw && (errno === EPERM || errno === EACCES)) throw new PrivilegeError(errno, "socket", describe);
  throw new OsError(errno, "socket", describe);
}

const intBuf = new Uint8Array(4);
const intView = new DataView(intBuf.buffer);
const lenBuf = new Uint8Array(4);

/** setsockopt with an int value; returns the errno on failure instead of throwing, 0 on success. */
export function trySetIntOption(fd: number, level: number, name: number, value: number): number {
  intView.setInt32(0, value, true);
  return libc().setsockopt(fd, level, name, intBuf, 4) === 0 ? 0 : lastErrno();
}

/** getsockopt for an int value. */
export function getIntOption(fd: number, level: number, name: number, describe: string): number {
  new DataView(lenBuf.buffer).setUint32(0, 4, true);
  check(libc().getsockopt(fd, level, name, intBuf, lenBuf), "getsockopt", `${fd}, ${describe}`);
  return intView.getInt32(0, true);
}

/** Closes `fd`, ignoring errors (the descriptor is gone either way on Linux). */
export function closeQuietly(fd: number): void {
  libc().close(fd);
}

/**
 * The address an AF_INET or AF_INET6 socket is bound to (getsockname), read by the family the kernel wrote: the
 * buffer has room for a sockaddr_in6, the larger of the two.
 */
export function localAddress(fd: number): SocketAddress {
  const sa = new Uint8Array(SOCKADDR_IN6_LEN);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, SOCKADDR_IN6_LEN, true);
  check(libc().getsockname(fd, sa, len), "getsockname", `${fd}`);
  return decodeSockaddr(sa);
}

const SO_SNDBUF = 7, SO_RCVBUF = 8, SO_SNDBUFFORCE = 32, SO_RCVBUFFORCE = 33;

/**
 * Sets the send or receive buffer size with the *FORCE option (root may exceed rmem_max/wmem_max), falling back to
 * the plain one, and returns the size the kernel granted; with `bytes` undefined, only reads the current size.
 */
export function bufferSize(fd: number, which: "SO_SNDBUF" | "SO_RCVBUF", bytes: number | undefined): number {
  const [plain, force] = which === "SO_SNDBUF" ? [SO_SNDBUF, SO_SNDBUFFORCE] : [SO_RCVBUF, SO_RCVBUFFORCE];
  if (bytes !== undefined && trySetIntOption(fd, SOL_SOCKET, force, bytes) !== 0) {
    const errno = trySetIntOption(fd, SOL_SOCKET, plain, bytes);
    if (errno !== 0) throw new OsError(errno, "setsockopt", `${fd}, SOL_SOCKET, ${which}, ${bytes}`);
  }
  // The kernel doubles the request to account for its bookkeeping; report what it granted.
  return getIntOption(fd, SOL_SOCKET, plain, `SOL_SOCKET, ${which}`);
}
