/**
 * Runs one client connection against the simulated server over two impaired link directions on a virtual clock,
 * checking every byte read against the expected body.
 *
 * @module
 */

import { TcpConnection } from "../../src/tcp/connection.ts";
import type { ConnectionOptions } from "../../src/tcp/options.ts";
import type { CloseReason, ConnectionStats } from "../../src/tcp/events.ts";
import { Link, type LinkConfig, type LinkStats } from "./link.ts";
import { Peer, type PeerOptions } from "./peer.ts";
import { bodyByte, mulberry32 } from "./prng.ts";
import { seq, seqAdd } from "../../src/wire/seq.ts";
import { ACK, RST, type TcpRepr } from "../../src/wire/tcp_repr.ts";

/** One simulated download. */
export interface Scenario {
  /** Seed of every random choice. */
  seed: number;
  /** Response body size. */
  responseSize: number;
  /** Client → server impairments. */
  up: LinkConfig;
  /** Server → client impairments. */
  down: LinkConfig;
  /** Client option overrides (ports, MSS and ISN have defaults). */
  client?: Partial<ConnectionOptions>;
  /** Server option overrides. */
  peer?: Partial<PeerOptions>;
  /** Who closes: "peer" (server FIN after the body, then we close) or "client" (we close right after the request). */
  closeFirst?: "peer" | "client";
  /** The application does not read during [from, to) (virtual ms). */
  pauseRead?: { from: number; to: number };
  /** Give up after this virtual time (default 600 s). */
  maxTimeMs?: number;
  /** A forged RST delivered to the client at `atMs`, its sequence number `delta` from our last ACK (RCV.NXT). */
  injectRst?: { atMs: number; delta: number };
}

/** What happened. */
export interface Outcome {
  /** Body bytes read (all verified). */
  received: number;
  /** First mismatching position, or -1. */
  mismatchAt: number;
  /** Close reason (null if the run ended without "closed"). */
  reason: CloseReason | null;
  /** Virtual time at the end. */
  timeMs: number;
  /** Events in order. */
  events: string[];
  /** Client counters. */
  stats: ConnectionStats;
  /** Server retransmissions. */
  peerRetransmissions: number;
  /** Link counters. */
  up: LinkStats;
  /** Link counters. */
  down: LinkStats;
  /** Final client state. */
  state: string;
  /** Every state the client went through, in order. */
  states: string[];
  /** The server saw both FINs through. */
  peerDone: boolean;
}

/** The request the client sends. */
export const REQUEST = new TextEncoder().encode("GET /file HTTP/1.0\r\nHost: sim\r\n\r\n");

