/**
 * 200 downloads in a row through 2 % random loss each way, in one process of ours (`main.ts -O - URL × 200`, one
 * connection each: `--no-http-keep-alive`): every byte arrives, and nothing accumulates. Inside the process, its open
 * file descriptors and resident memory are sampled while it runs (the first tenth of the run against the last); around it, the client namespace's sockets and
 * firewall, the namespaces and the output directory are the same after as before.
 *
 * It also catches 4-tuple reuse: the kernel's ephemeral ports repeat (about one download in a hundred here gets the
 * port of an earlier one whose connection the server still holds in TIME-WAIT); our SYN must then be accepted
 * (RFC 6191, src/transport/ts_clock.ts), or that download fails.
 */

import assert from "node:assert/strict";
import { type Testbed, testbedTest } from "../testbed/testbed.ts";
import { sha256Bytes } from "../_support/files.ts";
import { assertNoFirewallLeft, firewallRules } from "../_support/firewall.ts";
import { mainCommand } from "../_support/program.ts";

const RUNS = 200;
const SIZE = 32 * 1024;

interface Sample {
  fds: number;
  rssKiB: number;
}

async function sample(pid: number): Promise<Sample | null> {
  try {
    let fds = 0;
    for await (const _ of Deno.readDir(`/proc/${pid}/fd`)) fds++;
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const rss = /VmRSS:\s+(\d+)/.exec(status);
    return rss === null ? null : { fds, rssKiB: Number(rss[1]) }; // no VmRSS: exiting
  } catch {
    return null; // exited
  }
}

async function sockets(tb: Testbed): Promise<string> {
  // TCP, UDP, raw and packet sockets (not netlink: ss's own socket is one).
  return (await tb.execClient(["ss", "-H", "-a", "-n", "-t", "-u", "-w", "-0"])).stdout.trim();
}

testbedTest(`${RUNS} downloads in a row with 2 % loss: byte-exact, no descriptor, memory or firewall left over`, {
  servers: ["deno"],
  lossToClient: 0.02,
  lossToServer: 0.02,
}, async (_t, tb) => {
  const file = await tb.randomFile("e.bin", SIZE, 11);
  await firewallRules(tb.clientNs); // the first listing may create iptables' empty tables
  const before = {
    fw: await firewallRules(tb.clientNs),
    ss: await sockets(tb),
    www: [...Deno.readDirSync(tb.wwwDir)],
  };
  const url = tb.url("deno", "/e.bin");
  // One connection per download (no keep-alive): 200 handshakes, guards and sockets opened and released.
  const args = ["-q", "--no-http-keep-alive", "--timeout", "10", "-O", "-", ...Array(RUNS).fill(url)];
  const child = tb.spawnClient(mainCommand(args));
  const samples: Sample[] = [];
  let done = false;
  const sampler = (async () => {
    while (!done) {
      const s = await sample(child.pid);
      if (s !== null) samples.push(s);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const out = await child.output();
  done = true;
  await sampler;
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.equal(out.stdout.length, RUNS * SIZE);
  for (let i = 0; i < RUNS; i++) {
    assert.equal(await sha256Bytes(out.stdout.subarray(i * SIZE, (i + 1) * SIZE)), file.sha256, `download ${i}`);
  }
  // Descriptors and memory: the largest value of the first tenth of the samples against the last tenth. A leak
  // of one descriptor per download would add ~180; the bounds leave room for the phases of one download.
  assert.ok(samples.length >= 20, `only ${samples.length} samples`);
  const tenth = Math.max(1, Math.floor(samples.length / 10));
  const max = (xs: Sample[], k: keyof Sample) => Math.max(...xs.map((s) => s[k]));
  const first = samples.slice(0, tenth), last = samples.slice(-tenth);
  const report = `fds ${max(first, "fds")} → ${max(last, "fds")}, RSS ${max(first, "rssKiB")} → ${
    max(last, "rssKiB")
  } KiB over ${samples.length} samples`;
  console.log(report);
  assert.ok(max(last, "fds") <= max(first, "fds") + 2, report);
  // Memory: connections hand their receive ring, send buffer, receive batch and file chunks on to the next one
  // (src/transport/buffer_pool.ts), so what grows is V8's heap, which it frees lazily (about 15 MiB here). Freed and
  // allocated again per download instead, those megabytes stayed in glibc's heap: 100 downloads of 1 MB took one
  // process from 62 to 184 MB.
  assert.ok(max(last, "rssKiB") <= max(first, "rssKiB") + 48 * 1024, report);
  await assertNoFirewallLeft(tb.clientNs, before.fw);
  assert.equal(await sockets(tb), before.ss, "sockets in the client namespace");
  assert.deepEqual([...Deno.readDirSync(tb.wwwDir)], before.www, "files");
});
