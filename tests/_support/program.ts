/**
 * The program under test and how tests start it: where `main.ts` is, the Deno command line of it or of any test
 * script, and {@linkcode rhg}, which runs it to the end in the testbed's client namespace.
 *
 * @module
 */

import { exec, type ExecResult, inNamespace } from "./exec.ts";
import { makeOpenTempDir } from "./files.ts";

/** The repository root, without a trailing slash (the documented `sudo deno run --allow-ffi main.ts URL` runs there). */
export const REPO_ROOT: string = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
/** Absolute path of the program under test. */
export const MAIN: string = `${REPO_ROOT}/main.ts`;
/**
 * `deno run FLAGS SCRIPT ARGS…` with the Deno executable running the tests; the flags default to `--allow-ffi`, all
 * that rawhttpget and the tests' child scripts need. (The path is looked up at each call: a child script that imports
 * this module may lack the read permission `Deno.execPath()` needs.)
 *
 * @example
 * ```ts
 * const argv = denoRun(`${HERE}_raw_child.ts`, ["send"]); // [deno, "run", "--allow-ffi", "…/_raw_child.ts", "send"]
 * ```
 */
export function denoRun(
  script: string,
  args: readonly string[] = [],
  flags: readonly string[] = ["--allow-ffi"],
): string[] {
  return [Deno.execPath(), "run", ...flags, script, ...args];
}

/**
 * The command line of rawhttpget: `deno run --allow-ffi main.ts --no-config ARGS…` (other Deno flags with `flags`).
 * `--no-config`, as tests/_support/differential.ts gives wget: no wgetrc of the machine (/etc/wgetrc, `~/.wgetrc`,
 * `$WGETRC`) changes what a test sees; `readConfig` leaves it out for the tests of the configuration.
 *
 * @example
 * ```ts
 * const child = tb.spawnClient(mainCommand(["-q", "-O", out, url]));
 * ```
 */
export function mainCommand(args: readonly string[], flags?: readonly string[], readConfig = false): string[] {
  return denoRun(MAIN, readConfig ? args : ["--no-config", ...args], flags);
}

/** Options of {@linkcode rhg}. */
export interface RhgOptions {
  /** Working directory (default: a new directory in the testbed's temp directory). */
  readonly dir?: string;
  /** Extra environment variables. */
  readonly env?: Record<string, string>;
  /** Words before the command line, e.g. `setpriv …` to run it as another user. */
  readonly prefix?: readonly string[];
  /** Deno's flags instead of `--allow-ffi`. */
  readonly flags?: readonly string[];
  /** Kill it after this many milliseconds (default 60 s); the result then has `timedOut`. */
  readonly timeoutMs?: number;
  /** Read the wgetrc files as a user's run does (default: `--no-config`, see {@linkcode mainCommand}). */
  readonly readConfig?: boolean;
  /** Bytes written to its standard input (default: /dev/null). */
  readonly stdin?: Uint8Array;
}

/** A finished run of rawhttpget and the directory it ran in. */
export interface Run extends ExecResult {
  /** The working directory (files saved without -O or -P land here). */
  readonly dir: string;
}

/**
 * Runs `deno run --allow-ffi main.ts ARGS…` to the end in the testbed's client namespace, in a fresh working
 * directory unless `opts.dir` names one.
 *
 * @example
 * ```ts
 * const r = await rhg(tb, ["-q", tb.url("deno", "/a.txt")]);
 * assert.equal(await Deno.readTextFile(`${r.dir}/a.txt`), "first\n");
 * ```
 */
export async function rhg(
  tb: { readonly clientNs: string; readonly tempDir: string },
  args: readonly string[],
  opts: RhgOptions = {},
): Promise<Run> {
  const dir = opts.dir ?? await makeOpenTempDir({ dir: tb.tempDir, prefix: "run-" });
  const cmd = inNamespace(tb.clientNs, [...(opts.prefix ?? []), ...mainCommand(args, opts.flags, opts.readConfig)]);
  const r = await exec(cmd, { cwd: dir, env: opts.env, timeoutMs: opts.timeoutMs ?? 60_000, stdin: opts.stdin });
  return { ...r, dir };
}
