/**
 * Server timestamps and `-N` against GNU wget 1.21 on the testbed (tests/_support/differential.ts): the same command
 * line in two fresh directories prepared alike must leave the same files, with the same modification times where
 * the server dates them, and the same exit code. nginx answers If-Modified-Since only when it matches exactly
 * (its `if_modified_since exact`), so a newer local file gets a 200 that wget and we must recognise; the testbed's
 * file server answers any date no earlier than the file's with 304; `/undated/` sends no Last-Modified.
 */

import assert from "node:assert/strict";
import { testbedTest } from "../testbed/testbed.ts";
import { sha256Bytes } from "../_support/files.ts";
import { assertSameOutcome, differential, type Side } from "../_support/differential.ts";

/** The server's modification time of the files served: Thu, 02 Jan 2020 03:04:05 GMT. */
const SERVER_TIME = 1577934245;
const DAY = 86_400;

/** The lines rawhttpget wrote to stderr. */
const linesOf = (s: Side) => s.stderr.trimEnd().split("\n");

testbedTest("timestamps: rawhttpget dates and re-fetches files as wget 1.21 does", {
  servers: ["deno", "nginx"],
  tools: ["wget"],
}, async (t, tb) => {
  const file = await tb.randomFile("a.bin", 150_000, 31);
  await Deno.utime(file.path, SERVER_TIME, SERVER_TIME);
  const data = await Deno.readFile(file.path);
  const other = new Uint8Array(5000).fill(0x41);
  /** A local a.bin holding `bytes`, modified at `mtime`. */
  const local = (bytes: Uint8Array, mtime: number) => async (dir: string) => {
    await Deno.writeFile(`${dir}/a.bin`, bytes);
    await Deno.utime(`${dir}/a.bin`, mtime, mtime);
  };
  const servers = ["nginx", "deno"] as const;

  await t.step("by default the saved file takes the server's Last-Modified", async () => {
    for (const server of servers) {
      const d = await differential(tb, ["-q", tb.url(server, "/a.bin")]);
      assertSameOutcome(d, { mtimes: true });
      assert.equal(d.rhg.code, 0, d.rhg.stderr);
      assert.equal(d.rhg.files.get("a.bin")?.mtime, SERVER_TIME, server);
      assert.equal(d.rhg.files.get("a.bin")?.sha256, file.sha256);
    }
    // -O FILE is dated too.
    const named = await differential(tb, ["-q", "-O", "out.bin", tb.url("nginx", "/a.bin")]);
    assertSameOutcome(named, { mtimes: true });
    assert.equal(named.rhg.files.get("out.bin")?.mtime, SERVER_TIME);
  });

  await t.step("--no-use-server-timestamps leaves the time of the download", async () => {
    const before = Math.floor(Date.now() / 1000);
    const d = await differential(tb, ["-q", "--no-use-server-timestamps", tb.url("nginx", "/a.bin")]);
    assertSameOutcome(d); // the two runs are seconds apart: their times are checked below, not compared
    for (const side of [d.wget, d.rhg]) assert.ok(side.files.get("a.bin")!.mtime >= before, side.stderr);
  });

  await t.step("-N with an older local file: fetched again in place (no a.bin.1), dated by the server", async () => {
    for (const server of servers) {
      const d = await differential(tb, ["-N", tb.url(server, "/a.bin")], { setup: local(other, SERVER_TIME - DAY) });
      assertSameOutcome(d, { mtimes: true });
      assert.equal(d.rhg.code, 0, d.rhg.stderr);
      assert.deepEqual([...d.rhg.files.keys()], ["a.bin"]);
      assert.deepEqual([d.rhg.files.get("a.bin")?.sha256, d.rhg.files.get("a.bin")?.mtime], [
        file.sha256,
        SERVER_TIME,
      ]);
    }
  });

  await t.step("-N with an up-to-date local file: a 304, nothing fetched, exit 0", async () => {
    const mine = data.slice();
    mine[0] ^= 0xff; // the same size and time: only a download would change it
    for (const server of servers) {
      const d = await differential(tb, ["-N", tb.url(server, "/a.bin")], { setup: local(mine, SERVER_TIME) });
      assertSameOutcome(d, { mtimes: true });
      assert.equal(d.rhg.code, 0, d.rhg.stderr);
      assert.equal(d.rhg.files.get("a.bin")?.sha256, sha256Bytes(mine));
      assert.deepEqual(linesOf(d.rhg), ["File 'a.bin' not modified on server; omitting download"]);
      assert.match(d.wget.stderr, /304 Not Modified/);
    }
  });

  await t.step("-N with a newer local file of the same size: nginx's 200 is recognised as the same file", async () => {
    const d = await differential(tb, ["-N", tb.url("nginx", "/a.bin")], { setup: local(data, SERVER_TIME + DAY) });
    assertSameOutcome(d, { mtimes: true });
    assert.equal(d.rhg.files.get("a.bin")?.mtime, SERVER_TIME + DAY);
    assert.match(linesOf(d.rhg)[0], /^Server ignored If-Modified-Since header for file 'a\.bin'; not retrieving/);
    assert.match(d.wget.stderr, /Server ignored If-Modified-Since header/);
  });

  await t.step("-N with a newer local file of another size: nginx's 200 replaces it", async () => {
    const d = await differential(tb, ["-N", tb.url("nginx", "/a.bin")], { setup: local(other, SERVER_TIME + DAY) });
    assertSameOutcome(d, { mtimes: true });
    assert.equal(d.rhg.files.get("a.bin")?.sha256, file.sha256);
  });

  await t.step("-N --no-if-modified-since: a HEAD first; same size and time keeps, another size fetches", async () => {
    for (const server of servers) {
      const args = ["-N", "--no-if-modified-since", tb.url(server, "/a.bin")];
      const kept = await differential(tb, args, { setup: local(data, SERVER_TIME) });
      assertSameOutcome(kept, { mtimes: true });
      assert.deepEqual(linesOf(kept.rhg), ["Server file no newer than local file 'a.bin'; not retrieving"]);
      const sized = await differential(tb, args, { setup: local(other, SERVER_TIME) });
      assertSameOutcome(sized, { mtimes: true });
      assert.equal(sized.rhg.files.get("a.bin")?.sha256, file.sha256);
      assert.equal(linesOf(sized.rhg)[0], "The sizes do not match (local 5000); retrieving");
      const newer = await differential(tb, args, { setup: local(data, SERVER_TIME - DAY) });
      assertSameOutcome(newer, { mtimes: true });
      assert.equal(linesOf(newer.rhg)[0], "Remote file is newer; retrieving");
    }
  });

  await t.step("-N against a server that sends no Last-Modified: fetched and replaced, undated", async () => {
    const before = Math.floor(Date.now() / 1000);
    for (const extra of [[], ["--no-if-modified-since"]]) {
      const d = await differential(tb, ["-N", ...extra, tb.url("deno", "/undated/a.bin")], {
        setup: local(other, SERVER_TIME),
      });
      assertSameOutcome(d);
      assert.equal(d.rhg.code, 0, d.rhg.stderr);
      assert.deepEqual([...d.rhg.files.keys()], ["a.bin"]);
      assert.equal(d.rhg.files.get("a.bin")?.sha256, file.sha256);
      for (const side of [d.wget, d.rhg]) assert.ok(side.files.get("a.bin")!.mtime >= before, side.stderr);
      assert.equal(linesOf(d.rhg)[0], "Last-modified header missing; time-stamps turned off");
      assert.match(d.wget.stderr, /Last-modified header missing -- time-stamps turned off/);
    }
  });

  await t.step("-N with -O is turned off with a warning; -N and an error status exit 8", async () => {
    const named = await differential(tb, ["-N", "-O", "a.bin", tb.url("nginx", "/a.bin")], {
      setup: local(data, SERVER_TIME),
    });
    assertSameOutcome(named, { mtimes: true });
    assert.equal(
      linesOf(named.rhg)[0],
      "WARNING: timestamping does nothing in combination with -O: the file is fetched whatever its date",
    );
    const missing = await differential(tb, ["-q", "-N", tb.url("nginx", "/missing.bin")], {
      setup: local(data, SERVER_TIME),
    });
    assertSameOutcome(missing, { mtimes: true });
    assert.equal(missing.rhg.code, 8);
  });
});
