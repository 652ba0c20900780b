/**
 * The testbed's `ipv6` option, checked with curl and GNU wget from the client namespace: files cross the router
 * byte-exact over IPv6 from nginx and the file server (and IPv4 still works beside it), only the testbed's addresses
 * and routes exist, ICMPv6 errors from the router reach the client, loss and the delay line act on IPv6 packets, and
 * without the option no namespace has an IPv6 address.
 */

import assert from "node:assert/strict";
import { DELAY_DEV, delayRulesInstalled } from "./delay_line.ts";
import { ADDRS6, serverAvailable, type ServerKind, type Testbed, testbedTest } from "./testbed.ts";
import { findProgram } from "../_support/exec.ts";
import { sha256File } from "../_support/files.ts";

const MiB = 1 << 20;

/** Downloads `url` in the client namespace with curl (`-g`: brackets are the address, not a glob); its sha256. */
async function curlSha(tb: Testbed, url: string, ...args: string[]): Promise<string> {
  const out = `${tb.tempDir}/curl-${crypto.randomUUID()}`;
  const r = await tb.execClient(["curl", "-gsSf", "-o", out, ...args, url], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `curl ${url}: ${r.stderr}`);
  const sha = await sha256File(out);
  await Deno.remove(out);
  return sha;
}

/** Downloads `url` in the client namespace with GNU wget (no user or system wgetrc); its sha256. */
async function wgetSha(tb: Testbed, url: string): Promise<string> {
  const out = `${tb.tempDir}/wget-${crypto.randomUUID()}`;
  const r = await tb.execClient(["wget", "--no-config", "-q", "-O", out, url], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `wget ${url}: ${r.stderr}`);
  const sha = await sha256File(out);
  await Deno.remove(out);
  return sha;
}

/** The global IPv6 addresses (with prefix length) of a namespace, sorted. */
async function globalAddrs6(tb: Testbed, ns: "client" | "router" | "server"): Promise<string[]> {
  const r = await tb.execIn(ns, ["ip", "-6", "-j", "addr", "show", "scope", "global"]);
  assert.equal(r.code, 0, r.stderr);
  const links = JSON.parse(r.stdout || "[]") as { addr_info: { local?: string; prefixlen?: number }[] }[];
  // Links without such an address are listed with empty entries.
  const addrs = links.flatMap((l) => l.addr_info.filter((a) => a.local !== undefined));
  return addrs.map((a) => `${a.local}/${a.prefixlen}`).sort();
}

/** The IPv6 routes of a namespace that are not link-local or multicast, as `ip -6 route` prints them. */
async function routes6(tb: Testbed, ns: "client" | "router" | "server"): Promise<string[]> {
  const r = await tb.execIn(ns, ["ip", "-6", "route", "show"]);
  return r.stdout.split("\n").filter((l) => l !== "" && !l.startsWith("fe80::") && !l.startsWith("multicast"));
}

// python's http.server is optional in the testbed, as everywhere else in its tests.
const servers: ServerKind[] = ["nginx", "deno", ...serverAvailable("python") ? ["python" as const] : []];

testbedTest(
  "with ipv6, curl and wget get a 1 MiB file byte-exact from every installed server over IPv6 and IPv4",
  { servers, ipv6: true, tools: ["curl", "wget"] },
  async (_t, tb) => {
    assert.deepEqual(tb.warnings, []);
    assert.deepEqual(await globalAddrs6(tb, "client"), ["2001:2:0:1::2/64"]);
    assert.deepEqual(await globalAddrs6(tb, "router"), ["2001:2:0:1::1/64", "2001:2:0:2::1/64"]);
    assert.deepEqual(await globalAddrs6(tb, "server"), ["2001:2:0:2::2/64"]);
    // Only the two prefixes and the one route across the router: no default route, nothing from advertisements.
    const clientRoutes = await routes6(tb, "client");
    assert.ok(clientRoutes.some((l) => l.startsWith("2001:2:0:2::/64 via 2001:2:0:1::1 dev c-r")), `${clientRoutes}`);
    assert.equal(clientRoutes.length, 2, `client routes: ${clientRoutes.join("; ")}`);
    assert.equal((await routes6(tb, "server")).length, 2);
    assert.ok(!(await routes6(tb, "router")).some((l) => l.startsWith("default")));
    const get = await tb.execClient(["ip", "-6", "route", "get", ADDRS6.server]);
    assert.match(get.stdout, /^2001:2:0:2::2 from :: via 2001:2:0:1::1 dev c-r /);
    const conf = (dev: string) => `/proc/sys/net/ipv6/conf/${dev}/forwarding`;
    const sysctl = await tb.execIn("router", ["cat", conf("all"), conf(tb.ifs.routerToClient)]);
    assert.equal(sysctl.stdout.replace(/\s+/g, ""), "11");
    const ra = await tb.execIn("client", ["cat", "/proc/sys/net/ipv6/conf/c-r/accept_ra"]);
    assert.equal(ra.stdout.trim(), "0");

    const f = await tb.randomFile("x", MiB, 6);
    for (const server of servers) {
      assert.match(tb.url6(server, "/x"), /^http:\/\/\[2001:2:0:2::2\](:8080|:8000)?\/x$/);
      assert.equal(await curlSha(tb, tb.url6(server, "/x")), f.sha256, `curl over IPv6 from ${server}`);
      assert.equal(await wgetSha(tb, tb.url6(server, "/x")), f.sha256, `wget over IPv6 from ${server}`);
      assert.equal(await curlSha(tb, tb.url(server, "/x")), f.sha256, `curl over IPv4 from ${server}`);
    }
    // nginx and the file server listen on exactly the two addresses; python on one dual-stack socket (`*` in ss).
    const ss = await tb.execIn("server", ["ss", "-Hltn"]);
    const listening = ss.stdout.split("\n").filter((l) => l !== "").map((l) => l.split(/\s+/)[3]).sort();
    const python = servers.includes("python") ? ["*:8000"] : [];
    const expected = ["198.18.2.2:80", "198.18.2.2:8080", "[2001:2:0:2::2]:80", "[2001:2:0:2::2]:8080", ...python];
    assert.deepEqual(listening, expected.sort());
    // Both families crossed the router (its interface counters see them all, 1 MiB is ~700 packets each way).
    const c = await tb.counters();
    assert.ok(c.toClient.forwarded > 4 * 700, JSON.stringify(c));
  },
);

