/**
 * A bounded, sampled table of numbers: the recorder's store. Rows of `width` numbers go into one preallocated
 * `Float64Array`, which grows by doubling up to its budget (a short connection stays small; a long one allocates a
 * handful of times in all, never per row). When the budget is full the table halves itself, keeping every other row,
 * and from then on keeps one row in two of those offered (then one in four, …): a 1 GiB download keeps rows spread
 * over its whole length instead of only its first or last seconds, and the report states the sampling (`stride`).
 *
 * @module
 */

/** Rows allocated at first. */
const INITIAL_ROWS = 256;

/**
 * Rows of numbers, sampled beyond a budget.
 *
 * @example
 * ```ts
 * const s = new SampledSeries(2, 4); // two columns, four rows at most
 * for (let i = 0; i < 10; i++) s.push2(i, i * i);
 * s.stride; // 4: rows 0, 4 and 8 are kept
 * ```
 */
export class SampledSeries {
  /** Numbers per row. */
  readonly width: number;
  /** Rows at most. */
  readonly capacity: number;
  #data: Float64Array;
  #rows = 0;
  #offered = 0;
  #stride = 1;

  /** A table of at most `capacity` rows (an even count) of `width` numbers. */
  constructor(width: number, capacity: number) {
    if (!(capacity >= 2 && capacity % 2 === 0)) {
      throw new RangeError(`Cannot keep ${capacity} rows: expected an even count`);
    }
    this.width = width;
    this.capacity = capacity;
    this.#data = new Float64Array(width * Math.min(capacity, INITIAL_ROWS));
  }

  /** Rows kept. */
  get rows(): number {
    return this.#rows;
  }

  /** Rows offered (kept or not). */
  get offered(): number {
    return this.#offered;
  }

  /** One row kept out of `stride` offered (1: all of them). */
  get stride(): number {
    return this.#stride;
  }

  /**
   * Where the row offered now goes, or -1 when it is sampled out. Kept rows are those offered at multiples of the
   * stride; halving keeps the even ones, which are the multiples of the doubled stride, and the row that found the
   * table full (offered at capacity × stride, capacity even) is one of them.
   */
  #take(): number {
    const index = this.#offered++;
    if (index % this.#stride !== 0) return -1;
    if (this.#rows === this.capacity) this.#halve();
    else if (this.#rows * this.width === this.#data.length) this.#grow();
    return this.#rows++ * this.width;
  }

  #grow(): void {
    const bigger = new Float64Array(Math.min(this.#data.length * 2, this.capacity * this.width));
    bigger.set(this.#data);
    this.#data = bigger;
  }

  #halve(): void {
    const d = this.#data, w = this.width;
    // Element by element: a copyWithin call per row costs more than the row.
    for (let r = 1; r < this.#rows / 2; r++) for (let c = 0; c < w; c++) d[r * w + c] = d[2 * r * w + c];
    // Shifts, not a division: the fields stay small integers, so the code that reads them is not deoptimized.
    this.#rows >>= 1;
    this.#stride <<= 1;
  }

  /** Offers a row of two numbers. */
  push2(a: number, b: number): void {
    const i = this.#take();
    if (i < 0) return;
    this.#data[i] = a;
    this.#data[i + 1] = b;
  }

  /** Offers a row of three numbers. */
  push3(a: number, b: number, c: number): void {
    const i = this.#take();
    if (i < 0) return;
    const d = this.#data;
    d[i] = a;
    d[i + 1] = b;
    d[i + 2] = c;
  }

  /** Offers a row of four numbers (a table four wide). */
  push4(a: number, b: number, c: number, e: number): void {
    const i = this.#take();
    if (i < 0) return;
    const d = this.#data;
    d[i] = a;
    d[i + 1] = b;
    d[i + 2] = c;
    d[i + 3] = e;
  }

  /** Offers a row of up to six numbers (the others are written as given). */
  push6(a: number, b: number, c: number, e: number, f: number, g: number): void {
    const i = this.#take();
    if (i < 0) return;
    const d = this.#data, w = this.width;
    d[i] = a;
    if (w > 1) d[i + 1] = b;
    if (w > 2) d[i + 2] = c;
    if (w > 3) d[i + 3] = e;
    if (w > 4) d[i + 4] = f;
    if (w > 5) d[i + 5] = g;
  }

  /** Column `c` of the kept rows as a plain array, each value through `f` when given (for the report, at the end). */
  column(c: number, f?: (value: number) => number): number[] {
    const out = new Array<number>(this.#rows);
    const d = this.#data, w = this.width;
    for (let r = 0; r < this.#rows; r++) out[r] = f === undefined ? d[r * w + c] : f(d[r * w + c]);
    return out;
  }

  /** The value of kept row `r`, column `c`. */
  at(r: number, c: number): number {
    return this.#data[r * this.width + c];
  }
}

/**
 * The rows of two tables of the same width, as columns, in the order of their first column (both tables are in that
 * order already: rows are offered as time goes by).
 *
 * @example
 * ```ts
 * const [t, seq] = mergeByFirstColumn(inOrder, repairs, (t) => t - origin);
 * ```
 */
export function mergeByFirstColumn(
  a: SampledSeries,
  b: SampledSeries,
  first: (value: number) => number = (v) => v,
): number[][] {
  const n = a.rows + b.rows;
  // One pass and one array per column: this runs once, on up to the whole budget, right after the download.
  const out = Array.from({ length: a.width }, () => new Array<number>(n));
  for (let r = 0, i = 0, j = 0; r < n; r++) {
    const fromA = j >= b.rows || (i < a.rows && a.at(i, 0) <= b.at(j, 0));
    const src = fromA ? a : b, k = fromA ? i++ : j++;
    out[0][r] = first(src.at(k, 0));
    for (let c = 1; c < out.length; c++) out[c][r] = src.at(k, c);
  }
  return out;
}

// V8 treats a field that has never changed since construction as a constant and compiles the hot path around its
// value; the first table to sample (the stride leaves 1, well into a large download) would then throw that code away
// and run slowly until it is compiled again (~10 ms, measured). A small table that grows and samples once, when the
// module loads, makes every field of the class a variable from the start.
const primer = new SampledSeries(2, 2 * INITIAL_ROWS);
for (let i = 0; i < 8 * INITIAL_ROWS; i++) primer.push2(i, i);
