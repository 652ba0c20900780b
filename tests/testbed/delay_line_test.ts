/**
 * The router's delay line (delay_line.c behind a TUN device): the round trip a TCP handshake measures from the client
 * is the configured one, files cross it byte-exact, it can be changed and taken out at run time, the router's loss
 * still drops each packet once, and with no round trip asked for nothing of it is installed. Round trips are measured
 * with curl's `time_connect` (SYN → SYN-ACK, one round trip): ping is not among the tools the tests install.
 */

import assert from "node:assert/strict";
import { DELAY_DEV, delayRulesInstalled } from "./delay_line.ts";
import { type Testbed, testbedTest } from "./testbed.ts";
import { run } from "../_support/exec.ts";
import { sha256File } from "../_support/files.ts";

const MiB = 1 << 20;

/** Median of `n` TCP handshakes from the client to nginx, in ms. */
async function handshakeMs(tb: Testbed, n = 5): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await tb.execClient(["curl", "-sS", "-o", "/dev/null", "-w", "%{time_connect}", tb.url("nginx", "/")]);
    assert.equal(r.code, 0, r.stderr);
    times.push(Number(r.stdout) * 1000);
  }
  return times.sort((a, b) => a - b);
}

const median = (xs: number[]) => xs[xs.length >> 1];

