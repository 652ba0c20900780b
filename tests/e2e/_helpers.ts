/**
 * Shared steps of the end-to-end tests: run rawhttpget (`main.ts`) and curl in the client namespace on the same URL,
 * hash what each saved, and check that no firewall rule of ours is left.
 *
 * @module
 */

import assert from "node:assert/strict";
import { sha256File, type Testbed } from "../testbed/testbed.ts";
import { findProgram } from "../testbed/exec.ts";

/** Absolute path of the program under test. */
export const MAIN: string = new URL("../../main.ts", import.meta.url).pathname;

/** One MiB. */
export const MiB = 1 << 20;

/** What one run of rawhttpget did. */
export interface RhgRun {
  /** Exit code. */
  code: number;
  /** Standard error (messages and the summary line). */
  stderr: string;
  /** Wall-clock time of the whole process, in ms. */
  timeMs: number;
  /** sha256 of the saved file, or `null` when no file exists at the output path. */
  sha256: string | null;
  /** Whether `<out>.part` exists. */
  partExists: boolean;
  /** The output path. */
  out: string;
}

async function hashOrNull(path: string): Promise<string | null> {
  try {
    return await sha256File(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

let counter = 0;

/** A fresh output path in the testbed's temp directory. */
export function outPath(tb: Testbed, label: string): string {
  return `${tb.tempDir}/out-${++counter}-${label.replace(/[^\w.-]/g, "_")}`;
}

/**
 * Runs `deno run --allow-ffi main.ts -O <out> [...args] <url>` in the client namespace, then checks that no firewall
 * rule of ours remains there.
 */
export async function rhg(tb: Testbed, url: string, args: string[] = [], timeoutMs = 120_000): Promise<RhgRun> {
  const out = outPath(tb, url.slice(url.lastIndexOf("/") + 1) || "index");
  const r = await tb.execClient([Deno.execPath(), "run", "--allow-ffi", MAIN, "-O", out, ...args, url], { timeoutMs });
  assert.ok(!r.timedOut, `rawhttpget did not finish in ${timeoutMs} ms for ${url}: ${r.stderr}`);
  await assertNoFirewallLeft(tb);
  return {
    code: r.code,
    stderr: r.stderr,
    timeMs: r.timeMs,
    sha256: await hashOrNull(out),
    partExists: await exists(`${out}.part`),
    out,
  };
}

/** Runs curl on `url` in the client namespace (`--compressed` to decode gzip) and returns the sha256 of its file. */
export async function curlSha256(tb: Testbed, url: string, compressed = false): Promise<string> {
  const out = outPath(tb, "curl");
  const r = await tb.execClient(["curl", "-sSf", ...(compressed ? ["--compressed"] : []), "-o", out, url], {
    timeoutMs: 120_000,
  });
  assert.equal(r.code, 0, `curl ${url} failed: ${r.stderr}`);
  const sha = await sha256File(out);
  await Deno.remove(out);
  return sha;
}

/**
 * Downloads `url` with rawhttpget and with curl and asserts both saved exactly `expected` (a sha256); removes the
 * files. Returns the rawhttpget run.
 */
export async function assertSameAsServedAndCurl(
  tb: Testbed,
  url: string,
  expected: string,
  opts: { compressed?: boolean; args?: string[] } = {},
): Promise<RhgRun> {
  const run = await rhg(tb, url, opts.args);
  assert.equal(run.code, 0, `rawhttpget ${url} exited with ${run.code}: ${run.stderr}`);
  assert.equal(run.sha256, expected, `rawhttpget saved other bytes than served for ${url}: ${run.stderr}`);
  assert.equal(run.partExists, false, `a .part file is left after a successful download of ${url}`);
  assert.equal(await curlSha256(tb, url, opts.compressed), expected, `curl saved other bytes for ${url}`);
  await Deno.remove(run.out);
  return run;
}

/** Asserts the client namespace holds no nftables table or iptables rule of rawhttpget. */
export async function assertNoFirewallLeft(tb: Testbed): Promise<void> {
  if (findProgram("nft") !== null) {
    const r = await tb.execClient(["nft", "list", "ruleset"]);
    assert.equal(r.code, 0, `nft list ruleset failed: ${r.stderr}`);
    assert.ok(!r.stdout.includes("rawhttpget"), `an nftables table of rawhttpget is left:\n${r.stdout}`);
  }
  if (findProgram("iptables") !== null) {
    for (const table of ["filter", "raw", "mangle"]) {
      const r = await tb.execClient(["iptables", "-w", "5", "-t", table, "-S"]);
      assert.equal(r.code, 0, `iptables -t ${table} -S failed: ${r.stderr}`);
      assert.ok(!r.stdout.includes("rawhttpget"), `an iptables rule of rawhttpget is left in ${table}:\n${r.stdout}`);
    }
  }
}

/** Whether every tool the suite needs is installed; throws a clear message naming the missing ones. */
export function requireTools(tools: string[]): void {
  const missing = tools.filter((t) => findProgram(t) === null);
  if (missing.length > 0) {
    throw new Error(`The end-to-end tests need ${missing.join(", ")} (run \`deno task test\` to install them)`);
  }
}
