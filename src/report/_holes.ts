/**
 * The recorder's own view of what has arrived: the in-order edge (RCV.NXT as seen on the wire) and a short sorted
 * list of intervals beyond it, in preallocated arrays. It classifies a segment as out of order exactly when the
 * engine does ("arrived beyond RCV.NXT"), without reading the engine: the recorder sees each segment before the
 * engine takes it.
 *
 * @module
 */

/** Intervals kept beyond the edge; more (a pathological path) merges the highest ones, which only blurs the view. */
const MAX_INTERVALS = 64;

/**
 * The in-order edge and the intervals held beyond it, in stream offsets.
 *
 * @example
 * ```ts
 * const h = new ArrivedBytes();
 * h.add(1000, 2000); // beyond the edge (0): out of order
 * h.add(0, 1000);    // fills the hole
 * h.edge;            // 2000
 * ```
 */
export class ArrivedBytes {
  readonly #starts = new Float64Array(MAX_INTERVALS);
  readonly #ends = new Float64Array(MAX_INTERVALS);
  #count = 0;
  /** Every byte before this offset arrived. */
  edge = 0;

  /** Records `[start, end)`; returns whether it lay beyond the edge (a hole before it). */
  add(start: number, end: number): boolean {
    if (end <= this.edge) return false;
    if (start <= this.edge) {
      this.edge = end;
      this.#absorb();
      return false;
    }
    this.#insert(start, end);
    return true;
  }

  /** Moves the edge over the intervals it now reaches. */
  #absorb(): void {
    let k = 0;
    while (k < this.#count && this.#starts[k] <= this.edge) {
      if (this.#ends[k] > this.edge) this.edge = this.#ends[k];
      k++;
    }
    if (k === 0) return;
    this.#starts.copyWithin(0, k, this.#count);
    this.#ends.copyWithin(0, k, this.#count);
    this.#count -= k;
  }

  #insert(start: number, end: number): void {
    const s = this.#starts, e = this.#ends;
    let i = 0;
    while (i < this.#count && e[i] < start) i++;
    // Merge with every interval that touches [start, end).
    let j = i;
    while (j < this.#count && s[j] <= end) {
      if (s[j] < start) start = s[j];
      if (e[j] > end) end = e[j];
      j++;
    }
    if (j > i) {
      s[i] = start;
      e[i] = end;
      s.copyWithin(i + 1, j, this.#count);
      e.copyWithin(i + 1, j, this.#count);
      this.#count -= j - i - 1;
      return;
    }
    if (this.#count === MAX_INTERVALS) {
      // Full: the new interval and the highest one become one (the view of far holes blurs, the edge stays exact).
      if (i === this.#count) {
        if (end > e[this.#count - 1]) e[this.#count - 1] = end;
        return;
      }
      this.#count--;
    }
    s.copyWithin(i + 1, i, this.#count);
    e.copyWithin(i + 1, i, this.#count);
    s[i] = start;
    e[i] = end;
    this.#count++;
  }
}
