/**
 * Runs rawhttpget on the testbed's client: `deno run --allow-ffi main.ts …` in a fresh working directory.
 *
 * @module
 */

import type { ExecResult, Testbed } from "../testbed/testbed.ts";

/** The program under test. */
export const MAIN: string = new URL("../../main.ts", import.meta.url).pathname;
/** The repository root (the card's command runs there). */
export const ROOT: string = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/** A finished run and the directory it ran in. */
export interface Run extends ExecResult {
  /** The working directory (files saved without -O or -P land here). */
  readonly dir: string;
}

/**
 * Runs `deno run --allow-ffi main.ts ...args` in the client namespace, in `dir` (a new temp dir by default), killed
 * after `timeoutMs` (60 s).
 */
export async function rhg(
  tb: Testbed,
  args: string[],
  opts: { dir?: string; env?: Record<string, string>; prefix?: string[]; deno?: string[]; timeoutMs?: number } = {},
): Promise<Run> {
  const dir = opts.dir ?? await Deno.makeTempDir({ dir: tb.tempDir, prefix: "cli-" });
  const cmd = [...(opts.prefix ?? []), "deno", "run", ...(opts.deno ?? ["--allow-ffi"]), MAIN, ...args];
  const r = await tb.execClient(cmd, { cwd: dir, env: opts.env, timeoutMs: opts.timeoutMs ?? 60_000 });
  return { ...r, dir };
}

/** Bytes of a file, or null when it does not exist. */
export async function readOrNull(path: string): Promise<Uint8Array | null> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/** The names in a directory, sorted. */
export async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}
