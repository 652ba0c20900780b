/**
 * The packet ring's two readers (ffi/_ring_v2.ts, ffi/_ring_v3.ts) over plain memory, with this file playing the
 * kernel: it fills slots and blocks as packet_mmap describes and owns only what the reader gave back. Wrap-around,
 * order, cut frames and the hand-over rules, without root; tests/ffi/packet_ring_test.ts does the same with the kernel.
 *
 * @module
 */

import { deepEqual, equal } from "node:assert/strict";
import { RingBatch } from "../../ffi/_ring_batch.ts";
import { V2Reader } from "../../ffi/_ring_v2.ts";
import { V3Reader } from "../../ffi/_ring_v3.ts";

const USER = 1, COPY = 2, CSUM_VALID = 0x80, NET_OFFSET = 80;

/** The kernel side of a V2 ring of `slots` slots: writes a frame into the next slot if the reader gave it back. */
function v2Kernel(memory: Uint8Array, frameSize: number, slots: number) {
  const view = new DataView(memory.buffer);
  let head = 0;
  return (id: number, length = 4, snap = length, extra = 0): boolean => {
    const base = head * frameSize;
    if (view.getUint32(base, true) !== 0) return false; // the reader still holds it: the frame is dropped
    view.setUint32(base + 4, length, true);
    view.setUint32(base + 8, snap, true);
    view.setUint16(base + 14, NET_OFFSET, true);
    view.setUint32(base + NET_OFFSET, id, true);
    view.setUint32(base, USER | extra, true);
    head = (head + 1) % slots;
    return true;
  };
}

function ids(memory: Uint8Array, batch: RingBatch): number[] {
  const view = new DataView(memory.buffer);
  return Array.from(
    { length: batch.count },
    (_, i) => batch.lengths[i] < 0 ? -1 : view.getUint32(batch.offsets[i], true),
  );
}

Deno.test("a V2 reader wraps around its slots, in order, giving each slot back at the next read", () => {
  const memory = new Uint8Array(8 * 256);
  const reader = new V2Reader(memory, 256, 8, 512, 2, () => -1);
  const kernel = v2Kernel(memory, 256, 8);
  const batch = new RingBatch(4);
  const seen: number[] = [];
  for (let id = 1; id <= 100; id += 3) {
    for (let k = 0; k < 3; k++) equal(kernel(id + k), true, `frame ${id + k} was dropped`);
    equal(reader.ready(), true);
    batch.count = reader.collect(batch);
    seen.push(...ids(memory, batch));
  }
  deepEqual(seen, Array.from({ length: 102 }, (_, i) => i + 1));
  reader.release();
  equal(reader.ready(), false);
});

Deno.test("a V2 reader reports a cut frame, or reads its whole copy from the socket when the slot says COPY", () => {
  const memory = new Uint8Array(4 * 256);
  const whole = new Uint8Array(300).fill(7);
  const reader = new V2Reader(memory, 256, 4, 256, 1, (into) => (into.set(whole), whole.length));
  const kernel = v2Kernel(memory, 256, 4);
  kernel(1, 300, 176);
  kernel(2, 300, 176, COPY | CSUM_VALID);
  kernel(3);
  const batch = new RingBatch(8);
  equal(reader.collect(batch), 3);
  deepEqual(Array.from(batch.lengths.subarray(0, 3)), [-1, 300, 4]);
  deepEqual(batch.copies[1], whole);
  equal(batch.copies[2], null);
  equal(batch.status[1] & CSUM_VALID, CSUM_VALID);
});

/** The kernel side of a V3 ring: closes a block of frames into the next block if the reader gave it back. */
function v3Kernel(memory: Uint8Array, blockSize: number, blocks: number) {
  const view = new DataView(memory.buffer);
  let block = 0;
  return (frameIds: number[], timedOut = false): boolean => {
    const base = block * blockSize;
    if (view.getUint32(base + 8, true) !== 0) return false;
    let at = base + 48;
    view.setUint32(base + 12, frameIds.length, true);
    view.setUint32(base + 16, 48, true);
    for (const [k, id] of frameIds.entries()) {
      const length = id < 0 ? 5000 : 4;
      view.setUint32(at + 12, Math.min(length, 64), true);
      view.setUint32(at + 16, length, true);
      view.setUint16(at + 26, NET_OFFSET, true);
      view.setUint32(at + NET_OFFSET, id, true);
      view.setUint32(at, k + 1 === frameIds.length ? 0 : 160, true);
      at += 160;
    }
    view.setUint32(base + 8, USER | (timedOut ? 0x20 : 0), true);
    block = (block + 1) % blocks;
    return true;
  };
}

Deno.test("a V3 reader walks blocks across batches and wraps, giving a block back only once read to its end", () => {
  const memory = new Uint8Array(4 * 4096);
  const reader = new V3Reader(memory, 4096, 4);
  const kernel = v3Kernel(memory, 4096, 4);
  const batch = new RingBatch(4);
  const seen: number[] = [];
  let next = 1;
  for (let round = 0; round < 12; round++) {
    const frames = Array.from({ length: 6 }, () => next++);
    equal(kernel(frames, round % 3 === 0), true, `block of round ${round} was dropped`);
    // Six frames, four per read: the block stays the reader's across two reads.
    batch.count = reader.collect(batch);
    seen.push(...ids(memory, batch));
    equal(reader.ready(), true);
    batch.count = reader.collect(batch);
    seen.push(...ids(memory, batch));
  }
  deepEqual(seen, Array.from({ length: 72 }, (_, i) => i + 1));
  equal(reader.timedOutBlocks, 4);
  reader.release();
  equal(reader.ready(), false);
});

Deno.test("a V3 reader reports a frame cut to fit a block", () => {
  const memory = new Uint8Array(2 * 4096);
  const reader = new V3Reader(memory, 4096, 2);
  v3Kernel(memory, 4096, 2)([1, -1, 3]);
  const batch = new RingBatch(8);
  equal(reader.collect(batch), 3);
  deepEqual(Array.from(batch.lengths.subarray(0, 3)), [4, -1, 4]);
});
