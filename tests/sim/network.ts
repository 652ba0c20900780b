/**
 * The simulated network around the simulated links (`frame_link.ts`): the virtual clock that several links share, so
 * that several connections run in one driver loop on one time line, and the router on the way, which answers a frame
 * too large for its next hop with ICMP.
 *
 * @module
 */

import {
  emitIcmpv4Error,
  emitIcmpv6Error,
  emitIpv4,
  emitIpv6,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  ipv4,
  IPV4_HEADER_LEN,
  type Ipv4Address,
  IPV6_HEADER_LEN,
  type Ipv6Address,
  ipv6ToBytes,
  parseIpv6Address,
} from "../../src/wire/mod.ts";

/**
 * A virtual clock shared by the links given it in their `SimPath`: time moves when one of their drivers waits. A wait
 * on several of them at once (`SimFrameLink.waitWith`, a `DriverLoop` of several drivers) runs every server and path
 * on the way; a link waited on alone runs only its own, and the others catch up at their next `receive`.
 *
 * @example
 * ```ts
 * const network = new SimNetwork();
 * const a = new SimFrameLink({ network }), b = new SimFrameLink({ network }, flowB);
 * a.clock === network.clock; // both drivers read one time
 * ```
 */
export class SimNetwork {
  /** The virtual time, in ms. */
  now = 0;
  /** The virtual clock, in ms. */
  readonly clock = (): number => this.now;
}

/** The simulated router's address. */
export const SIM_ROUTER = ipv4(0xc6120101);

/** The simulated router's IPv6 address. */
export const SIM_ROUTER6 = parseIpv6Address("2001:2:0:1::1");

/**
 * ICMP "fragmentation needed" (RFC 792, RFC 1191) from {@linkcode SIM_ROUTER} to `to`, quoting `quote`.
 *
 * @example
 * ```ts
 * link.injectFrame(40, () => icmpv4TooBig(frame.slice(0, 28), 1400, SIM_FLOW.localAddr));
 * ```
 */
export function icmpv4TooBig(quote: Uint8Array, mtu: number, to: Ipv4Address): Uint8Array {
  const message = emitIcmpv4Error(3, 4, mtu, quote);
  const frame = new Uint8Array(IPV4_HEADER_LEN + message.length);
  const header = { dscp: 0, ecn: 0, identification: 0, dontFragment: false, ttl: 64, protocol: IPPROTO_ICMP };
  emitIpv4({ ...header, src: SIM_ROUTER, dst: to, payloadLength: message.length }, frame, 0, message);
  return frame;
}

/**
 * ICMPv6 "packet too big" (RFC 4443 §3.2) from {@linkcode SIM_ROUTER6} to `to`, quoting `quote`.
 *
 * @example
 * ```ts
 * link.injectFrame(40, () => icmpv6TooBig(quote, 1280, SIM_FLOW6.localAddr));
 * ```
 */
export function icmpv6TooBig(quote: Uint8Array, mtu: number, to: Ipv6Address): Uint8Array {
  const router = new Uint8Array(16), us = new Uint8Array(16);
  ipv6ToBytes(SIM_ROUTER6, router);
  ipv6ToBytes(to, us);
  const message = emitIcmpv6Error(2, 0, mtu, quote, router, us);
  const frame = new Uint8Array(IPV6_HEADER_LEN + message.length);
  const header = { dscp: 0, ecn: 0, flowLabel: 0, nextHeader: IPPROTO_ICMPV6, hopLimit: 64, src: SIM_ROUTER6, dst: to };
  emitIpv6({ ...header, payloadLength: message.length }, frame, 0, message);
  return frame;
}
