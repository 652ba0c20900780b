/**
 * The testbed itself, checked with curl from the client namespace: every installed server serves files byte-exact
 * through the router, the file server's test paths behave, loss and rate limits really happen, offload settings do
 * not break TCP, and nothing is left behind. Needs root (fails without, unless RHG_ALLOW_SKIP=1) and curl; nginx must
 * be installed unless RHG_ALLOW_SKIP=1.
 */

import assert from "node:assert/strict";
import { parseRange } from "./test_paths.ts";
import { serverAvailable, type ServerKind, type Testbed, withTestbed } from "./testbed.ts";
import { sha256Bytes, sha256File } from "../_support/files.ts";
import { leftovers } from "../_support/namespaces.ts";
import { allowSkip, skipNetworkTests } from "../_support/root.ts";
import { findProgram } from "../_support/exec.ts";

const ignore = skipNetworkTests();
const MiB = 1 << 20;

function installedServers(): ServerKind[] {
  if (!serverAvailable("nginx") && !allowSkip()) {
    throw new Error("nginx is not installed (apt-get install nginx-light); set RHG_ALLOW_SKIP=1 to test without it");
  }
  return (["deno", "nginx", "python"] as const).filter(serverAvailable);
}

/** curl's `-w` fields and the sha256 of what it saved. */
async function curl(tb: Testbed, url: string, ...args: string[]) {
  const out = `${tb.tempDir}/curl-${crypto.randomUUID()}`;
  const r = await tb.execClient(
    ["curl", "-sS", "-o", out, "-w", "%{http_code} %{size_download} %{num_redirects}", ...args, url],
    { timeoutMs: 30_000 },
  );
  const [status, size, redirects] = r.stdout.split(" ").map(Number);
  let sha256 = "";
  try {
    sha256 = await sha256File(out);
    await Deno.remove(out);
  } catch { /* curl saved nothing */ }
  return { code: r.code, stderr: r.stderr, timeMs: r.timeMs, status, size, redirects, sha256 };
}

Deno.test({
  name: "every installed server serves a 1 MiB and a 0-byte file byte-exact through the router",
  ignore,
  fn: async () => {
    assert.ok(findProgram("curl") !== null, "curl is not installed (apt-get install curl)");
    const servers = installedServers();
    let tempDir = "";
    await withTestbed({ servers }, async (tb) => {
      tempDir = tb.tempDir;
      assert.deepEqual(tb.warnings, []);
      const one = await tb.randomFile("one.bin", MiB, 1);
      const empty = await tb.randomFile("dir/empty.bin", 0);
      for (const server of servers) {
        const a = await curl(tb, tb.url(server, "/one.bin"));
        assert.equal(a.code, 0, `${server}: ${a.stderr}`);
        assert.equal(a.status, 200);
        assert.equal(a.sha256, one.sha256, `${server} corrupted /one.bin`);
        const b = await curl(tb, tb.url(server, "/dir/empty.bin"));
        assert.deepEqual([b.code, b.status, b.size, b.sha256], [0, 200, 0, empty.sha256], `${server}: ${b.stderr}`);
      }
      if (servers.includes("nginx")) {
        const big = await tb.randomFile("big.bin", 100 * MiB);
        const r = await curl(tb, tb.url("nginx", "/big.bin"));
        assert.equal(r.sha256, big.sha256);
        console.log(`baseline: curl ← nginx through the router, 100 MiB, ${(100_000 / r.timeMs).toFixed(0)} MiB/s`);
      }
    });
    assert.deepEqual(await leftovers("mine"), []);
    await assert.rejects(Deno.stat(tempDir), Deno.errors.NotFound);
  },
});

Deno.test({
  name: "the file server answers ranges, statuses, redirects, gzip, chunked, resets and hangs as documented",
  ignore,
  fn: async () => {
    await withTestbed({ servers: ["deno"] }, async (tb) => {
      const f = await tb.randomFile("f.bin", 300_000, 7);
      const bytes = await Deno.readFile(f.path);
      const url = (p: string) => tb.url("deno", p);
      const part = await curl(tb, url("/f.bin"), "-r", "1000-1999");
      assert.deepEqual([part.status, part.size, part.sha256], [206, 1000, sha256Bytes(bytes.subarray(1000, 2000))]);
      const tail = await curl(tb, url("/f.bin"), "-r", "-10");
      assert.deepEqual([tail.status, tail.sha256], [206, sha256Bytes(bytes.subarray(-10))]);
      assert.equal((await curl(tb, url("/f.bin"), "-r", "300000-")).status, 416);
      assert.equal((await curl(tb, url("/status/404"))).status, 404);
      assert.equal((await curl(tb, url("/status/500"))).status, 500);
      assert.equal((await curl(tb, url("/missing.bin"))).status, 404);
      const hops = await curl(tb, url("/redirect/3?to=/f.bin"), "-L");
      assert.deepEqual([hops.status, hops.redirects, hops.sha256], [200, 3, f.sha256]);
      const text = "line\n".repeat(10_000);
      await tb.writeFile("t.txt", text);
      const gz = await tb.execClient(["curl", "-sS", "-D", "-", "-o", "/dev/null", "--compressed", url("/t.txt")]);
      assert.match(gz.stdout, /content-encoding: gzip/i);
      const plain = await curl(tb, url("/t.txt"), "--compressed");
      assert.equal(plain.sha256, sha256Bytes(new TextEncoder().encode(text)));
      for (const version of ["--http1.1", "--http1.0"]) {
        const chunked = await curl(tb, url("/chunked/f.bin"), version);
        assert.deepEqual([chunked.status, chunked.sha256], [200, f.sha256], version);
      }
      const reset = await curl(tb, url("/reset-mid-body"));
      assert.equal(reset.code, 56, `expected curl's "connection reset" exit, got ${reset.code}: ${reset.stderr}`);
      assert.equal(reset.size, 50_000);
      const hang = await curl(tb, url("/hang"), "-m", "1");
      assert.equal(hang.code, 28); // curl: operation timed out
      const echo = await tb.execClient(["curl", "-sS", "-H", "X-Probe: 42", url("/echo-headers")]);
      assert.ok(JSON.parse(echo.stdout).headers.some(([k, v]: string[]) => k === "X-Probe" && v === "42"));
      const slow = tb.spawnClient(["curl", "-sS", "-o", "/dev/null", url("/slow/f.bin?chunk=100&delay=100")]);
      await new Promise((r) => setTimeout(r, 300));
      slow.kill("SIGKILL");
      assert.equal((await slow.output()).signal, "SIGKILL");
      tb.spawnClient(["curl", "-sS", url("/hang")]); // left running: down() must kill it and release its pipes
    });
    assert.deepEqual(await leftovers("mine"), []);
  },
});

