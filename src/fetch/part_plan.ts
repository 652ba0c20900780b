/**
 * Which byte ranges of a file each connection of a parallel download (`--connections N`) fetches: the first shares,
 * the ranges handed out later (chunks, retries of a failed part), and work stealing at the end. Pure and sans-IO: no
 * clock, no I/O; the coordinator tells it what happened (`advance`, `release`) and asks what to do next (`assign`).
 *
 * Invariant: every byte of [0, size) is in exactly one of three places: received (had before, or advanced by a
 * worker), held by a worker ([position, end) of its range), or unassigned (waiting to be handed out). So no byte is
 * fetched twice or lost, whatever order the calls come in.
 *
 * @module
 */

import { type ByteRange, RangeSet } from "../save/mod.ts";

/** How a {@linkcode PartPlan} cuts the file. */
export interface PartPlanOptions {
  /** A range is never split into pieces smaller than this (bytes; default 1 MiB): a new connection costs round trips. */
  readonly minPart?: number;
  /** Largest range handed out at once (wget2's --chunk-size); absent: the file's missing bytes shared evenly by `workers`. */
  readonly chunkSize?: number;
}

/** What the coordinator knows that helps a steal (see {@linkcode PartPlan.assign}). */
export interface StealHints {
  /** The least a victim must have left (a thief on a new connection must win more than its set-up costs). */
  readonly minSteal?: number;
  /**
   * A worker's rate in bytes per second on its current connection, or null when that connection has not shown one
   * yet (it is starting: such a worker is a victim only when no other is left).
   */
  readonly rateOf?: (worker: number) => number | null;
  /**
   * Seconds before the thief's bytes flow at its rate: a round trip for a request on a kept connection, several for a
   * new one (handshake, request, slow start). The split gives the victim that much more, and there is no steal when
   * the thief's part would come out shorter than minPart.
   */
  readonly costS?: number;
}

/** A range given to a worker: it fetches [start, end) and writes it at those offsets. */
export interface Assignment {
  /** The worker (connection) number, 0 ≤ worker < workers. */
  readonly worker: number;
  /** The first byte to fetch. */
  readonly start: number;
  /** One past the last byte to fetch (a later steal may lower it: see {@linkcode PartPlan.endOf}). */
  readonly end: number;
}

/**
 * Smallest piece by default: 1 MiB takes ~10 round trips of slow start to reach a useful window, so a connection for
 * less would spend most of its life starting up (and a range request costs a round trip of its own).
 */
export const DEFAULT_MIN_PART = 1024 * 1024;

/** The part of a worker's range it has not received yet. */
interface Held {
  position: number;
  end: number;
}

/**
 * The plan of a parallel download of `size` bytes by `workers` connections, `have` being already on disk.
 *
 * Call order: `assign(w)` for each worker (worker 0 first: its first range starts at the first missing byte, where
 * the coordinator's first connection already reads); `advance(w, n)` as its bytes are given to the file; at its end
 * (or when it fails) `release(w)`, then `assign(w)` again for more; a null assignment means nothing is left worth a
 * connection. Done when {@linkcode complete}.
 *
 * @example
 * ```ts
 * const plan = new PartPlan(10 << 20, 4);
 * plan.assign(0); // { worker: 0, start: 0, end: 2621440 }
 * plan.advance(0, 2621440);
 * plan.release(0);
 * plan.assign(0); // the next unassigned share, or half of the largest range left
 * ```
 */
export class PartPlan {
  /** The whole file's size. */
  readonly size: number;
  /** Workers the file is shared by. */
  readonly workers: number;
  readonly #minPart: number;
  /** Most bytes one assignment takes from the unassigned ranges: a chunk, or one share of the missing bytes. */
  readonly #limit: number;
  /** Bytes handed out to nobody now (the first share excepted while it is reserved). */
  readonly #unassigned: RangeSet;
  /** Worker 0's first range, kept for it until it asks (or until nothing else is left for the others). */
  #reserved: ByteRange | null = null;
  readonly #held = new Map<number, Held>();
  #received: number;

