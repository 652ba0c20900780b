/**
 * Packet-script helpers (in the manner of smoltcp's `send!`/`recv!`): feed a segment at a virtual time, expect
 * exactly the segments the connection sends, or nothing. Numbers are absolute; the default ISNs are small so a
 * script reads like a trace: our ISN 100 (first data byte 101), the server's ISN 1000 (first data byte 1001).
 *
 * @module
 */

import assert from "node:assert/strict";
import { TcpConnection } from "../../src/tcp/connection.ts";
import type { ConnectionOptions } from "../../src/tcp/options.ts";
import { seq } from "../../src/wire/seq.ts";
import { ACK, FIN, PSH, RST, SYN, type TcpRepr } from "../../src/wire/tcp_repr.ts";

/** Our port in scripts. */
export const LOCAL = 40000;
/** The server's port in scripts. */
export const REMOTE = 80;

/** A segment as a script writes it; unspecified fields take defaults (sending) or are not checked (expecting). */
export interface SegSpec {
  /** Flag names separated by spaces, e.g. "SYN ACK" (order free). */
  flags?: string;
  /** Sequence number. */
  seq?: number;
  /** Acknowledgment number. */
  ack?: number;
  /** Raw window field. */
  win?: number;
  /** Payload bytes, or a length (filled with the low byte of each position's sequence number). */
  data?: Uint8Array | number;
  /** Payload length (expect only). */
  len?: number;
  /** SACK blocks [left, right). */
  sack?: Array<[number, number]>;
  /** Timestamps [TSval, TSecr]; when expecting, a TSval of -1 is not checked. */
  ts?: [number, number];
  /** MSS option. */
  mss?: number;
  /** Window scale option. */
  ws?: number;
  /** SACK-permitted option. */
  sackOk?: boolean;
}

const NAMES: Array<[string, number]> = [["FIN", FIN], ["SYN", SYN], ["RST", RST], ["PSH", PSH], ["ACK", ACK]];

function parseFlags(s: string): number {
  let f = 0;
  for (const w of s.split(/\s+/).filter((x) => x !== "")) {
    const hit = NAMES.find(([n]) => n === w);
    if (hit === undefined) throw new Error(`Unknown flag ${w}`);
    f |= hit[1];
  }
  return f;
}

/** Flag bits as a sorted name list, e.g. "ACK PSH". */
export function flagNames(f: number): string {
  return NAMES.filter(([, b]) => f & b).map(([n]) => n).sort().join(" ");
}

/** Builds the segment the server sends. */
export function segment(spec: SegSpec): TcpRepr {
  const data = typeof spec.data === "number"
    ? Uint8Array.from({ length: spec.data }, (_, i) => ((spec.seq ?? 0) + i) & 0xff)
    : spec.data ?? new Uint8Array(0);
  return {
    srcPort: REMOTE,
    dstPort: LOCAL,
    seq: seq(spec.seq ?? 0),
    ack: seq(spec.ack ?? 0),
    flags: parseFlags(spec.flags ?? "ACK"),
    window: spec.win ?? 65535,
    urgent: 0,
    options: {
      mss: spec.mss,
      windowScale: spec.ws,
      sackPermitted: spec.sackOk,
      timestamp: spec.ts ? { tsVal: spec.ts[0], tsEcr: spec.ts[1] } : undefined,
      sackBlocks: spec.sack?.map(([l, r]) => ({ left: seq(l), right: seq(r) })),
    },
    payload: data,
  };
}

/** Feeds a server segment at time `t`. */
export function sendSeg(conn: TcpConnection, t: number, spec: SegSpec): void {
  conn.handleSegment(t, segment(spec));
}

/** A one-line rendering used in assertion messages. */
export function show(s: TcpRepr): string {
  const o = s.options;
  const parts = [`[${flagNames(s.flags)}] seq=${s.seq} ack=${s.ack} win=${s.window} len=${s.payload.length}`];
  if (o.sackBlocks?.length) parts.push(`sack=${o.sackBlocks.map((b) => `${b.left}-${b.right}`).join(",")}`);
  if (o.timestamp) parts.push(`ts=${o.timestamp.tsVal}/${o.timestamp.tsEcr}`);
  return parts.join(" ");
}

