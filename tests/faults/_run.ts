/**
 * Starting our real program for the fault tests: one try per URL (`--tries 1`), in the client namespace, left
 * running so that the test can stop it, starve it or break its network in the middle.
 *
 * @module
 */

import type { Testbed } from "../testbed/testbed.ts";
import { mainCommand } from "../_support/program.ts";

/** Starts `main.ts --tries 1 ARGS` in the client namespace (stdout and stderr piped). */
export function startGet(tb: Testbed, args: string[], env?: Record<string, string>): Deno.ChildProcess {
  return tb.spawnClient(mainCommand(["--tries", "1", ...args]), { env });
}

/** Exit code and stderr of a started program, once it ends. */
export async function finish(child: Deno.ChildProcess): Promise<{ code: number; stderr: string }> {
  const out = await child.output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}
