import { deepEqual, equal, rejects } from "node:assert/strict";
import { OsError } from "../../ffi/os_error.ts";
import { runCommand } from "../../ffi/spawn.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("runCommand() feeds stdin and collects stdout, stderr and the exit code", async () => {
  const r = await runCommand(["sh", "-c", "tr a-z A-Z; echo oops >&2; exit 3"], {
    stdin: new TextEncoder().encode("hello"),
  });
  deepEqual([r.code, r.signal, text(r.stdout), text(r.stderr)], [3, null, "HELLO", "oops\n"]);
});

Deno.test("runCommand() moves more than a pipe's worth of bytes both ways", async () => {
  const r = await runCommand(["cat"], { stdin: new Uint8Array(1 << 20).fill(7) });
  equal(r.code, 0);
  equal(r.stdout.length, 1 << 20);
});

Deno.test("runCommand() reports a signal and a missing program", async () => {
  const r = await runCommand(["sh", "-c", "kill -TERM $$"]);
  deepEqual([r.code, r.signal], [null, 15]);
  await rejects(runCommand(["rhg-no-such-program"]), (e: unknown) => e instanceof OsError && e.code === "ENOENT");
});
