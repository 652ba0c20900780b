/**
 * The 4-tuple of one connection, as the driver, the BPF filter and the firewall rule see it.
 *
 * @module
 */

import { formatIpv4Address, type Ipv4Address, type Ipv6Address } from "../wire/mod.ts";

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

/** `198.18.1.2:40000 → 198.18.2.2:80`. @example `formatFlow(flow)` */
export function formatFlow(flow: Flow): string {
  return `${formatIpv4Address(flow.localAddr)}:${flow.localPort} → ${
    formatIpv4Address(flow.remoteAddr)
  }:${flow.remotePort}`;
}
