/**
 * One file over several connections (`--connections N`): the first connection's response says the file can be split
 * (`parallel_policy.ts`), its body becomes worker 0's part, and workers 1…N−1 open connections of their own, each
 * asking for its range with `If-Range`. Every worker writes at its own offsets of the one `NAME.part` file; a worker
 * that is done takes the next unassigned range or half of the largest remaining one (`part_plan.ts`), over the same
 * connection when its response ended where it asked (keep-alive) or a new one otherwise.
 *
 * ```text
 *   first hop: GET ─ 200, Accept-Ranges, ETag ─► worker 0: [0, S/N) ── then more ranges, its own connections
 *                                                 worker 1: Range: bytes=S/N-… If-Range: "etag" ─► 206 …
 *                                                 …
 *   NAME.part  ◄── writes at each worker's offsets        NAME.part.map ◄── ranges on disk, saved as they land
 * ```
 *
 * Errors stay with their part: a reset or a timeout releases what the worker had left (another worker, or the same
 * one after its pause, takes it again) and never touches another part's bytes; a part failing `tries` times in a row
 * without progress ends the download with the part file and its map kept for `-c`. A file that changes on the
 * server (`FileChangedError`) ends it at once and the part file is removed: nothing of two versions is kept.
 *
 * @module
 */

import { ConnectionError, type OpenStream } from "../transport/mod.ts";
import { type PartFile, partMapPath, removePartMap, writePartMap } from "../save/mod.ts";
import type { ParsedUrl } from "../http/mod.ts";
import { ConnectionPool } from "./connection.ts";
import { type CounterSnapshot, sumCounters } from "./counters.ts";
import { FileChangedError, retryable } from "./errors.ts";
import { Hop } from "./hop.ts";
import type { DownloadContext, HopDone } from "./hop_types.ts";
import type { FetchEvents } from "./options.ts";
import { type FileVersion, ifRangeOf } from "./parallel_policy.ts";
import type { PartPlan } from "./part_plan.ts";
import { PartSink } from "./part_sink.ts";
import { PLAIN_GET } from "./request_method.ts";
import { RateMeter } from "./rate_meter.ts";

/** The receive buffer of a connection when the options name none (the engine's default, `resolveOptions`). */
const DEFAULT_RECV_BUFFER = 8 * 1024 * 1024;
/**
 * The least receive buffer of a part's connection: 1 MiB is ~10 MiB/s at 100 ms per connection. The parts share
 * the window one connection would have: the same rate at a given round trip, and memory flat in N.
 */
const MIN_PART_WINDOW = 1024 * 1024;

/** The part map is saved at most this often while parts land (and always at the end). */
const MAP_SAVE_MS = 500;

/** What a parallel download is made of, once the first response said it can be. */
export interface ParallelInput {
  /** The URL the parts are asked from (the first hop's, after redirects). */
  readonly url: ParsedUrl;
  /** The download's context; the parts get one of their own (own carry, no progress of their own). */
  readonly context: DownloadContext;
  /** How connections are opened. */
  readonly openStream: OpenStream;
  /** The plan of ranges; worker 0 (the first connection) holds the range starting at the first missing byte. */
  readonly plan: PartPlan;
  /** The part file the workers write into. */
  readonly file: PartFile;
  /** The version every part must come from. */
  readonly version: FileVersion;
  /** How many connections at once. */
  readonly connections: number;
  /** Ends the first hop's exchange (a signal). */
  readonly interruptFirst: () => void;
}

/** A download over several connections; see the module's description. */
export class ParallelDownload {
  readonly #in: ParallelInput;
  readonly #events: FetchEvents;
  readonly #first: PartSink;
  readonly #workers: Promise<void>[] = [];
  readonly #counters: CounterSnapshot[] = [];
  readonly #interrupts = new Map<number, () => void>();
  readonly #pools: ConnectionPool[] = [];
  #fatal: unknown = null;
  #live = 1;
  /** The most connections open at once. */
  #peak = 1;
  #mapTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #had: number;
  /** Each worker's rate on its current connection (a thief's: on the one it just finished). */
  readonly #rates = new Map<number, RateMeter>();
  /** Each part connection's receive buffer: together what one connection's would be, 1 MiB at least. */
  readonly #window: number;

