/**
 * The output of one part of a file fetched over several connections: the bytes of one response go to the part file
 * at the worker's position, as far as the plan lets the worker go. A steal (see `part_plan.ts`) may lower that end
 * while the response is still coming: the bytes past it belong to another worker and are dropped, and the exchange is
 * stopped there (its connection cannot carry another request while the rest of the response is on its way).
 *
 * @module
 */

import type { HeadEvent } from "../http/mod.ts";
import type { Output } from "../save/mod.ts";
import { type FileVersion, judgePart } from "./parallel_policy.ts";
import type { PartPlan } from "./part_plan.ts";

/** A part of a file that a hop fetches: what it asks, what its response means, and where its body goes. */
export interface HopPart {
  /** The first byte asked for. */
  readonly start: number;
  /** The last byte asked for (inclusive), or null: to the end of the file. */
  readonly last: number | null;
  /** The `If-Range` validator of every part. */
  readonly ifRange: string;
  /** The body's output for the response's head; throws when the head is not this part (the file changed…). */
  onHead(head: HeadEvent): Output;
  /** Whether the part has every byte it still wants (its exchange may have been stopped for that). */
  readonly done: boolean;
  /** How to stop the exchange once the part is done before its response is. */
  bindStop(stop: () => void): void;
}

/**
 * Worker `worker`'s bytes from its plan position on, written through `writer` (which starts there).
 *
 * @example
 * ```ts
 * const sink = new PartSink(1, plan, file.writer(plan.positionOf(1)!), { last: plan.endOf(1)! - 1, version, ifRange });
 * await new Hop(url, context, false, PLAIN_GET, sink).run(openStream, pool);
 * ```
 */
export class PartSink implements Output, HopPart {
  readonly start: number;
  readonly last: number | null;
  readonly ifRange: string;
  readonly #worker: number;
  readonly #plan: PartPlan;
  readonly #writer: Output;
  readonly #version: FileVersion;
  readonly #onBytes: () => void;
  #stop: (() => void) | null = null;
  #done = false;
  /** Body bytes still to drop before the part (a server that ignored the range sent the file from its start). */
  #skip = 0;
  /** Where the response's body ends in the file. */
  #responseEnd: number;

  /**
   * `last`: the last byte the request asks for (null: to the end); `onBytes` is told after each piece (progress).
   */
  constructor(
    worker: number,
    plan: PartPlan,
    writer: Output,
    ask: { readonly last: number | null; readonly version: FileVersion; readonly ifRange: string },
    onBytes: () => void = () => {},
  ) {
    this.#worker = worker;
    this.#plan = plan;
    this.#writer = writer;
    this.start = plan.positionOf(worker)!;
    this.last = ask.last;
    this.ifRange = ask.ifRange;
    this.#version = ask.version;
    this.#onBytes = onBytes;
    this.#responseEnd = ask.last === null ? ask.version.size : ask.last + 1;
  }

  /** The final path of the file. */
  get path(): string {
    return this.#writer.path;
  }

  /** Bytes this part gave the file. */
  get written(): number {
    return this.#writer.written;
  }

  /** Whether the worker reached the end of its range. */
  get done(): boolean {
    return this.#done;
  }

  /** See {@linkcode HopPart.bindStop}. */
  bindStop(stop: () => void): void {
    this.#stop = stop;
  }

  /** A 206 of this part, or the whole file of the same version (see `judgePart`), or the error that says why not. */
  onHead(head: HeadEvent): Output {
    this.#skip = judgePart(head, this.start, this.last ?? this.#version.size - 1, this.#version);
    if (this.#skip > 0) this.#responseEnd = this.#version.size;
    return this;
  }

  /** Writes what falls inside the worker's range; at its end, stops the exchange if the response goes on. */
  write(bytes: Uint8Array): boolean {
    if (this.#skip > 0) {
      const dropped = Math.min(this.#skip, bytes.length);
      this.#skip -= dropped;
      if (dropped === bytes.length) return true;
      bytes = bytes.subarray(dropped);
    }
    const plan = this.#plan;
    const w = this.#worker;
    const position = plan.positionOf(w);
    const end = plan.endOf(w);
    if (this.#done || position === null || end === null) return true;
    const n = Math.min(bytes.length, end - position);
    let more = true;
    if (n > 0) {
      more = this.#writer.write(n === bytes.length ? bytes : bytes.subarray(0, n));
      plan.advance(w, n);
      this.#onBytes();
    }
    if (position + n === end) {
      this.#done = true;
      // The response asked for more than the range holds now (a steal lowered its end): cut it off here.
      if (end < this.#responseEnd) this.#stop?.();
    }
    return more;
  }

  /** See {@linkcode Output.drained}. */
  drained(): Promise<void> {
    return this.#writer.drained();
  }

  /** See {@linkcode Output.flush}. */
  flush(): Promise<void> {
    return this.#writer.flush();
  }

  /** The part's bytes are written; the whole file is completed by the download (see `parallel.ts`). */
  commit(): Promise<void> {
    return this.#writer.flush();
  }

  /** Writes what it can; the part file stays (its map says what it holds). */
  abandon(keepPartial: boolean): Promise<void> {
    return this.#writer.abandon(keepPartial);
  }
}
