/**
 * When the path talks back, on the router testbed against nginx, with GNU wget on the same command lines: a router
 * that rejects (host unreachable, administratively prohibited), an ARP failure behind the router, a name whose first
 * address is dead, a narrow hop (MTU 576 and 1400) for a request longer than one segment with and without the
 * router's "fragmentation needed", and a client host that drops INVALID connection-tracking state. Only ICMP (or the
 * lack of it) tells us what happened: each case failed before this stack read ICMP.
 *
 * @module
 */

import assert from "node:assert/strict";
import { assertSameOutcome, differential } from "../_support/differential.ts";
import { rhg } from "../_support/program.ts";
import { routerNft, withHosts } from "./_helpers.ts";
import { sha256File } from "../_support/files.ts";
import { exec, inNamespace } from "../_support/exec.ts";
import { testbedTest } from "../testbed/testbed.ts";
import type { Testbed } from "../testbed/testbed.ts";

/** An address in the server's subnet where nothing answers ARP. */
const NOBODY = "198.18.2.3";
/** An address the router silently drops (a blackhole route): no ICMP, no answer. */
const SILENT = "198.18.2.4";

/** The router rejects the server's HTTP port with `reject with …` while `fn` runs. */
async function withRouterReject(tb: Testbed, how: string, fn: () => Promise<void>): Promise<void> {
  await routerNft(
    tb,
    `table ip rhg_reject {\n chain reject_http {\n type filter hook forward priority 0;\n` +
      `ip daddr ${tb.serverAddr} tcp dport 80 reject with ${how}\n }\n}\n`,
  );
  try {
    await fn();
  } finally {
    await routerNft(tb, "delete table ip rhg_reject");
  }
}

/**
 * The router forwards at most `mtu` bytes per datagram toward the server while `fn` runs (a locked route MTU, so
 * it says "fragmentation needed" for larger DF datagrams; the server's direction is unchanged, so its SYN-ACK still
 * offers MSS 1460).
 */
async function withNarrowHop(tb: Testbed, mtu: number, fn: () => Promise<void>): Promise<void> {
  const route = ["ip", "route", "replace", "198.18.2.0/24", "dev", tb.ifs.routerToServer];
  await tb.execIn("router", [...route, "mtu", "lock", `${mtu}`]);
  try {
    await fn();
  } finally {
    await tb.execIn("router", route);
  }
}

