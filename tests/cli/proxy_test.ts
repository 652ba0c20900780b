/**
 * Proxies on the testbed, against GNU wget with the same environment: `http_proxy` (absolute-form requests),
 * `https_proxy` (CONNECT tunnels, TLS end to end with the server), `no_proxy`, `--no-proxy`, Basic proxy
 * credentials (in the proxy URL or with `--proxy-user`/`--proxy-password`), a proxy that refuses the tunnel, and a
 * proxy setting that is not an http:// URL. The test proxy (tests/testbed/_proxy_child.ts) logs what reaches it.
 */

import assert from "node:assert/strict";
import { assertSameOutcome, differential } from "../_support/differential.ts";
import { readOrNull } from "../_support/files.ts";
import { pollUntil } from "../_support/poll.ts";
import { denoRun } from "../_support/program.ts";
import { type Testbed, testbedTest } from "../testbed/testbed.ts";
import { isListening } from "../testbed/servers.ts";
import { startHttpsServer } from "../testbed/tls.ts";

const PROXY_CHILD = new URL("../testbed/_proxy_child.ts", import.meta.url).pathname;

/** Starts the test proxy on `port` in the server namespace; returns its log reader and a stop function. */
async function startProxy(tb: Testbed, port: number, extra: string[] = []) {
  const log = `${tb.tempDir}/proxy-${port}.log`;
  const child = tb.spawnIn("server", [
    ...denoRun(PROXY_CHILD, ["--hostname", tb.serverAddr, "--port", String(port), "--log", log, ...extra], [
      "--allow-net",
      "--allow-write",
    ]),
  ]);
  await pollUntil(() => isListening(tb.serverNs, tb.serverAddr, port), 15_000);
  return {
    url: `http://${tb.serverAddr}:${port}/`,
    /** The request lines that reached the proxy, with their headers. */
    async requests(): Promise<Array<{ line: string; headers: Record<string, string> }>> {
      const text = new TextDecoder().decode((await readOrNull(log)) ?? new Uint8Array());
      return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
    },
    async clear(): Promise<void> {
      await Deno.remove(log).catch(() => {});
    },
    async stop(): Promise<void> {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
    },
  };
}

testbedTest("proxies: http_proxy, https_proxy, no_proxy, credentials, as wget uses them", {
  servers: ["deno", "nginx"],
}, async (t, tb) => {
  await tb.randomFile("p.bin", 300_000, "proxy");
  const open = await startProxy(tb, 3128);
  const authed = await startProxy(tb, 3129, ["--auth", "tester:s3cret"]);
  const denying = await startProxy(tb, 3130, ["--deny-connect"]);
  const https = await startHttpsServer(tb);
  try {
    const file = tb.url("nginx", "/p.bin");

    await t.step("http_proxy: the request goes to the proxy in absolute-form; the file is wget's", async () => {
      await open.clear();
      const d = await differential(tb, ["-q", file], { env: { http_proxy: open.url } });
      assertSameOutcome(d);
      assert.equal(d.rhg.code, 0, d.rhg.stderr);
      const lines = (await open.requests()).map((r) => r.line);
      assert.deepEqual(lines, [`GET ${file} HTTP/1.1`, `GET ${file} HTTP/1.1`]); // wget's, then ours
    });

    await t.step("https_proxy: a CONNECT tunnel, TLS end to end with the server", async () => {
      await open.clear();
      const ca = ["--ca-certificate", https.pki.caCert];
      const d = await differential(tb, ["-q", ...ca, https.url("/p.bin")], { env: { https_proxy: open.url } });
      assertSameOutcome(d);
      assert.equal(d.rhg.code, 0, d.rhg.stderr);
      const lines = (await open.requests()).map((r) => r.line);
      assert.deepEqual(lines, [`CONNECT ${tb.serverAddr}:443 HTTP/1.1`, `CONNECT ${tb.serverAddr}:443 HTTP/1.1`]);
    });

    await t.step("no_proxy and --no-proxy connect directly", async () => {
      await open.clear();
      const bypass = await differential(tb, ["-q", file], {
        env: { http_proxy: open.url, no_proxy: `example.test,${tb.serverAddr}` },
      });
      assertSameOutcome(bypass);
      const off = await differential(tb, ["-q", "--no-proxy", file], { env: { http_proxy: open.url } });
      assertSameOutcome(off);
      assert.equal(off.rhg.code, 0, off.rhg.stderr);
      assert.deepEqual(await open.requests(), []);
    });

    await t.step("Basic credentials in the proxy URL and with --proxy-user; never in a message", async () => {
      await authed.clear();
      const inUrl = `http://tester:s3cret@${tb.serverAddr}:3129/`;
      const d = await differential(tb, ["-q", file], { env: { http_proxy: inUrl } });
      assertSameOutcome(d);
      assert.equal(d.rhg.code, 0, d.rhg.stderr);
      const flags = await differential(tb, ["-q", "--proxy-user", "tester", "--proxy-password", "s3cret", file], {
        env: { http_proxy: authed.url },
      });
      assertSameOutcome(flags);
      const expected = `Basic ${btoa("tester:s3cret")}`;
      for (const r of await authed.requests()) assert.equal(r.headers["proxy-authorization"], expected, r.line);
      const wrong = await differential(tb, ["-v", file], {
        env: { http_proxy: `http://tester:nope@${tb.serverAddr}:3129/` },
      });
      assertSameOutcome(wrong); // the proxy's 407 is an error status for both
      assert.ok(!wrong.rhg.stderr.includes("nope"), "the password showed in a message");
    });

    await t.step("a proxy that refuses the tunnel: one sentence, exit 4, no file", async () => {
      const ca = ["--ca-certificate", https.pki.caCert];
      const d = await differential(tb, ["-q", ...ca, https.url("/p.bin")], {
        env: { https_proxy: denying.url },
      });
      assertSameOutcome(d);
      assert.equal(
        d.rhg.stderr,
        `rawhttpget: The proxy ${tb.serverAddr}:3130 refused the tunnel to ${tb.serverAddr}:443: 403 Forbidden\n`,
      );
    });

    await t.step("a proxy setting that is not an http:// URL is refused before connecting", async () => {
      const d = await differential(tb, ["-q", file], { env: { http_proxy: "ftp://198.18.2.2:21/" } });
      assert.equal(d.rhg.code, d.wget.code, `${d.wget.stderr}\n${d.rhg.stderr}`);
      assert.deepEqual([...d.rhg.files.keys()], []);
      assert.equal(
        d.rhg.stderr,
        'rawhttpget: The proxy "ftp://198.18.2.2:21/" in http_proxy is not an http:// proxy\n',
      );
    });
  } finally {
    await https.stop();
    for (const p of [open, authed, denying]) await p.stop();
  }
});
