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
import { closeQuietly, localAddress, openSocket, SOCK_CLOEXEC, SOCK_STREAM } from "./_socket.ts";
import { libc } from "./libc.ts";
import { check } from "./os_error.ts";
import { AF_INET, encodeSockaddrIn, SOCKADDR_IN_LEN } from "./sockaddr.ts";

/** A port held by a bound kernel socket until `close()`. */
export interface ReservedPort {
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
