/**
 * PartFile with real files: writers at several offsets, their writes interleaved, make the exact file; `flushed` says
 * what reached the disk; commit renames only a whole file; abandon keeps or removes it; a failed write (ENOSPC from
 * /dev/full) surfaces as OsError.
 */

import assert from "node:assert/strict";
import { PartFile } from "../../src/save/mod.ts";
import { OsError } from "../../ffi/os_error.ts";
import { fileInfo } from "../../ffi/mod.ts";

/** The bytes of the test file: a pattern that tells every offset apart (mod 251, a prime). */
const pattern = (size: number) => Uint8Array.from({ length: size }, (_, i) => i % 251);

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("PartFile: 4 writers interleaving their writes at their offsets make the exact file", async () => {
  await withDir(async (dir) => {
    const size = 100_000, quarter = size / 4;
    const data = pattern(size);
    const file = new PartFile(`${dir}/f.bin`, { fresh: true, size, chunkSize: 4096 });
    let flushes = 0;
    file.onFlushed = () => flushes++;
    const writers = [0, 1, 2, 3].map((i) => file.writer(i * quarter));
    let seed = 7;
    const positions = [0, 0, 0, 0];
    while (positions.some((p) => p < quarter)) {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      const i = (seed >>> 16) % 4;
      if (positions[i] === quarter) continue;
      const n = Math.min(quarter - positions[i], 1 + (seed >> 8) % 3000);
      const from = i * quarter + positions[i];
      if (!writers[i].write(data.subarray(from, from + n))) await writers[i].drained();
      positions[i] += n;
    }
    assert.deepEqual(writers.map((w) => w.written), [quarter, quarter, quarter, quarter]);
    assert.equal(writers[2].path, `${dir}/f.bin`);
    await file.commit();
    assert.ok(flushes >= size / 4096, "onFlushed after each chunk");
    assert.deepEqual(file.flushed.ranges(), [{ start: 0, end: size }]);
    assert.deepEqual(await Deno.readFile(`${dir}/f.bin`), data);
    assert.equal(fileInfo(`${dir}/f.bin.part`), null, "renamed");
  });
});

Deno.test("PartFile.flushed holds only the chunks written, each writer's at its offset", async () => {
  await withDir(async (dir) => {
    const file = new PartFile(`${dir}/f.bin`, { fresh: true, size: 100, chunkSize: 10 });
    const a = file.writer(0), b = file.writer(50);
    a.write(pattern(25));
    b.write(pattern(75).subarray(50));
    await Promise.all([a.drained(), b.drained()]);
    await a.flush();
    assert.deepEqual(file.flushed.ranges().at(0), { start: 0, end: 25 });
    await b.flush();
    assert.deepEqual(file.flushed.ranges(), [{ start: 0, end: 25 }, { start: 50, end: 75 }]);
    await assert.rejects(file.commit(), /Cannot complete ".*f\.bin": bytes 25 to 50 were never written/);
    assert.equal(fileInfo(`${dir}/f.bin`), null, "a file with holes keeps its part name");
    await file.abandon(true);
  });
});

Deno.test("PartFile.abandon(true) keeps what was written for a resume; abandon(false) removes it", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/f.bin`;
    const data = pattern(1000);
    const first = new PartFile(path, { fresh: true, size: 1000, chunkSize: 64 });
    first.writer(0).write(data.subarray(0, 300));
    first.writer(600).write(data.subarray(600, 700));
    await first.abandon(true);
    assert.deepEqual(first.flushed.ranges(), [{ start: 0, end: 300 }, { start: 600, end: 700 }]);
    const kept = await Deno.readFile(`${path}.part`);
    assert.deepEqual(kept.subarray(0, 300), data.subarray(0, 300));
    assert.deepEqual(kept.subarray(600, 700), data.subarray(600, 700));

    const resumed = new PartFile(path, { fresh: false, size: 1000, have: first.flushed.ranges() });
    resumed.writer(300).write(data.subarray(300, 600));
    resumed.writer(700).write(data.subarray(700));
    await resumed.commit();
    assert.deepEqual(await Deno.readFile(path), data);

    const dropped = new PartFile(`${dir}/g.bin`, { fresh: true, size: 10 });
    dropped.writer(0).write(pattern(5));
    await dropped.abandon(false);
    assert.equal(fileInfo(`${dir}/g.bin.part`), null);
  });
});

Deno.test("PartFile: fresh empties a leftover part file, commit cuts one longer than the size", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/f.bin`;
    await Deno.writeFile(`${path}.part`, new Uint8Array(50).fill(9));
    const fresh = new PartFile(path, { fresh: true, size: 10 });
    assert.equal(fileInfo(`${path}.part`)?.size, 0);
    await fresh.abandon(true);
    await Deno.writeFile(`${path}.part`, new Uint8Array(50).fill(9));
    const resumed = new PartFile(path, { fresh: false, size: 20, have: [{ start: 0, end: 10 }] });
    resumed.writer(10).write(pattern(10));
    await resumed.commit();
    assert.deepEqual(await Deno.readFile(path), Uint8Array.from([...new Uint8Array(10).fill(9), ...pattern(10)]));
  });
});

Deno.test("PartWriter refuses bytes past the file's size", async () => {
  await withDir(async (dir) => {
    const file = new PartFile(`${dir}/f.bin`, { fresh: true, size: 10 });
    assert.throws(() => file.writer(11), RangeError);
    const w = file.writer(8);
    assert.throws(() => w.write(pattern(3)), /Cannot write ".*f\.bin\.part" up to byte 11 of 10/);
    await file.abandon(false);
  });
});

Deno.test("PartFile: a failed write (ENOSPC on /dev/full) surfaces as OsError", async () => {
  await withDir(async (dir) => {
    await Deno.symlink("/dev/full", `${dir}/f.bin.part`);
    const file = new PartFile(`${dir}/f.bin`, { fresh: true, size: 4096, chunkSize: 1024 });
    const w = file.writer(1024);
    w.write(pattern(2048));
    await assert.rejects(w.flush(), (e: unknown) => e instanceof OsError && e.code === "ENOSPC" && e.call === "pwrite");
    assert.throws(() => w.write(pattern(1)), OsError);
    assert.deepEqual(file.flushed.ranges(), []);
    await file.abandon(true);
  });
});
