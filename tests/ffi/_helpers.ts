/**
 * Shared steps of the ffi tests: a throw-away namespace with two loopback addresses, and the tests' child scripts
 * (`_*_child.ts`, run with only `--allow-ffi`, like rawhttpget itself).
 *
 * @module
 */

import { exec, inNamespace } from "../_support/exec.ts";
import { namespaceName, withNamespaces } from "../_support/namespaces.ts";
import { denoRun } from "../_support/program.ts";

/** Absolute path of tests/ffi/. */
export const HERE: string = new URL(".", import.meta.url).pathname;

let nsCounter = 0;

/**
 * Creates namespace `rhg-ffi-<pid>-<n>` with `lo` up and 198.18.0.1/32, 198.18.0.2/32 on it, runs `fn(name)`, and
 * deletes the namespace whatever happens.
 */
export async function withNamespace<T>(fn: (ns: string) => Promise<T>): Promise<T> {
  const loopback = ["198.18.0.1/32", "198.18.0.2/32"];
  return await withNamespaces([namespaceName("ffi", nsCounter++)], ([ns]) => fn(ns), { loopback });
}

/** Runs tests/ffi/<script> with `deno run --allow-ffi` inside namespace `ns`; throws with its output on failure. */
export async function runInNamespace(ns: string, script: string, args: string[] = []): Promise<string> {
  const r = await exec(inNamespace(ns, denoRun(HERE + script, args)));
  if (r.code !== 0) throw new Error(`${script} ${args.join(" ")} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
