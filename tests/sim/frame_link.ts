/**
 * A simulated frame link on a virtual clock: the driver's frames are parsed and carried over two impaired link
 * directions (`link.ts`) to a simulated TCP server (`peer.ts`), whose segments come back as real IPv4 frames. The
 * driver, the HTTP exchange and the download loop run on it unchanged, as an unprivileged user, deterministically:
 * time moves only when the driver waits, or when a caller stepping the driver turn by turn advances it. Links given one
 * {@linkcode SimNetwork} share its clock, and can be waited on together (several drivers in one `DriverLoop`).
 *
 * @module
 */

import type { Flow, FrameLink, IpAddress, NetworkLayer, ReceivedFrames } from "../../src/transport/mod.ts";
import { IPV4 } from "../../src/transport/mod.ts";
import {
  ipv4,
  type Ipv4Address,
  type Ipv6Address,
  parseIpv6Address,
  parseTcp,
  type TcpRepr,
} from "../../src/wire/mod.ts";
import { Link, type LinkConfig, type LinkStats } from "./link.ts";
import { icmpv4TooBig, icmpv6TooBig, SimNetwork } from "./network.ts";
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
  /** The clock shared with other links (default: a clock of the link's own, from 0). */
  readonly network?: SimNetwork;
}

export { icmpv6TooBig, SIM_ROUTER, SIM_ROUTER6, SimNetwork } from "./network.ts";

/** The IPv6 flow of the simulated connection (2001:2::/48, the IPv6 benchmarking range). */
export const SIM_FLOW6: Flow<Ipv6Address> = {
  localAddr: parseIpv6Address("2001:2:0:1::2"),
  localPort: 40000,
  remoteAddr: parseIpv6Address("2001:2:0:2::2"),
  remotePort: 80,
};

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
  /** The clock, maybe shared with other links. */
  readonly #time: SimNetwork;
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
    this.#time = path.network ?? new SimNetwork();
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
  get clock(): () => number {
    return this.#time.clock;
  }

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
      if (this.#path.routerSaysTooBig) this.injectFrame(this.#time.now + delay, () => this.#icmpFrame(quote, mtu));
      return true;
    }
    this.#up.send(this.#time.now, seg);
    return true;
  }

  /** The server's segments due now, as IPv4 frames. */
  receive(): ReceivedFrames {
    this.#settle();
    const list = this.#frames.list;
    list.length = 0;
    for (let seg = this.#down.deliver(this.#time.now); seg !== null; seg = this.#down.deliver(this.#time.now)) {
      list.push(this.#frame(seg));
    }
    while (this.#forged.length > 0 && this.#forged[0].at <= this.#time.now) {
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
    return SimFrameLink.#advance([this], until);
  }

  /** As {@linkcode SimFrameLink.advanceTo} for links on one clock: until a frame is due on any of them. */
  static #advance(links: readonly SimFrameLink<IpAddress>[], until: number): boolean {
    const time = links[0].#time;
    for (;;) {
      let next = Infinity, due = false;
      for (const link of links) link.#settle();
      for (const link of links) {
        const ready = link.#nextFrameAt();
        if (ready !== null && ready <= time.now) return true;
        for (const d of [ready, link.#up.nextAt(), link.peer.nextTimeout()]) if (d !== null && d < next) next = d;
      }
      if (next > until) {
        if (until > time.now) time.now = until;
        for (const link of links) {
          link.#settle();
          const at = link.#nextFrameAt();
          if (at !== null && at <= time.now) due = true;
        }
        return due;
      }
      // A deadline already due was run by #settle; step on so that time always moves.
      time.now = next > time.now ? next : time.now + 1;
    }
  }

  /** This link and `others` when all are simulated links on its clock, else null. */
  #withOthers(others: readonly FrameLink[]): SimFrameLink<IpAddress>[] | null {
    const links: SimFrameLink<IpAddress>[] = [this];
    for (const other of others) {
      if (!(other instanceof SimFrameLink) || other.#time !== this.#time) return null;
      links.push(other);
    }
    return links;
  }

  /**
   * Moves virtual time up to `ms` ahead, until a frame is due; true when one is. A pending wake-up makes it return
   * false at once and is left for the {@linkcode SimFrameLink.wait} that follows.
   */
  waitBriefly(ms: number): boolean {
    if (this.#woken) return false;
    return this.advanceTo(this.#time.now + Math.max(0, ms));
  }

  /**
   * As {@linkcode SimFrameLink.waitBriefly}, or at once after a wake-up (which it clears), then lets the event loop
   * run once (file writes, timers).
   */
  async wait(ms: number): Promise<void> {
    if (!this.takeWake()) this.waitBriefly(ms);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }

  /**
   * As {@linkcode SimFrameLink.waitBriefly} on this link and `others` (links on the same {@linkcode SimNetwork}):
   * the shared clock moves until a frame is due on any of them. Null for links on other clocks.
   */
  waitBrieflyWith(others: readonly FrameLink[], ms: number): boolean | null {
    const links = this.#withOthers(others);
    if (links === null) return null;
    if (links.some((link) => link.#woken)) return false;
    return SimFrameLink.#advance(links, this.#time.now + Math.max(0, ms));
  }

  /**
   * As {@linkcode SimFrameLink.wait} on this link and `others` (links on the same {@linkcode SimNetwork}): at once
   * after a wake-up of any of them (all are cleared), else the shared clock moves until a frame is due on one; then
   * the event loop runs once. Null for links on other clocks.
   */
  waitWith(others: readonly FrameLink[], ms: number): Promise<void> | null {
    const links = this.#withOthers(others);
    if (links === null) return null;
    let woken = false;
    for (const link of links) if (link.takeWake()) woken = true;
    if (!woken) SimFrameLink.#advance(links, this.#time.now + Math.max(0, ms));
    return new Promise((resolve) => setTimeout(resolve, 0));
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
    const to = this.#flow.localAddr;
    return this.#network.name === "IPv6"
      ? icmpv6TooBig(quote, mtu, to as Ipv6Address)
      : icmpv4TooBig(quote, mtu, to as Ipv4Address);
  }

  /** When the next frame for the driver is due: the server's or a forged one. */
  #nextFrameAt(): number | null {
    const down = this.#down.nextAt();
    if (this.#forged.length === 0) return down;
    return down === null ? this.#forged[0].at : Math.min(down, this.#forged[0].at);
  }

  /** Runs the server at the current time: what reached it, its timers, what it sends. */
  #settle(): void {
    const t = this.#time.now;
    for (let seg = this.#up.deliver(t); seg !== null; seg = this.#up.deliver(t)) this.peer.handle(t, seg);
    this.peer.handleTimeout(t);
    for (let seg = this.peer.poll(t); seg !== null; seg = this.peer.poll(t)) this.#down.send(t, seg);
  }
}