  /**
   * Starts the download: the part map is on disk before any byte goes to an offset (a `kill -9` at any moment leaves
   * a file that `-c` can continue), then workers 1…N−1 start.
   */
  constructor(input: ParallelInput) {
    this.#in = input;
    this.#events = input.context.events;
    this.#had = input.plan.received;
    const whole = input.context.options.recvBufferSize ?? DEFAULT_RECV_BUFFER;
    this.#window = Math.max(MIN_PART_WINDOW, Math.ceil(whole / input.connections));
    const plan = input.plan;
    if (plan.positionOf(0) === null && plan.assign(0) === null) throw new RangeError("Nothing left to fetch");
    this.#first = this.#sink(0, null);
    this.#saveMap();
    input.file.onFlushed = () => this.#scheduleMapSave();
    this.#events.onInterruptible?.(() => this.#interrupt());
    for (let w = 1; w < input.connections; w++) this.#workers.push(this.#work(w, 0));
    this.#showConnections();
  }

  /** Bytes of the file received so far (what a resumed file had included). */
  get received(): number {
    return this.#in.plan.received;
  }

  /** The whole file's size. */
  get size(): number {
    return this.#in.version.size;
  }

  /** The output of the first connection's body (worker 0's range). */
  get firstSink(): PartSink {
    return this.#first;
  }

