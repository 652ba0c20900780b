/**
 * The write-behind buffer with a fake writer whose writes complete when the test says so (no clock), and the file
 * outputs built on it with real files: every byte arrives in order, "full" comes only while a chunk waits behind the
 * one being written, "drained" when it no longer does, and a failed write (ENOSPC from /dev/full) surfaces as the
 * same OsError a synchronous write threw.
 */

import assert from "node:assert/strict";
import { WriteBehind } from "../../src/save/mod.ts";
import { ConcatOutput, createOutputFile, FileOutput, SkippingOutput } from "../../src/save/mod.ts";
import { OsError } from "../../ffi/os_error.ts";

/** A writer whose calls wait until `complete()`/`fail()`; it records a copy of every chunk and its buffer. */
class FakeWriter {
  readonly chunks: number[][] = [];
  readonly buffers = new Set<ArrayBuffer>();
  #pending: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];

  readonly write = (chunk: Uint8Array<ArrayBuffer>): Promise<void> => {
    this.chunks.push([...chunk]);
    this.buffers.add(chunk.buffer);
    return new Promise((resolve, reject) => this.#pending.push({ resolve, reject }));
  };

  /** Writes under way (at most one at a time). */
  get inFlight(): number {
    return this.#pending.length;
  }

  /** Completes the oldest write and lets its callbacks run. */
  async complete(): Promise<void> {
    this.#pending.shift()!.resolve();
    await settle();
  }

  /** Fails the oldest write. */
  async fail(e: unknown): Promise<void> {
    this.#pending.shift()!.reject(e);
    await settle();
  }
}

/** Lets every queued promise callback run. */
function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

const bytes = (from: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);

Deno.test("WriteBehind writes full chunks in order, one at a time, and flush() writes the rest", async () => {
  const w = new FakeWriter();
  const wb = new WriteBehind(w.write, { chunkSize: 4, flushDelayMs: null });
  assert.equal(wb.write(bytes(0, 3)), true);
  assert.equal(w.inFlight, 0, "a partly filled chunk waits");
  assert.equal(wb.write(bytes(3, 3)), true);
  assert.deepEqual(w.chunks, [[0, 1, 2, 3]]);
  assert.equal(wb.write(bytes(6, 1)), true);
  await w.complete();
  assert.deepEqual(w.chunks, [[0, 1, 2, 3]], "nothing full waits");
  const flushed = wb.flush();
  assert.deepEqual(w.chunks, [[0, 1, 2, 3], [4, 5, 6]]);
  await w.complete();
  await flushed;
  assert.equal(wb.idle, true);
});

Deno.test("WriteBehind is full while a chunk waits behind the one being written; drained() says when not", async () => {
  const w = new FakeWriter();
  const wb = new WriteBehind(w.write, { chunkSize: 4, flushDelayMs: null });
  assert.equal(wb.write(bytes(0, 4)), true, "the first chunk is being written, the second fills");
  assert.equal(wb.write(bytes(4, 3)), true);
  assert.equal(wb.write(bytes(7, 2)), false, "a full chunk waits: pause");
  assert.equal(wb.full, true);
  let drained = false;
  const done = wb.drained().then(() => (drained = true));
  await settle();
  assert.equal(drained, false);
  await w.complete();
  assert.equal(drained, true, "the waiting chunk is now the one being written");
  await done;
  assert.deepEqual(w.chunks, [[0, 1, 2, 3], [4, 5, 6, 7]]);
  assert.equal(wb.write(bytes(9, 7)), false, "a piece larger than the room is kept whole");
  await w.complete();
  assert.equal(wb.full, true, "two chunks waited: one still does");
  await w.complete();
  assert.equal(wb.full, false);
  const flushed = wb.flush();
  await w.complete();
  await flushed;
  assert.deepEqual(w.chunks.flat(), [...bytes(0, 16)], "every byte, in order");
});

Deno.test("WriteBehind reuses its two chunks when the writer keeps up", async () => {
  const w = new FakeWriter();
  const wb = new WriteBehind(w.write, { chunkSize: 8, flushDelayMs: null });
  wb.write(bytes(0, 8));
  for (let i = 0; i < 20; i++) {
    assert.equal(wb.write(bytes(8 + i * 8, 4)), true, "one chunk fills while the other is written");
    await w.complete();
    assert.equal(wb.write(bytes(12 + i * 8, 4)), true);
  }
  assert.equal(w.buffers.size, 2);
  await w.complete();
  assert.deepEqual(w.chunks.flat(), [...bytes(0, 168)]);
});

Deno.test("WriteBehind keeps every chunk a large piece needed and allocates none later", async () => {
  const w = new FakeWriter();
  const wb = new WriteBehind(w.write, { chunkSize: 4, flushDelayMs: null });
  let n = 0;
  const feed = (len: number) => wb.write(bytes((n += len) - len, len));
  assert.equal(feed(13), false, "one chunk written, two waiting, one filling: four at once");
  while (w.inFlight > 0) await w.complete();
  for (let round = 0; round < 10; round++) {
    feed(13); // as a caller that was paused gets a whole ring's worth at once
    while (w.inFlight > 0) await w.complete();
  }
  assert.equal(w.buffers.size, 4, "the same four chunks over and over");
  const flushed = wb.flush();
  while (w.inFlight > 0) await w.complete();
  await flushed;
  assert.deepEqual(w.chunks.flat(), [...bytes(0, n)]);
});

Deno.test("WriteBehind reports a failed write from drained(), write() and flush()", async () => {
  const w = new FakeWriter();
  const wb = new WriteBehind(w.write, { chunkSize: 2, flushDelayMs: null });
  wb.write(bytes(0, 2));
  assert.equal(wb.write(bytes(2, 3)), false);
  const error = new Error("disk full");
  const drained = assert.rejects(wb.drained(), (e) => e === error);
  await w.fail(error);
  await drained;
  assert.throws(() => wb.write(bytes(5, 1)), (e) => e === error);
  await assert.rejects(wb.flush(), (e) => e === error);
  assert.equal(w.inFlight, 0, "nothing more is written after a failure");
});

Deno.test("WriteBehind writes a partly filled chunk once it waited flushDelayMs", async () => {
  const w = new FakeWriter();
  const wb = new WriteBehind(w.write, { chunkSize: 1024, flushDelayMs: 0 });
  wb.write(bytes(0, 5));
  assert.equal(w.inFlight, 0);
  await settle();
  assert.deepEqual(w.chunks, [[0, 1, 2, 3, 4]]);
  wb.write(bytes(5, 2));
  await settle(); // the chunk is stale but a write is under way: it waits for it
  assert.equal(w.chunks.length, 1);
  await w.complete();
  assert.deepEqual(w.chunks, [[0, 1, 2, 3, 4], [5, 6]]);
  await w.complete();
  assert.equal(wb.idle, true);
});

Deno.test("FileOutput writes behind and commits a byte-exact file; abandon keeps what it had", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = crypto.getRandomValues(new Uint8Array(65536)).map((_, i) => i * 7);
    const big = new Uint8Array(5 * 1024 * 1024 + 3).map((_, i) => (i * 31) >> 3);
    const out = new FileOutput(`${dir}/a.bin`);
    for (let i = 0; i < big.length; i += 65536) out.write(big.subarray(i, i + 65536));
    assert.equal(out.written, big.length);
    await out.commit();
    assert.deepEqual(await Deno.readFile(`${dir}/a.bin`), big);
    const resumed = new FileOutput(`${dir}/b.bin`, { offset: 0 });
    resumed.write(data);
    await resumed.abandon(true);
    assert.deepEqual(await Deno.readFile(`${dir}/b.bin.part`), data);
    const more = new FileOutput(`${dir}/b.bin`, { offset: 1000 });
    more.write(data);
    await more.commit();
    assert.deepEqual(await Deno.readFile(`${dir}/b.bin`), new Uint8Array([...data.subarray(0, 1000), ...data]));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SkippingOutput drops the bytes the file already has, across pieces, and appends the rest", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const whole = bytes(0, 5000);
    await Deno.writeFile(`${dir}/s.bin`, new Uint8Array(3000).fill(0x55));
    const out = new SkippingOutput(new FileOutput(`${dir}/s.bin`, { inPlace: true, offset: 3000 }), 3000);
    assert.equal(out.written, 3000);
    for (let i = 0; i < whole.length; i += 700) out.write(whole.subarray(i, i + 700));
    assert.equal(out.written, 5000);
    await out.commit();
    assert.deepEqual(
      await Deno.readFile(`${dir}/s.bin`),
      new Uint8Array([...new Uint8Array(3000).fill(0x55), ...whole.subarray(3000)]),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createOutputFile() empties the -O file, or keeps it with -c, and creates it when missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/kept`, "partial");
    await Deno.writeTextFile(`${dir}/emptied`, "old");
    createOutputFile(`${dir}/kept`, { keep: true });
    createOutputFile(`${dir}/emptied`, { keep: false });
    createOutputFile(`${dir}/new`, { keep: false });
    assert.equal(await Deno.readTextFile(`${dir}/kept`), "partial");
    assert.equal(await Deno.readTextFile(`${dir}/emptied`), "");
    assert.equal(await Deno.readTextFile(`${dir}/new`), "");
    assert.throws(() => createOutputFile(`${dir}/no/such/dir`, { keep: false }), OsError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ConcatOutput on a full device: commit() rejects with write's OsError ENOSPC", async () => {
  const out = new ConcatOutput("/dev/full");
  out.write(new Uint8Array(100_000));
  await assert.rejects(out.commit(), (e) => {
    assert.ok(e instanceof OsError);
    assert.equal(e.code, "ENOSPC");
    assert.equal(e.call, "write");
    assert.match(e.message, /^ENOSPC from write\("\/dev\/full", 100000 bytes\)/);
    return true;
  });
  await out.abandon();
  out.close();
});

Deno.test("WriteBehind with waitingChunks: 2 is full only when two chunks wait", async () => {
  const w = new FakeWriter();
  const wb = new WriteBehind(w.write, { chunkSize: 2, flushDelayMs: null, waitingChunks: 2 });
  assert.equal(wb.write(bytes(0, 4)), true, "one chunk written, one waiting");
  assert.equal(wb.write(bytes(4, 2)), false, "two waiting");
  await w.complete();
  assert.equal(wb.full, false);
  await w.complete();
  await w.complete();
  assert.deepEqual(w.chunks.flat(), [...bytes(0, 6)]);
});
