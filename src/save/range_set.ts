/**
 * Sets of byte ranges of one file: what a parallel download has on disk, what is still missing, what is handed out.
 * Pure: no I/O.
 *
 * @module
 */

/** A half-open byte range [start, end). */
export interface ByteRange {
  /** The first byte. */
  readonly start: number;
  /** One past the last byte. */
  readonly end: number;
}

/** Throws a RangeError unless [start, end) is a range of byte offsets (a caller's mistake, not the peer's). */
function checkRange(start: number, end: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`Cannot use the byte range [${start}, ${end})`);
  }
}

/**
 * A set of disjoint byte ranges, merged as they are added: adjacent or overlapping ranges become one, so the list
 * stays as short as the holes in it (a download adds a range per written chunk).
 *
 * @example
 * ```ts
 * const s = new RangeSet([{ start: 0, end: 10 }]);
 * s.add(10, 20); // one range [0, 20)
 * s.gaps(30); // [{ start: 20, end: 30 }]
 * ```
 */
export class RangeSet {
  /** Sorted by start, disjoint and never adjacent (each `end` is below the next `start`). */
  #ranges: ByteRange[] = [];

  /** A set holding `ranges` (in any order, overlapping or not). */
  constructor(ranges: readonly ByteRange[] = []) {
    for (const r of ranges) this.add(r.start, r.end);
  }

  /** Adds [start, end), merged with the ranges it overlaps or touches; an empty range changes nothing. */
  add(start: number, end: number): void {
    checkRange(start, end);
    if (start === end) return;
    const list = this.#ranges;
    // The first range that ends at or after `start` is the first one to merge with (or to insert before).
    const i = this.#firstEndingAtOrAfter(start);
    let j = i;
    let lo = start, hi = end;
    while (j < list.length && list[j].start <= end) {
      lo = Math.min(lo, list[j].start);
      hi = Math.max(hi, list[j].end);
      j++;
    }
    list.splice(i, j - i, { start: lo, end: hi });
  }

  /** Takes [start, end) out of the set (the parts of it the set holds); an empty range changes nothing. */
  remove(start: number, end: number): void {
    checkRange(start, end);
    if (start === end) return;
    const list = this.#ranges;
    const i = this.#firstEndingAtOrAfter(start + 1);
    let j = i;
    const kept: ByteRange[] = [];
    while (j < list.length && list[j].start < end) {
      if (list[j].start < start) kept.push({ start: list[j].start, end: start });
      if (list[j].end > end) kept.push({ start: end, end: list[j].end });
      j++;
    }
    list.splice(i, j - i, ...kept);
  }

  /** Whether every byte of [start, end) is in the set (an empty range always is). */
  has(start: number, end: number): boolean {
    checkRange(start, end);
    if (start === end) return true;
    const r = this.#ranges[this.#firstEndingAtOrAfter(start + 1)];
    return r !== undefined && r.start <= start && end <= r.end;
  }

  /** Bytes in the set. */
  get total(): number {
    let n = 0;
    for (const r of this.#ranges) n += r.end - r.start;
    return n;
  }

  /** The ranges, sorted and merged (a copy). */
  ranges(): ByteRange[] {
    return this.#ranges.slice();
  }

  /** What [0, size) lacks, sorted (the set's bytes at or past `size` are ignored). */
  gaps(size: number): ByteRange[] {
    checkRange(0, size);
    const out: ByteRange[] = [];
    let at = 0;
    for (const r of this.#ranges) {
      if (r.start >= size) break;
      if (r.start > at) out.push({ start: at, end: r.start });
      at = r.end;
    }
    if (at < size) out.push({ start: at, end: size });
    return out;
  }

  /** The index of the first range whose end is at least `offset` (binary search: the list is sorted). */
  #firstEndingAtOrAfter(offset: number): number {
    let lo = 0, hi = this.#ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#ranges[mid].end < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
