/** Child of permissions_test.ts, run with exactly `--allow-ffi`: uses ffi/ for files, env and a command. */
import { getEnv, openFile, renameFile, runCommand } from "../../ffi/mod.ts";

const dir = Deno.args[0];
const f = openFile(`${dir}/written.txt.part`, { create: true, truncate: true, write: true });
f.write(new TextEncoder().encode("written through libc\n"));
f.close();
renameFile(`${dir}/written.txt.part`, `${dir}/written.txt`);
const echo = await runCommand(["echo", "hi"]);
const denied = (["read", "write", "env", "run"] as const).filter((name) =>
  Deno.permissions.querySync({ name }).state !== "granted"
);
console.log(`env=${getEnv("RHG_FFI_PROBE")} echo=${new TextDecoder().decode(echo.stdout).trim()} denied=${denied}`);
