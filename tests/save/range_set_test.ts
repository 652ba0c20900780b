/**
 * RangeSet: merging on add, removal, coverage and gaps, checked against a byte-per-entry model with a seeded PRNG.
 */

import assert from "node:assert/strict";
import { RangeSet } from "../../src/save/range_set.ts";

const r = (start: number, end: number) => ({ start, end });

Deno.test("RangeSet.add() merges overlapping and adjacent ranges and ignores empty ones", () => {
  const s = new RangeSet();
  s.add(10, 20);
  s.add(30, 40);
  s.add(5, 5);
  assert.deepEqual(s.ranges(), [r(10, 20), r(30, 40)]);
  s.add(20, 30);
  assert.deepEqual(s.ranges(), [r(10, 40)], "adjacent on both sides");
  s.add(0, 12);
  s.add(35, 50);
  assert.deepEqual(s.ranges(), [r(0, 50)]);
  assert.equal(s.total, 50);
});

Deno.test("RangeSet keeps ranges given in any order, overlapping or not", () => {
  const s = new RangeSet([r(50, 60), r(0, 10), r(5, 20), r(60, 61)]);
  assert.deepEqual(s.ranges(), [r(0, 20), r(50, 61)]);
  assert.equal(s.total, 31);
});

Deno.test("RangeSet.has() is true only when the whole range is covered", () => {
  const s = new RangeSet([r(0, 10), r(20, 30)]);
  assert.equal(s.has(0, 10), true);
  assert.equal(s.has(3, 7), true);
  assert.equal(s.has(5, 25), false);
  assert.equal(s.has(10, 11), false);
  assert.equal(s.has(29, 30), true);
  assert.equal(s.has(30, 31), false);
  assert.equal(s.has(15, 15), true, "an empty range is always covered");
});

Deno.test("RangeSet.gaps() lists what [0, size) lacks and ignores bytes past size", () => {
  const s = new RangeSet([r(5, 10), r(20, 40)]);
  assert.deepEqual(s.gaps(30), [r(0, 5), r(10, 20)]);
  assert.deepEqual(s.gaps(50), [r(0, 5), r(10, 20), r(40, 50)]);
  assert.deepEqual(new RangeSet().gaps(7), [r(0, 7)]);
  assert.deepEqual(new RangeSet().gaps(0), []);
});

Deno.test("RangeSet.remove() cuts ranges and splits one that spans the hole", () => {
  const s = new RangeSet([r(0, 100)]);
  s.remove(10, 20);
  assert.deepEqual(s.ranges(), [r(0, 10), r(20, 100)]);
  s.remove(5, 30);
  assert.deepEqual(s.ranges(), [r(0, 5), r(30, 100)]);
  s.remove(0, 5);
  s.remove(90, 200);
  assert.deepEqual(s.ranges(), [r(30, 90)]);
});

Deno.test("RangeSet rejects ranges that are not byte offsets", () => {
  const s = new RangeSet();
  assert.throws(() => s.add(5, 4), RangeError);
  assert.throws(() => s.add(-1, 4), RangeError);
  assert.throws(() => s.add(0.5, 4), RangeError);
  assert.throws(() => s.has(0, NaN), RangeError);
});

Deno.test("RangeSet matches a byte model under random adds and removes", () => {
  let seed = 0x5eed;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let round = 0; round < 200; round++) {
    const size = 1 + rand(200);
    const model = new Uint8Array(size);
    const s = new RangeSet();
    for (let step = 0; step < 40; step++) {
      const a = rand(size + 1), b = rand(size + 1);
      const [lo, hi] = a < b ? [a, b] : [b, a];
      const adding = rand(3) !== 0;
      if (adding) s.add(lo, hi);
      else s.remove(lo, hi);
      model.fill(adding ? 1 : 0, lo, hi);
      const ranges = s.ranges();
      for (let i = 1; i < ranges.length; i++) {
        assert.ok(ranges[i - 1].end < ranges[i].start, `round ${round}: ranges are sorted and apart`);
      }
      const fromSet = new Uint8Array(size);
      for (const x of ranges) fromSet.fill(1, x.start, x.end);
      assert.deepEqual(fromSet, model, `round ${round} step ${step}`);
      assert.equal(s.total, model.reduce((n, v) => n + v, 0));
      const gaps = new Uint8Array(size).fill(1);
      for (const g of s.gaps(size)) gaps.fill(0, g.start, g.end);
      assert.deepEqual(gaps, model);
      const c = rand(size + 1), d = rand(size + 1);
      const [x, y] = c < d ? [c, d] : [d, c];
      assert.equal(s.has(x, y), model.subarray(x, y).every((v) => v === 1));
    }
  }
});
