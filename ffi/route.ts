/**
 * Which source address and path MTU the kernel would use towards a destination: a UDP socket is "connected" (no
 * packet is sent), then `getsockname` and `getsockopt(IP_MTU)` read the route the kernel chose.
 *
 * @module
 */

import { formatIpv4Address, type Ipv4Address } from "../src/wire/mod.ts";
import {
  closeQuietly,
  getIntOption,
  localAddress,
  openSocket,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOL_SOCKET,
} from "./_socket.ts";
import { EHOSTUNREACH, ENETUNREACH, lastErrno } from "./errno.ts";
import { cString, libc } from "./libc.ts";
import { OsError, strerror } from "./os_error.ts";
import { AF_INET, encodeSockaddrIn, SOCKADDR_IN_LEN } from "./sockaddr.ts";

const IPPROTO_IP = 0;
const IP_MTU = 14;
const SO_BINDTODEVICE = 25;
const ENODEV = 19, EADDRNOTAVAIL = 99;

/** The route towards a destination: our source address and the route's MTU in bytes. */
export interface Route {
  /** Source address the kernel picks for this destination. */
  readonly srcAddr: Ipv4Address;
  /** MTU of the route (65536 on loopback, 1500 on most Ethernet). */
  readonly mtu: number;
}

/**
 * The kernel has no route to an address. Message: `No route to 198.18.9.9: Network is unreachable`.
 *
 * @example
 * ```ts
 * throw new RouteError(ipv4(0xc6120909), 101);
 * ```
 */
export class RouteError extends Error {
  /** The destination. */
  readonly dstAddr: Ipv4Address;
  /** errno of connect(), e.g. ENETUNREACH (101). */
  readonly errno: number;

  /** Builds the error from the destination and connect's errno. */
  constructor(dstAddr: Ipv4Address, errno: number) {
    super(`No route to ${formatIpv4Address(dstAddr)}: ${strerror(errno)}`);
    this.name = "RouteError";
    this.dstAddr = dstAddr;
    this.errno = errno;
  }
}

/** Constraints on the route: a source address to use, or an interface to leave by (`--source`, `--interface`). */
export interface RouteOptions {
  /** Our source address; it must be an address of this machine. */
  readonly srcAddr?: Ipv4Address;
  /** The interface to send through (SO_BINDTODEVICE), e.g. "eth0". */
  readonly device?: string;
}

/**
 * A `--source` address or `--interface` name that cannot be used. Message: `Cannot use interface "eth9": there is
 * no such interface`.
 *
 * @example
 * ```ts
 * throw new BindError("Cannot use source address 10.9.9.9: it is not an address of this machine");
 * ```
 */
export class BindError extends Error {
  /** Builds the error from one sentence. */
  constructor(message: string) {
    super(message);
    this.name = "BindError";
  }
}

/**
 * Ties a socket to an interface (SO_BINDTODEVICE, needs CAP_NET_RAW): its packets leave by it and only its routes
 * apply. Throws {@linkcode BindError} for an unknown interface, OsError otherwise.
 *
 * @example
 * ```ts
 * bindToDevice(fd, "eth0");
 * ```
 */
export function bindToDevice(fd: number, device: string): void {
  if (device === "" || device.length >= 16 || device.includes("/")) {
    throw new BindError(`Cannot use interface "${device}": it is not a valid interface name`);
  }
  const name = cString(device);
  if (libc().setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, name.length) !== 0) {
    const errno = lastErrno();
    if (errno === ENODEV) throw new BindError(`Cannot use interface "${device}": there is no such interface`);
    throw new OsError(errno, "setsockopt", `${fd}, SOL_SOCKET, SO_BINDTODEVICE, "${device}"`);
  }
}

/**
 * Returns the source address and MTU the kernel would use to reach `dstAddr`, optionally from a given source
 * address or through a given interface. Sends nothing. Throws {@linkcode RouteError} when there is no route,
 * {@linkcode BindError} for an unusable source or interface, OsError for other failures.
 *
 * @example
 * ```ts
 * routeTo(ipv4(0x7f000001)); // { srcAddr: 0x7f000001, mtu: 65536 }
 * ```
 */
export function routeTo(dstAddr: Ipv4Address, options: RouteOptions = {}): Route {
  const fd = openSocket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0, "AF_INET, SOCK_DGRAM, 0", false);
  try {
    if (options.device !== undefined) bindToDevice(fd, options.device);
    if (options.srcAddr !== undefined) bindSource(fd, options.srcAddr);
    // Any nonzero port will do: connect() on UDP only looks up the route.
    if (libc().connect(fd, encodeSockaddrIn(dstAddr, 9), SOCKADDR_IN_LEN) !== 0) {
      const errno = lastErrno();
      if (errno === ENETUNREACH || errno === EHOSTUNREACH) throw new RouteError(dstAddr, errno);
      throw new OsError(errno, "connect", `UDP, ${formatIpv4Address(dstAddr)}:9`);
    }
    const mtu = getIntOption(fd, IPPROTO_IP, IP_MTU, "IPPROTO_IP, IP_MTU");
    return { srcAddr: localAddress(fd).addr, mtu };
  } finally {
    closeQuietly(fd);
  }
}

function bindSource(fd: number, srcAddr: Ipv4Address): void {
  if (libc().bind(fd, encodeSockaddrIn(srcAddr, 0), SOCKADDR_IN_LEN) !== 0) {
    const errno = lastErrno();
    if (errno === EADDRNOTAVAIL) {
      throw new BindError(
        `Cannot use source address ${formatIpv4Address(srcAddr)}: it is not an address of this machine`,
      );
    }
    throw new OsError(errno, "bind", `UDP, ${formatIpv4Address(srcAddr)}:0`);
  }
}
