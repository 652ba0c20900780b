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

import { IPPROTO_TCP, parseTcp, type TcpRepr } from "../wire/mod.ts";
import type { Flow } from "./flow.ts";
import { type Datagram, IPV4, type NetworkLayer } from "./network.ts";

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
  };
}

/** Decodes received frames of one flow into TCP segments. */
export class FrameDecoder {
  /** Counters, updated as frames are decoded. */
  readonly counters: FrameCounters = newFrameCounters();
  readonly #flow: Flow;
  readonly #mss: number;
  readonly #network: NetworkLayer;
  readonly #trustKernel: boolean;

  /**
   * `mss` is the one we announced: anything larger was coalesced locally. With `alwaysVerify`, a checksum the kernel
   * vouches for is verified all the same.
   */
  constructor(flow: Flow, mss: number, network: NetworkLayer = IPV4, alwaysVerify = false) {
    this.#flow = flow;
    this.#mss = mss;
    this.#network = network;
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
    let ip: Datagram;
    try {
      ip = network.parse(frame);
    } catch {
      c.badIp++;
      return null;
    }
    if (ip.protocol !== IPPROTO_TCP || ip.src !== flow.remoteAddr || ip.dst !== flow.localAddr) {
      c.foreign++;
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
    if (trusted && this.#trustKernel) c.kernelChecksum++;
    else if (!network.verifyTcp(ip.src, ip.dst, ip.payload)) {
      if (seg.payload.length > this.#mss) c.coalesced++;
      else if (network.isOffloadChecksum(ip.src, ip.dst, ip.payload)) c.offloadChecksum++;
      else {
        c.badChecksum++;
        return null;
      }
    }
    return seg;
  }
}

/** Emits segments of one flow as IP frames into one reused buffer. */
export class FrameEncoder {
  readonly #flow: Flow;
  readonly #network: NetworkLayer;
  readonly #buf = new Uint8Array(65536);
  #id = 0;

  /** `firstId` seeds the IP identification counter (RFC 6864: any value works with DF set). */
  constructor(flow: Flow, firstId = 0, network: NetworkLayer = IPV4) {
    this.#flow = flow;
    this.#network = network;
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
 * The TCP segment of a frame for a trace line, or null when the frame holds none (no checksum check: a trace shows
 * what came, good or bad).
 *
 * @example
 * ```ts
 * const seg = segmentOf(frame); // { srcPort: 80, dstPort: 40000, flags: SYN | ACK, … }
 * ```
 */
export function segmentOf(frame: Uint8Array, network: NetworkLayer = IPV4): TcpRepr | null {
  try {
    const ip = network.parse(frame);
    return ip.protocol === IPPROTO_TCP ? parseTcp(ip.payload) : null;
  } catch {
    return null;
  }
}
