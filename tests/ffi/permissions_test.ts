import { equal } from "node:assert/strict";
import { DENO, HERE, run } from "./_helpers.ts";

Deno.test("a script using ffi/ writes a file, reads the environment and runs a command with only --allow-ffi", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rhg-ffi-perm-" });
  try {
    const r = await run(DENO, ["run", "--allow-ffi", "--no-prompt", HERE + "_permission_child.ts", dir], {
      env: { RHG_FFI_PROBE: "probe-value" },
    });
    equal(r.code, 0, r.stderr);
    equal(r.stdout.trim(), "env=probe-value echo=hi denied=read,write,env,run");
    equal(await Deno.readTextFile(`${dir}/written.txt`), "written through libc\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
