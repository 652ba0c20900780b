/**
 * HTTPS end to end through `main.ts` over our TCP stack: nginx with certificates from a throw-away CA
 * (tests/testbed/tls.ts). Files of 0 B, 1 MiB and 50 MiB are byte-exact against the served file and `curl --cacert`
 * in the same run, and under 1% loss; an expired certificate, an untrusted CA, a wrong host name and a missing
 * `--ca-certificate` fail with exit code 5 and one sentence; `--no-check-certificate` warns and downloads; SNI with a
 * host name; redirects http→https→http are followed and counted; `-c` resumes over TLS; a stalled reader closes our
 * window and loses nothing. Needs root, curl, nginx and openssl (fails without unless RHG_ALLOW_SKIP=1).
 */

import assert from "node:assert/strict";
import { type Testbed, testbedTest } from "../testbed/testbed.ts";
import { giveToRunUser, listDir, makeOpenTempDir, sha256File } from "../_support/files.ts";
import { HTTPS_PORTS, type HttpsServer, startHttpsServer } from "../testbed/tls.ts";
import { denoRun, rhg, type Run } from "../_support/program.ts";

const MiB = 2 ** 20;
const SLOW = new URL("./_slow_reader_child.ts", import.meta.url).pathname;

/** Our download; the rate comes from the summary line. */
async function ours(tb: Testbed, args: string[]): Promise<Run & { mibPerSec: number }> {
  const r = await rhg(tb, args, { timeoutMs: 180_000 });
  return { ...r, mibPerSec: Number(/, ([\d.]+) MiB\/s;/.exec(r.stderr)?.[1] ?? NaN) };
}

async function sameAsServedAndCurl(tb: Testbed, https: HttpsServer, name: string, sha: string): Promise<string> {
  const r = await ours(tb, ["-O", "out", "--ca-certificate", https.pki.caCert, https.url(`/${name}`)]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await sha256File(`${r.dir}/out`), sha, `${name}: our file differs from the served one`);
  const curlOut = `${tb.tempDir}/curl-${name}`;
  const c = await tb.execClient(
    ["curl", "-sS", "--cacert", https.pki.caCert, "-o", curlOut, "-w", "%{speed_download}", https.url(`/${name}`)],
    { timeoutMs: 180_000 },
  );
  assert.equal(c.code, 0, c.stderr);
  assert.equal(await sha256File(curlOut), sha, `${name}: curl's file differs from the served one`);
  return `${name}: ours ${r.mibPerSec.toFixed(1)} MiB/s, curl ${(Number(c.stdout) / MiB).toFixed(1)} MiB/s`;
}

function failsWith(r: Run, code: number, message: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  assert.match(r.stderr.trimEnd(), message);
  assert.equal(r.stderr.trimEnd().split("\n").length, 1, `one line expected: ${r.stderr}`);
}

