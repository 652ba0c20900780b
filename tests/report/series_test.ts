/**
 * The recorder's sampled tables: rows stay evenly spread over everything offered, whatever the count, and the
 * allocation grows only as far as the budget.
 *
 * @module
 */

import assert from "node:assert/strict";
import { mergeByFirstColumn, SampledSeries } from "../../src/report/_series.ts";

Deno.test("a full table keeps every other row and samples on: rows offered at multiples of the stride", () => {
  const s = new SampledSeries(2, 4);
  for (let i = 0; i < 10; i++) s.push2(i, i * i);
  assert.equal(s.stride, 4);
  assert.equal(s.offered, 10);
  assert.deepEqual(s.column(0), [0, 4, 8]);
  assert.deepEqual(s.column(1), [0, 16, 64]);
});

Deno.test("whatever the count offered, the kept rows are evenly spaced and within the budget", () => {
  for (const n of [1, 255, 256, 257, 1000, 4096, 4097, 100_000]) {
    const s = new SampledSeries(1, 1024);
    for (let i = 0; i < n; i++) s.push2(i, 0);
    const kept = s.column(0);
    assert.ok(kept.length <= 1024 && kept.length > Math.min(n, 1024) / 2 - 1, `${n}: ${kept.length} kept`);
    assert.ok(kept.every((v, i) => v === i * s.stride), `${n}: uneven rows`);
  }
});

Deno.test("two tables merge in time order, the first column mapped", () => {
  const a = new SampledSeries(2, 8), b = new SampledSeries(2, 8);
  for (const t of [1, 4, 6]) a.push2(t, 10 * t);
  for (const t of [2, 5]) b.push2(t, 10 * t);
  assert.deepEqual(mergeByFirstColumn(a, b, (t) => t * 1000), [[1000, 2000, 4000, 5000, 6000], [10, 20, 40, 50, 60]]);
});
