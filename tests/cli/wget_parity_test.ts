/**
 * The same command lines with GNU wget 1.21 and rawhttpget on the testbed (tests/_support/differential.ts): exit codes
 * and the files each leaves must agree, for resuming from a server that ignores or misreads ranges, retries of a
 * transient status, URLs without a scheme, 204 No Content, and `-O FILE` when the download fails.
 */

import assert from "node:assert/strict";
import { testbedTest } from "../testbed/testbed.ts";
import { sha256Bytes } from "../_support/files.ts";
import { assertSameOutcome, differential, type Side } from "../_support/differential.ts";

/** The lines rawhttpget wrote to stderr. */
const linesOf = (s: Side) => s.stderr.trimEnd().split("\n");

testbedTest("rawhttpget leaves what wget 1.21 leaves, with its exit code", {
  servers: ["deno"],
  tools: ["wget"],
}, async (t, tb) => {
  const big = await tb.randomFile("big.bin", 200_000, 21);
  const data = await Deno.readFile(big.path);
  await tb.writeFile("a.txt", "first\n");
  const url = (path: string) => tb.url("deno", path);
  const mine = new Uint8Array(50_000).fill(0x55); // bytes of the user's own, not a prefix of the server's file
  const withFile = (name: string, bytes: Uint8Array) => (dir: string) => Deno.writeFile(`${dir}/${name}`, bytes);

  await t.step("-c and a server that ignores the range: the partial file is kept, the rest appended", async () => {
    const d = await differential(tb, ["-c", url("/no-range/big.bin")], { setup: withFile("big.bin", mine) });
    assertSameOutcome(d);
    assert.equal(d.rhg.code, 0, d.rhg.stderr);
    assert.equal(d.rhg.files.get("big.bin")?.sha256, sha256Bytes(new Uint8Array([...mine, ...data.subarray(50_000)])));
    assert.equal(
      linesOf(d.rhg)[0],
      "The server ignored the range and sent the whole file: its first 50000 bytes, already in big.bin, are skipped",
    );
  });

  await t.step("-c and a server that ignores the range: a file no shorter than its is left untouched", async () => {
    for (const size of [200_000, 300_000]) {
      const local = new Uint8Array(size).fill(0x41);
      const d = await differential(tb, ["-c", url("/no-range/big.bin")], { setup: withFile("big.bin", local) });
      assertSameOutcome(d);
      assert.equal(d.rhg.code, 0, d.rhg.stderr);
      assert.equal(d.rhg.files.get("big.bin")?.sha256, sha256Bytes(local));
      assert.equal(linesOf(d.rhg)[0], "The file is already fully retrieved; nothing to do");
    }
  });

  await t.step("-c and a 206 for the wrong range: retried, then exit 4, the file kept as it was", async () => {
    const d = await differential(tb, ["-t", "2", "-c", url("/wrong-range/big.bin")], {
      setup: withFile("big.bin", data.subarray(0, 50_000)),
    });
    assertSameOutcome(d);
    assert.equal(d.rhg.code, 4, d.rhg.stderr);
    assert.equal(d.rhg.files.get("big.bin")?.size, 50_000);
    assert.match(linesOf(d.rhg)[0], /^The server sent bytes from 0 instead of from 50000; retrying in 1 s/);
  });

  await t.step("a retry answered with 200 continues after the part the failed attempt saved", async () => {
    // /flaky/ cuts every other request: wget's first try and ours are cut at 100000 bytes, the second ones are not.
    const d = await differential(tb, ["-t", "2", url("/flaky/big.bin")]);
    assertSameOutcome(d);
    assert.equal(d.rhg.code, 0, d.rhg.stderr);
    assert.equal(d.rhg.files.get("big.bin")?.sha256, big.sha256);
    assert.match(linesOf(d.rhg)[1], /its first 100000 bytes, already in big\.bin\.part, are skipped$/);
  });

  await t.step("504 is retried and ends as a network failure (4); 500, 502, 503 are final (8)", async () => {
    for (const status of [500, 502, 503, 504]) {
      const d = await differential(tb, ["-t", "2", url(`/status/${status}`)]);
      assertSameOutcome(d);
      assert.equal(d.rhg.code, status === 504 ? 4 : 8, d.rhg.stderr);
      assert.equal(linesOf(d.rhg).length, status === 504 ? 2 : 1, d.rhg.stderr);
    }
    const once = await differential(tb, ["-t", "1", url("/status/504")]);
    assertSameOutcome(once);
    assert.deepEqual(linesOf(once.rhg), ["rawhttpget: The server answered 504 Gateway Timeout"]);
  });

  await t.step("URLs without a scheme: a path is refused (1); host/path and host:port/path mean http", async () => {
    for (const given of ["/foo/bar", "//foo/bar"]) {
      const d = await differential(tb, [given]);
      assertSameOutcome(d);
      assert.equal(d.rhg.code, 1, d.rhg.stderr);
      assert.deepEqual(linesOf(d.rhg), [`rawhttpget: Cannot fetch "${given}": the scheme and host are missing`]);
    }
    const named = await differential(tb, ["-t", "1", "nowhere.test/bar"]); // no DNS in the namespace
    assertSameOutcome(named);
    assert.match(named.rhg.stderr, /Cannot resolve host "nowhere\.test"/);
    const ported = await differential(tb, [`${tb.serverAddr}:8080/a.txt`]);
    assertSameOutcome(ported);
    assert.equal(ported.rhg.code, 0, ported.rhg.stderr);
  });

  await t.step("204 No Content: exit 0 and no file (with -O, the file -O created stays empty)", async () => {
    const d = await differential(tb, [url("/status/204")]);
    assertSameOutcome(d);
    assert.equal(d.rhg.code, 0, d.rhg.stderr);
    assert.deepEqual(linesOf(d.rhg), ["The server answered 204 No Content: there is nothing to save"]);
    assertSameOutcome(await differential(tb, ["-O", "out", url("/status/204")]));
  });

  await t.step("-O FILE is created empty before connecting, whatever becomes of the download", async () => {
    const cases = [
      ["-O", "out", url("/status/404")],
      ["-O", "out", `http://${tb.serverAddr}:81/x`], // refused
      ["-O", "out", "/foo/bar"],
      ["-t", "2", "-O", "out", url("/status/504")],
    ];
    for (const args of cases) {
      const d = await differential(tb, args);
      assertSameOutcome(d);
      assert.notEqual(d.rhg.code, 0, args.join(" "));
      assert.equal(d.rhg.files.get("out")?.size, 0, args.join(" "));
    }
    // An existing FILE is emptied, unless -c keeps it.
    const old = new TextEncoder().encode("old\n");
    const emptied = await differential(tb, ["-O", "out", url("/status/404")], { setup: withFile("out", old) });
    assertSameOutcome(emptied);
    const kept = await differential(tb, ["-c", "-O", "out", url("/status/404")], { setup: withFile("out", old) });
    assertSameOutcome(kept);
    assert.equal(kept.rhg.files.get("out")?.size, old.length);
  });
}, { sanitizeResources: false, sanitizeOps: false });
