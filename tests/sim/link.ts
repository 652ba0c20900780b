/**
 * One direction of a simulated link on a virtual clock: seeded loss, duplication, reordering, delay with jitter,
 * corruption (the receiver drops it as a bad checksum) and a bandwidth limit with a tail-drop queue.
 *
 * @module
 */

import type { TcpRepr } from "../../src/wire/tcp_repr.ts";

/** Impairments of one direction; probabilities in [0, 1]. */
export interface LinkConfig {
  /** One-way propagation delay in ms. */
  delayMs: number;
  /** Uniform extra delay in [0, jitterMs). */
  jitterMs?: number;
  /** Probability that a segment is lost. */
  loss?: number;
  /** Probability that a segment is delivered twice. */
  duplicate?: number;
  /** Probability that a segment is held back by up to `reorderMs` (reordering). */
  reorder?: number;
  /** Extra delay of a reordered segment. */
  reorderMs?: number;
  /** Probability that a segment is corrupted (and dropped by the receiver's checksum check). */
  corrupt?: number;
  /** Bandwidth in bytes per ms (0 or absent: unlimited). */
  bytesPerMs?: number;
  /** Queue in front of the bottleneck, in bytes (default 256 KiB). */
  queueBytes?: number;
}

/** Counters of one direction. */
export interface LinkStats {
  /** Segments offered. */
  sent: number;
  /** Segments lost at random. */
  lost: number;
  /** Segments dropped because the queue was full. */
  queueDrops: number;
  /** Segments corrupted (dropped at the receiver). */
  corrupted: number;
  /** Extra copies delivered. */
  duplicated: number;
}

interface InFlight {
  at: number;
  id: number;
  seg: TcpRepr;
}

/** A virtual-time link direction: `send` at a time, `deliver` what is due. */
export class Link {
  /** Counters. */
  readonly stats: LinkStats = { sent: 0, lost: 0, queueDrops: 0, corrupted: 0, duplicated: 0 };
  /** The impairments. */
  readonly config: LinkConfig;
  readonly #rand: () => number;
  readonly #heap: InFlight[] = [];
  #busyUntil = 0;
  #nextId = 0;

  /** A link with `config`, drawing randomness from `rand`. */
  constructor(config: LinkConfig, rand: () => number) {
    this.config = config;
    this.#rand = rand;
  }

  /** Offers a segment at `now`; the payload is copied (the sender's view is only valid until its next call). */
  send(now: number, seg: TcpRepr): void {
    const c = this.config;
    this.stats.sent++;
    if (c.loss && this.#rand() < c.loss) {
      this.stats.lost++;
      return;
    }
    let depart = now;
    if (c.bytesPerMs) {
      const size = seg.payload.length + 52;
      const start = Math.max(now, this.#busyUntil);
      if ((start - now) * c.bytesPerMs + size > (c.queueBytes ?? 256 * 1024)) {
        this.stats.queueDrops++;
        return;
      }
      depart = start + size / c.bytesPerMs;
      this.#busyUntil = depart;
    }
    if (c.corrupt && this.#rand() < c.corrupt) {
      this.stats.corrupted++;
      return; // a flipped bit fails the checksum: the receiver drops it
    }
    const copy: TcpRepr = { ...seg, payload: seg.payload.slice() };
    this.#push(depart + this.#delay(), copy);
    if (c.duplicate && this.#rand() < c.duplicate) {
      this.stats.duplicated++;
      this.#push(depart + this.#delay(), copy);
    }
  }

  /** Time of the next delivery, or null. */
  nextAt(): number | null {
    return this.#heap.length > 0 ? this.#heap[0].at : null;
  }

  /** Removes and returns the next segment due at `now`, or null. */
  deliver(now: number): TcpRepr | null {
    if (this.#heap.length === 0 || this.#heap[0].at > now) return null;
    return this.#pop().seg;
  }

  #delay(): number {
    const c = this.config;
    let d = c.delayMs + (c.jitterMs ? this.#rand() * c.jitterMs : 0);
    if (c.reorder && this.#rand() < c.reorder) d += this.#rand() * (c.reorderMs ?? 2 * c.delayMs);
    return d;
  }

  #less(a: InFlight, b: InFlight): boolean {
    return a.at < b.at || (a.at === b.at && a.id < b.id);
  }

  #push(at: number, seg: TcpRepr): void {
    const h = this.#heap;
    h.push({ at, id: this.#nextId++, seg });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  #pop(): InFlight {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.#less(h[l], h[m])) m = l;
        if (r < h.length && this.#less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
