/**
 * Helpers for the fault tests: start our real program in the client namespace, wait for its `.part` file to grow,
 * and read the client namespace's firewall state.
 *
 * @module
 */

import type { Testbed } from "../testbed/testbed.ts";

/** Path of our program. */
export const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Starts `main.ts ARGS` in the client namespace (stdout and stderr piped). */
export function startGet(tb: Testbed, args: string[], env?: Record<string, string>): Deno.ChildProcess {
  return tb.spawnClient([Deno.execPath(), "run", "--allow-ffi", MAIN, "--tries", "1", ...args], { env });
}

/** Exit code, stderr and duration of a started program. */
export async function finish(child: Deno.ChildProcess): Promise<{ code: number; stderr: string }> {
  const out = await child.output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

/** Resolves once `path` holds at least `bytes` bytes; throws after `limitMs`. */
export async function waitForSize(path: string, bytes: number, limitMs = 15_000): Promise<void> {
  const end = Date.now() + limitMs;
  for (;;) {
    try {
      if ((await Deno.stat(path)).size >= bytes) return;
    } catch { /* not created yet */ }
    if (Date.now() > end) throw new Error(`${path} did not reach ${bytes} bytes within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The client namespace's nftables ruleset and iptables rules (`iptables -S`), as text. */
export async function firewallState(tb: Testbed): Promise<{ nft: string; iptables: string }> {
  const nft = await tb.execClient(["nft", "list", "ruleset"]);
  const ipt = await tb.execClient(["iptables", "-S"]);
  return { nft: nft.stdout.trim(), iptables: ipt.stdout.trim() };
}

/** What `iptables -S` prints for an empty filter table. */
export const EMPTY_IPTABLES = "-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT";

/** Whether `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}
