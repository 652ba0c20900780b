/**
 * A simulated frame link on a virtual clock: the driver's frames are parsed and carried over two impaired link
 * directions (`link.ts`) to a simulated TCP server (`peer.ts`), whose segments come back as real IPv4 frames. The
 * driver, the HTTP exchange and the download loop run on it unchanged, as an unprivileged user, deterministically:
 * time moves only when the driver waits, or when a caller stepping the driver turn by turn advances it.
 *
 * @module
 */

import type { Flow, FrameLink, IpAddress, NetworkLayer, ReceivedFrames } from "../../src/transport/mod.ts";
import { IPV4 } from "../../src/transport/mod.ts";
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
  parseTcp,
  type TcpRepr,
} from "../../src/wire/mod.ts";
import { Link, type LinkConfig, type LinkStats } from "./link.ts";
import { Peer, type PeerOptions } from "./peer.ts";
import { mulberry32 } from "./prng.ts";

/** The addresses and ports the simulated connection uses (198.18.0.0/15, the benchmarking range). */
export const SIM_FLOW: Flow = {
  localAddr: ipv4(0xc6120102),
  localPort: 40000,
  remoteAddr: ipv4(0xc6120202),
  remotePort: 80,
};

/** How one simulated server and the path to it behave. */
export interface SimPath {
  /** Seed of every random choice on the path. */
  readonly seed?: number;
  /** Client → server impairments (default: 5 ms one way, nothing lost). */
  readonly up?: LinkConfig;
  /** Server → client impairments. */
  readonly down?: LinkConfig;
  /** The server (ports and flow fields are filled in). */
  readonly peer?: Partial<PeerOptions>;
  /**
   * A router on the way to the server whose next hop carries at most this many bytes per datagram: larger frames of
   * ours (all have DF set) are dropped there (default: no limit).
   */
  readonly upMtu?: number;
  /** Whether that router says "fragmentation needed" (RFC 1191) for what it drops, from {@linkcode SIM_ROUTER}. */
  readonly routerSaysTooBig?: boolean;
}

/** The simulated router's address. */
export const SIM_ROUTER = ipv4(0xc6120101);

/** The IPv6 flow of the simulated connection (2001:2::/48, the IPv6 benchmarking range). */
export const SIM_FLOW6: Flow<Ipv6Address> = {
  localAddr: parseIpv6Address("2001:2:0:1::2"),
  localPort: 40000,
  remoteAddr: parseIpv6Address("2001:2:0:2::2"),
  remotePort: 80,
};

/** The simulated router's IPv6 address. */
export const SIM_ROUTER6 = parseIpv6Address("2001:2:0:1::1");

class Frames implements ReceivedFrames {
  readonly list: Uint8Array[] = [];
  get count(): number {
    return this.list.length;
  }
  frame(i: number): Uint8Array | null {
    return this.list[i];
  }
}

/**
 * The simulated link of one connection; its `clock` is the virtual clock the driver must use.
 *
 * @example
 * ```ts
 * const link = new SimFrameLink({ peer: { respond: () => response } });
 * const driver = new Driver(link, conn, SIM_FLOW, { mss: 1460, clock: link.clock });
 * ```
 */
export class SimFrameLink<A extends IpAddress = Ipv4Address> implements FrameLink {
  /** The simulated server. */
  readonly peer: Peer;
  readonly #up: Link;
  readonly #down: Link;
  readonly #flow: Flow<A>;
  readonly #network: NetworkLayer<A>;
  readonly #frames = new Frames();
  readonly #buf = new Uint8Array(65536);
  /** Forged segments for the driver, by the time they are due (see {@linkcode SimFrameLink.inject}). */
  readonly #forged: Array<{ at: number; forge: () => TcpRepr | Uint8Array }> = [];
  readonly #path: SimPath;
  #now = 0;
  #woken = false;
  #id = 0;
  /** Frames the driver sent, and the segments they held (for assertions). */
  readonly sent: TcpRepr[] = [];
  /** Frames the router dropped as larger than `upMtu`. */
  tooBig = 0;
  /** Frames handed to the driver so far (a caller stepping the driver sees whether a turn read any). */
  receivedFrames = 0;

