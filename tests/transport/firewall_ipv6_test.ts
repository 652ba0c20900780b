/**
 * Tests of `installRstGuard` for IPv6 flows: the batch's family, known answers (the netlink-made table listed by
 * `nft --json` next to the same table made by the `nft` command), the rules each method installs (`ip6` tables,
 * `ip6tables`) and that they go on close, and that they drop exactly the kernel's RSTs of the guarded 4-tuple.
 * Real-network tests run in namespaces `rhg-fw-<pid>-…` as root; without root they fail unless RHG_ALLOW_SKIP=1.
 */

import assert from "node:assert/strict";
import { buildDeleteTableBatch, buildOwnerTableBatch, NFT, nftFamily } from "../../ffi/mod.ts";
import { formatFlow, installRstGuard, OWN_RST_MARK } from "../../src/transport/mod.ts";
import { parseIpv4Address, parseIpv6Address } from "../../src/wire/mod.ts";
import { pollUntil } from "../_support/poll.ts";
import {
  GuardChild,
  type GuardSpec,
  must,
  nsTest,
  rstGuardTests,
  sendTcp6,
  vethPair6,
  withGuardChild,
} from "./_fw_harness.ts";

const A = "2001:2:0:210::1", B = "2001:2:0:210::2";
const A6 = parseIpv6Address(A), B6 = parseIpv6Address(B);
const flow = (localPort: number) => ({ localAddr: A6, localPort, remoteAddr: B6, remotePort: 8080 });
const MARK_TEXT = `meta mark != 0x${OWN_RST_MARK.toString(16)}`;

Deno.test("formatFlow() writes IPv6 addresses in brackets", () => {
  assert.equal(formatFlow(flow(40000)), `[${A}]:40000 → [${B}]:8080`);
});

Deno.test("installRstGuard() rejects IPv6 text not in RFC 5952 form and a flow mixing families", async () => {
  const long = "2001:0002:0:210::1" as typeof A6;
  await assert.rejects(installRstGuard({ ...flow(1), localAddr: long }, { mode: "none" }), /RFC 5952/);
  const mixed = { ...flow(1), remoteAddr: parseIpv4Address("198.18.210.2") };
  await assert.rejects(installRstGuard(mixed, { mode: "none" }), /different families/);
  const g = await installRstGuard(flow(40000), { mode: "none" });
  assert.match(g.description, /\[2001:2:0:210::1\]:40000 → \[2001:2:0:210::2\]:8080/);
});

/** The nfgenmsg family byte of every message in `bytes` (after the 16-byte nlmsghdr). */
function messageFamilies(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const families: number[] = [];
  for (let at = 0; at < bytes.length; at += (view.getUint32(at, true) + 3) & ~3) families.push(bytes[at + 16]);
  return families;
}

Deno.test("buildOwnerTableBatch() makes an ip6 table from an IPv6 tuple and refuses a mixed one", () => {
  let seq = 0;
  const tuple = { srcAddr: A6, srcPort: 40000, dstAddr: B6, dstPort: 8080 };
  const chain = { name: "c", hook: NFT.NF_INET_LOCAL_OUT, tuple, rstOnly: true };
  const batch = buildOwnerTableBatch("t", [chain], () => ++seq);
  // BATCH_BEGIN and BATCH_END are nfnetlink's own (family unspec); the table, chain and rule are ip6.
  assert.deepEqual(messageFamilies(batch.bytes), [0, NFT.NFPROTO_IPV6, NFT.NFPROTO_IPV6, NFT.NFPROTO_IPV6, 0]);
  assert.equal(batch.requests.get(2)?.args, "ip6 t");
  const del = buildDeleteTableBatch("t", () => ++seq, nftFamily(A6));
  assert.deepEqual(messageFamilies(del.bytes), [0, NFT.NFPROTO_IPV6, 0]);
  assert.deepEqual(messageFamilies(buildDeleteTableBatch("t", () => ++seq).bytes), [0, NFT.NFPROTO_IPV4, 0]);
  const mixed = { ...chain, tuple: { ...tuple, dstAddr: parseIpv4Address("198.18.210.2") } };
  assert.throws(() => buildOwnerTableBatch("t", [mixed], () => ++seq), RangeError);
});

