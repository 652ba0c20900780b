/**
 * End to end on the real stack, no impairment: rawhttpget downloads from nginx, from a `Deno.serve` server and from
 * the testbed's node:net file server, at the sizes where segmentation changes (0 and 1 byte, one MSS with and without
 * timestamps — 1448 and 1460 — and one byte more), 1 MiB, 50 MiB, and a gzip-encoded text. Every file must equal the
 * served one and what curl saves in the same run. Needs root, curl and nginx (fails without unless RHG_ALLOW_SKIP=1).
 */

import assert from "node:assert/strict";
import { type Testbed, testbedTest } from "../testbed/testbed.ts";
import { sha256Bytes } from "../_support/files.ts";
import { startStaticServer } from "../demo/static_server.ts";
import { makeText } from "../demo/text.ts";
import { assertSameAsServedAndCurl, MiB } from "./_helpers.ts";

/** Sizes around one segment: our MSS is 1460, the server's segments carry 1448 bytes with timestamps. */
const SMALL_SIZES = [0, 1, 1448, 1449, 1460, 1461, MiB];

/** Writes the fixture files and returns their sha256 by name. */
async function fixtures(tb: Testbed, withBig: boolean): Promise<Map<string, string>> {
  const sums = new Map<string, string>();
  for (const size of SMALL_SIZES) sums.set(`r${size}.bin`, (await tb.randomFile(`r${size}.bin`, size, size)).sha256);
  if (withBig) sums.set("big.bin", (await tb.randomFile("big.bin", 50 * MiB, "big")).sha256);
  const text = makeText(2 * MiB);
  await tb.writeFile("text.txt", text);
  sums.set("text.txt", sha256Bytes(new TextEncoder().encode(text)));
  return sums;
}

/** Asserts the server really gzip-encodes `url` when asked (curl counts fewer bytes on the wire than the text). */
async function assertGzipped(tb: Testbed, url: string, textSize: number): Promise<void> {
  const r = await tb.execClient(["curl", "-sS", "--compressed", "-o", "/dev/null", "-w", "%{size_download}", url]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Number(r.stdout) < textSize / 2, `${url} was not sent gzip-encoded (${r.stdout} bytes on the wire)`);
}

async function downloadAll(t: Deno.TestContext, tb: Testbed, base: string, sums: Map<string, string>) {
  for (const [name, sha] of sums) {
    await t.step(`${name}`, async () => {
      const url = `${base}/${name}`;
      if (name.endsWith(".txt")) await assertGzipped(tb, url, 2 * MiB);
      await assertSameAsServedAndCurl(tb, url, sha, { compressed: name.endsWith(".txt") });
    });
  }
}

testbedTest("e2e: byte-exact downloads from nginx, Deno.serve and the node:net server, same as curl", {
  servers: ["nginx", "deno"],
  tools: ["curl", "nginx"],
}, async (t, tb) => {
  const sums = await fixtures(tb, true);
  const serve = await startStaticServer(tb);
  await t.step("nginx", (t) => downloadAll(t, tb, tb.url("nginx", "").replace(/\/$/, ""), sums));
  await t.step("Deno.serve", (t) => downloadAll(t, tb, serve.base, sums));
  sums.delete("big.bin");
  await t.step("node:net file server", (t) => downloadAll(t, tb, tb.url("deno", "").replace(/\/$/, ""), sums));
});