Deno.test({
  name: "20 % loss toward the client drops packets at the router and curl still gets the file byte-exact",
  ignore,
  fn: async () => {
    const backends = (["nft", "iptables"] as const).filter((b) => findProgram(b) !== null);
    assert.ok(backends.length > 0, "neither nft nor iptables is installed (apt-get install nftables)");
    for (const lossBackend of backends) {
      await withTestbed({ servers: ["deno"], lossToClient: 0.2, lossBackend }, async (tb) => {
        const f = await tb.randomFile("f.bin", MiB);
        const r = await curl(tb, tb.url("deno", "/f.bin"));
        assert.equal(r.sha256, f.sha256, r.stderr);
        const c = await tb.counters();
        assert.ok(c.toClient.lossDropped > 0, `${lossBackend}: no drops: ${JSON.stringify(c)}`);
        assert.equal(c.toServer.lossDropped, 0);
        const ratio = c.toClient.lossDropped / (c.toClient.lossDropped + c.toClient.forwarded);
        assert.ok(ratio > 0.1 && ratio < 0.3, `${lossBackend}: drop ratio ${ratio}`);
        await tb.setLoss(0, 0);
        assert.equal((await curl(tb, tb.url("deno", "/f.bin"))).sha256, f.sha256);
        assert.equal((await tb.counters()).toClient.lossDropped, c.toClient.lossDropped); // counts survive a reset
      });
    }
  },
});

Deno.test({
  name: "a 100 Mbit/s rate limit makes a 20 MiB download take at least 1.6 s",
  ignore,
  fn: async () => {
    await withTestbed({ servers: ["deno"], rateMbit: 100 }, async (tb) => {
      const f = await tb.randomFile("f.bin", 20 * MiB);
      const r = await curl(tb, tb.url("deno", "/f.bin"));
      assert.equal(r.sha256, f.sha256, r.stderr);
      console.log(`20 MiB through a 100 Mbit/s tbf: ${r.timeMs.toFixed(0)} ms`);
      assert.ok(r.timeMs >= 1550 && r.timeMs < 10_000, `20 MiB at 100 Mbit/s took ${r.timeMs.toFixed(0)} ms`);
      await tb.setRate(null);
      const fast = await curl(tb, tb.url("deno", "/f.bin"));
      assert.ok(fast.timeMs < r.timeMs, `without the limit it took ${fast.timeMs.toFixed(0)} ms`);
    });
  },
});

Deno.test({
  name: "client GRO on and server offloads on still deliver files byte-exact",
  ignore,
  fn: async () => {
    assert.ok(findProgram("ethtool") !== null, "ethtool is not installed (apt-get install ethtool)");
    await withTestbed({ servers: ["deno"], clientGro: true, serverOffloads: true }, async (tb) => {
      const gro = await tb.execIn("client", ["ethtool", "-k", tb.ifs.client]);
      assert.match(gro.stdout, /^generic-receive-offload: on/m);
      const tso = await tb.execIn("server", ["ethtool", "-k", tb.ifs.server]);
      assert.match(tso.stdout, /^tcp-segmentation-offload: on/m);
      const f = await tb.randomFile("f.bin", 8 * MiB);
      assert.equal((await curl(tb, tb.url("deno", "/f.bin"))).sha256, f.sha256);
      await tb.setServerOffloads(false);
      await tb.setClientGro(false);
      assert.equal((await curl(tb, tb.url("deno", "/f.bin"))).sha256, f.sha256);
    });
  },
});

Deno.test("parseRange() reads single byte ranges and flags unsatisfiable ones", () => {
  assert.deepEqual(parseRange("bytes=0-9", 100), [0, 10]);
  assert.deepEqual(parseRange("bytes=90-", 100), [90, 100]);
  assert.deepEqual(parseRange("bytes=-5", 100), [95, 100]);
  assert.deepEqual(parseRange("bytes=95-200", 100), [95, 100]);
  assert.equal(parseRange("bytes=100-", 100), "unsatisfiable");
  assert.equal(parseRange("bytes=-5", 0), "unsatisfiable");
  assert.equal(parseRange("bytes=5-1", 100), null);
  assert.equal(parseRange("bytes=0-1,5-6", 100), null);
});
