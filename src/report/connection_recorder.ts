/**
 * What one connection did, segment by segment, kept small: every segment updates a few counters, and a row of numbers
 * goes into a sampled table ({@linkcode SampledSeries}); nothing is allocated or formatted per segment. The report's
 * arrays are built once, at the end ({@linkcode ConnectionRecorder.toReport}).
 *
 * The segments are those the driver has already decoded (received ones before the engine takes them, sent ones as
 * they are encoded), so nothing is parsed twice; the recorder reads the segments' own fields, not the engine's state:
 * the report shows what was on the wire, and a bug of the engine shows up in it instead of being hidden by it. The
 * engine is read only for what the wire cannot say: SRTT, RTO and the receive buffer's fill, sampled each time we
 * send an ACK (the engine has just processed what arrived).
 *
 * Classification of a data segment from the server, by its bytes `[seq, seq + len)`:
 * - beyond the in-order edge (a hole before it): out of order, as the engine counts it;
 * - below the highest byte seen: a retransmission when its IPv4 identification is newer than every one seen so far
 *   (it was sent after them: Linux numbers each connected socket's segments in order), else reordered on the path;
 *   a sender whose identifications are all 0 makes every such segment a retransmission.
 *
 * @module
 */

import { ACK, CWR, ECE, FIN, RST, SYN, type TcpRepr } from "../wire/mod.ts";
import { type EngineGauges, formatEndpoint, offer, type OpenedFacts } from "./_facts.ts";
import { ArrivedBytes } from "./_holes.ts";
import { SampledSeries } from "./_series.ts";
import { buildConnectionReport, EVENT_NAMES } from "./_connection_report.ts";
import type { ConnectionReport, Phases, SynOffer } from "./model.ts";
import { SegmentKind } from "./model.ts";

/** Event codes in the events table: indices of their names. */
const code = (name: typeof EVENT_NAMES[number]) => EVENT_NAMES.indexOf(name);
const ZERO_WINDOW = code("zero-window"), WINDOW_UPDATE = code("window-update");
const PEER_ZERO_WINDOW = code("peer-zero-window"), RETRANSMIT_OUT = code("retransmit-out");
const FIN_IN = code("fin-in"), FIN_OUT = code("fin-out"), RST_IN = code("rst-in"), RST_OUT = code("rst-out");

/** TSvals we sent, remembered for RTT samples: two seconds of 1 ms ticks (a longer RTT gives no sample). */
const TS_MEMORY = 2048;

/** Mutable phase times (see {@linkcode Phases}). */
type PhaseTimes = { -readonly [K in keyof Phases]: number | null };

/**
 * The record of one connection (one hop).
 *
 * @example
 * ```ts
 * const rec = new ConnectionRecorder(1, "http://198.18.2.2/a", false, 0, "2026-01-01T00:00:00Z", 131072);
 * rec.sent(0, synSegment);
 * const report = rec.toReport();
 * ```
 */
export class ConnectionRecorder {
  readonly index: number;
  readonly url: string;
  readonly secure: boolean;
  /** Hop start on the driver's clock: the origin of the report's times. */
  readonly origin: number;
  readonly startedAt: string;
  facts: OpenedFacts | null = null;
  engine: EngineGauges | null = null;
  ours: SynOffer | null = null;
  server: SynOffer | null = null;
  head: readonly string[] | null = null;
  readonly phases: PhaseTimes = {
    resolved: null,
    opened: null,
    synSent: null,
    synAckReceived: null,
    connected: null,
    request: null,
    firstByte: null,
    lastByte: null,
    teardown: null,
    closed: null,
  };
  /** Counters (see `FrameTally` in model.ts). */
  readonly tally = {
    segmentsIn: 0,
    segmentsOut: 0,
    dataSegmentsIn: 0,
    dataBytesIn: 0,
    outOfOrderIn: 0,
    retransmittedIn: 0,
    reorderedIn: 0,
    duplicateIn: 0,
    retransmittedOut: 0,
    acksOut: 0,
    sackBlocksOut: 0,
    zeroWindowsOut: 0,
    windowUpdatesOut: 0,
    zeroWindowsIn: 0,
    rttSamples: 0,
  };
  /** t, seq, len, kind: segments in order or out of order (most of them; sampled beyond the budget). */
  readonly data: SampledSeries;
  /** The same for retransmitted and reordered segments, kept apart so that sampling the others never hides them. */
  readonly repairs: SampledSeries;
  /** t, ack, window edge, srtt, rto, receive buffer fill. */
  readonly acks: SampledSeries;
  /** t, left, right. */
  readonly sack: SampledSeries;
  /** t, rtt. */
  readonly rtt: SampledSeries;
  /** t, event code, offset. */
  readonly events: SampledSeries;