testbedTest("https: byte-exact downloads, certificate failures exit 5, redirects, backpressure", {
  servers: ["deno", "nginx"],
}, async (t, tb) => {
  const https = await startHttpsServer(tb);
  const ca = ["--ca-certificate", https.pki.caCert];
  try {
    const files = [["empty.bin", 0], ["one.bin", MiB], ["big.bin", 50 * MiB]] as const;
    const sums = new Map<string, string>();
    for (const [name, size] of files) sums.set(name, (await tb.randomFile(name, size, name)).sha256);

    await t.step("0 B, 1 MiB and 50 MiB equal the served files and curl's", async () => {
      for (const [name] of files) console.log(await sameAsServedAndCurl(tb, https, name, sums.get(name)!));
      const v = await ours(tb, ["-v", ...ca, https.url("/empty.bin")]);
      assert.equal(v.code, 0, v.stderr);
      assert.match(v.stderr, /^TLSv1\.3 with 198\.18\.2\.2: certificate verified$/m);
    });

    await t.step(
      "certificate failures exit with 5 and one sentence, and leave no file; other failures do not",
      async () => {
        const cases: Array<[string, number, string[], RegExp]> = [
          ["expired", HTTPS_PORTS.expired, ca, /has expired \(on Jan {1,2}2 00:00:00 2020 GMT\)$/],
          ["untrusted CA", HTTPS_PORTS.untrusted, ca, /is not trusted \(issued by "rawhttpget untrusted CA"\)/],
          ["wrong host", HTTPS_PORTS.wrongHost, ca, /is for another name: DNS:other\.test$/],
          ["test CA not given", HTTPS_PORTS.good, [], /is not trusted/],
        ];
        for (const [what, port, args, message] of cases) {
          const r = await ours(tb, [...args, https.url("/one.bin", port)]);
          failsWith(r, 5, message);
          assert.match(r.stderr, /^rawhttpget: The certificate of 198\.18\.2\.2 /, what);
          assert.deepEqual(await listDir(r.dir), [], what);
        }
        const missing = await ours(tb, ["--ca-certificate", `${tb.tempDir}/nope.pem`, https.url("/one.bin")]);
        failsWith(missing, 5, /^rawhttpget: Cannot read the CA certificate file ".*nope\.pem"$/);
        // Not certificate failures: a server error over TLS is 8, a server that does not speak TLS is 4.
        failsWith(
          await ours(tb, [...ca, https.url("/nope.bin")]),
          8,
          /^rawhttpget: The server answered 404 Not Found$/,
        );
        const plain = await ours(tb, [...ca, `https://${tb.serverAddr}:80/one.bin`]);
        failsWith(plain, 4, /^rawhttpget: The TLS handshake with 198\.18\.2\.2 failed: /);
      },
    );

    await t.step("a host name is sent as SNI and checked against the certificate", async () => {
      const etc = `/etc/netns/${tb.clientNs}`;
      await Deno.mkdir(etc, { recursive: true });
      try {
        await Deno.writeTextFile(`${etc}/hosts`, `127.0.0.1 localhost\n${tb.serverAddr} server.test\n`);
        const r = await ours(tb, ["-q", ...ca, "https://server.test/one.bin"]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(await sha256File(`${r.dir}/one.bin`), sums.get("one.bin"));
        const wrong = await ours(tb, [...ca, `https://server.test:${HTTPS_PORTS.wrongHost}/one.bin`]);
        failsWith(wrong, 5, /^rawhttpget: The certificate of server\.test is for another name: DNS:other\.test$/);
      } finally {
        await Deno.remove(etc, { recursive: true });
      }
    });

    await t.step("--no-check-certificate downloads with a one-line warning (none with -q)", async () => {
      const url = https.url("/one.bin", HTTPS_PORTS.expired);
      const r = await ours(tb, ["--no-check-certificate", "-O", "out", url]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stderr.trimEnd().split("\n");
      assert.match(lines[0], /^WARNING: The certificate of 198\.18\.2\.2 has expired .*--no-check-certificate/);
      assert.match(lines[1], /^Saved 'out' \(1048576 bytes\)/);
      assert.equal(await sha256File(`${r.dir}/out`), sums.get("one.bin"));
      const quiet = await ours(tb, ["-q", "--no-check-certificate", "-O", "out", url]);
      assert.equal(quiet.code, 0, quiet.stderr);
      assert.equal(quiet.stderr, "");
    });

    await t.step("redirects http → https → http are followed and counted", async () => {
      const back = https.url(`/redirect-to?url=${tb.url("deno", "/one.bin")}`);
      const start = tb.url("deno", `/redirect-to?url=${encodeURIComponent(back)}`);
      const r = await ours(tb, [...ca, "-O", "out", start]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^Redirected \(302\) to https:\/\/198\.18\.2\.2\/redirect-to\?url=http/m);
      assert.match(r.stderr, /^Redirected \(301\) to http:\/\/198\.18\.2\.2:8080\/one\.bin$/m);
      assert.equal(await sha256File(`${r.dir}/out`), sums.get("one.bin"));
      const limit = await ours(tb, [...ca, "-q", "--max-redirect", "1", start]);
      failsWith(limit, 8, /^rawhttpget: Stopped after 1 redirects/);
    });

    await t.step("-c resumes a partial file over TLS", async () => {
      const dir = await makeOpenTempDir({ dir: tb.tempDir });
      const whole = await Deno.readFile(`${tb.wwwDir}/one.bin`);
      await Deno.writeFile(`${dir}/one.bin`, whole.subarray(0, 300_000));
      await giveToRunUser(`${dir}/one.bin`);
      const r = await rhg(tb, [...ca, "-c", https.url("/one.bin")], { dir });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^Saved 'one\.bin' \(1048576 bytes/m);
      assert.equal(await sha256File(`${dir}/one.bin`), sums.get("one.bin"));
    });

    await t.step("a stalled reader closes our window and loses nothing, over TLS and plain", async () => {
      for (
        const [what, url, caFile] of [
          ["https", https.url("/big.bin"), https.pki.caCert],
          ["http", tb.url("nginx", "/big.bin"), "plain"],
        ]
      ) {
        const out = `${tb.tempDir}/slow-${what}.bin`;
        const r = await tb.execClient(denoRun(SLOW, [url, caFile, out, "1000"]), {
          timeoutMs: 120_000,
        });
        assert.equal(r.code, 0, r.stderr);
        const s = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
        console.log(`${what} stall: zero windows sent ${s.zeroWindows}, driver paused ${s.pausedSeen}`);
        assert.equal(s.outcome, "normal", what);
        assert.ok(s.pausedSeen, `${what}: the driver never paused reading`);
        assert.ok(s.zeroWindows > 0, `${what}: no zero window was advertised while the reader stalled`);
        assert.equal(await sha256File(out), sums.get("big.bin"), `${what}: the file differs from the served one`);
      }
    });

    await t.step("1% loss both ways: 50 MiB byte-exact", async () => {
      await tb.setLoss(0.01, 0.01);
      const before = (await tb.counters()).toClient.lossDropped;
      console.log(`1% loss: ${await sameAsServedAndCurl(tb, https, "big.bin", sums.get("big.bin")!)}`);
      const dropped = (await tb.counters()).toClient.lossDropped - before;
      console.log(`router dropped ${dropped} packets toward the client`);
      assert.ok(dropped > 0, "the router dropped nothing");
      await tb.setLoss(0, 0);
    });
  } finally {
    await https.stop();
  }
}, { sanitizeOps: false, sanitizeResources: false });
