/**
 * PartPlan: the first shares, chunks, retries of a released range and work stealing, then a seeded random walk of
 * assign/advance/release that checks, after every step, that each byte is received, held or unassigned exactly once,
 * that no byte is received twice, and that the download always ends. A failing case prints its seed.
 */

import assert from "node:assert/strict";
import { PartPlan } from "../../src/fetch/part_plan.ts";

const MiB = 1024 * 1024;
const r = (start: number, end: number) => ({ start, end });

Deno.test("PartPlan shares the file evenly, worker 0 first from byte 0", () => {
  const plan = new PartPlan(10 * MiB, 4);
  assert.deepEqual(plan.assign(0), { worker: 0, start: 0, end: 2.5 * MiB });
  assert.deepEqual(plan.assign(1), { worker: 1, start: 2.5 * MiB, end: 5 * MiB });
  assert.deepEqual(plan.assign(2), { worker: 2, start: 5 * MiB, end: 7.5 * MiB });
  assert.deepEqual(plan.assign(3), { worker: 3, start: 7.5 * MiB, end: 10 * MiB });
  assert.equal(plan.live, 4);
  assert.deepEqual(plan.unassigned(), []);
});

Deno.test("PartPlan keeps the first share for worker 0 even when another worker asks first", () => {
  const plan = new PartPlan(4 * MiB, 2);
  assert.deepEqual(plan.assign(1), { worker: 1, start: 2 * MiB, end: 4 * MiB });
  assert.deepEqual(plan.assign(0), { worker: 0, start: 0, end: 2 * MiB });
});

Deno.test("PartPlan makes one share of a file too small to split (1.5 MiB, 4 workers)", () => {
  const plan = new PartPlan(1.5 * MiB, 4);
  assert.deepEqual(plan.assign(0), { worker: 0, start: 0, end: 1.5 * MiB });
  assert.equal(plan.assign(1), null, "1.5 MiB left is less than two minimum parts");
});

Deno.test("PartPlan starts at the first missing byte of a resumed file and counts what it had", () => {
  const plan = new PartPlan(6 * MiB, 2, [r(0, MiB), r(3 * MiB, 4 * MiB)]);
  assert.equal(plan.received, 2 * MiB);
  assert.deepEqual(plan.assign(0), { worker: 0, start: MiB, end: 3 * MiB });
  assert.deepEqual(plan.assign(1), { worker: 1, start: 4 * MiB, end: 6 * MiB });
});

Deno.test("PartPlan hands out chunks in order of offset with chunkSize", () => {
  const plan = new PartPlan(10 * MiB, 2, [], { chunkSize: 3 * MiB });
  assert.deepEqual(plan.assign(0), { worker: 0, start: 0, end: 3 * MiB });
  assert.deepEqual(plan.assign(1), { worker: 1, start: 3 * MiB, end: 6 * MiB });
  plan.advance(1, 3 * MiB);
  plan.release(1);
  assert.deepEqual(plan.assign(1), { worker: 1, start: 6 * MiB, end: 9 * MiB });
  plan.advance(0, 3 * MiB);
  plan.release(0);
  assert.deepEqual(plan.assign(0), { worker: 0, start: 9 * MiB, end: 10 * MiB });
});

Deno.test("PartPlan hands a released worker's leftover out again", () => {
  const plan = new PartPlan(10 * MiB, 4);
  for (let w = 0; w < 4; w++) plan.assign(w);
  plan.advance(0, MiB);
  plan.release(0);
  assert.equal(plan.positionOf(0), null);
  assert.deepEqual(plan.unassigned(), [r(MiB, 2.5 * MiB)]);
  assert.deepEqual(plan.assign(0), { worker: 0, start: MiB, end: 2.5 * MiB });
});

Deno.test("PartPlan steals the second half of the largest range left", () => {
  const plan = new PartPlan(12 * MiB, 3);
  for (let w = 0; w < 3; w++) plan.assign(w);
  plan.advance(0, 4 * MiB);
  plan.release(0);
  plan.advance(1, MiB); // 3 MiB left; worker 2 has 4 MiB left
  assert.deepEqual(plan.assign(0), { worker: 0, start: 10 * MiB, end: 12 * MiB });
  assert.equal(plan.endOf(2), 10 * MiB);
  plan.advance(2, 2 * MiB);
  plan.release(2);
  assert.deepEqual(plan.assign(2), { worker: 2, start: 6.5 * MiB, end: 8 * MiB }, "ceil(3 MiB / 2) from 5 MiB");
  assert.equal(plan.endOf(1), 6.5 * MiB);
  plan.release(0);
  assert.deepEqual(plan.assign(0), { worker: 0, start: 10 * MiB, end: 12 * MiB }, "a gap comes before a steal");
});

