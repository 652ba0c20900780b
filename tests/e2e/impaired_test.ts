/**
 * End to end on the real stack, under impairment: random loss of the server's packets (1 %, 5 %) and of ours (1 %)
 * in the router, GRO on the client, the server's offloads left on (oversize segments, folded checksums), a 100 Mbit/s
 * bottleneck, a server on loopback inside the client namespace, and two downloads from the same server back to back.
 * Every file must be byte-exact (and equal what curl saves); no firewall rule of ours may remain. One testbed whose
 * impairments change between steps. Needs root, curl, nginx, ethtool and nft or iptables (fails without unless
 * RHG_ALLOW_SKIP=1).
 */

import assert from "node:assert/strict";
import { type DirectionCounters, type Testbed, testbedTest } from "../testbed/testbed.ts";
import { sha256File } from "../_support/files.ts";
import { startStaticServer } from "../demo/static_server.ts";
import { rhg } from "../_support/program.ts";
import { curlSha256, download, MiB } from "./_helpers.ts";

type Direction = "toClient" | "toServer";

/** Longer than any healthy download of these files on the testbed, even on a busy 2-core machine. */
const STALL_MS = 30_000;

/**
 * Downloads `url` with rawhttpget and curl, asserts both are byte-exact, and returns the router's counters of the
 * rawhttpget run alone.
 */
async function exact(tb: Testbed, url: string, sha256: string, args: string[] = []): Promise<Measured> {
  const before = await tb.counters();
  const r = await download(tb, url, args);
  const after = await tb.counters();
  assert.equal(r.code, 0, `rawhttpget ${url} exited with ${r.code}: ${r.stderr}`);
  assert.equal(r.sha256, sha256, `rawhttpget saved other bytes than served: ${r.stderr}`);
  // A stall detector, not a speed test: these files take 0.2–2.5 s here; 30 s means the transfer stood still.
  assert.ok(r.timeMs < STALL_MS, `rawhttpget took ${Math.round(r.timeMs)} ms for ${url}: it stalled. ${r.stderr}`);
  await Deno.remove(r.out);
  assert.equal(await curlSha256(tb, url), sha256, "curl saved other bytes than served");
  const diff = (d: Direction): DirectionCounters => ({
    forwarded: after[d].forwarded - before[d].forwarded,
    lossDropped: after[d].lossDropped - before[d].lossDropped,
    rateDropped: after[d].rateDropped - before[d].rateDropped,
  });
  return { toClient: diff("toClient"), toServer: diff("toServer"), stderr: r.stderr, timeMs: r.timeMs };
}

/** What {@linkcode exact} measured: the router's counters during the rawhttpget run, its stderr and wall time. */
type Measured = Record<Direction, DirectionCounters> & { stderr: string; timeMs: number };

/** How many frames larger than one 1500-byte packet the verbose trace (`-v`) shows as received. */
function oversizeFrames(stderr: string): number {
  return [...stderr.matchAll(/<-- recv (\d+) bytes/g)].filter((m) => Number(m[1]) > 1500).length;
}

testbedTest("e2e: byte-exact under loss, GRO, offloads, a bottleneck, on loopback and back to back", {
  servers: ["nginx"],
  tools: ["curl", "nginx", "ethtool"],
}, async (t, tb) => {
  const file = await tb.randomFile("f.bin", 16 * MiB, "impaired");
  const url = tb.url("nginx", "/f.bin");

  const serve = await startStaticServer(tb);
  const lossy = await tb.randomFile("lossy.bin", 32 * MiB, "loss");
  for (const [toClient, toServer] of [[0.01, 0], [0.05, 0], [0, 0.01]]) {
    for (const [server, base] of [["nginx", tb.url("nginx", "")], ["Deno.serve", `${serve.base}/`]]) {
      const what = `${toClient * 100} % loss toward the client, ${toServer * 100} % toward the server`;
      await t.step(`${what}, 32 MiB from ${server}`, async () => {
        await tb.setLoss(toClient, toServer);
        try {
          const c = await exact(tb, `${base}lossy.bin`, lossy.sha256);
          const dir: Direction = toClient > 0 ? "toClient" : "toServer";
          assert.ok(c[dir].lossDropped > 0, `the router dropped nothing ${dir}: ${JSON.stringify(c)}`);
        } finally {
          await tb.setLoss(0, 0);
        }
      });
    }
  }

  await t.step("GRO on the client's interface: coalesced frames up to 64 KiB", async () => {
    await tb.setClientGro(true);
    try {
      const c = await exact(tb, url, file.sha256, ["-v"]);
      assert.ok(oversizeFrames(c.stderr) > 0, "GRO is on but no coalesced frame arrived");
    } finally {
      await tb.setClientGro(false);
    }
  });

  await t.step("the server's transmit offloads left on: 64 KiB segments, partial checksums", async () => {
    await tb.setServerOffloads(true);
    try {
      const c = await exact(tb, url, file.sha256, ["-v"]);
      assert.ok(oversizeFrames(c.stderr) > 0, "offloads are on but no oversize segment arrived");
    } finally {
      await tb.setServerOffloads(false);
    }
  });

  await t.step("a 100 Mbit/s bottleneck", async () => {
    const small = await tb.randomFile("bottleneck.bin", 8 * MiB, "rate");
    await tb.setRate(100);
    try {
      const c = await exact(tb, tb.url("nginx", "/bottleneck.bin"), small.sha256);
      assert.ok(c.toClient.forwarded > 0, "nothing went through the router");
      // A lower bound set by the link, not a performance threshold: 8 MiB cannot cross 100 Mbit/s in < 0.67 s.
      assert.ok(c.timeMs >= 600, `8 MiB crossed a 100 Mbit/s bottleneck in ${c.timeMs} ms: no bottleneck`);
    } finally {
      await tb.setRate(null);
    }
  });

  await t.step("a Deno.serve server on 127.0.0.1 inside the client namespace", async () => {
    const local = await startStaticServer(tb, { ns: "client", addr: "127.0.0.1", port: 8082 });
    const c = await exact(tb, `${local.base}/f.bin`, file.sha256, ["-v"]);
    assert.equal(c.toClient.forwarded + c.toServer.forwarded, 0, "the loopback download went through the router");
    assert.ok(oversizeFrames(c.stderr) > 0, "no 64 KiB segment arrived on loopback");
  });

  await t.step("two downloads from the same server back to back, in one process and in two", async () => {
    const r = await rhg(tb, [url, url], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, `two URLs in one run failed: ${r.stderr}`);
    const names = [...Deno.readDirSync(r.dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["f.bin", "f.bin.1"], "wget's names for the same URL twice");
    for (const name of names) assert.equal(await sha256File(`${r.dir}/${name}`), file.sha256, `${name} differs`);
    for (let i = 0; i < 2; i++) {
      const one = await download(tb, url);
      assert.equal(one.code, 0, one.stderr);
      assert.equal(one.sha256, file.sha256, `download ${i + 1} of two separate runs differs`);
    }
  });
});
