/**
 * How fast one connection of a download over several connections goes, for the steals of `part_plan.ts`.
 *
 * @module
 */

import { MIN_PART } from "./parallel_policy.ts";

/**
 * The rate of one worker's connection (`at` after each piece, `rate` when a steal asks): bytes over time since its
 * first byte (the handshake and the request's round trip left out); null until it has 100 ms and a megabyte of them.
 *
 * @example
 * ```ts
 * const meter = new RateMeter(0);
 * meter.at(2_000_000); // after each piece
 * meter.rate; // bytes per second, or null
 * ```
 */
export class RateMeter {
  readonly #from: number;
  #first: number | null = null;
  #at = 0;
  #position: number;

  /** A meter from `position` on (the byte the connection's range starts at). */
  constructor(position: number) {
    this.#from = position;
    this.#position = position;
  }

  /** The worker's position now. */
  at(position: number): void {
    const now = performance.now();
    this.#first ??= now;
    this.#at = now;
    this.#position = position;
  }

  /**
   * Bytes per second, or null: too early to tell. A new connection is still in slow start for its first megabyte or so:
   * its rate then says little of what it will do, so it shows none (and is not split by a steal meanwhile).
   */
  get rate(): number | null {
    if (this.#first === null || this.#at - this.#first < 100 || this.#position - this.#from < MIN_PART) return null;
    return (this.#position - this.#from) / ((this.#at - this.#first) / 1000);
  }
}