  /** Plans the download of the bytes of [0, size) missing from `have`. */
  constructor(size: number, workers: number, have: readonly ByteRange[] = [], options: PartPlanOptions = {}) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`Cannot plan a file of ${size} bytes`);
    if (!Number.isSafeInteger(workers) || workers < 1) throw new RangeError(`Cannot plan for ${workers} workers`);
    const minPart = options.minPart ?? DEFAULT_MIN_PART;
    if (!Number.isSafeInteger(minPart) || minPart < 1) throw new RangeError(`Cannot use a minimum part of ${minPart}`);
    const chunk = options.chunkSize;
    if (chunk !== undefined && (!Number.isSafeInteger(chunk) || chunk < 1)) {
      throw new RangeError(`Cannot use a chunk size of ${chunk}`);
    }
    const had = new RangeSet(have);
    const last = had.ranges().at(-1);
    if (last !== undefined && last.end > size) {
      throw new RangeError(`Cannot plan a file of ${size} bytes that has bytes up to ${last.end}`);
    }
    this.size = size;
    this.workers = workers;
    this.#minPart = minPart;
    this.#received = had.total;
    this.#unassigned = new RangeSet(had.gaps(size));
    const missing = size - had.total;
    // As many shares as workers, but none below minPart: a 1.5 MiB file with 4 workers is one share, as a second
    // connection would cost more round trips than its half saves. Equal shares end at about the same time.
    const shares = Math.max(1, Math.min(workers, Math.floor(missing / minPart)));
    this.#limit = chunk ?? Math.max(1, Math.ceil(missing / shares));
    // The coordinator's first connection already reads from the first missing byte: that share is worker 0's.
    this.#reserved = this.#take();
  }

  /**
   * The next range for `worker` (which must hold none), in this order:
   * 1. worker 0's first range (the share at the first missing byte);
   * 2. the unassigned range at the lowest offset, at most one share or chunk of it: in order of offset, so the file
   *    fills from its start, as a reader of the growing file would like;
   * 3. the reserved first range, when worker 0 never came for it and nothing else is left (no byte may be stranded);
   * 4. a steal from the worker that will take longest to finish, if it has at least 2·minPart left (and `minSteal`,
   *    when the thief's connection would cost more than a request: a new one's handshake and slow start); see
   *    {@linkcode StealHints} for how rates choose the victim and the split;
   * 5. null: nothing left worth a connection (every worker still on the job has less than 2·minPart to go).
   */
  assign(worker: number, hints: StealHints = {}): Assignment | null {
    this.#checkWorker(worker);
    if (this.#held.has(worker)) throw new TypeError(`Cannot assign a range to worker ${worker}: it holds one`);
    let range: ByteRange | null = null;
    if (worker === 0 && this.#reserved !== null) [range, this.#reserved] = [this.#reserved, null];
    range ??= this.#take();
    if (range === null && this.#reserved !== null) [range, this.#reserved] = [this.#reserved, null];
    range ??= this.#steal(worker, hints);
    if (range === null) return null;
    this.#held.set(worker, { position: range.start, end: range.end });
    return { worker, start: range.start, end: range.end };
  }

  /** `worker` has `bytes` more at its position (given to the file). Throws RangeError past its end. */
  advance(worker: number, bytes: number): void {
    const held = this.#held.get(worker);
    if (held === undefined) throw new TypeError(`Cannot advance worker ${worker}: it holds no range`);
    if (!Number.isSafeInteger(bytes) || bytes < 0 || held.position + bytes > held.end) {
      throw new RangeError(`Cannot advance worker ${worker} by ${bytes} bytes from ${held.position} to ${held.end}`);
    }
    held.position += bytes;
    this.#received += bytes;
  }

  /** The next byte `worker` writes, or null when it holds nothing. */
  positionOf(worker: number): number | null {
    return this.#held.get(worker)?.position ?? null;
  }

  /** The current end of `worker`'s range (lowered when a steal took its second half), or null when it holds nothing. */
  endOf(worker: number): number | null {
    return this.#held.get(worker)?.end ?? null;
  }

  /**
   * `worker` reached its end (or gave up): what it did not get returns to the unassigned ranges, to be handed out
   * again (the retry of a failed part), and it holds nothing. Releasing a worker that holds nothing does nothing, so
   * that every way a connection ends may call it.
   */
  release(worker: number): void {
    const held = this.#held.get(worker);
    if (held === undefined) return;
    this.#held.delete(worker);
    this.#unassigned.add(held.position, held.end);
  }

  /** Bytes given to the file (had + advanced). */
  get received(): number {
    return this.#received;
  }

  /** Every byte of the file is received. */
  get complete(): boolean {
    return this.#received === this.size;
  }

  /** Workers holding a range now. */
  get live(): number {
    return this.#held.size;
  }

  /** The ranges handed out to no worker now, sorted (for traces and checks). */
  unassigned(): ByteRange[] {
    const all = new RangeSet(this.#unassigned.ranges());
    if (this.#reserved !== null) all.add(this.#reserved.start, this.#reserved.end);
    return all.ranges();
  }

  /**
   * Takes the unassigned range at the lowest offset, at most #limit bytes of it. A remainder shorter than the smaller
   * of minPart and the limit goes with it: it would cost a connection of its own for almost nothing.
   */
  #take(): ByteRange | null {
    const first = this.#unassigned.ranges()[0];
    if (first === undefined) return null;
    let end = Math.min(first.end, first.start + this.#limit);
    if (first.end - end < Math.min(this.#minPart, this.#limit)) end = first.end;
    this.#unassigned.remove(first.start, end);
    return { start: first.start, end };
  }

  /**
   * The victim is the worker that will take longest to finish its range: bytes left over its rate (the most bytes
   * left when rates are not known; the lowest number on a tie, for a plan that does not depend on the map's order).
   * Splitting it shortens the download's critical path the most. It must have at least 2·minPart left, so both halves
   * are worth a connection. The victim keeps the near part (its connection already reads its range in order) and the
   * thief takes the far one, split by their rates and the thief's start-up cost so that both end together: a slow
   * flow keeps less, a thief on a new connection gets less (and nothing when its part would be under minPart).
   */
  #steal(thief: number, hints: StealHints): ByteRange | null {
    const rateOf = (id: number) => {
      const r = hints.rateOf?.(id) ?? null;
      return r !== null && r > 0 ? r : null;
    };
    const known = [...this.#held.keys()].map(rateOf).filter((r): r is number => r !== null);
    const typical = known.length === 0 ? 1 : known.reduce((a, b) => a + b) / known.length;
    const rate = (id: number) => rateOf(id) ?? typical;
    // A worker still starting (no rate on its connection yet) is left alone while another can be split: its time
    // left is a guess, and it is about to show what it can do.
    const starting = (id: number) => hints.rateOf !== undefined && rateOf(id) === null;
    const candidates = [...this.#held].filter(([id]) => !starting(id));
    let victim: Held | null = null;
    let victimId = Infinity;
    let longest = -1;
    for (const [id, held] of candidates.length > 0 ? candidates : [...this.#held]) {
      const time = (held.end - held.position) / rate(id);
      if (time > longest || (time === longest && id < victimId)) [victim, victimId, longest] = [held, id, time];
    }
    if (victim === null) return null;
    const left = victim.end - victim.position;
    if (left < 2 * this.#minPart || left < (hints.minSteal ?? 0)) return null;
    // Both end together: keep / rv = cost + (left − keep) / rt.
    const rv = rate(victimId), rt = rateOf(thief) ?? typical;
    const keep = Math.round((left * rv + (hints.costS ?? 0) * rv * rt) / (rv + rt));
    if (left - keep < this.#minPart) return null;
    const mid = victim.position + Math.max(this.#minPart, keep);
    const stolen = { start: mid, end: victim.end };
    victim.end = mid;
    return stolen;
  }

  #checkWorker(worker: number): void {
    if (!Number.isSafeInteger(worker) || worker < 0 || worker >= this.workers) {
      throw new RangeError(`Cannot use worker ${worker} of ${this.workers}`);
    }
  }
}