testbedTest(
  "with ipv6, the router's ICMPv6 errors reach the client: admin-prohibited fails curl at once, too big lowers the MTU",
  { servers: ["deno"], ipv6: true, tools: ["curl", "nft", "tcpdump"] },
  async (_t, tb) => {
    const reject = [
      "table ip6 rhg_reject {",
      "  chain forward {",
      "    type filter hook forward priority 0; policy accept;",
      `    ip6 daddr ${ADDRS6.server} tcp dport 8080 reject with icmpv6 type admin-prohibited`,
      "  }",
      "}",
      "",
    ].join("\n");
    const add = await tb.execIn("router", ["nft", "-f", "-"], { stdin: new TextEncoder().encode(reject) });
    assert.equal(add.code, 0, add.stderr);
    const refused = await tb.execClient(["curl", "-gsS", "-o", "/dev/null", "-m", "5", tb.url6("deno", "/")]);
    assert.equal(refused.code, 7, `curl exited ${refused.code}: ${refused.stderr}`); // could not connect
    assert.ok(refused.timeMs < 2000, `curl took ${refused.timeMs} ms to give up`);
    // IPv4 is not touched by an ip6 rule.
    const v4 = await tb.execClient(["curl", "-sS", "-o", "/dev/null", "-m", "5", tb.url("deno", "/status/204")]);
    assert.equal(v4.code, 0, v4.stderr);
    assert.equal((await tb.execIn("router", ["nft", "delete", "table", "ip6", "rhg_reject"])).code, 0);

    // The server side of the router now takes only 1280-byte packets; the client's 1500-byte segments must bounce.
    // `metric 256` is the connected route's: IPv6 routes added by hand default to 1024, which would add a second
    // route that loses to the connected one instead of replacing it.
    const dev = tb.ifs.routerToServer;
    const lock = [
      "ip",
      "-6",
      "route",
      "replace",
      "2001:2:0:2::/64",
      "dev",
      dev,
      "metric",
      "256",
      "mtu",
      "lock",
      "1280",
    ];
    const locked = await tb.execIn("router", lock);
    assert.equal(locked.code, 0, locked.stderr);
    const routerGet = await tb.execIn("router", ["ip", "-6", "route", "get", ADDRS6.server]);
    assert.match(routerGet.stdout, /mtu lock 1280/);
    const cap = `${tb.tempDir}/ptb.pcap`;
    // `-c 1`: tcpdump exits on the first "packet too big" (type 2), having read it; a SIGINT could come first.
    const filter = "icmp6 and ip6[40] == 2";
    const dump = tb.spawnIn("client", ["tcpdump", "-i", tb.ifs.client, "-n", "-U", "-c", "1", "-w", cap, filter]);
    await waitForFile(cap); // tcpdump writes the file header once its filter is attached
    // /echo-headers sends the body back as JSON; 48 KiB is a few dozen full-sized segments, and small enough for it.
    const body = await tb.randomFile("up.bin", 48 * 1024, 7);
    const up = await tb.execClient(
      ["curl", "-gsS", "-o", "/dev/null", "--data-binary", `@${body.path}`, tb.url6("deno", "/echo-headers")],
      { timeoutMs: 20_000 },
    );
    assert.equal(up.code, 0, up.stderr);
    const timer = setTimeout(() => dump.kill("SIGINT"), 5000);
    const done = await dump.output();
    clearTimeout(timer);
    const text = new TextDecoder().decode(done.stderr);
    assert.match(text, /^1 packet captured/m, `no packet too big seen by the client in 5 s: ${text}`);
    const get = await tb.execClient(["ip", "-6", "route", "get", ADDRS6.server]);
    assert.match(get.stdout, /mtu 1280/, `the client did not learn the path MTU: ${get.stdout}`);
  },
);

