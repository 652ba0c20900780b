/**
 * IPv6 end to end on the router testbed with IPv6 (2001:2::/48 only), against nginx and the Deno file server, with
 * GNU wget on the same command lines: an `[IPv6]` literal, an IPv6-only name, a dual-stack name (the resolver's order,
 * `-4`/`-6`, `--prefer-family`), Happy Eyeballs past a silent family, HTTPS to an IPv6 address, redirects between
 * families, the router's ICMPv6 "administratively prohibited", and a narrow IPv6 hop that says "packet too big".
 *
 * @module
 */

import assert from "node:assert/strict";
import { assertSameOutcome, differential } from "../_support/differential.ts";
import { sha256File } from "../_support/files.ts";
import { rhg } from "../_support/program.ts";
import { routerNft, withHosts } from "./_helpers.ts";
import { startHttpsServer } from "../testbed/tls.ts";
import { testbedTest } from "../testbed/testbed.ts";

/** An IPv4 address the router drops silently (a blackhole route): no answer, no ICMP. */
const SILENT4 = "198.18.2.4";
/** An IPv6 address the router drops silently. */
const SILENT6 = "2001:2:0:2::4";

/** The address `-v` says we connected to last. */
function connectedTo(stderr: string): string | undefined {
  return [...stderr.matchAll(/Connecting to (\S+) from /g)].at(-1)?.[1];
}