/** `nft --json list table <family> <name>` in `ns`, without the metainfo and the table's flags (owner or none). */
async function tableJson(ns: string, family: string, name: string): Promise<unknown[]> {
  const listing = JSON.parse(await must(["nft", "--json", "list", "table", family, name], ns));
  return listing.nftables.filter((o: Record<string, unknown>) => !("metainfo" in o)).map(
    (o: Record<string, Record<string, unknown>>) => {
      if (!("table" in o)) return o;
      const { flags: _flags, ...table } = o.table;
      return { table };
    },
  );
}

const KNOWN_ANSWER = [
  ["ip", "198.18.210.1", "198.18.210.2", parseIpv4Address("198.18.210.1"), parseIpv4Address("198.18.210.2")],
  ["ip6", A, B, A6, B6],
] as const;

for (const [family, a, b, local, remote] of KNOWN_ANSWER) {
  nsTest(
    `the netlink and nft-command guards make the table the nft command makes for the same ${family} rules`,
    [`ka${family}`, `kb${family}`, `kc${family}`],
    async ([nl, cmd, ref]) => {
      const spec = {
        flow: { localAddr: local, localPort: 40000, remoteAddr: remote, remotePort: 8080 },
        opts: { mode: "netlink", dropIncoming: true, ownMark: OWN_RST_MARK },
      };
      await withGuardChild(nl, [spec], async (child, [report]) => {
        assert.ok(report.ok && report.method === "nftables-netlink", JSON.stringify(report));
        const name = `rawhttpget_${child.pid}_40000`;
        const tcp = (src: string, sport: number, dst: string, dport: number) =>
          `meta l4proto tcp ${family} saddr ${src} ${family} daddr ${dst} tcp sport ${sport} tcp dport ${dport}`;
        const chain = (c: string, hook: string) =>
          `add chain ${family} ${name} ${c} { type filter hook ${hook} priority raw; policy accept; }`;
        const script = [
          `add table ${family} ${name}`,
          chain("drop_rst_out", "output"),
          `add rule ${family} ${name} drop_rst_out ${tcp(a, 40000, b, 8080)} tcp flags rst ${MARK_TEXT} counter drop`,
          chain("notrack_out", "output"),
          `add rule ${family} ${name} notrack_out ${tcp(a, 40000, b, 8080)} counter notrack`,
          chain("drop_in", "prerouting"),
          `add rule ${family} ${name} drop_in ${tcp(b, 8080, a, 40000)} counter drop`,
        ];
        await must(["nft", script.join("; ")], ref);
        const expected = await tableJson(ref, family, name);
        assert.deepEqual(await tableJson(nl, family, name), expected);
        await withGuardChild(cmd, [{ ...spec, opts: { ...spec.opts, mode: "nft" } }], async (cmdChild, [r]) => {
          assert.ok(r.ok && r.method === "nft-command", JSON.stringify(r));
          const own = `rawhttpget_${cmdChild.pid}_40000`;
          const renamed = JSON.parse(JSON.stringify(expected).replaceAll(name, own));
          assert.deepEqual(await tableJson(cmd, family, own), renamed);
          assert.equal(await cmdChild.send("close"), "closed");
        });
      });
    },
  );
}

const tables = (ns: string) => must(["nft", "list", "tables"], ns);
const ip6tablesRules = async (ns: string) =>
  (await must(["ip6tables", "-S", "OUTPUT"], ns)) + (await must(["ip6tables", "-t", "raw", "-S"], ns));
const EXPECTED_RULE = `ip6 saddr ${A} ip6 daddr ${B} tcp sport 40000 tcp dport 8080 tcp flags rst ${MARK_TEXT} ` +
  `counter packets 0 bytes 0 drop`;

