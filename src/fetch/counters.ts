/**
 * What one exchange added to a connection's counters: a kept connection carries several downloads, and each one's
 * summary counts its own segments, retransmissions and bad checksums, not those of the files before it.
 *
 * @module
 */

import type { ConnectionStats } from "../tcp/mod.ts";
import type { FrameCounters } from "../transport/mod.ts";

/** The engine's values that are states, not counts: taken as they are now. */
const GAUGES: ReadonlySet<string> = new Set(["pathMtu", "srttMs", "minRttMs", "rttvarMs", "rtoMs", "cwnd"]);

/** A connection's counters at one moment. */
export interface CounterSnapshot {
  /** The TCP engine's. */
  readonly tcp: ConnectionStats;
  /** The frame link's. */
  readonly frames: FrameCounters;
}

/** A copy of the counters now. @example `const before = snapshotCounters(session.tcpStats, session.frameCounters)` */
export function snapshotCounters(tcp: ConnectionStats, frames: Readonly<FrameCounters>): CounterSnapshot {
  return { tcp: { ...tcp }, frames: { ...frames } };
}

/**
 * The counts since `before` (gauges as they are now).
 *
 * @example
 * ```ts
 * countersSince(snapshotCounters(session.tcpStats, session.frameCounters), before).tcp.retransmissions;
 * ```
 */
export function countersSince(now: CounterSnapshot, before: CounterSnapshot): CounterSnapshot {
  return { tcp: difference(now.tcp, before.tcp), frames: difference(now.frames, before.frames) };
}

function difference<T extends object>(now: T, before: T): T {
  const out = { ...now } as Record<string, unknown>;
  const was = before as Record<string, unknown>;
  for (const [key, value] of Object.entries(now)) {
    if (typeof value === "number" && typeof was[key] === "number" && !GAUGES.has(key)) {
      out[key] = value - (was[key] as number);
    }
  }
  return out as T;
}

/**
 * The counts of several connections added up (a download over several connections): counts are summed, gauges
 * (SRTT, the path MTU…) are those of the last one that has them.
 *
 * @example
 * ```ts
 * const all = sumCounters([first, ...parts]); // all.tcp.retransmissions: every connection's
 * ```
 */
export function sumCounters(list: readonly CounterSnapshot[]): CounterSnapshot {
  if (list.length === 0) throw new RangeError("Cannot add up the counters of no connection");
  return {
    tcp: list.map((c) => c.tcp).reduce((a, b) => sum(a, b)),
    frames: list.map((c) => c.frames).reduce((a, b) => sum(a, b)),
  };
}

function sum<T extends object>(a: T, b: T): T {
  const out = { ...a } as Record<string, unknown>;
  for (const [key, value] of Object.entries(b)) {
    if (typeof value !== "number") continue;
    if (GAUGES.has(key)) out[key] = value || out[key];
    else if (typeof out[key] === "number") out[key] = (out[key] as number) + value;
    else out[key] = value;
  }
  return out as T;
}