  // The server's sequence space, unwrapped into offsets from its first data byte (IRS + 1).
  #irs = -1;
  #seqRaw = 0;
  #seqAbs = 0;
  #ackRaw = 0;
  #ackAbs = 0;
  readonly #arrived = new ArrivedBytes();
  #maxEnd = 0;
  #maxIpId = -1;
  #lastAck = 0;
  // Our sequence space, from our ISS.
  #iss = -1;
  #ourRaw = 0;
  #ourAbs = 0;
  #ourMaxEnd = 0;
  #synSeen = false;
  /** Shift of the windows we advertise (RFC 7323 §2.2: only when both SYNs carried window scale). */
  #ourShift = 0;
  #zeroWindow = false;
  #peerZero = false;
  #tsVals = new Uint32Array(TS_MEMORY);
  #tsTimes = new Float64Array(TS_MEMORY);
  #tsCount = 0;
  #lastTsVal = -1;
  #lastEcr = -1;

  /** A connection of hop `index` to `url`, starting at `origin` (driver's clock); each table keeps `budget` rows. */
  constructor(index: number, url: string, secure: boolean, origin: number, startedAt: string, budget: number) {
    this.index = index;
    this.url = url;
    this.secure = secure;
    this.origin = origin;
    this.startedAt = startedAt;
    const even = (n: number) => Math.max(256, n - (n % 2));
    this.data = new SampledSeries(4, even(budget));
    this.repairs = new SampledSeries(4, even(budget >> 2));
    this.acks = new SampledSeries(6, even(budget >> 1));
    this.sack = new SampledSeries(3, even(budget >> 2));
    this.rtt = new SampledSeries(2, even(budget >> 2));
    this.events = new SampledSeries(3, even(budget >> 4));
  }

