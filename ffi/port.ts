/**
 * Local port reservation: a kernel TCP socket (IPv4, or IPv6-only) bound to `srcAddr:0` keeps the kernel from handing the same port to
 * another connection while our user-space TCP uses it.
 *
 * The socket never listens, so the kernel still answers segments to this port with RST; the firewall guard
 * (src/transport/firewall.ts) suppresses those.
 *
 * @module
 */

import { formatAddressPort, type IpAddress, isIpv6Address } from "../src/wire/mod.ts";
import {
  closeQuietly,
  getIntOption,
  localAddress,
  openSocket,
  SOCK_CLOEXEC,
  SOCK_STREAM,
  SOL_SOCKET,
  trySetIntOption,
} from "./_socket.ts";
import { ENOTCONN, lastErrno } from "./errno.ts";
import { libc } from "./libc.ts";
import { check, OsError } from "./os_error.ts";
import { AF_INET, AF_INET6, encodeSockaddr, SOCKADDR_IN6_LEN, type SocketAddress } from "./sockaddr.ts";

const IPPROTO_IPV6 = 41, IPV6_V6ONLY = 26;

/** A port held by a bound kernel socket until `close()`. */
export interface ReservedPort {
  /** The bound socket (the privileged helper is shown it as proof that the port is ours). */
  readonly fd: number;
  /** The port number the kernel chose. */
  readonly port: number;
  /** Releases the port; calling it twice is harmless. */
  close(): void;
}

/**
 * Binds a TCP socket to `srcAddr:port` (port 0 lets the kernel choose an ephemeral one) and returns the port. For
 * an IPv6 address the socket is `AF_INET6` with IPV6_V6ONLY, so that it holds the IPv6 port only (as our flow uses
 * it). Throws OsError (EADDRINUSE, EADDRNOTAVAIL…) when the bind fails.
 *
 * @example
 * ```ts
 * const reserved = reservePort(ipv4(0xc6120001));
 * try { use(reserved.port); } finally { reserved.close(); }
 * const reserved6 = reservePort(parseIpv6Address("2001:2::1"));
 * ```
 */
export function reservePort(srcAddr: IpAddress, port = 0): ReservedPort {
  const v6 = isIpv6Address(srcAddr);
  const domain = v6 ? "AF_INET6" : "AF_INET";
  const fd = openSocket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, `${domain}, SOCK_STREAM, 0`, false);
  try {
    if (v6) {
      const errno = trySetIntOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
      if (errno !== 0) throw new OsError(errno, "setsockopt", `${fd}, IPPROTO_IPV6, IPV6_V6ONLY, 1`);
    }
    const sa = encodeSockaddr(srcAddr, port);
    check(libc().bind(fd, sa.bytes, sa.length), "bind", formatAddressPort(srcAddr, port));
    let open = true;
    return {
      fd,
      port: localAddress(fd).port,
      close() {
        if (open) closeQuietly(fd);
        open = false;
      },
    };
  } catch (e) {
    closeQuietly(fd);
    throw e;
  }
}

const SO_TYPE = 3, SO_ACCEPTCONN = 30, SO_PROTOCOL = 38, SO_DOMAIN = 39;
const IPPROTO_TCP = 6;

/**
 * The address a reserved-port socket holds, checked to be what {@linkcode reservePort} makes: an IPv4 or IPv6 TCP
 * socket, bound to a port, neither listening nor connected. Throws `Error` with the reason otherwise. The privileged helper
 * uses it to grant a flow only on a port its client holds.
 *
 * @example
 * ```ts
 * const { addr, port } = reservedAddress(fdFromClient);
 * ```
 */
export function reservedAddress(fd: number): SocketAddress {
  const option = (name: number, what: string) => getIntOption(fd, SOL_SOCKET, name, what);
  const domain = option(SO_DOMAIN, "SO_DOMAIN");
  if ((domain !== AF_INET && domain !== AF_INET6) || option(SO_TYPE, "SO_TYPE") !== SOCK_STREAM) {
    throw new Error("the descriptor is not an IPv4 or IPv6 stream socket");
  }
  if (option(SO_PROTOCOL, "SO_PROTOCOL") !== IPPROTO_TCP) throw new Error("the socket is not a TCP socket");
  if (option(SO_ACCEPTCONN, "SO_ACCEPTCONN") !== 0) throw new Error("the socket is listening");
  // Room for a sockaddr_in6: the peer of either family fits.
  const peer = new Uint8Array(SOCKADDR_IN6_LEN);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, SOCKADDR_IN6_LEN, true);
  if (libc().getpeername(fd, peer, len) === 0 || lastErrno() !== ENOTCONN) throw new Error("the socket is connected");
  const local = localAddress(fd);
  if (local.port === 0) throw new Error("the socket is not bound to a port");
  return local;
}