/** Downloads `path` with curl and says whether the saved file has `sha256`. */
async function curlExact(tb: Testbed, path: string, sha256: string): Promise<boolean> {
  const out = `${tb.tempDir}/curl-${crypto.randomUUID()}`;
  const r = await tb.execClient(["curl", "-sS", "-o", out, tb.url("nginx", path)], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  const ok = (await sha256File(out)) === sha256;
  await Deno.remove(out);
  return ok;
}

/** The processes in the router namespace (asked from outside it, so that the asking is not one of them). */
async function routerPids(tb: Testbed): Promise<string> {
  return (await run(["ip", "netns", "pids", tb.routerNs])).trim();
}

/** Packets the kernel sent into the delay line (TX of its device) and got back from it (RX). */
async function linePackets(tb: Testbed): Promise<{ into: number; back: number }> {
  const out = await tb.execIn("router", ["ip", "-s", "-j", "link", "show", "dev", DELAY_DEV]);
  const link = JSON.parse(out.stdout)[0] as { stats64: { tx: { packets: number }; rx: { packets: number } } };
  return { into: link.stats64.tx.packets, back: link.stats64.rx.packets };
}

testbedTest(
  "the delay line adds 20 ms and then 100 ms to a round trip, carries files byte-exact, and comes out of the path",
  { servers: ["nginx"], rttMs: 20, tools: ["curl"] },
  async (_t, tb) => {
    assert.equal(tb.rttMs, 20);
    assert.ok(delayRulesInstalled(tb.routerNs));
    const at20 = await handshakeMs(tb);
    console.log(`handshakes at 20 ms: ${at20.map((x) => x.toFixed(1)).join(" ")} ms`);
    // Never early; late only by the machine's load (a doubled delay would be 40 ms), so the upper bound is loose.
    assert.ok(median(at20) >= 19.9 && median(at20) < 30, `median handshake ${median(at20)} ms at 20 ms`);
    const f = await tb.randomFile("f.bin", 10 * MiB, 1);
    assert.ok(await curlExact(tb, "/f.bin", f.sha256), "10 MiB through the 20 ms line differs");

    const stats = await tb.setDelay(100);
    assert.ok(stats !== null && stats.delayed > 7000, `the 20 ms line's counts: ${JSON.stringify(stats)}`);
    assert.deepEqual([stats.queueDrops, stats.oversize, stats.writeErrors], [0, 0, 0]);
    const at100 = await handshakeMs(tb);
    console.log(`handshakes at 100 ms: ${at100.map((x) => x.toFixed(1)).join(" ")} ms`);
    assert.ok(median(at100) >= 99.9 && median(at100) < 130, `median handshake ${median(at100)} ms at 100 ms`);
    assert.ok(await curlExact(tb, "/f.bin", f.sha256), "10 MiB through the 100 ms line differs");

    await tb.setDelay(0);
    assert.equal(tb.rttMs, 0);
    assert.ok(!delayRulesInstalled(tb.routerNs), "the rules into the line are still there");
    assert.equal(await routerPids(tb), "", "the delay line still runs after it was taken out");
    const direct = await handshakeMs(tb);
    assert.ok(median(direct) < 10, `median handshake ${median(direct)} ms without the line`);
  },
);

testbedTest(
  "without a round trip the testbed has no delay line: no device, no rules, no process",
  { servers: ["nginx"], tools: ["curl"] },
  async (_t, tb) => {
    assert.equal(tb.rttMs, 0);
    assert.ok(!delayRulesInstalled(tb.routerNs));
    const link = await tb.execIn("router", ["ip", "link", "show", "dev", DELAY_DEV]);
    assert.notEqual(link.code, 0, `${DELAY_DEV} exists: ${link.stdout}`);
    assert.equal(await routerPids(tb), "");
    assert.ok(median(await handshakeMs(tb)) < 10);
  },
);

testbedTest(
  "with the delay line, the router's loss drops each packet once and every other packet crosses the line once",
  { servers: ["nginx"], rttMs: 20, lossToClient: 0.05, lossToServer: 0.02, tools: ["curl"] },
  async (_t, tb) => {
    const before = await linePackets(tb);
    const f = await tb.randomFile("f.bin", 4 * MiB, 2);
    assert.ok(await curlExact(tb, "/f.bin", f.sha256), "4 MiB through the lossy line differs");
    const c = await tb.counters();
    const after = await linePackets(tb);
    const toClient = c.toClient.lossDropped / (c.toClient.lossDropped + c.toClient.forwarded);
    const toServer = c.toServer.lossDropped / (c.toServer.lossDropped + c.toServer.forwarded);
    console.log(`loss ${(toClient * 100).toFixed(1)} % to the client, ${(toServer * 100).toFixed(1)} % to the server`);
    assert.ok(toClient > 0.03 && toClient < 0.08, `loss toward the client ${toClient}: ${JSON.stringify(c)}`);
    assert.ok(toServer > 0.005 && toServer < 0.04, `loss toward the server ${toServer}: ${JSON.stringify(c)}`);
    // Everything the veths sent on (or the loss rules dropped) came out of the line, once; the veths' own few
    // packets (ARP) are the only others.
    const sent = c.toClient.forwarded + c.toClient.lossDropped + c.toServer.forwarded + c.toServer.lossDropped;
    const back = after.back - before.back;
    assert.ok(sent >= back && sent - back < 20, `veths sent or dropped ${sent}, the line gave back ${back}`);
    assert.ok(after.into - after.back < 5, `the line holds ${after.into - after.back} packets when idle`);
  },
);

testbedTest(
  "jitter spreads round trips between the base delay and base plus jitter",
  { servers: ["nginx"], rttMs: 20, jitterMs: 20, tools: ["curl"] },
  async (_t, tb) => {
    const times = await handshakeMs(tb, 12);
    console.log(`handshakes at 20 ms + up to 20 ms: ${times.map((x) => x.toFixed(1)).join(" ")} ms`);
    // The line never delivers early; late is bounded only by how busy the machine is (a handshake also waits for
    // the client and server to be scheduled), so the upper bound is checked on the median, not on every sample.
    assert.ok(times[0] >= 19.9, `a handshake under the base delay: ${times}`);
    const median = times[Math.floor(times.length / 2)];
    assert.ok(median < 43, `the median handshake ${median} ms is above base plus jitter: ${times}`);
    assert.ok(times.at(-1)! - times[0] > 3, `no spread: ${times}`);
  },
);
