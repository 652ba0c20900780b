/**
 * ECN on the router testbed: we ask for it in our SYN, nginx's kernel (tcp_ecn=2: it accepts when asked) answers
 * ECE and sends its data ECT(0), and the router marks one in twenty of those packets CE instead of dropping them.
 * Our capture shows the echo: ACKs with ECE after each mark, until the server's CWR says it slowed down. The file
 * arrives byte-exact with no retransmission. No wget side: kernel clients do not ask for ECN by default
 * (net.ipv4.tcp_ecn=2), so there is nothing of theirs to compare.
 */

import assert from "node:assert/strict";
import { rhg } from "../_support/program.ts";
import { sha256File } from "../_support/files.ts";
import { CWR, ECE, parseIpv4, parseTcp, SYN } from "../../src/wire/mod.ts";
import { testbedTest } from "../testbed/testbed.ts";
import { readPcap } from "../wire/_helpers.ts";

testbedTest("ECN: CE marks from the router are echoed with ECE until the server's CWR", { servers: ["nginx"] }, async (
  _t,
  tb,
) => {
  const f = await tb.randomFile("marked.bin", 4 * 1024 * 1024, "ecn");
  const mark = `table ip rhg_ecn {\n chain mark_ce {\n type filter hook forward priority 0;\n` +
    ` ip daddr ${tb.clientAddr} ip ecn ect0 numgen random mod 20 0 ip ecn set ce\n }\n}\n`;
  const added = await tb.execIn("router", ["nft", "-f", "-"], { stdin: new TextEncoder().encode(mark) });
  assert.equal(added.code, 0, added.stderr);
  const r = await rhg(tb, ["--pcap", "ecn.pcap", "-O", "marked.bin", tb.url("nginx", "/marked.bin")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await sha256File(`${r.dir}/marked.bin`), f.sha256);

  let ourSyn = 0, synAck = 0, marked = 0, echoed = 0, cwr = 0;
  for (const rec of readPcap(await Deno.readFile(`${r.dir}/ecn.pcap`)).records) {
    const ip = parseIpv4(rec.data);
    const seg = parseTcp(ip.payload);
    const ours = seg.srcPort !== 80;
    if (ours && (seg.flags & SYN) !== 0) ourSyn = seg.flags;
    else if (!ours && (seg.flags & SYN) !== 0) synAck = seg.flags;
    else if (ours && (seg.flags & ECE) !== 0) echoed++;
    else if (!ours) {
      if (ip.ecn === 3) marked++;
      if ((seg.flags & CWR) !== 0) cwr++;
    }
  }
  console.log(`CE-marked segments ${marked}, our ACKs with ECE ${echoed}, server segments with CWR ${cwr}`);
  assert.equal(ourSyn & (ECE | CWR), ECE | CWR, "our SYN asks for ECN");
  assert.equal(synAck & (ECE | CWR), ECE, "the server accepts");
  assert.ok(marked > 0, "the router marked the server's data");
  assert.ok(echoed > 0, "we echoed ECE");
  assert.ok(cwr > 0, "the server reduced its window and said CWR");
  assert.match(r.stderr, / 0 retransmitted/);
});
