/**
 * End to end: when rawhttpget aborts a connection (SIGINT in the middle of a download), its RST reaches the server.
 * Our RST guard drops the kernel's RSTs of the flow in OUTPUT; our own RST leaves by a raw socket marked with
 * SO_MARK, which the guard lets through, so the server learns at once that we left (RFC 9293 §3.10.7.3) instead of
 * sending until its own timeout. The server namespace counts the RSTs it receives from the client with an nftables
 * counter (RSTs with ACK only: the kernel's own RSTs after we exit have none). Needs root (fails without unless RHG_ALLOW_SKIP=1).
 */

import assert from "node:assert/strict";
import { testbedTest } from "../testbed/testbed.ts";
import { assertNoFirewallLeft } from "../_support/firewall.ts";
import { pollUntil } from "../_support/poll.ts";
import { mainCommand } from "../_support/program.ts";
import { MiB, outPath } from "./_helpers.ts";

testbedTest("e2e: SIGINT mid-download sends an RST that the server receives (the guard exempts our socket mark)", {
  servers: ["deno"],
}, async (_t, tb) => {
  await tb.randomFile("big.bin", 4 * MiB, "own-rst");
  // The server counts the client's RSTs that carry ACK, and the data segments it sends to the client. Our abort's
  // RST carries ACK; the kernel's (for a server segment arriving once our process and its guard are gone) does
  // not: it answers a segment that has ACK with <SEQ=SEG.ACK><CTL=RST> (RFC 9293 §3.10.7.1).
  const observe = [
    "add table ip observe",
    "add chain ip observe input { type filter hook input priority 0; }",
    `add rule ip observe input ip saddr ${tb.clientAddr} tcp dport 8080 tcp flags & (rst|ack) == rst|ack counter`,
    "add chain ip observe output { type filter hook output priority 0; }",
    `add rule ip observe output ip daddr ${tb.clientAddr} tcp sport 8080 tcp flags & (syn|fin|rst) == 0 counter`,
  ];
  assert.equal((await tb.execIn("server", ["nft", observe.join("; ")])).code, 0);
  const counted = async (chain: string) => {
    const listing = (await tb.execIn("server", ["nft", "list", "chain", "ip", "observe", chain])).stdout;
    return Number(listing.match(/counter packets (\d+)/)?.[1] ?? -1);
  };
  const out = outPath(tb, "own-rst");
  const url = `${tb.url("deno", "/slow/big.bin")}?chunk=65536&delay=50`;
  const child = tb.spawnClient(mainCommand(["-v", "-O", out, url]), {
    stdout: "null",
    stderr: "piped",
  });
  const stderr = new Response(child.stderr).text();
  let exited = false;
  child.status.then(() => exited = true);
  // Interrupt once the body flows (the server sent more than the handshake and the head).
  const flowing = await pollUntil(async () => exited || (await counted("output")) >= 20, 20_000);
  assert.ok(
    flowing && !exited,
    `the slow download did not start in 20 s or ended early: ${exited ? await stderr : ""}`,
  );
  assert.equal(await counted("input"), 0, "an RST reached the server before we interrupted");
  child.kill("SIGINT");
  const status = await child.status;
  const said = await stderr;
  assert.equal(status.code, 128 + 2, `exit code after SIGINT: ${said}`); // the shell's code for SIGINT
  assert.match(said, /Dropping the kernel's RSTs for .* \(not ours: they carry socket mark 0x52484701\)/);
  assert.doesNotMatch(said, /EPERM/);
  assert.ok(await pollUntil(async () => (await counted("input")) >= 1, 2000), `no RST reached the server: ${said}`);
  await assertNoFirewallLeft(tb.clientNs);
});
