/**
 * The 4-tuple of one connection, as the driver, the BPF filter and the firewall rule see it.
 *
 * @module
 */

import { formatAddressPort, type IpAddress, type Ipv4Address, type Ipv6Address } from "../wire/mod.ts";

/** Our address and port and the server's; the address type says the family (IPv4 unless said). */
export interface Flow<A extends Ipv4Address | Ipv6Address = Ipv4Address> {
  /** Our source address. */
  readonly localAddr: A;
  /** Our port, reserved from the kernel for the connection's lifetime. */
  readonly localPort: number;
  /** The server's address. */
  readonly remoteAddr: A;
  /** The server's port. */
  readonly remotePort: number;
}

/**
 * `198.18.1.2:40000 → 198.18.2.2:80`, or `[2001:2::1]:40000 → [2001:2::2]:80` for IPv6.
 *
 * @example
 * ```ts
 * formatFlow({ localAddr: ipv4(0xc6120102), localPort: 40000, remoteAddr: ipv4(0xc6120202), remotePort: 80 });
 * ```
 */
export function formatFlow(flow: Flow<IpAddress>): string {
  return `${formatAddressPort(flow.localAddr, flow.localPort)} → ${
    formatAddressPort(flow.remoteAddr, flow.remotePort)
  }`;
}