/** Drains `pollTransmit(t)` and checks the segments against `specs` (only the fields each spec names). */
export function expectSent(conn: TcpConnection, t: number, specs: SegSpec[]): TcpRepr[] {
  const got: TcpRepr[] = [];
  for (let s = conn.pollTransmit(t); s !== null; s = conn.pollTransmit(t)) {
    got.push({ ...s, payload: s.payload.slice() });
  }
  const trace = got.map(show).join("\n  ");
  assert.equal(got.length, specs.length, `at t=${t} expected ${specs.length} segments, got:\n  ${trace}`);
  specs.forEach((spec, i) => {
    const s = got[i];
    const where = `segment ${i} at t=${t}: ${show(s)}`;
    if (spec.flags !== undefined) assert.equal(flagNames(s.flags), flagNames(parseFlags(spec.flags)), where);
    if (spec.seq !== undefined) assert.equal(s.seq, spec.seq >>> 0, where);
    if (spec.ack !== undefined) assert.equal(s.ack, spec.ack >>> 0, where);
    if (spec.win !== undefined) assert.equal(s.window, spec.win, where);
    if (spec.len !== undefined) assert.equal(s.payload.length, spec.len, where);
    if (spec.sack !== undefined) {
      assert.deepEqual((s.options.sackBlocks ?? []).map((b) => [b.left, b.right]), spec.sack, where);
    }
    if (spec.ts !== undefined) {
      assert.ok(s.options.timestamp, where);
      if (spec.ts[0] !== -1) assert.equal(s.options.timestamp.tsVal, spec.ts[0], where);
      assert.equal(s.options.timestamp.tsEcr, spec.ts[1], where);
    }
    if (spec.mss !== undefined) assert.equal(s.options.mss, spec.mss, where);
    if (spec.ws !== undefined) assert.equal(s.options.windowScale, spec.ws, where);
    if (spec.sackOk !== undefined) assert.equal(s.options.sackPermitted === true, spec.sackOk, where);
  });
  return got;
}

/** Checks that nothing is sent at `t`. */
export function expectNothing(conn: TcpConnection, t: number): void {
  expectSent(conn, t, []);
}

/** Drains the events. */
export function events(conn: TcpConnection): string[] {
  const out: string[] = [];
  for (let e = conn.pollEvent(); e !== null; e = conn.pollEvent()) {
    out.push(e.type === "closed" ? `closed:${e.reason}` : e.type);
  }
  return out;
}

/** Runs `handleTimeout` at `t` (the script asserts `pollTimeout()` separately where it matters). */
export function tick(conn: TcpConnection, t: number): void {
  conn.handleTimeout(t);
}

/** Options of the scripted connection (ISN 100, MSS 1460, 64 KiB buffer unless overridden). */
export function scriptOptions(o: Partial<ConnectionOptions> = {}): ConnectionOptions {
  return { localPort: LOCAL, remotePort: REMOTE, mss: 1460, isn: 100, recvBufferSize: 65536, ...o };
}

/**
 * An ESTABLISHED connection: SYN at t=0, SYN-ACK at t=10 (server ISN 1000, MSS 1460, window scale `peerWs`,
 * SACK-permitted, timestamps TSval 500) unless `noTs`/`noSack`; the ACK of the handshake is drained.
 * RCV.NXT = 1001, SND.NXT = 101.
 */
export function established(
  o: Partial<ConnectionOptions> = {},
  peer: { ws?: number; noTs?: boolean; noSack?: boolean; win?: number } = {},
): TcpConnection {
  const conn = new TcpConnection(scriptOptions(o));
  conn.connect(0);
  const [syn] = expectSent(conn, 0, [{ flags: "SYN", seq: 100 }]);
  sendSeg(conn, 10, {
    flags: "SYN ACK",
    seq: 1000,
    ack: 101,
    win: peer.win ?? 65535,
    mss: 1460,
    ws: peer.ws,
    sackOk: peer.noSack ? undefined : true,
    ts: peer.noTs ? undefined : [500, syn.options.timestamp?.tsVal ?? 0],
  });
  expectSent(conn, 10, [{ flags: "ACK", seq: 101, ack: 1001 }]);
  assert.deepEqual(events(conn), ["connected"]);
  return conn;
}

/** The state as a plain string (keeps TypeScript from narrowing across assertions). */
export function stateOf(conn: TcpConnection): string {
  return conn.state;
}
