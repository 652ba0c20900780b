/**
 * Local port reservation: a kernel TCP socket bound to `srcAddr:0` keeps the kernel from handing the same port to
 * another connection while our user-space TCP uses it.
 *
 * The socket never listens, so the kernel still answers segments to this port with RST; the firewall guard
 * (src/transport/firewall.ts) suppresses those.
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
  SOCK_STREAM,
  SOL_SOCKET,
} from "./_socket.ts";
import { ENOTCONN, lastErrno } from "./errno.ts";
import { libc } from "./libc.ts";
import { check } from "./os_error.ts";
import { AF_INET, encodeSockaddrIn, SOCKADDR_IN_LEN, type SockaddrIn } from "./sockaddr.ts";

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
 * Binds a TCP socket to `srcAddr:port` (port 0 lets the kernel choose an ephemeral one) and returns the port.
 * Throws OsError (EADDRINUSE, EADDRNOTAVAIL…) when the bind fails.
 *
 * @example
 * ```ts
 * const reserved = reservePort(ipv4(0xc6120001));
 * try { use(reserved.port); } finally { reserved.close(); }
 * ```
 */
export function reservePort(srcAddr: Ipv4Address, port = 0): ReservedPort {
  const fd = openSocket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, "AF_INET, SOCK_STREAM, 0", false);
  try {
    check(
      libc().bind(fd, encodeSockaddrIn(srcAddr, port), SOCKADDR_IN_LEN),
      "bind",
      `${formatIpv4Address(srcAddr)}:${port}`,
    );
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
 * The address a reserved-port socket holds, checked to be what {@linkcode reservePort} makes: an IPv4 TCP socket,
 * bound to a port, neither listening nor connected. Throws `Error` with the reason otherwise. The privileged helper
 * uses it to grant a flow only on a port its client holds.
 *
 * @example
 * ```ts
 * const { addr, port } = reservedAddress(fdFromClient);
 * ```
 */
export function reservedAddress(fd: number): SockaddrIn {
  const option = (name: number, what: string) => getIntOption(fd, SOL_SOCKET, name, what);
  if (option(SO_DOMAIN, "SO_DOMAIN") !== AF_INET || option(SO_TYPE, "SO_TYPE") !== SOCK_STREAM) {
    throw new Error("the descriptor is not an IPv4 stream socket");
  }
  if (option(SO_PROTOCOL, "SO_PROTOCOL") !== IPPROTO_TCP) throw new Error("the socket is not a TCP socket");
  if (option(SO_ACCEPTCONN, "SO_ACCEPTCONN") !== 0) throw new Error("the socket is listening");
  const peer = new Uint8Array(SOCKADDR_IN_LEN);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, SOCKADDR_IN_LEN, true);
  if (libc().getpeername(fd, peer, len) === 0 || lastErrno() !== ENOTCONN) throw new Error("the socket is connected");
  const local = localAddress(fd);
  if (local.port === 0) throw new Error("the socket is not bound to a port");
  return local;
}
