/**
 * Tests of `installRstGuard`: the rules each method installs, that they vanish on close / exit / `kill -9`, and
 * that they drop exactly the kernel's RSTs of the guarded 4-tuple. Real-network tests run in namespaces
 * `rhg-fw-<pid>-…` as root; without root they fail unless RHG_ALLOW_SKIP=1.
 */

import assert from "node:assert/strict";
import { installRstGuard, OWN_RST_MARK } from "../../src/transport/mod.ts";
import { parseIpv4Address } from "../../src/wire/mod.ts";
import { pollUntil } from "../_support/poll.ts";
import {
  GuardChild,
  type GuardSpec,
  must,
  nsTest,
  rstGuardTests,
  sendRst,
  sendSyn,
  vethPair,
  withGuardChild,
} from "./_fw_harness.ts";

const A = "198.18.210.1", B = "198.18.210.2";
const A32 = parseIpv4Address(A), B32 = parseIpv4Address(B);
const flow = (localPort: number) => ({ localAddr: A32, localPort, remoteAddr: B32, remotePort: 8080 });
const EXPECTED_RULE = `ip saddr ${A} ip daddr ${B} tcp sport 40000 tcp dport 8080 tcp flags rst counter packets 0 ` +
  `bytes 0 drop`;

Deno.test("installRstGuard() with mode none installs nothing and says so", async () => {
  const g = await installRstGuard(flow(40000), { mode: "none" });
  assert.equal(g.method, "none");
  assert.match(g.description, /--no-firewall/);
  await g.close();
  g.closeSync();
});

Deno.test("installRstGuard() rejects a port outside 1–65535, an address or a mark that is not a u32", async () => {
  await assert.rejects(installRstGuard(flow(0), { mode: "none" }), RangeError);
  await assert.rejects(installRstGuard({ ...flow(1), remoteAddr: 2 ** 32 as never }, { mode: "none" }), RangeError);
  await assert.rejects(installRstGuard(flow(1), { mode: "none", ownMark: 0 }), RangeError);
  await assert.rejects(installRstGuard(flow(1), { mode: "none", ownMark: 2 ** 32 }), RangeError);
});

const tables = (ns: string) => must(["nft", "list", "tables"], ns);
const iptablesRules = async (ns: string) =>
  (await must(["iptables", "-S", "OUTPUT"], ns)) + (await must(["iptables", "-t", "raw", "-S", "PREROUTING"], ns));

/** Installs `specs` in a child, expects `method`, and checks that `command` ("exit", "close-sync") removes it all. */
async function expectRemovedBy(
  command: string,
  ns: string,
  specs: GuardSpec[],
  method: string,
  left: () => Promise<string>,
) {
  await withGuardChild(ns, specs, async (child, [report]) => {
    assert.ok(report.ok && report.method === method, JSON.stringify(report));
    assert.match(await left(), /rawhttpget/);
    assert.equal(await child.send(command), command === "exit" ? "" : "closed");
    assert.doesNotMatch(await left(), /rawhttpget/);
  });
}