/** Runs a scenario to the end (closed, stuck, or out of time). */
export function runScenario(s: Scenario): Outcome {
  const rand = mulberry32(s.seed);
  const clientIsn = s.client?.isn ?? ((rand() * 2 ** 32) >>> 0);
  const conn = new TcpConnection({ localPort: 40000, remotePort: 80, mss: 1460, ...s.client, isn: clientIsn });
  const peer = new Peer({
    port: 80,
    clientPort: 40000,
    isn: (rand() * 2 ** 32) >>> 0,
    mss: 1460,
    responseSize: s.responseSize,
    requestSize: REQUEST.length,
    windowScale: 7,
    sack: true,
    timestamps: true,
    closeAfterResponse: true,
    ...s.peer,
  });
  const up = new Link(s.up, mulberry32(s.seed ^ 0x1234567));
  const down = new Link(s.down, mulberry32(s.seed ^ 0x7654321));
  const events: string[] = [];
  let received = 0, mismatchAt = -1, reason: CloseReason | null = null;
  let t = 0;
  const maxTime = s.maxTimeMs ?? 600_000;
  const readAll = () => {
    for (let v = conn.read(); v !== null; v = conn.read()) {
      if (mismatchAt < 0) {
        for (let i = 0; i < v.length; i++) {
          if (v[i] !== bodyByte(received + i)) {
            mismatchAt = received + i;
            break;
          }
        }
      }
      received += v.length;
    }
  };
  let requestSent = 0;
  let lastAck = 0;
  let injected = false;
  const states: string[] = ["CLOSED"];
  const note = () => {
    if (states[states.length - 1] !== conn.state) states.push(conn.state);
  };
  const toPeer = (seg: TcpRepr) => {
    if (seg.flags & ACK) lastAck = seg.ack;
    up.send(t, seg);
  };
  conn.connect(0);
  note();
  for (let steps = 0; steps < 50_000_000; steps++) {
    // Application: events, request, reads, and events again (reading the last byte makes "peer-closed" due).
    const drainEvents = () => {
      for (let e = conn.pollEvent(); e !== null; e = conn.pollEvent()) {
        events.push(e.type === "closed" ? `closed:${e.reason}` : e.type);
        if (e.type === "closed") reason = e.reason;
        if (e.type === "peer-closed") conn.close();
      }
    };
    drainEvents();
    if (reason !== null) break;
    if (events.includes("connected") && requestSent < REQUEST.length && conn.state !== "CLOSED") {
      requestSent += conn.write(REQUEST.subarray(requestSent));
      if (requestSent === REQUEST.length && s.closeFirst === "client") conn.close();
    }
    const paused = s.pauseRead !== undefined && t >= s.pauseRead.from && t < s.pauseRead.to;
    if (!paused) {
      readAll();
      drainEvents();
    }
    for (let seg = conn.pollTransmit(t); seg !== null; seg = conn.pollTransmit(t)) toPeer(seg);
    note();
    for (let seg = peer.poll(t); seg !== null; seg = peer.poll(t)) down.send(t, seg);
    // Advance the virtual clock to the next thing that happens.
    let next = Infinity;
    for (const d of [conn.pollTimeout(), peer.nextTimeout(), up.nextAt(), down.nextAt()]) {
      if (d !== null && d < next) next = d;
    }
    if (paused && s.pauseRead!.to < next) next = s.pauseRead!.to;
    if (s.injectRst && !injected && s.injectRst.atMs < next) next = Math.max(t, s.injectRst.atMs);
    if (next === Infinity || next > maxTime) break;
    if (next > t) t = next;
    for (let seg = up.deliver(t); seg !== null; seg = up.deliver(t)) peer.handle(t, seg);
    for (let seg = down.deliver(t); seg !== null; seg = down.deliver(t)) {
      conn.handleSegment(t, seg);
      for (let out = conn.pollTransmit(t); out !== null; out = conn.pollTransmit(t)) toPeer(out);
      note();
    }
    if (s.injectRst && !injected && t >= s.injectRst.atMs) {
      injected = true;
      const rst: TcpRepr = {
        srcPort: 80,
        dstPort: 40000,
        seq: seqAdd(seq(lastAck), s.injectRst.delta),
        ack: seq(0),
        flags: RST,
        window: 0,
        urgent: 0,
        options: {},
        payload: new Uint8Array(0),
      };
      conn.handleSegment(t, rst);
    }
    const ct = conn.pollTimeout();
    if (ct !== null && ct <= t) conn.handleTimeout(t);
    note();
    peer.handleTimeout(t);
  }
  readAll(); // received data stays readable after CLOSED (e.g. a reader paused through TIME-WAIT)
  for (let e = conn.pollEvent(); e !== null; e = conn.pollEvent()) {
    events.push(e.type === "closed" ? `closed:${e.reason}` : e.type);
    if (e.type === "closed") reason = e.reason;
  }
  return {
    received,
    mismatchAt,
    reason,
    timeMs: t,
    events,
    stats: conn.stats,
    peerRetransmissions: peer.retransmissions,
    up: up.stats,
    down: down.stats,
    state: conn.state,
    states,
    peerDone: peer.done,
  };
}

/** Seeds to run: `RHG_SEED` (one seed, to replay a failure) or `count` seeds from `base`. */
export function seeds(base: number, count: number): number[] {
  const one = Deno.env.get("RHG_SEED");
  if (one !== undefined) return [Number(one)];
  return Array.from({ length: count }, (_, i) => base + i);
}

/** Throws with a replay hint when `check` fails for a seed. */
export function expectOutcome(name: string, seed: number, o: Outcome, check: (o: Outcome) => string | null): void {
  const problem = check(o);
  if (problem !== null) {
    throw new Error(
      `${name}: seed ${seed} failed: ${problem} (received ${o.received}, t=${o.timeMs}ms, state ${o.state}, ` +
        `events ${o.events.join(",")})\n  replay: RHG_SEED=${seed} deno test --allow-all tests/sim`,
    );
  }
}
