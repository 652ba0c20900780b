/**
 * rawhttpget: the entry point and the only `Deno.exit` of the program. It needs `--allow-ffi` and nothing else:
 * files, the environment and name resolution go through libc (ffi/).
 *
 * Run as root, it first starts the privileged helper that will open the raw sockets after the drop of root
 * (src/privilege), then loads the program (src/program): the helper's start-up (a second Deno process, ~35 ms)
 * overlaps the loading of the program's modules instead of delaying the first connection.
 *
 * @module
 */

import { earlyHelper, HELPER_ARGUMENT, runHelper } from "./src/privilege/mod.ts";

if (import.meta.main) {
  // The compiled program is its own privileged helper (with `deno run`, the helper runs its module directly).
  if (Deno.args[0] === HELPER_ARGUMENT) Deno.exit(await runHelper());
  const helper = earlyHelper(Deno.args);
  const { failureCode, main } = await import("./src/program/mod.ts");
  let code: number;
  try {
    code = await main(Deno.args, { helper, exit: (status) => Deno.exit(status) });
  } catch (e) {
    code = failureCode(e);
  }
  Deno.exit(code);
}
