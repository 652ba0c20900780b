/**
 * The 4-tuple of one connection, as the driver, the BPF filter and the firewall rule see it.
 *
 * @module
 */

import { formatIpv4Address, type Ipv4Address } from "../wire/mod.ts";

/** Our address and port and the server's. */
export interface Flow {
  /** Our source address. */
  readonly localAddr: Ipv4Address;
  /** Our port, reserved from the kernel for the connection's lifetime. */
  readonly localPort: number;
  /** The server's address. */
  readonly remoteAddr: Ipv4Address;
  /** The server's port. */
  readonly remotePort: number;
}

/** `198.18.1.2:40000 → 198.18.2.2:80`. @example `formatFlow(flow)` */
export function formatFlow(flow: Flow): string {
  return `${formatIpv4Address(flow.localAddr)}:${flow.localPort} → ${
    formatIpv4Address(flow.remoteAddr)
  }:${flow.remotePort}`;
}
