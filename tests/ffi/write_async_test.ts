/**
 * `File.writeAsync`: a write on a worker thread that loops on short writes, reports errors with this thread's errno
 * (the nonblocking call's own errno is stale), and waits for room on a full non-blocking pipe.
 */

import assert from "node:assert/strict";
import { File, openFile } from "../../ffi/fs.ts";
import { libc } from "../../ffi/libc.ts";
import { OsError } from "../../ffi/os_error.ts";

const O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;

Deno.test("writeAsync() writes a large buffer whole", async () => {
  const path = await Deno.makeTempFile();
  try {
    const data = new Uint8Array(5 * 1024 * 1024 + 7).map((_, i) => (i * 131) >> 2);
    const f = openFile(path, { write: true, truncate: true });
    await f.writeAsync(data);
    f.close();
    assert.deepEqual(await Deno.readFile(path), data);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("writeAsync() on a full device throws write's OsError ENOSPC", async () => {
  const f = openFile("/dev/full", { write: true });
  try {
    await assert.rejects(f.writeAsync(new Uint8Array(4096)), (e) => {
      assert.ok(e instanceof OsError);
      assert.equal(e.code, "ENOSPC");
      assert.equal(e.message, 'ENOSPC from write("/dev/full", 4096 bytes): No space left on device');
      return true;
    });
  } finally {
    f.close();
  }
});

Deno.test("writeAsync() into a full non-blocking pipe waits for room and loses nothing", async () => {
  const fds = new Int32Array(2);
  assert.equal(libc().pipe2(new Uint8Array(fds.buffer), O_NONBLOCK | O_CLOEXEC), 0);
  const reader = new File(fds[0], "pipe reader"), writer = new File(fds[1], "pipe writer");
  try {
    const data = new Uint8Array(1024 * 1024).map((_, i) => i * 7);
    const written = writer.writeAsync(data); // far more than the pipe holds: EAGAIN, then poll for room
    const got: number[] = [];
    const buf = new Uint8Array(65536);
    while (got.length < data.length) {
      const n = Number(libc().read(reader.fd, buf, BigInt(buf.length)));
      if (n > 0) got.push(...buf.subarray(0, n));
      else await new Promise((r) => setTimeout(r, 1)); // EAGAIN: let the writer run
    }
    await written;
    assert.deepEqual(new Uint8Array(got), data);
  } finally {
    reader.close();
    writer.close();
  }
});
