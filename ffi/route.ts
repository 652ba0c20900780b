/**
 * Which source address and path MTU the kernel would use towards a destination: a UDP socket of the destination's
 * family is "connected" (no packet is sent), then `getsockname` and `getsockopt(IP_MTU)` (`IPV6_MTU` for IPv6) read
 * the route the kernel chose.
 *
 * @module
 */

import { formatAddressPort, formatIpAddress, type IpAddress, type Ipv4Address, ipVersion } from "../src/wire/mod.ts";
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
import { AF_INET, AF_INET6, encodeSockaddr } from "./sockaddr.ts";

const IPPROTO_IP = 0, IPPROTO_IPV6 = 41;
const IP_MTU = 14, IPV6_MTU = 24;
const SO_BINDTODEVICE = 25;
const ENODEV = 19, EADDRNOTAVAIL = 99;

/** The route towards a destination: our source address (of the destination's family) and the route's MTU in bytes. */
export interface Route<A extends IpAddress = Ipv4Address> {
  /** Source address the kernel picks for this destination. */
  readonly srcAddr: A;
  /** MTU of the route (65536 on loopback, 1500 on most Ethernet). */
  readonly mtu: number;
}

/**
 * The kernel has no route to an address. Message: `No route to 198.18.9.9: Network is unreachable` (or
 * `No route to 2001:2::9: …`).
 *
 * @example
 * ```ts
 * throw new RouteError(ipv4(0xc6120909), 101);
 * ```
 */
export class RouteError extends Error {
  /** The destination. */
  readonly dstAddr: IpAddress;
  /** errno of connect(), e.g. ENETUNREACH (101). */
  readonly errno: number;

  /** Builds the error from the destination and connect's errno. */
  constructor(dstAddr: IpAddress, errno: number) {
    super(`No route to ${formatIpAddress(dstAddr)}: ${strerror(errno)}`);
    this.name = "RouteError";
    this.dstAddr = dstAddr;
    this.errno = errno;
  }
}

/** Constraints on the route: a source address to use, or an interface to leave by (`--source`, `--interface`). */
export interface RouteOptions {
  /** Our source address; it must be an address of this machine, of the destination's IP version. */
  readonly srcAddr?: IpAddress;
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
 * Returns the source address and MTU the kernel would use to reach `dstAddr` (IPv4 or IPv6), optionally from a given
 * source address or through a given interface. Sends nothing. Throws {@linkcode RouteError} when there is no route,
 * {@linkcode BindError} for an unusable source (one of the other IP version, too) or interface, OsError for other
 * failures.
 *
 * @example
 * ```ts
 * routeTo(ipv4(0x7f000001)); // { srcAddr: 0x7f000001, mtu: 65536 }
 * routeTo(parseIpv6Address("2001:2::2")); // { srcAddr: "2001:2::1", mtu: 1500 }
 * ```
 */
export function routeTo<A extends IpAddress>(dstAddr: A, options: RouteOptions = {}): Route<A> {
  const v6 = ipVersion(dstAddr) === 6;
  // The socket is of the destination's family: a source of the other one cannot be bound to it.
  if (options.srcAddr !== undefined && ipVersion(options.srcAddr) !== ipVersion(dstAddr)) {
    throw new BindError(
      `Cannot reach ${formatIpAddress(dstAddr)} from ${formatIpAddress(options.srcAddr)}: ` +
        "the source address is of the other IP version",
    );
  }
  const domain = v6 ? "AF_INET6" : "AF_INET";
  const fd = openSocket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0, `${domain}, SOCK_DGRAM, 0`, false);
  try {
    if (options.device !== undefined) bindToDevice(fd, options.device);
    if (options.srcAddr !== undefined) bindSource(fd, options.srcAddr);
    // Any nonzero port will do: connect() on UDP only looks up the route.
    const sa = encodeSockaddr(dstAddr, 9);
    if (libc().connect(fd, sa.bytes, sa.length) !== 0) {
      const errno = lastErrno();
      if (errno === ENETUNREACH || errno === EHOSTUNREACH) throw new RouteError(dstAddr, errno);
      throw new OsError(errno, "connect", `UDP, ${formatAddressPort(dstAddr, 9)}`);
    }
    const mtu = v6
      ? getIntOption(fd, IPPROTO_IPV6, IPV6_MTU, "IPPROTO_IPV6, IPV6_MTU")
      : getIntOption(fd, IPPROTO_IP, IP_MTU, "IPPROTO_IP, IP_MTU");
    // getsockname on a socket of A's family gives an address of that family.
    return { srcAddr: localAddress(fd).addr as A, mtu };
  } finally {
    closeQuietly(fd);
  }
}

function bindSource(fd: number, srcAddr: IpAddress): void {
  const sa = encodeSockaddr(srcAddr, 0);
  if (libc().bind(fd, sa.bytes, sa.length) !== 0) {
    const errno = lastErrno();
    if (errno === EADDRNOTAVAIL) {
      throw new BindError(
        `Cannot use source address ${formatIpAddress(srcAddr)}: it is not an address of this machine`,
      );
    }
    throw new OsError(errno, "bind", `UDP, ${formatAddressPort(srcAddr, 0)}`);
  }
}