/** Waits until `path` exists (at most 5 s). */
async function waitForFile(path: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await Deno.stat(path)).size > 0) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} did not appear in 5 s`);
}

testbedTest(
  "without ipv6 no namespace of the testbed has an IPv6 address, and no IPv6 URL is made",
  { servers: ["deno"], tools: ["curl"] },
  async (_t, tb) => {
    assert.equal(tb.ipv6, false);
    for (const ns of ["client", "router", "server"] as const) {
      const r = await tb.execIn(ns, ["ip", "-6", "addr", "show"]);
      assert.equal(r.stdout.trim(), "", `${ns} has IPv6 addresses: ${r.stdout}`);
      const off = await tb.execIn(ns, ["cat", "/proc/sys/net/ipv6/conf/all/disable_ipv6"]);
      assert.equal(off.stdout.trim(), "1", `IPv6 is on in the ${ns}`);
    }
    assert.throws(() => tb.url6("deno", "/"), /the testbed has no IPv6/);
    const r = await tb.execClient(["curl", "-gsS", "-o", "/dev/null", "-m", "2", "http://[2001:2:0:2::2]:8080/"]);
    assert.notEqual(r.code, 0);
  },
);

for (const lossBackend of ["nft", "iptables"] as const) {
  testbedTest(
    `with ipv6 and 20 % loss (${lossBackend}), the router drops IPv6 packets and curl still gets the file byte-exact`,
    { servers: ["deno"], ipv6: true, lossToClient: 0.2, lossToServer: 0.05, lossBackend, tools: ["curl"] },
    async (_t, tb) => {
      assert.ok(lossBackend === "nft" || findProgram("ip6tables") !== null, "ip6tables is not installed");
      const f = await tb.randomFile("f.bin", MiB, 3);
      // Only IPv6 has crossed the router when the counters are read, so every drop is an IPv6 packet.
      assert.equal(await curlSha(tb, tb.url6("deno", "/f.bin")), f.sha256);
      const c = await tb.counters();
      const ratio = c.toClient.lossDropped / (c.toClient.lossDropped + c.toClient.forwarded);
      assert.ok(ratio > 0.1 && ratio < 0.3, `drop ratio toward the client ${ratio}: ${JSON.stringify(c)}`);
      assert.ok(c.toServer.lossDropped > 0, JSON.stringify(c));
      assert.equal(await curlSha(tb, tb.url("deno", "/f.bin")), f.sha256);
      const after = await tb.counters();
      assert.ok(after.toClient.lossDropped > c.toClient.lossDropped, "IPv4 is no longer dropped");
    },
  );
}

testbedTest(
  "with ipv6 and a 20 ms round trip, IPv6 handshakes take 20 ms and files cross the delay line byte-exact",
  { servers: ["nginx"], ipv6: true, rttMs: 20, tools: ["curl"] },
  async (_t, tb) => {
    assert.ok(delayRulesInstalled(tb.routerNs, 6), "no IPv6 rule leads into the delay line");
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const args = ["curl", "-gsS", "-o", "/dev/null", "-w", "%{time_connect}", tb.url6("nginx", "/")];
      const r = await tb.execClient(args);
      assert.equal(r.code, 0, r.stderr);
      times.push(Number(r.stdout) * 1000);
    }
    times.sort((a, b) => a - b);
    // Never early; late only by the machine's load (a doubled delay would be 40 ms).
    assert.ok(times[0] >= 19.9 && times[2] < 30, `IPv6 handshakes ${times.map((t) => t.toFixed(1))} ms`);
    const f = await tb.randomFile("f.bin", 4 * MiB, 4);
    assert.equal(await curlSha(tb, tb.url6("nginx", "/f.bin")), f.sha256);
    const link = await tb.execIn("router", ["ip", "-s", "-j", "link", "show", "dev", DELAY_DEV]);
    const back = (JSON.parse(link.stdout)[0] as { stats64: { rx: { packets: number } } }).stats64.rx.packets;
    // 4 MiB is ~2940 full-sized segments toward the client, each of which came out of the line.
    assert.ok(back > 2900, `the line gave back only ${back} packets for 4 MiB`);
    await tb.setDelay(0);
    assert.ok(!delayRulesInstalled(tb.routerNs, 6), "the IPv6 rules into the delay line are still there");
    assert.equal(await curlSha(tb, tb.url6("nginx", "/f.bin")), f.sha256);
  },
);
