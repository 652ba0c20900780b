/**
 * End to end through the packet-ring link (`--packet-ring`): byte-exact downloads on a clean link, under loss, with
 * GRO on the client (64 KiB frames, longer than a ring slot) and with the server's offloads on (checksums the kernel
 * vouches for), and `-v` names the link. Needs root, nginx, ethtool and nft or iptables.
 */

import assert from "node:assert/strict";
import { testbedTest } from "../testbed/testbed.ts";
import { download, MiB } from "./_helpers.ts";

testbedTest("e2e: byte-exact downloads through the packet ring", { servers: ["nginx"] }, async (t, tb) => {
  const file = await tb.randomFile("ring.bin", 32 * MiB, "packet ring");
  const url = tb.url("nginx", "/ring.bin");
  const exact = async (args: string[]) => {
    const r = await download(tb, url, ["--packet-ring", ...args]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.sha256, file.sha256, `other bytes than served: ${r.stderr}`);
    await Deno.remove(r.out);
    return r.stderr;
  };
  await t.step("a clean link, and -v says which link", async () => {
    const stderr = await exact(["-v"]);
    assert.match(stderr, /Receiving through a packet ring \(TPACKET_V2, 4 MiB\)/);
  });
  await t.step("1 % loss toward the client", async () => {
    await tb.setLoss(0.01, 0);
    await exact([]);
    await tb.setLoss(0, 0);
  });
  await t.step("GRO on the client: frames longer than a ring slot", async () => {
    await tb.setClientGro(true);
    await exact([]);
    await tb.setClientGro(false);
  });
  await t.step("the server's offloads on: checksums the kernel vouches for", async () => {
    await tb.setServerOffloads(true);
    await exact([]);
    await tb.setServerOffloads(false);
  });
});
