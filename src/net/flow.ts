/**
 * The 4-tuple of one connection, as the driver, the BPF filter and the firewall rule see it.
 *
 * @module
 */

import { formatIpv4Address } from "../wire/ipv4.ts";

/** Our address and port and the server's; addresses are unsigned 32-bit numbers. */
export interface Flow {
  /** Our source address. */
  readonly localAddr: number;
  /** Our port, reserved from the kernel for the connection's lifetime. */
  readonly localPort: number;
  /** The server's address. */
  readonly remoteAddr: number;
  /** The server's port. */
  readonly remotePort: number;
}

/** `198.18.1.2:40000 → 198.18.2.2:80`. @example `formatFlow(flow)` */
export function formatFlow(flow: Flow): string {
  return `${formatIpv4Address(flow.localAddr)}:${flow.localPort} → ${
    formatIpv4Address(flow.remoteAddr)
  }:${flow.remotePort}`;
}