  /** A link to a fresh simulated server. */
  constructor(
    path: SimPath = {},
    flow: Flow<A> = SIM_FLOW as unknown as Flow<A>,
    network: NetworkLayer<A> = IPV4 as unknown as NetworkLayer<A>,
  ) {
    this.#network = network;
    const seed = path.seed ?? 1;
    this.#flow = flow;
    this.#path = path;
    this.#up = new Link(path.up ?? { delayMs: 5 }, mulberry32(seed ^ 0x1234567));
    this.#down = new Link(path.down ?? { delayMs: 5 }, mulberry32(seed ^ 0x7654321));
    this.peer = new Peer({
      port: flow.remotePort,
      clientPort: flow.localPort,
      isn: (mulberry32(seed)() * 2 ** 32) >>> 0,
      mss: 1460,
      responseSize: 0,
      requestSize: 1,
      windowScale: 7,
      sack: true,
      timestamps: true,
      closeAfterResponse: true,
      ...path.peer,
    });
  }

  /** Counters of the client → server direction. */
  get upStats(): LinkStats {
    return this.#up.stats;
  }

  /** Counters of the server → client direction. */
  get downStats(): LinkStats {
    return this.#down.stats;
  }

  /** The virtual clock, in ms. */
  readonly clock = (): number => this.#now;