nsTest("the netlink guard shows the expected owner table and it is gone after close()", ["nl"], async ([ns]) => {
  await withGuardChild(ns, [{ flow: flow(40000), opts: { mode: "netlink" } }], async (child, [report]) => {
    assert.ok(report.ok, JSON.stringify(report));
    assert.equal(report.method, "nftables-netlink");
    assert.match(report.description, /^Dropping the kernel's RSTs for 198\.18\.210\.1:40000 → 198\.18\.210\.2:8080 /);
    const ruleset = await must(["nft", "list", "ruleset"], ns);
    assert.match(ruleset, new RegExp(`table ip rawhttpget_${child.pid}_40000 \\{`));
    assert.match(ruleset, /flags owner/);
    assert.match(ruleset, /type filter hook output priority raw; policy accept;/);
    assert.ok(ruleset.includes(EXPECTED_RULE), ruleset);
    assert.doesNotMatch(ruleset, /prerouting/);
    assert.equal(await child.send("close"), "closed");
    assert.equal(await tables(ns), "");
  });
});

const MARK_TEXT = `meta mark != 0x${OWN_RST_MARK.toString(16)}`;
const EXPECTED_MARKED_RULE = EXPECTED_RULE.replace("tcp flags rst", `tcp flags rst ${MARK_TEXT}`);

for (const mode of ["netlink", "nft"]) {
  nsTest(`the ${mode} guard with ownMark exempts that mark in its rule and says so`, [`${mode}m`], async ([ns]) => {
    const specs = [{ flow: flow(40000), opts: { mode, ownMark: OWN_RST_MARK } }];
    await withGuardChild(ns, specs, async (child, [report]) => {
      assert.ok(report.ok, JSON.stringify(report));
      assert.match(report.description, /\(not ours: they carry socket mark 0x52484701\)/);
      const ruleset = await must(["nft", "list", "ruleset"], ns);
      assert.ok(ruleset.includes(EXPECTED_MARKED_RULE), ruleset);
      assert.equal(await child.send("close"), "closed");
    });
  });
}

nsTest("a guard without ownMark says that our own RSTs are dropped too", ["nomark"], async ([ns]) => {
  await withGuardChild(ns, [{ flow: flow(40000), opts: { mode: "netlink" } }], (_child, [report]) => {
    assert.ok(report.ok, JSON.stringify(report));
    assert.match(report.description, /\(ours too: our raw socket has no mark, as the kernel refused SO_MARK/);
  });
});

nsTest(
  "the raw sender is marked even without CAP_NET_ADMIN (CAP_NET_RAW does since Linux 5.17)",
  ["cap"],
  async ([ns]) => {
    const drop = ["setpriv", "--inh-caps=-net_admin", "--bounding-set=-net_admin", "--"];
    for (const prefix of [[], drop]) {
      const got = await sendRst(ns, ["127.0.0.1", 40000], ["127.0.0.1", 8080], OWN_RST_MARK, prefix);
      assert.deepEqual(got, { mark: OWN_RST_MARK, sent: "ok" });
    }
  },
);

nsTest("the netlink guard's table vanishes when its process is killed with SIGKILL", ["kill"], async ([ns]) => {
  const [child, [report]] = await GuardChild.start(ns, [{ flow: flow(40001), opts: { mode: "auto" } }]);
  assert.ok(report.ok && report.method === "nftables-netlink", JSON.stringify(report));
  assert.match(await tables(ns), /rawhttpget_/);
  child.kill();
  await child.wait();
  assert.ok(await pollUntil(async () => (await tables(ns)) === "", 1000));
});

nsTest("the nft-command guard adds its table and removes it on close()", ["nft"], async ([ns]) => {
  const specs = [{ flow: flow(40000), opts: { mode: "nft", dropIncoming: true } }];
  await withGuardChild(ns, specs, async (child, [report]) => {
    assert.ok(report.ok && report.method === "nft-command", JSON.stringify(report));
    const ruleset = await must(["nft", "list", "ruleset"], ns);
    assert.ok(ruleset.includes(EXPECTED_RULE), ruleset);
    assert.match(
      ruleset,
      /hook prerouting priority raw;[^]*tcp sport 8080 tcp dport 40000 counter packets 0 bytes 0 drop/,
    );
    assert.equal(await child.send("close"), "closed");
    assert.equal(await tables(ns), "");
  });
});

nsTest(
  "the nft-command guard's close() names the command to run when its table cannot be removed",
  ["gone"],
  async ([ns]) => {
    await withGuardChild(ns, [{ flow: flow(40000), opts: { mode: "nft" } }], async (child, [report]) => {
      assert.ok(report.ok, JSON.stringify(report));
      await must(["nft", "delete", "table", "ip", `rawhttpget_${child.pid}_40000`], ns);
      const reply = await child.send("close");
      assert.match(
        reply,
        /^close failed: FirewallError: Cannot remove the firewall rule this program added \(nft exited/,
      );
      assert.ok(reply.includes(`run \`nft delete table ip rawhttpget_${child.pid}_40000\` as root.`), reply);
    });
  },
);

nsTest("the iptables-command guard inserts its rules and removes them on close()", ["ipt"], async ([ns]) => {
  const specs = [{ flow: flow(40000), opts: { mode: "iptables", dropIncoming: true, ownMark: OWN_RST_MARK } }];
  await withGuardChild(ns, specs, async (child, [report]) => {
    assert.ok(report.ok && report.method === "iptables-command", JSON.stringify(report));
    const out = await must(["iptables", "-S", "OUTPUT"], ns);
    assert.match(
      out,
      /-A OUTPUT -s 198\.18\.210\.1\/32 -d 198\.18\.210\.2\/32 -p tcp -m tcp --sport 40000 --dport 8080 --tcp-flags RST RST -m mark ! --mark 0x52484701 -m comment --comment "?rawhttpget-\d+"? -j DROP/,
    );
    assert.match(await must(["iptables", "-t", "raw", "-S", "PREROUTING"], ns), /--sport 8080 --dport 40000 .*-j DROP/);
    assert.equal(await child.send("close"), "closed");
    assert.doesNotMatch(await iptablesRules(ns), /rawhttpget/);
  });
});

const COMMAND_GUARDS = [["nft", "nft-command", tables], ["iptables", "iptables-command", iptablesRules]] as const;
for (const [mode, method, listRules] of COMMAND_GUARDS) {
  nsTest(`the ${method} guard's rules go on closeSync() and on Deno.exit()`, [`${mode}x`], async ([ns]) => {
    const specs = [{ flow: flow(40000), opts: { mode, dropIncoming: true } }];
    for (const command of ["close-sync", "exit"]) {
      await expectRemovedBy(command, ns, specs, method, () => listRules(ns));
    }
  });
}

nsTest(
  "a second netlink guard for the same tuple fails with a FirewallError carrying the errno",
  ["dup"],
  async ([ns]) => {
    const spec = { flow: flow(40000), opts: { mode: "netlink" } };
    await withGuardChild(ns, [spec, spec], (_child, [first, second]) => {
      assert.ok(first.ok);
      assert.ok(!second.ok && second.name === "FirewallError", JSON.stringify(second));
      assert.equal(second.causeName, "NetlinkError");
      assert.equal(second.causeErrno, 1); // EPERM: the name belongs to an owner table of another netlink socket
      assert.deepEqual(second.attempts, ["nftables-netlink"]);
    });
  },
);

nsTest(
  "auto mode without CAP_NET_ADMIN fails with a FirewallError that mentions --no-firewall",
  ["nocap"],
  async ([ns]) => {
    const drop = ["setpriv", "--inh-caps=-net_admin", "--bounding-set=-net_admin", "--"];
    await withGuardChild(ns, [{ flow: flow(40000), opts: { mode: "auto" } }], (_child, [report]) => {
      assert.ok(!report.ok && report.name === "FirewallError", JSON.stringify(report));
      assert.match(report.message, /--no-firewall/);
      assert.deepEqual(report.attempts, ["nftables-netlink", "nft-command", "iptables-command"]);
      assert.equal(report.causeErrno, 1); // EPERM
    }, drop);
  },
);

rstGuardTests(
  {
    nft: "ip",
    names: ["a", "b"],
    a: A,
    b: B,
    listening: `${B}:8080`,
    veth: vethPair,
    flow,
    syn: (ns, port) => sendSyn(ns, A, port, B, 8080),
    rst: (ns, port, mark) => sendRst(ns, [A, port], [B, 8080], mark),
  },
  (mode, dropIncoming) =>
    mode === "none"
      ? "without a guard the kernel's RSTs reach the server (control)"
      : `the ${mode} guard${
        dropIncoming ? " with dropIncoming" : ""
      } drops only its tuple's kernel RSTs, not our marked one`,
);
