/**
 * Which source address and path MTU the kernel would use towards a destination: a UDP socket is "connected" (no
 * packet is sent), then `getsockname` and `getsockopt(IP_MTU)` read the route the kernel chose.
 *
 * @module
 */

import { formatAddr } from "./_ipv4.ts";
import { closeQuietly, getIntOption, localAddress, openSocket, SOCK_CLOEXEC, SOCK_DGRAM } from "./_socket.ts";
import { EHOSTUNREACH, ENETUNREACH, lastErrno } from "./errno.ts";
import { libc } from "./libc.ts";
import { OsError, strerror } from "./os_error.ts";
import { AF_INET, encodeSockaddrIn, SOCKADDR_IN_LEN } from "./sockaddr.ts";

const IPPROTO_IP = 0;
const IP_MTU = 14;

/** The route towards a destination: our source address (u32) and the route's MTU in bytes. */
export interface Route {
  /** Source address the kernel picks for this destination. */
  readonly srcAddr: number;
  /** MTU of the route (65536 on loopback, 1500 on most Ethernet). */
  readonly mtu: number;
}

/**
 * The kernel has no route to an address. Message: `No route to 198.18.9.9: Network is unreachable`.
 *
 * @example
 * ```ts
 * throw new RouteError(0xc6120909, 101);
 * ```
 */
export class RouteError extends Error {
  /** The destination (u32). */
  readonly dstAddr: number;
  /** errno of connect(), e.g. ENETUNREACH (101). */
  readonly errno: number;

  /** Builds the error from the destination and connect's errno. */
  constructor(dstAddr: number, errno: number) {
    super(`No route to ${formatAddr(dstAddr)}: ${strerror(errno)}`);
    this.name = "RouteError";
    this.dstAddr = dstAddr;
    this.errno = errno;
  }
}

/**
 * Returns the source address and MTU the kernel would use to reach `dstAddr` (u32). Sends nothing.
 * Throws {@linkcode RouteError} when there is no route, OsError for other failures.
 *
 * @example
 * ```ts
 * routeTo(0x7f000001); // { srcAddr: 0x7f000001, mtu: 65536 }
 * ```
 */
export function routeTo(dstAddr: number): Route {
  const fd = openSocket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0, "AF_INET, SOCK_DGRAM, 0", false);
  try {
    // Any nonzero port will do: connect() on UDP only looks up the route.
    if (libc().connect(fd, encodeSockaddrIn(dstAddr, 9), SOCKADDR_IN_LEN) !== 0) {
      const errno = lastErrno();
      if (errno === ENETUNREACH || errno === EHOSTUNREACH) throw new RouteError(dstAddr, errno);
      throw new OsError(errno, "connect", `UDP, ${formatAddr(dstAddr)}:9`);
    }
    const mtu = getIntOption(fd, IPPROTO_IP, IP_MTU, "IPPROTO_IP, IP_MTU");
    return { srcAddr: localAddress(fd).addr, mtu };
  } finally {
    closeQuietly(fd);
  }
}