testbedTest(
  "the path talks back: ICMP ends attempts at once, fails over, and sizes our segments",
  { servers: ["nginx"] },
  async (t, tb) => {
    const f = await tb.randomFile("f.bin", 300_000, "icmp");
    const url = tb.url("nginx", "/f.bin");
    // The router answers ARP failures quickly: its own default (3 probes, 1 s apart) is its business, not ours.
    await tb.execIn("router", ["sysctl", "-qw", `net.ipv4.neigh.${tb.ifs.routerToServer}.mcast_solicit=2`]);
    await tb.execIn("router", ["sysctl", "-qw", `net.ipv4.neigh.${tb.ifs.routerToServer}.retrans_time_ms=100`]);
    await tb.execIn("router", ["ip", "route", "add", "blackhole", `${SILENT}/32`]);

    for (
      const [how, words] of [
        ["icmp type host-unreachable", "host unreachable"],
        ["icmp type admin-prohibited", "communication administratively prohibited"],
      ]
    ) {
      await t.step(`a router's '${words}' ends the attempt at once, as wget (exit 4, no file)`, async () => {
        await withRouterReject(tb, how, async () => {
          const d = await differential(tb, ["-t", "2", url], { timeoutMs: 30_000 });
          assertSameOutcome(d);
          assert.equal(d.rhg.code, 4, d.rhg.stderr);
          assert.match(
            d.rhg.stderr,
            new RegExp(`198\\.18\\.2\\.2 is unreachable: the router 198\\.18\\.1\\.1 says ${words}`),
          );
          // Not retried (wget's EHOSTUNREACH is final too), and no SYN resent into the wall: well under a second.
          assert.doesNotMatch(d.rhg.stderr, /retrying/);
          assert.ok(d.rhg.timeMs < 1500, `took ${d.rhg.timeMs} ms`);
        });
      });
    }

    await t.step("an ARP failure behind the router: its 'host unreachable' ends the attempt, as wget", async () => {
      const d = await differential(tb, [`http://${NOBODY}/f.bin`], { timeoutMs: 30_000 });
      assertSameOutcome(d);
      assert.equal(d.rhg.code, 4, d.rhg.stderr);
      assert.match(d.rhg.stderr, /198\.18\.2\.3 is unreachable: the router 198\.18\.1\.1 says host unreachable/);
      assert.ok(d.rhg.timeMs < 2000, `took ${d.rhg.timeMs} ms`);
    });

    await t.step("a name whose first address is unreachable: the next one serves the file, as with wget", async () => {
      await withHosts(tb, `${NOBODY} two.test\n${tb.serverAddr} two.test\n`, async () => {
        const d = await differential(tb, ["http://two.test/f.bin"], { timeoutMs: 30_000 });
        assertSameOutcome(d);
        assert.equal(d.rhg.code, 0, d.rhg.stderr);
        assert.equal(d.rhg.files.get("f.bin")?.sha256, f.sha256);
        assert.match(
          d.rhg.stderr,
          /198\.18\.2\.3:80: unreachable \(the router 198\.18\.1\.1 says host unreachable\); trying 198\.18\.2\.2/,
        );
        assert.ok(d.rhg.timeMs < 2500, `took ${d.rhg.timeMs} ms`);
      });
    });

    await t.step("a silent first address gets its share of --connect-timeout, then the next one serves", async () => {
      await withHosts(tb, `${SILENT} quiet.test\n${tb.serverAddr} quiet.test\n`, async () => {
        // wget gives each address the whole --connect-timeout; we share it as curl does (half each of two here).
        const d = await differential(tb, ["--connect-timeout=2", "http://quiet.test/f.bin"], { timeoutMs: 30_000 });
        assertSameOutcome(d);
        assert.equal(d.rhg.code, 0, d.rhg.stderr);
        assert.match(d.rhg.stderr, /198\.18\.2\.4:80: no answer; trying 198\.18\.2\.2/);
        assert.ok(d.rhg.timeMs > 900 && d.rhg.timeMs < 2500, `took ${d.rhg.timeMs} ms`);
      });
    });

    // A request longer than one segment: a 3,000-byte query string (a pre-signed URL's size), each step to an
    // address of the server's of its own (its kernel forwards it to nginx's): the client's kernel remembers a path
    // MTU per destination for minutes (wget's runs teach it, and a socket wget left behind keeps learning after it
    // exits), and our route lookup reads what it remembers.
    let aliases = 0;
    const aliasUrl = async (alias: string) => {
      if (aliases++ === 0) await tb.execIn("server", ["nft", "add", "table", "ip", "rhg_alias"]);
      await tb.execIn("server", ["ip", "addr", "add", `${alias}/32`, "dev", tb.ifs.server]);
      const rule = `ip daddr ${alias} tcp dport 80 dnat to ${tb.serverAddr}`;
      await tb.execIn("server", [
        "nft",
        "add",
        "chain",
        "ip",
        "rhg_alias",
        "pre",
        "{ type nat hook prerouting priority -100; }",
      ]);
      const r = await tb.execIn("server", ["nft", "add", "rule", "ip", "rhg_alias", "pre", ...rule.split(" ")]);
      assert.equal(r.code, 0, r.stderr);
      return `http://${alias}/f.bin?${"q".repeat(3000)}`;
    };

    await t.step(
      "a hop of MTU 576 as a black hole (the router's ICMP dropped): smaller segments after timeouts",
      async () => {
        const noIcmp = "table ip rhg_no_icmp {\n chain quiet {\n type filter hook output priority 0;\n" +
          " icmp type destination-unreachable drop\n }\n}\n";
        const longUrl = await aliasUrl("198.18.2.13");
        await withNarrowHop(tb, 576, async () => {
          await routerNft(tb, noIcmp);
          try {
            const r = await rhg(tb, ["-O", "f.bin", longUrl], { timeoutMs: 30_000 });
            assert.equal(r.code, 0, r.stderr);
            assert.equal(await sha256File(`${r.dir}/f.bin`), f.sha256);
            assert.match(r.stderr, /our segments cut to a path MTU of 576 \(no ICMP: after timeouts\)/);
            // wget differs on purpose: Linux probes for black holes only with net.ipv4.tcp_mtu_probing set (off by
            // default), so its kernel resends the same full-sized segment until wget's timeout.
            const wget = ["wget", "--no-config", "-q", "-T", "3", "-t", "1", "-O", "/dev/null", longUrl];
            const w = await exec(inNamespace(tb.clientNs, wget));
            assert.equal(w.code, 4, "wget's kernel TCP crossed a black hole: is tcp_mtu_probing on?");
          } finally {
            await routerNft(tb, "delete table ip rhg_no_icmp");
          }
        });
      },
    );

    for (const [mtu, alias] of [[576, "198.18.2.11"], [1400, "198.18.2.12"]] as const) {
      await t.step(
        `a hop of MTU ${mtu}: the router's 'fragmentation needed' resizes our request, as wget's`,
        async () => {
          const longUrl = await aliasUrl(alias);
          await withNarrowHop(tb, mtu, async () => {
            // Ours first: after wget's run the client's kernel remembers the path MTU, and our route lookup reads it.
            const r = await rhg(tb, ["-v", "-O", "f.bin", longUrl], { timeoutMs: 30_000 });
            assert.equal(r.code, 0, r.stderr);
            assert.equal(await sha256File(`${r.dir}/f.bin`), f.sha256);
            assert.match(r.stderr, new RegExp(`our segments cut to a path MTU of ${mtu} \\(ICMP\\)`));
            // -v shows the router's message in the trace, between our segments.
            const said =
              `<-- recv \\d+ bytes ICMP from 198\\.18\\.1\\.1: fragmentation needed \\(next-hop MTU ${mtu}\\)`;
            assert.match(r.stderr, new RegExp(said));
            assert.ok(r.timeMs < 2500, `took ${r.timeMs} ms`);
            const d = await differential(tb, ["-O", "f.bin", longUrl], { timeoutMs: 30_000 });
            assertSameOutcome(d);
            assert.equal(d.rhg.files.get("f.bin")?.sha256, f.sha256);
          });
        },
      );
    }

    await t.step(
      "a send this host's firewall refuses is a lost frame: the SYN goes again once the rule is gone",
      async () => {
        const rule = ["OUTPUT", "-p", "tcp", "--syn", "-d", tb.serverAddr, "-j", "DROP"];
        const added = await tb.execClient(["iptables", "-w", "5", "-A", ...rule]);
        assert.equal(added.code, 0, added.stderr);
        let removed = false;
        const remove = async () => {
          if (!removed) await tb.execClient(["iptables", "-w", "5", "-D", ...rule]);
          removed = true;
        };
        try {
          // Refused all along: the attempt times out, and the sentence says who refused.
          const refused = await rhg(tb, ["-t", "1", "--connect-timeout=2", url], { timeoutMs: 30_000 });
          assert.equal(refused.code, 4, refused.stderr);
          assert.match(
            refused.stderr,
            /did not answer .* \(this host refused to send \d+ of our frames: a local firewall rule/,
          );
          // Refused for a while: the SYN's retransmission after the rule is gone connects.
          const running = rhg(tb, [url], { timeoutMs: 30_000 });
          await new Promise((resolve) => setTimeout(resolve, 1500));
          await remove();
          const r = await running;
          assert.equal(r.code, 0, r.stderr);
          assert.equal(await sha256File(`${r.dir}/f.bin`), f.sha256);
        } finally {
          await remove();
        }
      },
    );

    await t.step(
      "a host that drops INVALID conntrack state downloads: our flow is kept off connection tracking",
      async () => {
        const rule = ["OUTPUT", "-m", "state", "--state", "INVALID", "-j", "DROP"];
        const added = await tb.execClient(["iptables", "-w", "5", "-A", ...rule]);
        assert.equal(added.code, 0, added.stderr);
        try {
          const d = await differential(tb, [url], { timeoutMs: 30_000 });
          assertSameOutcome(d);
          assert.equal(d.rhg.code, 0, d.rhg.stderr);
          assert.equal(d.rhg.files.get("f.bin")?.sha256, f.sha256);
        } finally {
          await tb.execClient(["iptables", "-w", "5", "-D", ...rule]);
        }
      },
    );
  },
);