  /** A segment we sent at `now` (its frame is not read: the identifications we number tell nothing). */
  sent(now: number, s: TcpRepr): void {
    const t = this.tally;
    t.segmentsOut++;
    const flags = s.flags;
    if ((flags & SYN) !== 0) {
      if (this.#synSeen) {
        t.retransmittedOut++;
        this.events.push3(now, RETRANSMIT_OUT, 0);
      }
      this.#synSeen = true;
      this.#iss = s.seq;
      this.#ourRaw = s.seq;
      this.phases.synSent ??= now;
      this.ours ??= offer(s, (flags & (ECE | CWR)) === (ECE | CWR));
    } else if (this.#iss >= 0) {
      const delta = (s.seq - this.#ourRaw) | 0;
      this.#ourRaw = s.seq;
      this.#ourAbs += delta;
      const end = this.#ourAbs + s.payload.length + ((flags & FIN) !== 0 ? 1 : 0);
      if (end > this.#ourAbs && this.#ourAbs < this.#ourMaxEnd) {
        t.retransmittedOut++;
        this.events.push3(now, RETRANSMIT_OUT, this.#ourAbs);
      }
      if (end > this.#ourMaxEnd) this.#ourMaxEnd = end;
    }
    const ts = s.options.timestamp;
    if (ts !== undefined && ts.tsVal !== this.#lastTsVal) this.#rememberTsVal(ts.tsVal, now);
    if ((flags & RST) !== 0) this.#teardown(now, RST_OUT, this.#lastAck);
    if ((flags & FIN) !== 0) this.#teardown(now, FIN_OUT, this.#ourAbs);
    if ((flags & ACK) === 0 || this.#irs < 0 || (flags & RST) !== 0) return;
    this.#ourAck(s, now);
  }

  #ourAck(s: TcpRepr, now: number): void {
    const t = this.tally;
    t.acksOut++;
    const delta = (s.ack - this.#ackRaw) | 0;
    this.#ackRaw = s.ack;
    this.#ackAbs += delta;
    const ack = this.#ackAbs;
    this.#lastAck = ack;
    const window = s.window * 2 ** this.#ourShift;
    if (window === 0 && !this.#zeroWindow) {
      t.zeroWindowsOut++;
      this.events.push3(now, ZERO_WINDOW, ack);
    } else if (window > 0 && this.#zeroWindow) {
      t.windowUpdatesOut++;
      this.events.push3(now, WINDOW_UPDATE, ack);
    }
    this.#zeroWindow = window === 0;
    const e = this.engine;
    this.acks.push6(now, ack, ack + window, e?.srttMs ?? 0, e?.rtoMs ?? 0, e?.receiveBufferFill ?? 0);
    const blocks = s.options.sackBlocks;
    if (blocks === undefined) return;
    for (let k = 0; k < blocks.length; k++) {
      t.sackBlocksOut++;
      const left = ack + ((blocks[k].left - s.ack) | 0);
      const right = ack + ((blocks[k].right - s.ack) | 0);
      this.sack.push3(now, left, right);
    }
  }

  /** A segment we received at `now`, in `frame` (read for its IPv4 identification). */
  received(now: number, s: TcpRepr, frame: Uint8Array): void {
    const t = this.tally;
    t.segmentsIn++;
    const flags = s.flags;
    if ((flags & SYN) !== 0) return this.#synAck(now, s);
    if (this.#irs < 0) return;
    const delta = (s.seq - this.#seqRaw) | 0;
    this.#seqRaw = s.seq;
    this.#seqAbs += delta;
    const start = this.#seqAbs;
    this.#echo(s, now);
    if ((flags & RST) !== 0) return this.#teardown(now, RST_IN, start);
    if (s.window === 0 && !this.#peerZero) {
      t.zeroWindowsIn++;
      this.events.push3(now, PEER_ZERO_WINDOW, start);
    }
    this.#peerZero = s.window === 0;
    const payload = s.payload.length;
    if (payload > 0) this.#dataSegment(payload, ipv4Id(frame), start, now);
    if ((flags & FIN) !== 0) this.#teardown(now, FIN_IN, start + payload);
  }

  /** The server's SYN-ACK (once; a copy only echoes), kept out of the per-segment path. */
  #synAck(now: number, s: TcpRepr): void {
    if (this.#irs < 0) {
      this.#irs = s.seq;
      this.#seqRaw = (s.seq + 1) >>> 0;
      this.#ackRaw = this.#seqRaw;
      this.phases.synAckReceived = now;
      this.server = offer(s, (s.flags & ECE) !== 0);
      if (this.ours?.windowScale != null && s.options.windowScale !== undefined) this.#ourShift = this.ours.windowScale;
    }
    this.#echo(s, now);
  }

  #dataSegment(payload: number, id: number, start: number, now: number): void {
    const t = this.tally;
    const end = start + payload;
    t.dataSegmentsIn++;
    t.dataBytesIn += payload;
    let kind: number = SegmentKind.InOrder;
    if (end <= this.#arrived.edge) t.duplicateIn++;
    if (start < this.#maxEnd) {
      // A sender that numbers its segments: newer than every identification seen means sent after them.
      const max = this.#maxIpId;
      const newer = max < 0 || (id === 0 && max === 0) ||
        (((id - max) & 0xffff) !== 0 && ((id - max) & 0xffff) < 0x8000);
      kind = newer ? SegmentKind.Retransmission : SegmentKind.Reordered;
      if (newer) t.retransmittedIn++;
      else t.reorderedIn++;
    }
    if (this.#arrived.add(start, end)) {
      t.outOfOrderIn++;
      if (kind === SegmentKind.InOrder) kind = SegmentKind.OutOfOrder;
    }
    if (end > this.#maxEnd) this.#maxEnd = end;
    const max = this.#maxIpId;
    if (max < 0 || (((id - max) & 0xffff) !== 0 && ((id - max) & 0xffff) < 0x8000)) this.#maxIpId = id;
    const table = kind === SegmentKind.Retransmission || kind === SegmentKind.Reordered ? this.repairs : this.data;
    table.push4(now, start, payload, kind);
  }

  /** An RTT sample when the server echoes a TSval it had not echoed yet (RFC 7323 §4.1). */
  #echo(s: TcpRepr, now: number): void {
    const ts = s.options.timestamp;
    if (ts === undefined || ts.tsEcr === this.#lastEcr) return;
    const ecr = ts.tsEcr;
    this.#lastEcr = ecr;
    // Echoes are of recent TSvals: search back from the newest.
    for (let k = 1; k <= this.#tsCount && k <= TS_MEMORY; k++) {
      const slot = (this.#tsCount - k) % TS_MEMORY;
      if (this.#tsVals[slot] === ecr) {
        this.tally.rttSamples++;
        this.rtt.push2(now, now - this.#tsTimes[slot]);
        return;
      }
    }
  }

  #rememberTsVal(tsVal: number, now: number): void {
    this.#lastTsVal = tsVal;
    if (this.#tsVals.length === 0) return;
    const slot = this.#tsCount++ % TS_MEMORY;
    this.#tsVals[slot] = tsVal;
    this.#tsTimes[slot] = now;
  }

  #teardown(now: number, code: number, at: number): void {
    this.phases.teardown ??= now;
    this.events.push3(now, code, at);
  }

  /**
   * The connection is over (the next hop starts): the memory kept only for recording goes, the tables stay. A run of
   * many URLs then holds a few kilobytes per finished connection beyond its rows.
   */
  end(): void {
    this.#tsVals = new Uint32Array(0);
    this.#tsTimes = new Float64Array(0);
    this.#tsCount = 0;
  }

  /** The report of this connection, with times from its origin. */
  toReport(): ConnectionReport {
    const facts = this.facts;
    return buildConnectionReport(this, {
      family: facts?.family ?? null,
      mtu: facts?.mtu ?? null,
      mss: facts?.mss ?? null,
      local: facts === null ? null : formatEndpoint(facts.flow.localAddr, facts.flow.localPort),
      remote: facts === null ? null : formatEndpoint(facts.flow.remoteAddr, facts.flow.remotePort),
    });
  }
}

/**
 * The IPv4 identification of a frame (RFC 791 §3.1, bytes 4–5), 0 for IPv6, which has none outside fragments. The
 * driver has checked the header; only the version is read here.
 */
function ipv4Id(frame: Uint8Array): number {
  return frame[0] >> 4 === 4 ? (frame[4] << 8) | frame[5] : 0;
}
