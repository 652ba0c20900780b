/**
 * Turns a connection's tables into the report's plain arrays, once, at the end: times as whole microseconds from the
 * hop's start (whole numbers are short in JSON and about twice as fast to write as fractions), event codes as names.
 *
 * @module
 */

import { mergeByFirstColumn, type SampledSeries } from "./_series.ts";
import type { ConnectionRecorder } from "./connection_recorder.ts";
import type { ConnectionReport, Phases, Sampling } from "./model.ts";

/** What the builder reads of a recorder (a type-only import: the recorder imports this module's code). */
export type RecordedConnection = Pick<
  ConnectionRecorder,
  | "index"
  | "url"
  | "secure"
  | "origin"
  | "startedAt"
  | "ours"
  | "server"
  | "head"
  | "phases"
  | "tally"
  | "data"
  | "repairs"
  | "acks"
  | "sack"
  | "rtt"
  | "events"
  | "engine"
>;

/** The facts of the stream, formatted. */
export interface StreamFacts {
  readonly family: string | null;
  readonly mtu: number | null;
  readonly mss: number | null;
  readonly local: string | null;
  readonly remote: string | null;
}

/** Event names; the recorder stores each event as the index of its name. @example `EVENT_NAMES.indexOf("fin-in")` */
export const EVENT_NAMES = [
  "zero-window",
  "window-update",
  "peer-zero-window",
  "retransmit-out",
  "fin-in",
  "fin-out",
  "rst-in",
  "rst-out",
] as const;

/** Milliseconds rounded to microseconds (durations), and a time from `origin` in whole microseconds. */
const micro = (x: number) => Math.round(x * 1000) / 1000;
const sinceUs = (t: number, origin: number) => Math.round((t - origin) * 1000);

/**
 * The report of a recorded connection.
 *
 * @example
 * ```ts
 * const report = buildConnectionReport(recorder, { family: "IPv4", mtu: 1500, mss: 1460, local: null, remote: null });
 * ```
 */
export function buildConnectionReport(rec: RecordedConnection, facts: StreamFacts): ConnectionReport {
  const o = rec.origin;
  const us = (t: number) => sinceUs(t, o);
  const data = mergeByFirstColumn(rec.data, rec.repairs, us);
  const time = (s: SampledSeries) => s.column(0, us);
  const sampling = (s: SampledSeries): Sampling => ({ kept: s.rows, offered: s.offered, stride: s.stride });
  const phases = Object.fromEntries(
    Object.entries(rec.phases).map(([k, v]) => [k, v === null ? null : sinceUs(v, o)]),
  ) as unknown as Phases;
  return {
    index: rec.index,
    url: rec.url,
    secure: rec.secure,
    ...facts,
    ours: rec.ours,
    server: rec.server,
    startedAt: rec.startedAt,
    phases,
    head: rec.head,
    // The summary counts out-of-order segments as the CLI's summary does, by the engine's count: the wire view above
    // can differ at the edges (a segment beyond the window it trimmed, a duplicate beyond a hole).
    tally: { ...rec.tally, outOfOrderIn: rec.engine?.outOfOrderSegments ?? rec.tally.outOfOrderIn },
    sampling: {
      data: sampling(rec.data),
      repairs: sampling(rec.repairs),
      acks: sampling(rec.acks),
      sack: sampling(rec.sack),
      rtt: sampling(rec.rtt),
      events: sampling(rec.events),
    },
    data: { t: data[0], seq: data[1], len: data[2], kind: data[3] },
    acks: {
      t: time(rec.acks),
      ack: rec.acks.column(1),
      windowEdge: rec.acks.column(2),
      srttMs: rec.acks.column(3, micro),
      rtoMs: rec.acks.column(4, micro),
      receiveBufferFill: rec.acks.column(5),
    },
    sack: { t: time(rec.sack), left: rec.sack.column(1), right: rec.sack.column(2) },
    rtt: { t: time(rec.rtt), ms: rec.rtt.column(1, micro) },
    events: {
      t: time(rec.events),
      kind: rec.events.column(1).map((code) => EVENT_NAMES[code] ?? "unknown"),
      at: rec.events.column(2),
    },
  };
}
