/**
 * Frames in and out of one flow: IPv4 + TCP parsing with checksum policy, and emission into one reused buffer.
 *
 * Checksum policy (every frame is verified; bad ones are dropped and counted), with two local artefacts accepted:
 * - a segment whose payload exceeds the MSS we announced can only be a local coalescing (GRO/LRO) result; the
 *   kernel verified the checksums of the frames it merged, and the merged header still carries the first one's;
 * - a segment from a same-host sender with checksum offload (veth, loopback) carries the folded pseudo-header sum,
 *   not the checksum: the "hardware" that would fill it in does not exist.
 *
 * @module
 */

import { emitIpv4, IPPROTO_TCP, IPV4_HEADER_LEN, parseIpv4 } from "../wire/ipv4.ts";
import { emitTcp, isFoldedPseudoHeaderChecksum, parseTcp, verifyTcpChecksum } from "../wire/tcp.ts";
import type { TcpRepr } from "../wire/tcp_repr.ts";
import type { Flow } from "./flow.ts";

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
}

/** Decodes received frames of one flow into TCP segments. */
export class FrameDecoder {
  /** Counters, updated as frames are decoded. */
  readonly counters: FrameCounters = {
    badIp: 0,
    foreign: 0,
    badChecksum: 0,
    coalesced: 0,
    offloadChecksum: 0,
    badTcp: 0,
    truncated: 0,
  };
  readonly #flow: Flow;
  readonly #mss: number;

  /** `mss` is the one we announced: anything larger was coalesced locally. */
  constructor(flow: Flow, mss: number) {
    this.#flow = flow;
    this.#mss = mss;
  }

  /** Returns the segment of a frame that belongs to our flow, or null (counted) for anything else. */
  decode(frame: Uint8Array): TcpRepr | null {
    const c = this.counters;
    const flow = this.#flow;
    let ip;
    try {
      ip = parseIpv4(frame);
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
    if (!verifyTcpChecksum(ip.src, ip.dst, ip.payload)) {
      if (seg.payload.length > this.#mss) c.coalesced++;
      else if (isFoldedPseudoHeaderChecksum(ip.src, ip.dst, ip.payload)) c.offloadChecksum++;
      else {
        c.badChecksum++;
        return null;
      }
    }
    return seg;
  }
}

/** Emits segments of one flow as IPv4 frames into one reused buffer. */
export class FrameEncoder {
  readonly #flow: Flow;
  readonly #buf = new Uint8Array(65536);
  #id = 0;

  /** `firstId` seeds the IP identification counter (RFC 6864: any value works with DF set). */
  constructor(flow: Flow, firstId = 0) {
    this.#flow = flow;
    this.#id = firstId & 0xffff;
  }

  /** Returns a view of the frame, valid until the next call. */
  encode(seg: TcpRepr): Uint8Array<ArrayBuffer> {
    const flow = this.#flow;
    const tcpLength = emitTcp(seg, this.#buf, IPV4_HEADER_LEN, flow.localAddr, flow.remoteAddr);
    emitIpv4(
      {
        dscp: 0,
        ecn: 0,
        identification: this.#id,
        dontFragment: true,
        ttl: 64,
        protocol: IPPROTO_TCP,
        src: flow.localAddr,
        dst: flow.remoteAddr,
        payloadLength: tcpLength,
      },
      this.#buf,
      0,
    );
    this.#id = (this.#id + 1) & 0xffff;
    return this.#buf.subarray(0, IPV4_HEADER_LEN + tcpLength);
  }
}