for (const mode of ["netlink", "nft"]) {
  nsTest(
    `the ${mode} guard of an IPv6 flow makes an ip6 table and it is gone after close()`,
    [`${mode}6`],
    async ([ns]) => {
      const specs: GuardSpec[] = [{ flow: flow(40000), opts: { mode, dropIncoming: true, ownMark: OWN_RST_MARK } }];
      await withGuardChild(ns, specs, async (child, [report]) => {
        assert.ok(report.ok, JSON.stringify(report));
        assert.match(report.description, /^Dropping the kernel's RSTs for \[2001:2:0:210::1\]:40000 → \[/);
        if (mode === "nft") assert.match(report.description, /run `nft delete table ip6 rawhttpget_\d+_40000`/);
        const ruleset = await must(["nft", "list", "ruleset"], ns);
        assert.match(ruleset, new RegExp(`table ip6 rawhttpget_${child.pid}_40000 \\{`));
        assert.ok(ruleset.includes(EXPECTED_RULE), ruleset);
        assert.ok(ruleset.includes(`ip6 saddr ${B} ip6 daddr ${A} tcp sport 8080 tcp dport 40000 counter`), ruleset);
        assert.match(ruleset, /tcp dport 8080 counter packets 0 bytes 0 notrack/);
        assert.doesNotMatch(ruleset, /table ip /);
        assert.equal(await child.send("close"), "closed");
        assert.equal(await tables(ns), "");
      });
    },
  );
}

nsTest("the netlink guard's ip6 table vanishes when its process is killed with SIGKILL", ["kill6"], async ([ns]) => {
  const [child, [report]] = await GuardChild.start(ns, [{ flow: flow(40001), opts: { mode: "netlink" } }]);
  assert.ok(report.ok && report.method === "nftables-netlink", JSON.stringify(report));
  assert.match(await tables(ns), /table ip6 rawhttpget_/);
  child.kill();
  await child.wait();
  assert.ok(await pollUntil(async () => (await tables(ns)) === "", 1000));
});

nsTest(
  "the iptables-command guard of an IPv6 flow inserts ip6tables rules and removes them",
  ["ipt6"],
  async ([ns]) => {
    const specs = [{ flow: flow(40000), opts: { mode: "iptables", dropIncoming: true, ownMark: OWN_RST_MARK } }];
    await withGuardChild(ns, specs, async (child, [report]) => {
      assert.ok(report.ok && report.method === "iptables-command", JSON.stringify(report));
      assert.match(report.description, /with ip6tables rules .*`ip6tables -D`/);
      const src = "2001:2:0:210::1/128", dst = "2001:2:0:210::2/128";
      assert.ok(
        (await must(["ip6tables", "-S", "OUTPUT"], ns)).includes(
          `-A OUTPUT -s ${src} -d ${dst} -p tcp -m tcp --sport 40000 --dport 8080 --tcp-flags RST RST -m mark ! ` +
            `--mark 0x52484701 -m comment --comment rawhttpget-${child.pid} -j DROP`,
        ),
      );
      const raw = await must(["ip6tables", "-t", "raw", "-S"], ns);
      assert.ok(raw.includes(`-A PREROUTING -s ${dst} -d ${src} -p tcp -m tcp --sport 8080 --dport 40000 `), raw);
      assert.match(raw, /-A PREROUTING .* -j DROP/);
      assert.match(raw, /-A OUTPUT -s 2001:2:0:210::1\/128 .*--sport 40000 --dport 8080 .* -j CT --notrack/);
      assert.doesNotMatch(await must(["iptables-save"], ns), /rawhttpget/);
      assert.equal(await child.send("close"), "closed");
      assert.doesNotMatch(await ip6tablesRules(ns), /rawhttpget/);
    });
  },
);

rstGuardTests(
  {
    nft: "ip6",
    names: ["a6", "b6"],
    a: A,
    b: B,
    listening: `[${B}]:8080`,
    veth: vethPair6,
    flow,
    syn: async (ns, port) => {
      assert.deepEqual(await sendTcp6(ns, "syn", [A, port], [B, 8080], null), { mark: null, sent: "ok" });
    },
    rst: (ns, port, mark) => sendTcp6(ns, "rst", [A, port], [B, 8080], mark),
  },
  (mode, dropIncoming) =>
    mode === "none"
      ? "without a guard the kernel's IPv6 RSTs reach the server (control)"
      : `the ${mode} guard of an IPv6 flow${dropIncoming ? " with dropIncoming" : ""} drops only its tuple's ` +
        "kernel RSTs, not our marked one",
);
