/**
 * `-O` naming a device or a pipe, as `-O /dev/null` does: the file is written as it is, never through a `NAME.part`
 * beside it renamed over it afterwards (as root that replaced /dev/null itself with a regular file). The tests use
 * device nodes of their own in the run's directory, so that a regression cannot break the machine's /dev/null.
 */

import assert from "node:assert/strict";
import { exec, run } from "../_support/exec.ts";
import { rhg } from "../_support/program.ts";
import { makeOpenTempDir, sha256Bytes } from "../_support/files.ts";
import { testbedTest } from "../testbed/testbed.ts";

testbedTest("-O a device or a pipe: written in place, as wget does", { servers: ["nginx"] }, async (t, tb) => {
  const f = await tb.randomFile("s.bin", 300_000, "special");
  const url = tb.url("nginx", "/s.bin");

  for (const urls of [[url], [url, url]]) {
    await t.step(`-O a character device (/dev/null's), ${urls.length} URL(s): it stays a device`, async () => {
      const dir = await makeOpenTempDir({ dir: tb.tempDir, prefix: "dev-" });
      await run(["mknod", "-m", "666", `${dir}/null`, "c", "1", "3"]);
      for (const argv of [["--no-drop-privileges"], []]) {
        const r = await rhg(tb, ["-q", ...argv, "-O", `${dir}/null`, ...urls], { dir });
        assert.equal(r.code, 0, r.stderr);
        const kind = (await run(["stat", "-c", "%F", `${dir}/null`])).trim();
        assert.equal(kind, "character special file");
        assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["null"], "no NAME.part left");
      }
      const w = await exec([
        "ip",
        "netns",
        "exec",
        tb.clientNs,
        "wget",
        "--no-config",
        "-q",
        "-O",
        `${dir}/null`,
        ...urls,
      ], {
        cwd: dir,
      });
      assert.equal(w.code, 0, w.stderr);
    });
  }

  await t.step("-O a FIFO: the bytes go through it in order", async () => {
    const dir = await makeOpenTempDir({ dir: tb.tempDir, prefix: "fifo-" });
    await run(["mkfifo", "-m", "666", `${dir}/pipe`]);
    // The reader's output is collected while the download runs: unread, cat would stop after one pipe's worth.
    const reader = new Deno.Command("cat", { args: [`${dir}/pipe`], stdout: "piped" }).output();
    const r = await rhg(tb, ["-q", "-O", `${dir}/pipe`, url], { dir });
    assert.equal(r.code, 0, r.stderr);
    const out = await reader;
    assert.equal(sha256Bytes(out.stdout), f.sha256);
  });
});
