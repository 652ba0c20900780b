/**
 * Our real program stopped in the middle of a download: SIGINT, SIGTERM, `kill -9`, the server process killed, the
 * link cut. Each ends as documented (exit 130 / 143 / 4 / 7), keeps the `.part` file for `-c`, and
 * leaves no firewall rule behind (`nft list ruleset` and `iptables -S` in the client namespace, as before).
 */

import assert from "node:assert/strict";
import { type Testbed, testbedTest } from "../testbed/testbed.ts";
import { exists, waitForSize } from "../_support/files.ts";
import { assertNoFirewallLeft, firewallRules } from "../_support/firewall.ts";
import { finish, startGet } from "./_run.ts";

const SIZE = 1 << 20;
// 1 KiB every 20 ms: the download lasts about 20 s, long enough to be stopped in the middle.
const SLOW = "/slow/big.bin?chunk=1024&delay=20";

async function midDownload(tb: Testbed, name: string, extra: string[] = []) {
  const out = `${tb.tempDir}/${name}.bin`;
  const child = startGet(tb, ["-q", "--timeout", "3", "-O", out, ...extra, tb.url("deno", SLOW)]);
  await waitForSize(`${out}.part`, 16 * 1024);
  return { out, child };
}

testbedTest(
  "signals, kill -9, a killed server and a cut link in the middle of a download",
  { servers: ["deno"] },
  async (t, tb) => {
    await tb.randomFile("big.bin", SIZE, 7);
    await firewallRules(tb.clientNs); // the first listing may create iptables' empty tables
    const before = await firewallRules(tb.clientNs);

    for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
      await t.step(`${signal}: exit ${code}, the .part kept for -c, no firewall rule left`, async () => {
        const { out, child } = await midDownload(tb, signal);
        const during = await firewallRules(tb.clientNs);
        assert.notEqual(during.nft, before.nft, "the RST guard is in place during the download");
        child.kill(signal);
        const r = await finish(child);
        assert.equal(r.code, code, r.stderr);
        assert.match(r.stderr, /interrupted; the partial file is kept/);
        assert.ok(await exists(`${out}.part`));
        assert.equal((await Deno.stat(out)).size, 0, "nothing final is saved: -O's file stays empty");
        await assertNoFirewallLeft(tb.clientNs, before);
      });
    }

    await t.step("kill -9: the .part kept, no firewall rule left (the owner table dies with us)", async () => {
      const { out, child } = await midDownload(tb, "kill9");
      child.kill("SIGKILL");
      await child.output();
      assert.ok(await exists(`${out}.part`));
      assert.equal((await Deno.stat(out)).size, 0, "nothing final is saved: -O's file stays empty");
      await assertNoFirewallLeft(tb.clientNs, before);
    });

    await t.step("the link cut (router's r-s down): exit 4 within the timeout, the .part kept", async () => {
      const { out, child } = await midDownload(tb, "cut");
      const cutAt = Date.now();
      await tb.execIn("router", ["ip", "link", "set", tb.ifs.routerToServer, "down"]);
      try {
        const r = await finish(child);
        assert.equal(r.code, 4, r.stderr);
        assert.match(r.stderr, /stopped answering after \d+ bytes \(kept in .*cut\.bin\.part\)/);
        // --timeout 3: the silence is noticed after 3 s (a generous bound for a loaded 2-core machine).
        assert.ok(Date.now() - cutAt < 20_000, `took ${Date.now() - cutAt} ms`);
        assert.ok(await exists(`${out}.part`));
        assert.equal((await Deno.stat(out)).size, 0, "nothing final is saved: -O's file stays empty");
      } finally {
        await tb.execIn("router", ["ip", "link", "set", tb.ifs.routerToServer, "up"]);
      }
      await assertNoFirewallLeft(tb.clientNs, before);
    });

    await t.step("the server process killed mid-transfer: its kernel closes, exit 7, the .part kept", async () => {
      const { out, child } = await midDownload(tb, "srvkill");
      tb.servers.get("deno")!.child.kill("SIGKILL");
      const r = await finish(child);
      // The dead server's kernel sends its FIN: a body cut short of its Content-Length (a protocol error, 7).
      assert.equal(r.code, 7, r.stderr);
      assert.match(r.stderr, /Connection closed with \d+ body bytes still expected/);
      assert.ok(await exists(`${out}.part`));
      assert.equal((await Deno.stat(out)).size, 0, "nothing final is saved: -O's file stays empty");
      await assertNoFirewallLeft(tb.clientNs, before);
    });
  },
);
