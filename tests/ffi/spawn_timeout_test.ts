/**
 * Tests of the additions to ffi/spawn.ts made for the firewall fallback: `timeoutMs`, `runCommandSync` and
 * `findProgram`. (Kept apart from spawn_test.ts so that file's owner can merge them at will.)
 */

import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { OsError } from "../../ffi/os_error.ts";
import { findProgram, runCommand, runCommandSync } from "../../ffi/spawn.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("runCommand() kills a child that outlives timeoutMs and says so", async () => {
  const started = performance.now();
  const r = await runCommand(["sleep", "10"], { timeoutMs: 100 });
  deepEqual([r.code, r.signal, r.timedOut], [null, 9, true]);
  ok(performance.now() - started < 2000);
});

Deno.test("runCommand() stops at timeoutMs even when a grandchild keeps the pipes open", async () => {
  const started = performance.now();
  const r = await runCommand(["sh", "-c", "echo early; sleep 3 & sleep 3"], { timeoutMs: 150 });
  deepEqual([text(r.stdout), r.timedOut], ["early\n", true]);
  ok(performance.now() - started < 2000);
});

Deno.test("runCommand() with a timeout it does not reach reports the exit as usual", async () => {
  const r = await runCommand(["sh", "-c", "echo out; echo err >&2; exit 4"], { timeoutMs: 5000 });
  deepEqual([r.code, r.signal, r.timedOut, text(r.stdout), text(r.stderr)], [4, null, false, "out\n", "err\n"]);
});

Deno.test("runCommandSync() collects stdout, stderr and the exit code, and kills at timeoutMs", () => {
  const r = runCommandSync(["sh", "-c", "echo out; echo err >&2; exit 3"]);
  deepEqual([r.code, r.timedOut, text(r.stdout), text(r.stderr)], [3, false, "out\n", "err\n"]);
  const big = runCommandSync(["head", "-c", "1000000", "/dev/zero"]);
  equal(big.stdout.length, 1_000_000);
  const started = performance.now();
  const slow = runCommandSync(["sh", "-c", "exec >&- 2>&-; sleep 10"], { timeoutMs: 100 });
  deepEqual([slow.signal, slow.timedOut], [9, true]);
  ok(performance.now() - started < 2000);
  throws(() => runCommandSync(["rhg-no-such-program"]), (e: unknown) => e instanceof OsError && e.code === "ENOENT");
});

Deno.test("findProgram() looks in PATH, then the sbin directories, else returns the name", () => {
  ok(/^\/.*\/sh$/.test(findProgram("sh")), findProgram("sh"));
  const path = Deno.env.get("PATH");
  Deno.env.set("PATH", "/nonexistent"); // as a user's PATH under `sudo -E` may lack the sbin directories
  try {
    ok(/^\/(usr\/(local\/)?)?sbin\/nft$/.test(findProgram("nft")), findProgram("nft"));
  } finally {
    Deno.env.set("PATH", path ?? "");
  }
  equal(findProgram("./x"), "./x");
  equal(findProgram("rhg-no-such-program"), "rhg-no-such-program");
});
