/**
 * Hostile ICMP against a live download, sent by the raw peer posing as a router (198.18.2.77) to our real program
 * over the testbed: errors that quote a segment we never had in flight (a blind attacker's guess), another flow,
 * or a "fragmentation needed" with an absurd MTU change nothing (RFC 5927 §4.1). The control case, the same error
 * quoting our SYN exactly, ends the attempt: the path the others take is live.
 */

import assert from "node:assert/strict";
import { SYN } from "../../src/wire/tcp_repr.ts";
import { bodyBytes } from "./_frame_builder.ts";
import { FINISH, okHead, type PeerStep, peerTest, runCase } from "./_harness.ts";

const BODY = 40_000;
const HEAD = okHead(BODY);
const HOST_UNREACHABLE = { type: 3, code: 1 } as const;

peerTest("hostile ICMP: errors that quote nothing in flight change nothing", async (t, tb) => {
  const expected = bodyBytes(BODY);

  await t.step("control: 'host unreachable' quoting our SYN ends the attempt at once", async () => {
    const r = await runCase(tb, {
      head: HEAD,
      bodyLength: BODY,
      steps: [{ awaitSyn: {} }, { icmp: { ...HOST_UNREACHABLE, seq: "iss" } }, { sleep: 300 }],
    }, { quiet: false });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /198\.18\.2\.2 is unreachable: the router 198\.18\.2\.77 says host unreachable/);
    assert.equal(r.sent.filter((s) => (s.flags & SYN) !== 0).length, 1, "no SYN after the error");
  });

  await t.step("during the handshake: guessed sequence numbers and another flow's port are ignored", async () => {
    const steps: PeerStep[] = [
      { awaitSyn: {} },
      { icmp: { ...HOST_UNREACHABLE, seq: "iss", seqDelta: 1 } },
      { icmp: { ...HOST_UNREACHABLE, seq: "iss", seqDelta: -1 } },
      { icmp: { ...HOST_UNREACHABLE, seq: "iss", seqDelta: 0x40000000 } },
      { icmp: { ...HOST_UNREACHABLE, seq: "iss", srcPort: 1 } },
      { icmp: { type: 3, code: 3, seq: "iss", seqDelta: 7 } }, // "port unreachable", guessed
      { sleep: 100 },
      { accept: {} },
      { awaitRequest: {} },
      ...FINISH,
    ];
    const r = await runCase(tb, { head: HEAD, bodyLength: BODY, steps }, { quiet: false });
    assert.equal(r.code, 0, r.stderr + r.peerStderr);
    assert.deepEqual(r.file, expected);
    assert.equal(r.sent.filter((s) => (s.flags & SYN) !== 0).length, 1, "the first SYN was answered: no restart");
  });

  await t.step(
    "during the transfer: unreachable and absurd 'fragmentation needed' about our ACKs are ignored",
    async () => {
      const steps: PeerStep[] = [
        { accept: {} },
        { awaitRequest: {} },
        { stream: { to: 10_000 } },
        // Our next sequence number: the ACKs we send carry it, but no data of ours is in flight.
        { icmp: { ...HOST_UNREACHABLE, seq: "next" } },
        { icmp: { type: 3, code: 4, mtu: 68, seq: "next" } },
        { icmp: { type: 3, code: 4, mtu: 576, seq: "next", seqDelta: -1 } }, // the request's last byte: acknowledged
        { icmp: { type: 11, code: 0, seq: "next" } },
        { sleep: 200 },
        ...FINISH,
      ];
      const r = await runCase(tb, { head: HEAD + "", bodyLength: BODY, steps }, { quiet: false });
      assert.equal(r.code, 0, r.stderr + r.peerStderr);
      assert.deepEqual(r.file, expected);
      assert.doesNotMatch(r.stderr, /path MTU/, "no segment size was changed");
    },
  );
});
