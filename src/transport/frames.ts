/**
 * Frames in and out of one flow: IP + TCP parsing with checksum policy, and emission into one reused buffer.
 *
 * Checksum policy (every frame is verified unless the link says the kernel did; bad ones are dropped and counted), with
 * two local artefacts accepted:
 * - a segment whose payload exceeds the MSS we announced can only be a local coalescing (GRO/LRO) result; the
 *   kernel verified the checksums of the frames it merged, and the merged header still carries the first one's;
 * - a segment from a same-host sender with checksum offload (veth, loopback) carries the folded pseudo-header sum,
 *   not the checksum: the "hardware" that would fill it in does not exist.
 *
 * The kernel's verdict is data passed in with each frame (`decode(frame, trusted)`), so this module stays pure; the
 * decoder can be told to verify every checksum anyway.
 *
 * @module
 */

import type { IcmpNotice } from "../tcp/mod.ts";
import { IPPROTO_TCP, type Ipv4Address, type Ipv6Address, parseTcp, type TcpRepr } from "../wire/mod.ts";
import type { Flow } from "./flow.ts";
import { type Datagram, type IpAddress, IPV4, IPV6, type NetworkLayer } from "./network.ts";

/** What happened to frames below TCP. */
export interface FrameCounters {
  /** Frames that were not valid IPv4 (or were fragments, or had a bad IP header checksum). */
  badIp: number;
  /** Frames of another protocol, address or port (the BPF filter should leave none). */
  foreign: number;
  /** TCP segments with a wrong checksum that matched neither artefact: dropped. */
  badChecksum: number;
  /** Segments accepted as GRO/LRO coalescing results. */
  coalesced: number;
  /** Segments accepted with a same-host checksum-offload pseudo-header sum. */
  offloadChecksum: number;
  /** TCP headers that failed to parse. */
  badTcp: number;
  /** Frames longer than the receive buffer (cut by the kernel): dropped. */
  truncated: number;
  /** Segments whose checksum the kernel had verified or made itself, accepted without verifying it again. */
  kernelChecksum: number;
  /** ICMP errors that quote our 4-tuple (handed to the engine, which checks the quoted sequence number). */
  icmp: number;
  /** Frames of ours this host refused to send (a local firewall rule, no route): lost frames to TCP. */
  refusedSends: number;
}

/**
 * A zeroed counter set (also what a download that opened no connection reports).
 *
 * @example `newFrameCounters().badIp === 0`
 */
export function newFrameCounters(): FrameCounters {
  return {
    badIp: 0,
    foreign: 0,
    badChecksum: 0,
    coalesced: 0,
    offloadChecksum: 0,
    badTcp: 0,
    truncated: 0,
    kernelChecksum: 0,
    icmp: 0,
    refusedSends: 0,
  };
}

/** An ICMP error that quotes a segment of our flow: who said what (as text), and what the engine is told. */
export interface IcmpMessage {
  /** The reporter's address: a router on the path, or the server's host. */
  readonly from: string;
  /** The address our quoted segment was going to (the server's). */
  readonly about: string;
  /** ICMP type. */
  readonly type: number;
  /** ICMP code. */
  readonly code: number;
  /** The error in words ("host unreachable"). */
  readonly words: string;
  /** What the engine needs of it. */
  readonly notice: IcmpNotice;
}

/**
 * Who said what, in words: "the router 198.18.2.1 says host unreachable", or "198.18.2.2 itself says port
 * unreachable" when the server's host answered.
 *
 * @example `icmpWords(icmp) === "the router 198.18.2.1 says host unreachable"`
 */
export function icmpWords(icmp: IcmpMessage): string {
  const who = icmp.from === icmp.about ? `${icmp.from} itself` : `the router ${icmp.from}`;
  return `${who} says ${icmp.words}`;
}

/** Decodes received frames of one flow into TCP segments. */
export class FrameDecoder<A extends IpAddress = Ipv4Address> {
  /** Counters, updated as frames are decoded. */
  readonly counters: FrameCounters = newFrameCounters();
  readonly #flow: Flow<A>;
  readonly #mss: number;
  readonly #network: NetworkLayer<A>;
  readonly #trustKernel: boolean;
  #icmp: IcmpMessage | null = null;
  /** Whether the last segment {@linkcode FrameDecoder.decode} returned came marked CE (RFC 3168 §5). */
  congested = false;

  /**
   * `mss` is the one we announced: anything larger was coalesced locally. With `alwaysVerify`, a checksum the kernel
   * vouches for is verified all the same.
   */
  constructor(flow: Flow<A>, mss: number, network?: NetworkLayer<A>, alwaysVerify = false) {
    this.#flow = flow;
    this.#mss = mss;
    this.#network = network ?? (IPV4 as unknown as NetworkLayer<A>);
    this.#trustKernel = !alwaysVerify;
  }

