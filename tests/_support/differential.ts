/**
 * Differential runs: the same command line against GNU wget (`/usr/bin/wget`) and rawhttpget, in the testbed's
 * client namespace, each in a fresh working directory prepared the same way; then the files each left (names, bytes,
 * mtimes) and the exit codes are compared. Where rawhttpget differs on purpose, the test says why and passes
 * `ignore` or checks that difference itself.
 *
 * @module
 */

import assert from "node:assert/strict";
import { exec, type ExecResult, inNamespace, run } from "./exec.ts";
import { makeOpenTempDir, RUN_USER, sha256Bytes } from "./files.ts";
import { rhg } from "./program.ts";

/** One file a run left in its directory. */
export interface LeftFile {
  /** Bytes. */
  readonly size: number;
  /** SHA-256 of the bytes. */
  readonly sha256: string;
  /** Modification time, whole seconds since the epoch. */
  readonly mtime: number;
}

/** What one side of a differential run did. */
export interface Side extends ExecResult {
  /** Its working directory. */
  readonly dir: string;
  /** Every file below `dir` (paths relative to it), sorted by path. */
  readonly files: ReadonlyMap<string, LeftFile>;
}

/** Options of {@linkcode differential}. */
export interface DifferentialOptions {
  /** Prepares each working directory before its run (the same for both sides), e.g. a partial file for `-c`. */
  readonly setup?: (dir: string) => Promise<void>;
  /** Extra environment variables for both. */
  readonly env?: Record<string, string>;
  /** Kill a side after this many milliseconds (default 60 s). */
  readonly timeoutMs?: number;
  /**
   * Let both read their wgetrc files (`HOME`, `WGETRC`, `SYSTEM_WGETRC` in `env` say which). Default: both run with
   * `--no-config`, so that no wgetrc of the machine changes either side.
   */
  readonly readConfig?: boolean;
  /** Bytes both read on their standard input (`-i -`); without it stdin is /dev/null. */
  readonly stdin?: Uint8Array;
}

async function listFiles(dir: string, prefix = ""): Promise<Map<string, LeftFile>> {
  const out = new Map<string, LeftFile>();
  const names = [];
  for await (const e of Deno.readDir(`${dir}/${prefix}`)) names.push(e);
  names.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of names) {
    const rel = `${prefix}${e.name}`;
    if (e.isDirectory) {
      for (const [k, v] of await listFiles(dir, `${rel}/`)) out.set(k, v);
      continue;
    }
    const bytes = await Deno.readFile(`${dir}/${rel}`);
    const stat = await Deno.stat(`${dir}/${rel}`);
    out.set(rel, {
      size: bytes.length,
      sha256: await sha256Bytes(bytes),
      mtime: Math.floor((stat.mtime?.getTime() ?? 0) / 1000),
    });
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Runs `args` with wget and with rawhttpget on the testbed, one after the other, each in its own new directory.
 *
 * @example
 * ```ts
 * const d = await differential(tb, ["-q", tb.url("deno", "/a.txt")]);
 * assertSameOutcome(d);
 * ```
 */
export async function differential(
  tb: { readonly clientNs: string; readonly tempDir: string },
  args: readonly string[],
  options: DifferentialOptions = {},
): Promise<{ wget: Side; rhg: Side }> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const wgetDir = await makeOpenTempDir({ dir: tb.tempDir, prefix: "wget-" });
  const rhgDir = await makeOpenTempDir({ dir: tb.tempDir, prefix: "rhg-" });
  await options.setup?.(wgetDir);
  await options.setup?.(rhgDir);
  // The files a setup leaves are each side's own: wget's run as root, ours as the user a root run drops to.
  await run(["chown", "-R", `${RUN_USER.uid}:${RUN_USER.gid}`, rhgDir]);
  // --no-config (rhg() passes it too): a wgetrc on the test machine must not change either side.
  const noConfig = options.readConfig ? [] : ["--no-config"];
  const w = await exec(inNamespace(tb.clientNs, ["wget", ...noConfig, ...args]), {
    cwd: wgetDir,
    env: options.env,
    timeoutMs,
    stdin: options.stdin,
  });
  const r = await rhg(tb, args, {
    dir: rhgDir,
    env: options.env,
    timeoutMs,
    readConfig: options.readConfig,
    stdin: options.stdin,
  });
  return {
    wget: { ...w, dir: wgetDir, files: await listFiles(wgetDir) },
    rhg: { ...r, dir: rhgDir, files: await listFiles(rhgDir) },
  };
}

/** What {@linkcode assertSameOutcome} compares. */
export interface SameOptions {
  /** Compare modification times too (wget sets them from Last-Modified). Default false. */
  readonly mtimes?: boolean;
  /** Paths left out of the comparison, each for a stated reason (e.g. our `.part` file kept for `-c`). */
  readonly ignore?: readonly string[];
}

/** Asserts that both sides exited with the same code and left the same files (names and bytes, and mtimes if asked). */
export function assertSameOutcome(d: { wget: Side; rhg: Side }, options: SameOptions = {}): void {
  const pick = (s: Side) =>
    [...s.files].filter(([p]) => !(options.ignore ?? []).includes(p)).map(([p, f]) =>
      options.mtimes ? [p, f.size, f.sha256, f.mtime] : [p, f.size, f.sha256]
    );
  const context =
    `\n--- wget (exit ${d.wget.code}):\n${d.wget.stderr}\n--- rawhttpget (exit ${d.rhg.code}):\n${d.rhg.stderr}`;
  assert.equal(d.rhg.code, d.wget.code, `exit codes differ${context}`);
  assert.deepEqual(pick(d.rhg), pick(d.wget), `files differ${context}`);
}