  /**
   * The first connection ended with `error` (null: its exchange completed or was stopped at its range's end), after
   * `counters`: worker 0 goes on with more ranges while the others finish; resolves to the whole file, committed, or
   * throws why it failed.
   */
  async settle(error: unknown, counters: CounterSnapshot): Promise<HopDone> {
    this.#counters.push(counters);
    this.#live--;
    const plan = this.#in.plan;
    let failures = 0;
    if (error !== null) {
      if (!this.#recoverable(error)) this.#fail(error);
      else failures = 1;
    }
    // Worker 0 starts afresh: what its first range still lacks goes back to the plan.
    if (plan.positionOf(0) !== null) plan.release(0);
    await this.#first.flush().catch((e) => this.#fail(e));
    this.#workers.push(this.#work(0, failures, error));
    await Promise.all(this.#workers);
    clearTimeout(this.#mapTimer);
    for (const pool of this.#pools) await pool.close();
    const file = this.#in.file;
    const mapPath = partMapPath(file.partPath);
    if (this.#fatal !== null) {
      const changed = this.#fatal instanceof FileChangedError;
      await file.abandon(!changed);
      if (changed) {
        removePartMap(mapPath);
        const e = this.#fatal as FileChangedError;
        throw new FileChangedError(e.detail, `; ${file.partPath} was removed (download it again)`);
      }
      this.#saveMap();
      this.#in.context.carry.target = { path: file.path, inPlace: false };
      throw this.#fatal;
    }
    await file.commit();
    removePartMap(mapPath);
    const all = sumCounters(this.#counters);
    const size = this.#in.version.size;
    const received = plan.received - this.#had;
    const extent = { end: size, size };
    return {
      path: file.path,
      saved: true,
      bytes: size,
      received,
      status: 200,
      extent,
      connections: this.#peak,
      ...all,
    };
  }

  /** One worker: ranges one after the other until nothing is left worth taking, or the download failed. */
  async #work(w: number, failures: number, lastError: unknown = null): Promise<void> {
    const { plan, url } = this.#in;
    const openStream: OpenStream = (endpoint) =>
      this.#in.openStream(endpoint, { recvBufferSize: this.#window, unwatched: true });
    const pool = new ConnectionPool();
    this.#pools.push(pool);
    const tries = this.#in.context.options.tries ?? 3;
    while (this.#fatal === null) {
      if (failures > 0) {
        if (failures >= tries) return this.#fail(lastError);
        const delay = this.#in.context.options.retryDelayMs?.(failures) ?? Math.min(10, failures) * 1000;
        this.#events.notice?.(`A part failed (${(lastError as Error).message}); retrying it in ${delay / 1000} s`);
        await this.#sleep(delay);
        if (this.#fatal !== null) return;
      }
      // A worker without a kept connection pays a new one's round trips before its bytes flow.
      const costS = this.#startupS(pool.idle === 0);
      const hints = { costS, rateOf: (id: number) => this.#rates.get(id)?.rate ?? null };
      if (plan.positionOf(w) === null && plan.assign(w, hints) === null) return;
      const before = plan.received;
      const sink = this.#sink(w, plan.endOf(w)! - 1);
      this.#live++;
      this.#showConnections();
      try {
        const hop = await new Hop(url, this.#partContext(w), false, PLAIN_GET, sink).run(openStream, pool);
        if (hop.kind === "done") this.#counters.push(hop.done);
        else if (hop.kind === "redirect") throw new FileChangedError(`moved it (${hop.status}) during the download`);
        await sink.flush();
        failures = 0;
        if (sink.done) plan.release(w);
      } catch (e) {
        lastError = e;
        if (!this.#recoverable(e)) return this.#fail(e);
        failures = plan.received > before ? 1 : failures + 1;
        plan.release(w);
      } finally {
        this.#live--;
        this.#showConnections();
      }
    }
  }

  /**
   * Seconds before a thief's bytes flow at the others' pace, in round trips of the connections so far: one for the
   * request over a kept connection; seven for a new one (the handshake, the request, and about five rounds of slow
   * start from ten segments to the megabyte or so that one of several connections keeps in flight).
   */
  #startupS(cold: boolean): number {
    const srttS = Math.max(0, ...this.#counters.map((c) => c.tcp.srttMs)) / 1000;
    return (cold ? 7 : 1) * srttS;
  }

  /** A sink for worker `w` from its position; `last`: the last byte its request asks for (null: to the end). */
  #sink(w: number, last: number | null): PartSink {
    const { plan, file, version } = this.#in;
    const ask = { last, version, ifRange: ifRangeOf(version) };
    const rate = new RateMeter(plan.positionOf(w)!);
    this.#rates.set(w, rate);
    return new PartSink(w, plan, file.writer(plan.positionOf(w)!), ask, () => {
      rate.at(plan.positionOf(w)!);
      this.#events.onProgress?.(plan.received, version.size);
    });
  }

  /** The context of a part's hops: the download's credentials and cookies, a carry of its own, no progress. */
  #partContext(w: number): DownloadContext {
    const context = this.#in.context;
    const events: FetchEvents = {
      notice: context.events.notice,
      serverResponse: context.events.serverResponse,
      onInterruptible: (interrupt) => this.#interrupts.set(w, interrupt),
    };
    // A part is a plain ranged GET: no -N fields, no resume of its own, no error body saved.
    // --report draws the first connection only (see `StreamRequest.unwatched`).
    const options = {
      ...context.options,
      timestamping: false,
      resume: false,
      startPos: 0,
      contentOnError: false,
      watch: undefined,
      segments: undefined,
    };
    return { ...context, options, carry: { target: null, final: false }, events };
  }

  /** Whether a part's failure is retried with that part alone: the network's, not the file's or the disk's. */
  #recoverable(e: unknown): boolean {
    return retryable(e) && this.#fatal === null;
  }

  /** Ends the download with `e` (the first fatal error wins): every other worker stops at once. */
  #fail(e: unknown): void {
    if (this.#fatal !== null) return;
    this.#fatal = e;
    for (const interrupt of this.#interrupts.values()) interrupt();
    this.#in.interruptFirst();
    this.#wakeSleepers();
  }

  /** A signal: every connection ends now. */
  #interrupt(): void {
    this.#fail(new ConnectionError("interrupted", "The download was interrupted"));
  }

  #sleepers = new Set<() => void>();

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(id);
        this.#sleepers.delete(done);
        resolve();
      };
      const id = setTimeout(done, ms);
      this.#sleepers.add(done);
    });
  }

  #wakeSleepers(): void {
    for (const wake of [...this.#sleepers]) wake();
  }

  #showConnections(): void {
    this.#peak = Math.max(this.#peak, this.#live);
    this.#events.onConnections?.(Math.max(0, this.#live));
  }

  #scheduleMapSave(): void {
    this.#mapTimer ??= setTimeout(() => {
      this.#mapTimer = undefined;
      this.#saveMap();
    }, MAP_SAVE_MS);
  }

  /** Writes what is on disk to the part map; a map that cannot be written fails the download (a resume needs it). */
  #saveMap(): void {
    const { file, version, url } = this.#in;
    try {
      writePartMap(partMapPath(file.partPath), {
        size: version.size,
        etag: version.etag,
        lastModified: version.lastModified,
        url: url.href,
        have: file.flushed.ranges(),
      });
    } catch (e) {
      this.#fail(e);
    }
  }
}
