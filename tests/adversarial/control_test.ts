/**
 * RST, SYN and ACK attacks on a live download (RFC 5961), spoofed and reordered segments, and overlapping copies,
 * sent by the raw peer to our real program over the testbed. What our program answers is read from its `--pcap`.
 */

import assert from "node:assert/strict";
import { ACK, RST, SYN } from "../../src/wire/tcp_repr.ts";
import { bodyBytes } from "./_frame_builder.ts";
import { answersTo, findReceived, FINISH, okHead, type PeerStep, peerTest, runCase, upTo } from "./_harness.ts";

const PEER_ISS = 1_000_000;
const BODY = 40_000;
const HEAD = okHead(BODY);
const H = new TextEncoder().encode(HEAD).length;
const MID = H + 10_000; // the attack comes once this much is delivered and acknowledged
const start: PeerStep[] = [...upTo(MID), { sleep: 100 }];

/** The acknowledgment number that says "everything up to stream offset `n`". */
const ackOf = (n: number) => (PEER_ISS + 1 + n) >>> 0;

peerTest(
  "the raw peer's RST, SYN and ACK attacks and spoofed, reordered and overlapping segments",
  async (t, tb) => {
    const expected = bodyBytes(BODY);

    await t.step("an RST outside the window is ignored: no answer, the download completes", async () => {
      const r = await runCase(tb, {
        head: HEAD,
        bodyLength: BODY,
        steps: [...start, { send: { flags: "R", seqDelta: 3_000_000 } }, { sleep: 300 }, ...FINISH],
      });
      assert.equal(r.code, 0, r.stderr + r.peerStderr);
      assert.deepEqual(r.file, expected);
      const i = findReceived(r.trace, (s) => s !== null && (s.flags & RST) !== 0);
      assert.ok(i >= 0, "the RST reached our program");
      assert.deepEqual(answersTo(r.trace, i), []);
    });

    await t.step(
      "an RST in the window but not at RCV.NXT earns a challenge ACK; the connection survives",
      async () => {
        const r = await runCase(tb, {
          head: HEAD,
          bodyLength: BODY,
          steps: [...start, { send: { flags: "R", seqDelta: 1000 } }, { sleep: 300 }, ...FINISH],
        });
        assert.equal(r.code, 0, r.stderr + r.peerStderr);
        assert.deepEqual(r.file, expected);
        const i = findReceived(r.trace, (s) => s !== null && (s.flags & RST) !== 0);
        const answer = answersTo(r.trace, i);
        assert.equal(answer.length, 1, "exactly one challenge ACK");
        assert.equal(answer[0].flags, ACK);
        assert.equal(answer[0].ack, ackOf(MID));
      },
    );

    await t.step("an RST exactly at RCV.NXT ends the download: exit 4, no file, the .part kept", async () => {
      const r = await runCase(tb, {
        head: HEAD,
        bodyLength: BODY,
        steps: [...start, { send: { flags: "R" } }, { sleep: 300 }],
      });
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /reset the connection after 10000 bytes/);
      assert.equal(r.file, null);
      assert.ok(r.part);
      const i = findReceived(r.trace, (s) => s !== null && (s.flags & RST) !== 0);
      assert.deepEqual(answersTo(r.trace, i), [], "nothing is sent after an accepted RST");
    });

    await t.step("a SYN in the middle of the connection earns a challenge ACK; the connection survives", async () => {
      const r = await runCase(tb, {
        head: HEAD,
        bodyLength: BODY,
        steps: [...start, { send: { flags: "S", seqDelta: 5000 } }, { sleep: 300 }, ...FINISH],
      });
      assert.equal(r.code, 0, r.stderr + r.peerStderr);
      assert.deepEqual(r.file, expected);
      const i = findReceived(r.trace, (s) => s !== null && (s.flags & SYN) !== 0 && (s.flags & ACK) === 0);
      const answer = answersTo(r.trace, i);
      assert.equal(answer.length, 1, "exactly one challenge ACK");
      assert.equal(answer[0].flags, ACK);
      assert.equal(answer[0].ack, ackOf(MID));
    });

    await t.step("a segment that acknowledges data never sent is dropped with its payload", async () => {
      const r = await runCase(tb, {
        head: HEAD,
        bodyLength: BODY,
        steps: [
          ...start,
          { send: { from: MID, to: MID + 1000, fill: 0x58, ackDelta: 100_000 } },
          { sleep: 300 },
          ...FINISH,
        ],
      });
      assert.equal(r.code, 0, r.stderr + r.peerStderr);
      assert.deepEqual(r.file, expected, "the payload of the bad segment was not taken");
      const i = findReceived(r.trace, (s) => s !== null && s.payload.length === 1000 && s.payload[0] === 0x58);
      // RFC 9293 §3.10.7.4 / RFC 5961 §5.2: an ACK of unsent data is answered with an ACK and dropped.
      for (const a of answersTo(r.trace, i)) assert.equal(a.ack, ackOf(MID));
    });

    await t.step("segments spoofed from another address or port do not touch the file", async () => {
      const r = await runCase(tb, {
        head: HEAD,
        bodyLength: BODY,
        steps: [
          ...start,
          { send: { from: MID, to: MID + 1000, fill: 0x58, src: "198.18.2.3" } },
          { send: { from: MID, to: MID + 1000, fill: 0x59, srcPort: 9999 } },
          { send: { flags: "R", src: "198.18.2.3" } },
          { send: { flags: "R", srcPort: 9999 } },
          { sleep: 200 },
          ...FINISH,
        ],
      });
      assert.equal(r.code, 0, r.stderr + r.peerStderr);
      assert.deepEqual(r.file, expected);
    });

    await t.step("duplicated and reordered segments give a byte-exact file", async () => {
      const shuffled: PeerStep[] = [];
      for (let k = 9; k >= 0; k--) {
        const from = MID + k * 1000;
        shuffled.push({ send: { from, to: from + 1000 } }, { send: { from, to: from + 1000 } });
      }
      const r = await runCase(tb, {
        head: HEAD,
        bodyLength: BODY,
        steps: [...start, ...shuffled, { sleep: 200 }, ...FINISH],
      });
      assert.equal(r.code, 0, r.stderr + r.peerStderr);
      assert.deepEqual(r.file, expected);
    });

    await t.step(
      "overlapping copies that differ: the first copy of every byte wins (documented policy)",
      async () => {
        // Out of order: [20000, 20600) genuine, then a different copy of [19700, 20900): its bytes fill only the
        // gaps around the first copy, which stays (src/tcp/assembler.ts: "the FIRST received copy wins").
        const a = MID + 10_000;
        const r = await runCase(tb, {
          head: HEAD,
          bodyLength: BODY,
          steps: [
            ...start,
            { send: { from: a, to: a + 600 } },
            { send: { from: a - 300, to: a + 900, fill: 0x58 } },
            { sleep: 200 },
            ...FINISH,
          ],
        });
        assert.equal(r.code, 0, r.stderr + r.peerStderr);
        const want = expected.slice();
        const bodyA = a - H;
        want.fill(0x58, bodyA - 300, bodyA);
        want.fill(0x58, bodyA + 600, bodyA + 900);
        assert.deepEqual(r.file, want);
      },
    );
  },
);
