/**
 * Our TCP timestamp clock across connections. TSval is `now + tsOffset` (RFC 7323 §5.4) with the driver's clock
 * (`performance.now()`, which starts near 0 in every process); this offset turns it into the wall clock in ms plus a
 * fixed value per address pair, so TSval keeps growing from one connection to the next, in this process or the next
 * one. A server that still holds an earlier connection of the same 4-tuple in TIME-WAIT (the kernel's ephemeral
 * ports repeat) then accepts our new SYN (RFC 6191) instead of answering it with the old connection's ACK; with a
 * random offset per connection it refused about one SYN in a hundred of back-to-back downloads.
 *
 * @module
 */

import type { IpAddress } from "../wire/mod.ts";
import type { Flow } from "./flow.ts";

/**
 * The `tsOffset` connection option for `flow`, for a driver whose clock is `performance.now()`.
 *
 * @example
 * ```ts
 * new TcpConnection({ localPort, remotePort, mss, isn, tsOffset: timestampOffset(flow) });
 * ```
 */
export function timestampOffset(flow: Flow<IpAddress>, origin: number = performance.timeOrigin): number {
  // A per-pair constant (RFC 7323 §7.1 suggests offsets that differ between peers) over the wall clock.
  const pair = Math.imul(word(flow.localAddr) ^ Math.imul(word(flow.remoteAddr), 0x9e3779b1), 0x85ebca6b) >>> 0;
  return (Math.floor(origin) + pair) % 0x1_0000_0000;
}

/** An address as one 32-bit word: an IPv4 address itself, an IPv6 address's text hashed (FNV-1a). */
function word(address: IpAddress): number {
  if (typeof address === "number") return address;
  let h = 0x811c9dc5;
  for (let i = 0; i < address.length; i++) h = Math.imul(h ^ address.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
