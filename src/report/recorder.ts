/**
 * The recorder of a run for `--report`: a segment watch (every segment of every connection, as the driver decoded or
 * built it) and a connection watch (hops, milestones, heads) in one object, which the program hands to the transport
 * and the download loop. Connections follow each other (one per hop), so segments go to the current one. The report
 * is built at the end, once.
 *
 * @module
 */

import type { TcpRepr } from "../wire/mod.ts";
import type { OpenedFacts } from "./_facts.ts";
import { ConnectionRecorder } from "./connection_recorder.ts";
import { type DownloadReport, type DownloadSummary, type Report, REPORT_SCHEMA } from "./model.ts";

/**
 * Rows the data-segment table of a connection keeps before it samples (the other tables keep fewer). 65,536 keeps
 * every segment of a download up to about 90 MiB and still draws a dense graph of 1 GiB, while building the report
 * at the end stays within a few tens of milliseconds.
 */
export const DEFAULT_BUDGET = 65536;

/** Options of {@linkcode ReportRecorder}. */
export interface RecorderOptions {
  /** The driver's clock (ms): `performance.now` in the program, a virtual clock in tests. */
  readonly clock: () => number;
  /** The wall clock as ISO 8601 text, for the report's dates. */
  readonly wallClock: () => string;
  /** `rawhttpget VERSION`. */
  readonly generator: string;
  /** Rows of the data-segment table before sampling (default {@linkcode DEFAULT_BUDGET}). */
  readonly budget?: number;
}

/** Application milestones the watch reports (the transport's `Milestone`). */
type Milestone = "connected" | "request" | "first-byte" | "last-byte" | "closed";

const MILESTONE_PHASE = {
  "connected": "connected",
  "request": "request",
  "first-byte": "firstByte",
  "last-byte": "lastByte",
  "closed": "closed",
} as const;

/**
 * Records a run.
 *
 * @example
 * ```ts
 * const recorder = new ReportRecorder({ clock: () => performance.now(), wallClock: () => "", generator: "rawhttpget" });
 * recorder.startDownload("http://198.18.2.2/a");
 * // … download(url, { segments: recorder, watch: recorder }) …
 * recorder.endDownload({ sentence: "Saved …", ok: true, bytes: 1, received: 1, seconds: 0.1, engine: {}, frames: {} });
 * const report = recorder.report();
 * ```
 */
export class ReportRecorder {
  readonly #options: RecorderOptions;
  readonly #startedAt: string;
  readonly #connections: ConnectionRecorder[] = [];
  readonly #downloads: Array<{ url: string; connections: number[]; summary: DownloadSummary | null }> = [];
  #current: ConnectionRecorder | null = null;

  /** A recorder for a run starting now. */
  constructor(options: RecorderOptions) {
    this.#options = options;
    this.#startedAt = options.wallClock();
  }

  /** A URL of the run starts (its hops follow). */
  startDownload(url: string): void {
    this.#downloads.push({ url, connections: [], summary: null });
  }

  /** The current URL ended: the numbers the program printed, or its error sentence. */
  endDownload(summary: DownloadSummary): void {
    const last = this.#downloads.at(-1);
    if (last !== undefined) last.summary = summary;
  }

  // ---- ConnectionWatch ----

  /** A hop starts: a new connection record. */
  hop(url: string, secure: boolean): void {
    const index = this.#connections.length + 1;
    const o = this.#options;
    const rec = new ConnectionRecorder(
      index,
      url,
      secure,
      o.clock(),
      o.wallClock(),
      o.budget ?? DEFAULT_BUDGET,
    );
    this.#current?.end();
    this.#connections.push(rec);
    this.#current = rec;
    if (this.#downloads.length === 0) this.startDownload(url);
    this.#downloads.at(-1)!.connections.push(index);
  }

  /** The stream is ready: its facts and the engine to read. */
  opened(facts: OpenedFacts): void {
    const rec = this.#current;
    if (rec === null) return;
    rec.facts = facts;
    rec.engine = facts.engine;
    rec.phases.resolved = facts.resolvedAt;
    rec.phases.opened = this.#options.clock();
  }

  /** A milestone of the current connection (the first of each kind counts). */
  milestone(name: Milestone): void {
    const rec = this.#current;
    if (rec === null) return;
    rec.phases[MILESTONE_PHASE[name]] ??= this.#options.clock();
  }

  /** The response head of the current connection. */
  head(lines: readonly string[]): void {
    if (this.#current !== null) this.#current.head = [...lines];
  }

  // ---- SegmentWatch ----

  /** A segment we sent. */
  sent(now: number, segment: TcpRepr): void {
    this.#current?.sent(now, segment);
  }

  /** A segment we received, in `frame`. */
  received(now: number, segment: TcpRepr, frame: Uint8Array): void {
    this.#current?.received(now, segment, frame);
  }

  /** The connections recorded so far (for tests). */
  get connections(): readonly ConnectionRecorder[] {
    return this.#connections;
  }

  /** The report of the run so far. */
  report(): Report {
    const downloads: DownloadReport[] = this.#downloads.map((d) => ({ ...d, connections: [...d.connections] }));
    return {
      schema: REPORT_SCHEMA,
      generator: this.#options.generator,
      startedAt: this.#startedAt,
      budget: this.#options.budget ?? DEFAULT_BUDGET,
      downloads,
      connections: this.#connections.map((c) => c.toReport()),
    };
  }
}
