/**
 * Runs one client connection against the simulated server over two impaired link directions on a virtual clock,
 * through the driver (the program's only event loop) stepped one synchronous turn at a time, checking every byte
 * delivered against the expected body.
 *
 * @module
 */

import { type ConnectionOptions, type ConnectionStats, TcpConnection } from "../../src/tcp/mod.ts";
import { type ByteStream, Driver, type Flow, type StreamHandler, type StreamOutcome } from "../../src/transport/mod.ts";
import { ACK, RST, seq, seqAdd, type TcpRepr } from "../../src/wire/mod.ts";
import { SIM_FLOW, SimFrameLink } from "./frame_link.ts";
import type { LinkConfig, LinkStats } from "./link.ts";
import type { PeerOptions } from "./peer.ts";
import { bodyByte, mulberry32 } from "./prng.ts";

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
  reason: StreamOutcome | null;
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

/** Turns before a run is declared stuck (a turn that neither reads a frame nor lets time move would spin). */
const MAX_TURNS = 50_000_000;

/** The application: sends the request, closes first if asked, checks every body byte, records what it hears. */
class Client implements StreamHandler {
  readonly events: string[] = [];
  received = 0;
  mismatchAt = -1;
  outcome: StreamOutcome | null = null;
  readonly #closeFirst: boolean;

  constructor(closeFirst: boolean) {
    this.#closeFirst = closeFirst;
  }

  onOpen(stream: ByteStream): void {
    this.events.push("connected");
    stream.write(REQUEST);
    if (this.#closeFirst) stream.closeWrite();
  }

  onData(bytes: Uint8Array): void {
    if (this.mismatchAt < 0) {
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] !== bodyByte(this.received + i)) {
          this.mismatchAt = this.received + i;
          break;
        }
      }
    }
    this.received += bytes.length;
  }

  onEnd(): void {
    this.events.push("peer-closed");
  }

  onClosed(outcome: StreamOutcome): void {
    this.events.push(`closed:${outcome}`);
    this.outcome = outcome;
  }
}

/** A forged RST whose sequence number is `delta` from the last ACK the client sent (its RCV.NXT). */
function forgedRst(link: SimFrameLink, flow: Flow, delta: number): () => TcpRepr {
  return () => {
    const lastAck = link.sent.findLast((seg) => (seg.flags & ACK) !== 0)?.ack ?? seq(0);
    return {
      srcPort: flow.remotePort,
      dstPort: flow.localPort,
      seq: seqAdd(lastAck, delta),
      ack: seq(0),
      flags: RST,
      window: 0,
      urgent: 0,
      options: {},
      payload: new Uint8Array(0),
    };
  };
}

/** Runs a scenario to the end (closed, stuck, or out of time). */
export function runScenario(s: Scenario): Outcome {
  const rand = mulberry32(s.seed);
  const clientIsn = s.client?.isn ?? ((rand() * 2 ** 32) >>> 0);
  const mss = s.client?.mss ?? 1460;
  const flow: Flow = {
    ...SIM_FLOW,
    localPort: s.client?.localPort ?? SIM_FLOW.localPort,
    remotePort: s.client?.remotePort ?? SIM_FLOW.remotePort,
  };
  const conn = new TcpConnection({
    ...s.client,
    localPort: flow.localPort,
    remotePort: flow.remotePort,
    mss,
    isn: clientIsn,
  });
  const link = new SimFrameLink({
    seed: s.seed,
    up: s.up,
    down: s.down,
    peer: { isn: (rand() * 2 ** 32) >>> 0, responseSize: s.responseSize, requestSize: REQUEST.length, ...s.peer },
  }, flow);
  const driver = new Driver(link, conn, flow, { mss, clock: link.clock });
  const app = new Client(s.closeFirst === "client");
  if (s.injectRst !== undefined) link.inject(s.injectRst.atMs, forgedRst(link, flow, s.injectRst.delta));
  const states: string[] = ["CLOSED"];
  const note = () => {
    if (states[states.length - 1] !== conn.state) states.push(conn.state);
  };
  const pause = s.pauseRead;
  const maxTime = s.maxTimeMs ?? 600_000;
  driver.start(app);
  note();
  for (let turns = 0; turns < MAX_TURNS; turns++) {
    const t = link.clock();
    // The application stops reading at `from` and starts again at `to`: the advance below stops at both.
    if (pause !== undefined) {
      if (t >= pause.from && t < pause.to) driver.pause();
      else driver.resume();
    }
    const read = link.receivedFrames;
    const due = driver.poll(t);
    note();
    if (driver.outcome !== null) break;
    // As in Driver.run(): after a turn that read frames (their ACKs go out at the next) or after a wake-up (the
    // reader resumed: what it reads may make "peer-closed" due), the next turn comes at once.
    if (link.receivedFrames !== read || link.takeWake() || (due !== null && due <= t)) continue;
    if (t >= maxTime) break;
    let until = Math.min(due ?? Infinity, maxTime);
    for (const bound of pause === undefined ? [] : [pause.from, pause.to]) {
      if (bound > t && bound < until) until = bound;
    }
    link.advanceTo(until);
  }
  if (driver.outcome !== null) app.onClosed(driver.outcome); // as Driver.run() does
  return {
    received: app.received,
    mismatchAt: app.mismatchAt,
    reason: app.outcome,
    timeMs: link.clock(),
    events: app.events,
    stats: conn.stats,
    peerRetransmissions: link.peer.retransmissions,
    up: link.upStats,
    down: link.downStats,
    state: conn.state,
    states,
    peerDone: link.peer.done,
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