testbedTest(
  "IPv6 end to end: literals, names of one or both families, HTTPS, redirects and ICMPv6, as wget",
  { servers: ["nginx", "deno"], ipv6: true },
  async (t, tb) => {
    const f = await tb.randomFile("f.bin", 300_000, "six");
    const v6 = tb.serverAddr6;
    await tb.execIn("router", ["ip", "route", "add", "blackhole", `${SILENT4}/32`]);
    await tb.execIn("router", ["ip", "-6", "route", "add", "blackhole", `${SILENT6}/128`]);

    await t.step("an [IPv6] literal URL: the same file, name and exit code as wget's", async () => {
      const url = tb.url6("nginx", "/f.bin");
      const d = await differential(tb, [url], { timeoutMs: 30_000 });
      assertSameOutcome(d);
      assert.equal(d.rhg.code, 0, d.rhg.stderr);
      assert.equal(d.rhg.files.get("f.bin")?.sha256, f.sha256);
      const r = await rhg(tb, ["-v", "-O", "g.bin", url], { timeoutMs: 30_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(connectedTo(r.stderr), `[${v6}]:80`);
      assert.match(r.stderr, /mss 1440/, "MSS = MTU 1500 − 40 − 20");
    });

    await t.step("an IPv6-only name, and -4 on it (no IPv4 address: wget's exit code)", async () => {
      await withHosts(tb, `${v6} six.test\n`, async () => {
        const d = await differential(tb, ["http://six.test/f.bin"], { timeoutMs: 30_000 });
        assertSameOutcome(d);
        assert.equal(d.rhg.files.get("f.bin")?.sha256, f.sha256);
        const only4 = await differential(tb, ["-4", "http://six.test/f.bin"], { timeoutMs: 30_000 });
        assertSameOutcome(only4);
        assert.equal(only4.rhg.code, 4, only4.rhg.stderr);
      });
    });

    await t.step("a dual-stack name: the resolver's order, -4, -6 and --prefer-family choose the family", async () => {
      await withHosts(tb, `${tb.serverAddr} dual.test\n${v6} dual.test\n`, async () => {
        // The resolver's order (glibc's RFC 6724 sorting, here the IPv6 address first) is wget's and ours.
        const order = await tb.execClient(["getent", "ahosts", "dual.test"]);
        assert.equal(order.code, 0, order.stderr);
        assert.ok(order.stdout.startsWith(`${v6} `), order.stdout);
        const cases: [string[], string][] = [
          [[], `[${v6}]:80`],
          [["-6"], `[${v6}]:80`],
          [["--inet6-only"], `[${v6}]:80`],
          [["-4"], `${tb.serverAddr}:80`],
          [["--prefer-family=IPv6"], `[${v6}]:80`],
          [["--prefer-family=IPv4"], `${tb.serverAddr}:80`],
        ];
        for (const [args, to] of cases) {
          const r = await rhg(tb, ["-v", ...args, "http://dual.test/f.bin"], { timeoutMs: 30_000 });
          assert.equal(r.code, 0, r.stderr);
          assert.equal(connectedTo(r.stderr), to, args.join(" "));
          assert.equal(await sha256File(`${r.dir}/f.bin`), f.sha256);
        }
        const d = await differential(tb, ["-6", "http://dual.test/f.bin"], { timeoutMs: 30_000 });
        assertSameOutcome(d);
      });
    });

    await t.step("Happy Eyeballs: a silent leading family gives way to the other after 250 ms", async () => {
      await withHosts(tb, `${SILENT6} quiet6.test\n${tb.serverAddr} quiet6.test\n`, async () => {
        const r = await rhg(tb, ["-v", "http://quiet6.test/f.bin"], { timeoutMs: 30_000 });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /Trying IPv4 as well: IPv6 has not connected within 250 ms/);
        assert.equal(connectedTo(r.stderr), `${tb.serverAddr}:80`);
        assert.ok(r.timeMs < 2000, `took ${r.timeMs} ms`);
        // wget tries one address after the other: the silent one takes its whole --connect-timeout first.
        const d = await differential(tb, ["--connect-timeout=2", "http://quiet6.test/f.bin"], { timeoutMs: 30_000 });
        assertSameOutcome(d);
        assert.equal(d.rhg.files.get("f.bin")?.sha256, f.sha256);
        assert.ok(d.wget.timeMs > 1900, `wget took ${d.wget.timeMs} ms`);
      });
      await withHosts(tb, `${SILENT4} quiet4.test\n${v6} quiet4.test\n`, async () => {
        const r = await rhg(tb, ["-v", "--prefer-family=IPv4", "http://quiet4.test/f.bin"], { timeoutMs: 30_000 });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /Trying IPv6 as well: IPv4 has not connected within 250 ms/);
        assert.equal(connectedTo(r.stderr), `[${v6}]:80`);
      });
    });

    await t.step("HTTPS to an IPv6 address: its certificate's IP name is checked, as wget does", async () => {
      const https = await startHttpsServer(tb);
      try {
        const args = [`--ca-certificate=${https.pki.caCert}`, https.url6("/f.bin")];
        const d = await differential(tb, args, { timeoutMs: 30_000 });
        assertSameOutcome(d);
        assert.equal(d.rhg.code, 0, d.rhg.stderr);
        assert.equal(d.rhg.files.get("f.bin")?.sha256, f.sha256);
      } finally {
        await https.stop();
      }
    });

    await t.step("redirects between the families, both ways, as wget follows them", async () => {
      const to6 = `${tb.url("deno", "/redirect-to")}?url=${encodeURIComponent(tb.url6("nginx", "/f.bin"))}`;
      const to4 = `${tb.url6("deno", "/redirect-to")}?url=${encodeURIComponent(tb.url("nginx", "/f.bin"))}`;
      for (const url of [to6, to4]) {
        const d = await differential(tb, ["-O", "f.bin", url], { timeoutMs: 30_000 });
        assertSameOutcome(d);
        assert.equal(d.rhg.code, 0, d.rhg.stderr);
        assert.equal(d.rhg.files.get("f.bin")?.sha256, f.sha256);
      }
    });

    await t.step("the router's ICMPv6 'administratively prohibited' ends the attempt at once, as wget", async () => {
      await routerNft(
        tb,
        `table ip6 rhg_reject {\n chain reject_http {\n type filter hook forward priority 0;\n` +
          `ip6 daddr ${v6} tcp dport 80 reject with icmpv6 type admin-prohibited\n }\n}\n`,
      );
      try {
        const d = await differential(tb, ["-t", "2", tb.url6("nginx", "/f.bin")], { timeoutMs: 30_000 });
        assertSameOutcome(d);
        assert.equal(d.rhg.code, 4, d.rhg.stderr);
        const says = `${v6} is unreachable: the router ${tb.addrs6.routerToClient} says`;
        assert.ok(d.rhg.stderr.includes(says), d.rhg.stderr);
        assert.ok(d.rhg.timeMs < 1500, `took ${d.rhg.timeMs} ms`);
      } finally {
        await routerNft(tb, "delete table ip6 rhg_reject");
      }
    });

    await t.step("a hop of MTU 1280: the router's 'packet too big' resizes our long request", async () => {
      const route = ["ip", "-6", "route", "replace", "2001:2:0:2::/64", "dev", tb.ifs.routerToServer, "metric", "256"];
      await tb.execIn("router", [...route, "mtu", "lock", "1280"]);
      try {
        const url = `${tb.url6("nginx", "/f.bin")}?${"q".repeat(3000)}`;
        const r = await rhg(tb, ["-O", "f.bin", url], { timeoutMs: 30_000 });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(await sha256File(`${r.dir}/f.bin`), f.sha256);
        assert.match(r.stderr, /our segments cut to a path MTU of 1280 \(ICMP\)/);
        assert.ok(r.timeMs < 2500, `took ${r.timeMs} ms`);
      } finally {
        await tb.execIn("router", route);
      }
    });
  },
);
