/**
 * Out-of-order bookkeeping (smoltcp's Assembler idea): a short sorted list of byte intervals, in stream offsets,
 * that lie beyond RCV.NXT and are already stored in the receive ring. RFC 9293 §3.10.7.4 (seventh step) lets a
 * receiver keep such segments; RFC 2018 §4 says which of them to report as SACK blocks.
 *
 * When copies overlap, the FIRST received copy wins: only the uncovered gaps of a new segment are written.
 *
 * @module
 */

/** Intervals `[start, end)` beyond the in-order data; offsets are plain stream offsets (never wrap). */
export class Assembler {
  /** Most intervals kept; a segment that would need more is dropped (the peer retransmits it). */
  static readonly MAX_INTERVALS = 128;
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];
  /** Offsets inside the most recently received out-of-order segments, newest first (RFC 2018 §4). */
  readonly #recent: number[] = [];

  /** True when nothing is held out of order. */
  get isEmpty(): boolean {
    return this.#starts.length === 0;
  }

  /** Number of intervals held. */
  get size(): number {
    return this.#starts.length;
  }

  /** End of the highest interval, or -1. */
  get highestEnd(): number {
    return this.#ends.length === 0 ? -1 : this.#ends[this.#ends.length - 1];
  }

  /**
   * Calls `gap(from, to)` for every part of `[start, end)` not yet held, then records the whole range.
   * Returns false (and records nothing) when the list is full and the range would need a new interval.
   */
  insert(start: number, end: number, gap: (from: number, to: number) => void): boolean {
    const s = this.#starts, e = this.#ends;
    const last = s.length - 1;
    if (last >= 0 && start >= e[last]) {
      // The usual out-of-order arrival: at or after the highest interval. No search, no splice (no garbage).
      if (start > e[last]) {
        if (s.length >= Assembler.MAX_INTERVALS) return false;
        s.push(start);
        e.push(end);
      } else e[last] = end;
      gap(start, end);
      this.#noteRecent(start);
      return true;
    }
    let i = 0;
    while (i < s.length && e[i] < start) i++;
    // i: first interval that ends at or after start (may touch it).
    if ((i === s.length || s[i] > end) && s.length >= Assembler.MAX_INTERVALS) return false;
    let pos = start;
    let j = i;
    while (j < s.length && s[j] <= end) {
      if (s[j] > pos) gap(pos, s[j]);
      if (e[j] > pos) pos = e[j];
      j++;
    }
    if (pos < end) gap(pos, end);
    // Merge intervals i..j-1 with [start, end).
    const newStart = i < j ? Math.min(s[i], start) : start;
    const newEnd = i < j ? Math.max(e[j - 1], end) : end;
    s.splice(i, j - i, newStart);
    e.splice(i, j - i, newEnd);
    this.#noteRecent(start);
    return true;
  }

  /** Removes the first interval if it starts at or before `nxt`; returns the new in-order end. */
  advance(nxt: number): number {
    while (this.#starts.length > 0 && this.#starts[0] <= nxt) {
      if (this.#ends[0] > nxt) nxt = this.#ends[0];
      this.#starts.shift();
      this.#ends.shift();
    }
    for (let k = this.#recent.length - 1; k >= 0; k--) if (this.#recent[k] < nxt) this.#recent.splice(k, 1);
    return nxt;
  }

  /**
   * Writes up to `max` SACK blocks as stream offsets into `out` (pairs) and returns how many: first the block
   * holding the most recent segment, then those of earlier recent segments, then the others (RFC 2018 §4).
   */
  sackBlocks(max: number, out: number[]): number {
    let n = 0;
    const take = (k: number) => {
      for (let m = 0; m < n; m++) if (out[2 * m] === this.#starts[k]) return;
      out[2 * n] = this.#starts[k];
      out[2 * n + 1] = this.#ends[k];
      n++;
    };
    for (let r = 0; r < this.#recent.length && n < max; r++) {
      const k = this.#find(this.#recent[r]);
      if (k >= 0) take(k);
    }
    for (let k = this.#starts.length - 1; k >= 0 && n < max; k--) take(k);
    return n;
  }

  /** Forgets everything (the connection closed). */
  clear(): void {
    this.#starts.length = 0;
    this.#ends.length = 0;
    this.#recent.length = 0;
  }

  /** Index of the interval holding `offset`, or -1. */
  #find(offset: number): number {
    for (let k = 0; k < this.#starts.length; k++) {
      if (this.#starts[k] <= offset && offset < this.#ends[k]) return k;
    }
    return -1;
  }

  /** Remembers `offset` as the newest out-of-order arrival (RFC 2018 §4 ordering). */
  #noteRecent(offset: number): void {
    const r = this.#recent;
    const k = r.indexOf(offset);
    if (k >= 0) r.splice(k, 1);
    r.unshift(offset);
    if (r.length > 4) r.length = 4;
  }
}
