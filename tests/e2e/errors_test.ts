/**
 * End to end on the real stack, failures: 404 and 500 answers (exit code 8, no file), a server that resets in the
 * middle of the body (network error, no final file), and a server that accepts and never answers (the `--timeout`
 * fires at about the configured time). No firewall rule of ours may remain after any of them. Needs root, curl and
 * nginx (fails without unless RHG_ALLOW_SKIP=1). Each run names its file with `-O`, which is created empty before
 * connecting (as wget does): "no file" means that file stays empty.
 */

import assert from "node:assert/strict";
import { testbedTest } from "../testbed/testbed.ts";
import { assertNoFirewallLeft } from "../_support/firewall.ts";
import { sha256Bytes } from "../_support/files.ts";
import { mainCommand } from "../_support/program.ts";
import { startStaticServer } from "../demo/static_server.ts";
import { download, MiB, outPath } from "./_helpers.ts";

/** wget's exit codes (wget(1), "EXIT STATUS"). */
const SERVER_ERROR = 8;
const NETWORK_FAILURE = 4;
/** The shell's code for a process ended by SIGINT (128 + 2), which rawhttpget returns. */
const INTERRUPTED = 130;
/** The SHA-256 of the empty file `-O` leaves when nothing was saved. */
const EMPTY = sha256Bytes(new Uint8Array(0));

/** The `--timeout` of the hang case, in seconds: short, so the test is quick. */
const TIMEOUT_S = 3;

/** Size of `<path>.part`, 0 when it does not exist. */
async function partSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(`${path}.part`)).size;
  } catch {
    return 0;
  }
}

testbedTest("e2e: error answers, a reset mid-body, a silent server and interruptions fail cleanly", {
  servers: ["nginx", "deno"],
  tools: ["curl", "nginx"],
}, async (t, tb) => {
  await tb.randomFile("big.bin", 4 * MiB, "reset");
  const serve = await startStaticServer(tb);
  const nginx = tb.url("nginx", "").replace(/\/$/, "");
  const node = tb.url("deno", "").replace(/\/$/, "");
  const cases: [string, string, number][] = [
    ["404 from nginx", `${nginx}/missing.bin`, 404],
    ["404 from Deno.serve", `${serve.base}/missing.bin`, 404],
    ["404 from the node:net server", `${node}/missing.bin`, 404],
    ["500 from Deno.serve", `${serve.base}/status/500`, 500],
    ["500 from the node:net server", `${node}/status/500`, 500],
  ];
  for (const [name, url, status] of cases) {
    await t.step(`${name}: exit code 8, no file`, async () => {
      const r = await download(tb, url);
      assert.equal(r.code, SERVER_ERROR, `exit code ${r.code} for a ${status}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(String(status)), "the message names the status");
      assert.equal(r.sha256, EMPTY, `a file was saved for a ${status}`);
      assert.equal(r.partExists, false, `a .part file was left for a ${status}`);
    });
  }

  await t.step("a reset in the middle of the body: network error, no final file", async () => {
    const r = await download(tb, `${node}/reset-mid-body/big.bin?bytes=${MiB}`, ["--tries", "1"]);
    assert.equal(r.code, NETWORK_FAILURE, `exit code ${r.code} after a reset: ${r.stderr}`);
    assert.match(r.stderr, /reset/i, "the message says the server reset the connection");
    assert.equal(r.sha256, EMPTY, "a final file was saved although the body was cut");
  });

  await t.step(`a server that never answers: timeout after about ${TIMEOUT_S} s`, async () => {
    const r = await download(tb, `${node}/hang`, ["--tries", "1", "--timeout", String(TIMEOUT_S)], 60_000);
    assert.equal(r.code, NETWORK_FAILURE, `exit code ${r.code} on a timeout: ${r.stderr}`);
    assert.equal(r.sha256, EMPTY, "a file was saved although no response came");
    assert.equal(r.partExists, false, "a .part file was left although no response came");
    // Not a timing test: the timeout must fire, not before the configured time, and not wildly after it.
    assert.ok(r.timeMs >= TIMEOUT_S * 1000, `gave up after ${r.timeMs} ms, before the ${TIMEOUT_S} s timeout`);
    assert.ok(r.timeMs < TIMEOUT_S * 1000 + 5_000, `gave up only after ${r.timeMs} ms (timeout ${TIMEOUT_S} s)`);
  });

  for (const signal of ["SIGINT", "SIGKILL"] as const) {
    await t.step(`${signal} in the middle of a download: no final file, no firewall rule left`, async () => {
      const out = outPath(tb, signal);
      const child = tb.spawnClient(
        mainCommand(["-q", "-O", out, `${node}/slow/big.bin?chunk=65536&delay=50`]),
        { stdout: "null", stderr: "piped" },
      );
      const stderr = new Response(child.stderr).text();
      let exited = false;
      child.status.then(() => exited = true);
      // Wait until the body is flowing (the .part file has bytes), then interrupt.
      const deadline = performance.now() + 20_000;
      while ((await partSize(out)) === 0) {
        if (exited) assert.fail(`rawhttpget ended before the body flowed: ${await stderr}`);
        assert.ok(performance.now() < deadline, "the slow download did not start in 20 s");
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill(signal);
      const status = await child.status;
      await stderr;
      if (signal === "SIGINT") assert.equal(status.code, INTERRUPTED, "exit code after SIGINT");
      else assert.equal(status.signal, "SIGKILL");
      await assertNoFirewallLeft(tb.clientNs);
      assert.equal((await Deno.stat(out)).size, 0, "a final file was saved although the download was interrupted");
    });
  }
});