  /** Parses the frame (copied: the driver reuses its buffer) and puts its segment on the way to the server. */
  transmit(frame: Uint8Array<ArrayBuffer>): boolean {
    const ip = this.#network.parse(frame.slice());
    const seg = parseTcp(ip.payload);
    this.sent.push(seg);
    const mtu = this.#path.upMtu;
    if (mtu !== undefined && frame.length > mtu) {
      this.tooBig++;
      // The router quotes the IP header and the first 8 bytes of TCP (RFC 792; ICMPv6 quotes more), back after the
      // down link's delay.
      const quote = frame.slice(0, this.#network.headerLength + 8);
      const delay = this.#path.down?.delayMs ?? 5;
      if (this.#path.routerSaysTooBig) this.injectFrame(this.#now + delay, () => this.#icmpFrame(quote, mtu));
      return true;
    }
    this.#up.send(this.#now, seg);
    return true;
  }

  /** The server's segments due now, as IPv4 frames. */
  receive(): ReceivedFrames {
    this.#settle();
    const list = this.#frames.list;
    list.length = 0;
    for (let seg = this.#down.deliver(this.#now); seg !== null; seg = this.#down.deliver(this.#now)) {
      list.push(this.#frame(seg));
    }
    while (this.#forged.length > 0 && this.#forged[0].at <= this.#now) {
      const forged = this.#forged.shift()!.forge();
      list.push(forged instanceof Uint8Array ? forged : this.#frame(forged));
    }
    this.receivedFrames += list.length;
    return this.#frames;
  }

  /**
   * Delivers a forged segment "from the server" to the driver at virtual time `at`, after the server's own segments
   * due then; `forge` makes it at that moment, so it can depend on what the driver sent until then (a blind attack
   * aimed at the current RCV.NXT).
   */
  inject(at: number, forge: () => TcpRepr): void {
    this.#forged.push({ at, forge });
    this.#forged.sort((a, b) => a.at - b.at);
  }

  /** As {@linkcode SimFrameLink.inject}, for a whole frame (an ICMP message from anywhere, say). */
  injectFrame(at: number, forge: () => Uint8Array): void {
    this.#forged.push({ at, forge });
    this.#forged.sort((a, b) => a.at - b.at);
  }

  /**
   * Moves virtual time forward, running the server and both directions on the way, until a frame for the driver is
   * due or time reaches `until` (absolute ms; an earlier time leaves the clock where it is); true when a frame is
   * due. This is the wait of a caller that steps the driver itself (`driver.poll(now)` after every call); it leaves
   * wake-ups to {@linkcode SimFrameLink.takeWake}.
   */
  advanceTo(until: number): boolean {
    for (;;) {
      this.#settle();
      const ready = this.#nextFrameAt();
      if (ready !== null && ready <= this.#now) return true;
      let next = Infinity;
      for (const d of [ready, this.#up.nextAt(), this.peer.nextTimeout()]) if (d !== null && d < next) next = d;
      if (next > until) {
        if (until > this.#now) this.#now = until;
        this.#settle();
        const due = this.#nextFrameAt();
        return due !== null && due <= this.#now;
      }
      // A deadline already due was run by #settle; step on so that time always moves.
      this.#now = next > this.#now ? next : this.#now + 1;
    }
  }

  /**
   * Moves virtual time up to `ms` ahead, until a frame is due; true when one is. A pending wake-up makes it return
   * false at once and is left for the {@linkcode SimFrameLink.wait} that follows.
   */
  waitBriefly(ms: number): boolean {
    if (this.#woken) return false;
    return this.advanceTo(this.#now + Math.max(0, ms));
  }

  /**
   * As {@linkcode SimFrameLink.waitBriefly}, or at once after a wake-up (which it clears), then lets the event loop
   * run once (file writes, timers).
   */
  async wait(ms: number): Promise<void> {
    if (!this.takeWake()) this.waitBriefly(ms);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }

  /** The next wait returns at once. */
  wake(): void {
    this.#woken = true;
  }

  /**
   * Clears a pending wake-up; true when there was one. A caller stepping the driver itself then takes its next turn
   * at once, as the driver's own wait would return at once.
   */
  takeWake(): boolean {
    const woken = this.#woken;
    this.#woken = false;
    return woken;
  }

  /** Nothing to release. */
  close(): void {}

  /** `seg` from the server as a frame of the link's network layer. */
  #frame(seg: TcpRepr): Uint8Array {
    const f = this.#flow;
    const n = this.#network.emitTcp(seg, f.remoteAddr, f.localAddr, this.#id++ & 0xffff, this.#buf);
    return this.#buf.slice(0, n);
  }

  /** The router's "fragmentation needed" (ICMPv6: "packet too big") quoting `quote`, as a frame to us. */
  #icmpFrame(quote: Uint8Array, mtu: number): Uint8Array {
    if (this.#network.name === "IPv6") return icmpv6TooBig(quote, mtu, this.#flow.localAddr as Ipv6Address);
    const message = emitIcmpv4Error(3, 4, mtu, quote);
    const frame = new Uint8Array(IPV4_HEADER_LEN + message.length);
    const header = { dscp: 0, ecn: 0, identification: 0, dontFragment: false, ttl: 64, protocol: IPPROTO_ICMP };
    emitIpv4(
      { ...header, src: SIM_ROUTER, dst: this.#flow.localAddr as Ipv4Address, payloadLength: message.length },
      frame,
      0,
      message,
    );
    return frame;
  }

  /** When the next frame for the driver is due: the server's or a forged one. */
  #nextFrameAt(): number | null {
    const down = this.#down.nextAt();
    if (this.#forged.length === 0) return down;
    return down === null ? this.#forged[0].at : Math.min(down, this.#forged[0].at);
  }

  /** Runs the server at the current time: what reached it, its timers, what it sends. */
  #settle(): void {
    const t = this.#now;
    for (let seg = this.#up.deliver(t); seg !== null; seg = this.#up.deliver(t)) this.peer.handle(t, seg);
    this.peer.handleTimeout(t);
    for (let seg = this.peer.poll(t); seg !== null; seg = this.peer.poll(t)) this.#down.send(t, seg);
  }
}

/** ICMPv6 "packet too big" (RFC 4443 §3.2) from {@linkcode SIM_ROUTER6} to `to`, quoting `quote`. */
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
