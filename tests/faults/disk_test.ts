/**
 * The output side failing: a full disk (a small tmpfs as the output directory) ends with exit 3 and a clear message;
 * a read-only output directory is refused before anything is sent. Root ignores file modes, so "unwritable" is a
 * read-only mount.
 */

import assert from "node:assert/strict";
import { readTrace } from "../adversarial/_harness.ts";
import { exec } from "../_support/exec.ts";
import { testbedTest } from "../testbed/testbed.ts";
import { sha256Bytes } from "../_support/files.ts";
import { finish, startGet } from "./_run.ts";

async function withTmpfs<T>(dir: string, options: string, fn: () => Promise<T>): Promise<T> {
  await Deno.mkdir(dir);
  const r = await exec(["mount", "-t", "tmpfs", "-o", options, "tmpfs", dir]);
  if (r.code !== 0) throw new Error(`Cannot mount a tmpfs on ${dir}: ${r.stderr}`);
  try {
    return await fn();
  } finally {
    await exec(["umount", dir]);
  }
}

testbedTest("a full disk and a read-only output directory", { servers: ["deno"] }, async (t, tb) => {
  await tb.randomFile("big.bin", 2 << 20, 3);

  await t.step("a disk that fills up mid-download: exit 3, 'no space left'", async () => {
    const dir = `${tb.tempDir}/full`;
    await withTmpfs(dir, "size=256k", async () => {
      const r = await finish(startGet(tb, ["-q", "-O", `${dir}/out.bin`, tb.url("deno", "/big.bin")]));
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /Cannot write .*: no space left on the device/);
      // -O's file was created (empty) before connecting, as wget does; nothing final was saved in it.
      assert.equal((await Deno.stat(`${dir}/out.bin`)).size, 0);
    });
  });

  await t.step("a slow reader of standard output (a slow disk): no byte lost", async () => {
    // Writes are synchronous: while one blocks, the loop stalls, frames wait in the raw socket's buffer (or are
    // lost and resent), and nothing is ACKed; when it returns the download goes on.
    const file = await tb.randomFile("slow.bin", 4 << 20, 9);
    const pcap = `${tb.tempDir}/slow.pcap`;
    const child = startGet(tb, ["-q", "--pcap", pcap, "-O", "-", tb.url("deno", "/slow.bin")]);
    const chunks: Uint8Array[] = [];
    for await (const chunk of child.stdout) {
      chunks.push(chunk);
      await new Promise((r) => setTimeout(r, 5)); // ≈ 64 KiB per 5 ms at most
    }
    const r = await finish(child);
    assert.equal(r.code, 0, r.stderr);
    const got = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    chunks.reduce((o, c) => (got.set(c, o), o + c.length), 0);
    assert.equal(await sha256Bytes(got), file.sha256);
    const trace = await readTrace(pcap);
    console.log(`slow reader: ${trace.length} frames, ${trace.filter((e) => e.dir === "out").length} sent`);
  });

  await t.step("a read-only output directory: exit 3 before any frame is sent", async () => {
    const dir = `${tb.tempDir}/ro`;
    const pcap = `${tb.tempDir}/ro.pcap`;
    await withTmpfs(dir, "ro,size=64k", async () => {
      const r = await finish(
        startGet(tb, ["-q", "--pcap", pcap, "-O", `${dir}/out.bin`, tb.url("deno", "/big.bin")]),
      );
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /Cannot write .*ro/);
      assert.deepEqual(await readTrace(pcap), [], "nothing was sent");
    });
  });
});
