/**
 * Shared steps of the end-to-end tests: download a URL with rawhttpget and with curl in the client namespace, hash
 * what each saved, and check that no firewall rule of ours is left.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Testbed } from "../testbed/testbed.ts";
import { exists, sha256File } from "../_support/files.ts";
import { assertNoFirewallLeft } from "../_support/firewall.ts";
import { rhg } from "../_support/program.ts";

/** One MiB. */
export const MiB = 1 << 20;

/** What one download with rawhttpget did. */
export interface Download {
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

let counter = 0;

/** A fresh output path in the testbed's temp directory. */
export function outPath(tb: Testbed, label: string): string {
  return `${tb.tempDir}/out-${++counter}-${label.replace(/[^\w.-]/g, "_")}`;
}

/**
 * Runs rawhttpget `-O <out> [...args] <url>` in the client namespace, then checks that no firewall rule of ours
 * remains there.
 */
export async function download(tb: Testbed, url: string, args: string[] = [], timeoutMs = 120_000): Promise<Download> {
  const out = outPath(tb, url.slice(url.lastIndexOf("/") + 1) || "index");
  const r = await rhg(tb, ["-O", out, ...args, url], { dir: tb.tempDir, timeoutMs });
  assert.ok(!r.timedOut, `rawhttpget did not finish in ${timeoutMs} ms for ${url}: ${r.stderr}`);
  await assertNoFirewallLeft(tb.clientNs);
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
): Promise<Download> {
  const run = await download(tb, url, opts.args);
  assert.equal(run.code, 0, `rawhttpget ${url} exited with ${run.code}: ${run.stderr}`);
  assert.equal(run.sha256, expected, `rawhttpget saved other bytes than served for ${url}: ${run.stderr}`);
  assert.equal(run.partExists, false, `a .part file is left after a successful download of ${url}`);
  assert.equal(await curlSha256(tb, url, opts.compressed), expected, `curl saved other bytes for ${url}`);
  await Deno.remove(run.out);
  return run;
}

/** Runs `nft -f -` with `script` in the router namespace. */
export async function routerNft(tb: Testbed, script: string): Promise<void> {
  const r = await tb.execIn("router", ["nft", "-f", "-"], { stdin: new TextEncoder().encode(script) });
  assert.equal(r.code, 0, r.stderr);
}

/** Names resolved by the client namespace's own hosts file (`ip netns exec` mounts /etc/netns/NAME/hosts). */
export async function withHosts(tb: Testbed, lines: string, fn: () => Promise<void>): Promise<void> {
  const dir = `/etc/netns/${tb.clientNs}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/hosts`, `127.0.0.1 localhost\n${lines}`);
  try {
    await fn();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
