import assert from "node:assert/strict";
import { exec } from "../_support/exec.ts";
import { denoRun } from "../_support/program.ts";
import { HERE } from "./_helpers.ts";

Deno.test("libc() binds each symbol on first use, and errno's accessor at once", async () => {
  // A fresh process: this test process has bound many symbols already.
  const r = await exec(denoRun(`${HERE}_first_error_child.ts`));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    // Bound with the table: binding it after a failed call would run dlopen before its errno is read.
    before: { errno: true, close: false, fsync: false },
    errno: "EBADF",
    after: { errno: true, close: true, fsync: false },
  });
});
