/**
 * Private socket helpers shared by ffi/ modules: creation with typed errors, integer socket options, close.
 *
 * @module
 */

import { EACCES, EPERM, lastErrno } from "./errno.ts";
import { libc } from "./libc.ts";
import { check, OsError, PrivilegeError } from "./os_error.ts";
import { decodeSockaddrIn, SOCKADDR_IN_LEN, type SockaddrIn } from "./sockaddr.ts";

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

/** The address an AF_INET socket is bound to (getsockname). */
export function localAddress(fd: number): SockaddrIn {
  const sa = new Uint8Array(SOCKADDR_IN_LEN);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, SOCKADDR_IN_LEN, true);
  check(libc().getsockname(fd, sa, len), "getsockname", `${fd}`);
  return decodeSockaddrIn(sa);
}