  /**
   * Returns the segment of a frame that belongs to our flow, or null (counted) for anything else. `trusted`: the
   * kernel verified the TCP checksum or made the segment on this host (see `ReceivedFrames.checksumTrusted`).
   */
  decode(frame: Uint8Array, trusted = false): TcpRepr | null {
    const c = this.counters;
    const flow = this.#flow;
    const network = this.#network;
    let ip: Datagram<A>;
    try {
      ip = network.parse(frame);
    } catch {
      c.badIp++;
      return null;
    }
    if (ip.protocol !== IPPROTO_TCP || ip.src !== flow.remoteAddr || ip.dst !== flow.localAddr) {
      const icmp = ip.dst === flow.localAddr ? this.#icmpAboutFlow(ip, frame) : null;
      if (icmp === null) c.foreign++;
      this.#icmp = icmp;
      return null;
    }
    let seg: TcpRepr;
    try {
      seg = parseTcp(ip.payload);
    } catch {
      c.badTcp++;
      return null;
    }
    if (seg.srcPort !== flow.remotePort || seg.dstPort !== flow.localPort) {
      c.foreign++;
      return null;
    }
    this.congested = ip.ecn === 3;
    if (trusted && this.#trustKernel) c.kernelChecksum++;
    else if (!network.verifyTcp(ip, frame)) {
      if (seg.payload.length > this.#mss) c.coalesced++;
      else if (network.isOffloadChecksum(ip, frame)) c.offloadChecksum++;
      else {
        c.badChecksum++;
        return null;
      }
    }
    return seg;
  }

  /**
   * The ICMP error the last {@linkcode FrameDecoder.decode} that returned null decoded, or null; taken once. Frames
   * of another flow and ICMP messages that do not quote ours are counted as foreign.
   */
  takeIcmp(): IcmpMessage | null {
    const icmp = this.#icmp;
    this.#icmp = null;
    return icmp;
  }

  #icmpAboutFlow(ip: Datagram<A>, frame: Uint8Array): IcmpMessage | null {
    const flow = this.#flow;
    const network = this.#network;
    const icmp = network.icmpError(ip, frame);
    if (icmp === null) return null; // malformed, or about something else: foreign
    const q = icmp.quoted;
    // The quote must be a segment of this very flow, from us to the server.
    if (
      q.src !== flow.localAddr || q.dst !== flow.remoteAddr || q.srcPort !== flow.localPort ||
      q.dstPort !== flow.remotePort
    ) return null;
    this.counters.icmp++;
    const notice = { verdict: icmp.verdict, seq: q.seq, mtu: icmp.mtu, quotedLength: q.totalLength };
    return {
      from: network.format(ip.src),
      about: network.format(q.dst),
      type: icmp.type,
      code: icmp.code,
      words: network.describeIcmp(icmp.type, icmp.code),
      notice,
    };
  }
}

/** Emits segments of one flow as IP frames into one reused buffer. */
export class FrameEncoder<A extends IpAddress = Ipv4Address> {
  readonly #flow: Flow<A>;
  readonly #network: NetworkLayer<A>;
  readonly #buf = new Uint8Array(65536);
  #id = 0;

  /** `firstId` seeds the IP identification counter (RFC 6864: any value works with DF set; IPv6 has none). */
  constructor(flow: Flow<A>, firstId = 0, network?: NetworkLayer<A>) {
    this.#flow = flow;
    this.#network = network ?? (IPV4 as unknown as NetworkLayer<A>);
    this.#id = firstId & 0xffff;
  }

  /** Returns a view of the frame, valid until the next call. */
  encode(seg: TcpRepr): Uint8Array<ArrayBuffer> {
    const flow = this.#flow;
    const length = this.#network.emitTcp(seg, flow.localAddr, flow.remoteAddr, this.#id, this.#buf);
    this.#id = (this.#id + 1) & 0xffff;
    return this.#buf.subarray(0, length);
  }
}

/**
 * A trace line's words for an ICMP error in a frame, or null when the frame holds none: who sent it, what it says,
 * and the segment it quotes (no checks beyond parsing: a trace shows what came).
 *
 * @example `icmpTraceOf(frame) === "ICMP from 198.18.1.1: fragmentation needed (next-hop MTU 576) about 40000 > 80 seq 12345"`
 */
export function icmpTraceOf<A extends IpAddress = Ipv4Address>(
  frame: Uint8Array,
  network: NetworkLayer<A> = layerOfFrame(frame) as unknown as NetworkLayer<A>,
): string | null {
  try {
    const ip = network.parse(frame);
    const icmp = network.icmpError(ip, frame);
    if (icmp === null) return null;
    const q = icmp.quoted;
    const mtu = icmp.mtu > 0 ? ` (${icmp.type === 3 ? "next-hop " : ""}MTU ${icmp.mtu})` : "";
    return `${network.name === "IPv6" ? "ICMPv6" : "ICMP"} from ${network.format(ip.src)}: ` +
      `${network.describeIcmp(icmp.type, icmp.code)}${mtu} about ${q.srcPort} > ${q.dstPort} seq ${q.seq}`;
  } catch {
    return null;
  }
}

/** The layer a frame's version nibble names (IPv4 for anything but 6: its parser then says what is wrong). */
function layerOfFrame(frame: Uint8Array): NetworkLayer<Ipv4Address> | NetworkLayer<Ipv6Address> {
  return frame.length > 0 && frame[0] >> 4 === 6 ? IPV6 : IPV4;
}

/**
 * The TCP segment of a frame for a trace line, or null when the frame holds none (no checksum check: a trace shows
 * what came, good or bad).
 *
 * @example
 * ```ts
 * const seg = segmentOf(frame); // { srcPort: 80, dstPort: 40000, flags: SYN | ACK, … }
 * ```
 */
export function segmentOf<A extends IpAddress = Ipv4Address>(
  frame: Uint8Array,
  network: NetworkLayer<A> = layerOfFrame(frame) as unknown as NetworkLayer<A>,
): TcpRepr | null {
  try {
    const ip = network.parse(frame);
    return ip.protocol === IPPROTO_TCP ? parseTcp(ip.payload) : null;
  } catch {
    return null;
  }
}
