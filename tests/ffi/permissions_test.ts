import { equal } from "node:assert/strict";
import { exec } from "../_support/exec.ts";
import { withTempDir } from "../_support/files.ts";
import { denoRun } from "../_support/program.ts";
import { HERE } from "./_helpers.ts";

Deno.test("a script using ffi/ writes a file, reads the environment and runs a command with only --allow-ffi", async () => {
  await withTempDir("rhg-ffi-perm-", async (dir) => {
    const r = await exec(denoRun(HERE + "_permission_child.ts", [dir], ["--allow-ffi", "--no-prompt"]), {
      env: { RHG_FFI_PROBE: "probe-value" },
    });
    equal(r.code, 0, r.stderr);
    equal(r.stdout.trim(), "env=probe-value echo=hi denied=read,write,env,run");
    equal(await Deno.readTextFile(`${dir}/written.txt`), "written through libc\n");
  });
});