Deno.test("PartPlan with rates steals from the worker that ends last and splits so both end together", () => {
  const plan = new PartPlan(12 * MiB, 3);
  for (let w = 0; w < 3; w++) plan.assign(w);
  plan.advance(0, 4 * MiB);
  plan.release(0);
  plan.advance(1, MiB); // 3 MiB left at 1 byte/s; worker 2: 4 MiB left at 4 bytes/s
  const rates = [2, 1, 4];
  const hints = { rateOf: (w: number) => rates[w] };
  assert.equal(plan.assign(0, { ...hints, minSteal: 3 * MiB + 1 }), null, "not worth a new connection");
  assert.deepEqual(plan.assign(0, hints), { worker: 0, start: 6 * MiB, end: 8 * MiB }, "the victim keeps a third");
  assert.equal(plan.endOf(1), 6 * MiB);
});

Deno.test("PartPlan steals nothing below two minimum parts", () => {
  const plan = new PartPlan(4 * MiB - 1, 2);
  plan.assign(0);
  plan.assign(1);
  plan.advance(0, plan.endOf(0)!);
  plan.release(0);
  assert.equal(plan.assign(0), null);
});

Deno.test("PartPlan rejects a worker's misuse", () => {
  const plan = new PartPlan(4 * MiB, 2);
  plan.assign(0);
  assert.throws(() => plan.assign(0), TypeError);
  assert.throws(() => plan.advance(0, 2 * MiB + 1), RangeError);
  assert.throws(() => plan.advance(1, 1), TypeError);
  assert.throws(() => plan.assign(2), RangeError);
  assert.throws(() => new PartPlan(10, 1, [r(5, 11)]), RangeError);
  plan.release(1); // holds nothing: harmless
});

Deno.test("PartPlan of an empty or already complete file is complete at once", () => {
  const empty = new PartPlan(0, 4);
  assert.equal(empty.complete, true);
  assert.equal(empty.assign(0), null);
  const had = new PartPlan(100, 2, [r(0, 100)]);
  assert.equal(had.complete, true);
  assert.equal(had.assign(1), null);
});

/** mulberry32: a small seeded PRNG, so that a failing case can be run again from its seed. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** One random download; throws (with the seed in the message) when a byte is lost, given twice, or it never ends. */
function randomDownload(seed: number): void {
  const rand = prng(seed);
  const size = rand(4) === 0 ? rand(20) : rand(5000);
  const workers = 1 + rand(8);
  const minPart = 1 + rand(300);
  const chunkSize = rand(3) === 0 ? 1 + rand(1000) : undefined;
  const received = new Uint8Array(size);
  const have = [];
  for (let i = rand(4); i > 0 && size > 0; i--) {
    const a = rand(size), b = a + rand(size - a + 1);
    have.push(r(a, b));
    received.fill(1, a, b);
  }
  const plan = new PartPlan(size, workers, have, { minPart, chunkSize });
  const where = `seed ${seed} (size ${size}, ${workers} workers, minPart ${minPart}, chunk ${chunkSize})`;
  for (let step = 0; !(plan.complete && plan.live === 0); step++) {
    if (step > 200_000) throw new Error(`${where}: the download never ends`);
    const w = rand(workers);
    const position = plan.positionOf(w);
    if (position === null) {
      const a = plan.assign(w);
      if (a === null && plan.live === 0 && !plan.complete) {
        throw new Error(`${where}: nothing is assigned while ${size - plan.received} bytes are missing`);
      }
    } else {
      const left = plan.endOf(w)! - position;
      if (left === 0 || rand(20) === 0) plan.release(w); // done, or failed
      else {
        const n = 1 + rand(Math.min(left, 1 + rand(400)));
        for (let i = position; i < position + n; i++) {
          if (received[i] !== 0) throw new Error(`${where}: byte ${i} is received twice`);
          received[i] = 1;
        }
        plan.advance(w, n);
      }
    }
    checkInvariant(plan, workers, received, where);
  }
  assert.ok(received.every((v) => v === 1), `${where}: every byte is received`);
}

/** Every byte is exactly one of: received, held by a worker, unassigned; and `received` counts the first kind. */
function checkInvariant(plan: PartPlan, workers: number, received: Uint8Array, where: string): void {
  const owners = Uint8Array.from(received);
  const claim = (start: number, end: number, what: string) => {
    for (let i = start; i < end; i++) {
      if (owners[i] !== 0) throw new Error(`${where}: byte ${i} is ${what} and also elsewhere`);
      owners[i] = 1;
    }
  };
  for (let w = 0; w < workers; w++) {
    const p = plan.positionOf(w);
    if (p !== null) claim(p, plan.endOf(w)!, `held by worker ${w}`);
  }
  for (const g of plan.unassigned()) claim(g.start, g.end, "unassigned");
  const lost = owners.indexOf(0);
  if (lost >= 0) throw new Error(`${where}: byte ${lost} is lost`);
  assert.equal(plan.received, received.reduce((n, v) => n + v, 0), where);
}

Deno.test("PartPlan never loses a byte nor gives one twice, and always ends (seeded random walks)", () => {
  for (let seed = 1; seed <= 400; seed++) randomDownload(seed);
});
