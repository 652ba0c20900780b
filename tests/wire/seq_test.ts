import assert from "node:assert/strict";
import { seq, seqAdd, seqDiff, seqGe, seqGt, seqInWindow, seqLe, seqLt, seqMax, seqMin } from "../../src/wire/mod.ts";
import { Rng } from "./_helpers.ts";

Deno.test("seq() wraps any integer into 0..2^32-1", () => {
  assert.equal(seq(2 ** 32 + 5), 5);
  assert.equal(seq(-1), 0xffffffff);
  assert.equal(seq(0xffffffff), 0xffffffff);
});

Deno.test("seqAdd() wraps past 2^32 and below 0", () => {
  assert.equal(seqAdd(seq(0xffffffff), 1), 0);
  assert.equal(seqAdd(seq(0xffffffff), 2), 1);
  assert.equal(seqAdd(seq(0), -1), 0xffffffff);
  assert.equal(seqAdd(seq(0xfffffff0), 0x20), 0x10);
});

Deno.test("seqDiff() is the signed distance across the wrap", () => {
  assert.equal(seqDiff(seq(1), seq(0xffffffff)), 2);
  assert.equal(seqDiff(seq(0xffffffff), seq(1)), -2);
  assert.equal(seqDiff(seq(0x80000000), seq(0)), -(2 ** 31));
  assert.equal(seqDiff(seq(0x7fffffff), seq(0)), 2 ** 31 - 1);
});

Deno.test("seqLt() and friends order numbers across the wrap", () => {
  const before = seq(0xfffffff0);
  const after = seq(3);
  assert.equal(seqLt(before, after), true);
  assert.equal(seqLe(before, after), true);
  assert.equal(seqGt(after, before), true);
  assert.equal(seqGe(after, before), true);
  assert.equal(seqLt(after, before), false);
  assert.equal(seqGt(before, after), false);
  assert.equal(seqLe(after, after), true);
  assert.equal(seqGe(after, after), true);
  assert.equal(seqLt(after, after), false);
  assert.equal(seqMax(before, after), after);
  assert.equal(seqMin(before, after), before);
});

Deno.test("seqInWindow() holds the half-open window across the wrap and an empty window holds nothing", () => {
  const start = seq(0xfffffffe);
  assert.equal(seqInWindow(seq(0xfffffffe), start, 4), true);
  assert.equal(seqInWindow(seq(1), start, 4), true);
  assert.equal(seqInWindow(seq(2), start, 4), false);
  assert.equal(seqInWindow(seq(0xfffffffd), start, 4), false);
  assert.equal(seqInWindow(start, start, 0), false);
});

Deno.test("seqAdd() and seqDiff() agree for random numbers and distances below 2^31", () => {
  const rng = new Rng(1982);
  for (let i = 0; i < 20000; i++) {
    const a = seq(rng.u32());
    const n = rng.int(2 ** 31) - (rng.chance(0.5) ? 2 ** 31 - 1 : 0);
    const b = seqAdd(a, n);
    assert.equal(seqDiff(b, a), n, `a=${a} n=${n}`);
    assert.equal(seqGt(b, a), n > 0);
    assert.equal(seqLt(b, a), n < 0);
  }
});
