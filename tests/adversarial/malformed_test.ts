/**
 * Malformed frames sent by the raw peer to our real program in the middle of a download: bad options, data offsets,
 * IP lengths, fragments and checksums. Each carries body bytes that differ from the real ones (0x58 'X'), sent before
 * the real copy: since the first copy of a byte wins, a byte-exact file proves the frame was dropped. Bad frames in a
 * SYN-ACK must not be answered; a good SYN-ACK after them still connects.
 */

import assert from "node:assert/strict";
import { bodyBytes } from "./_frame_builder.ts";
import { answersTo, findReceived, FINISH, okHead, peerTest, runCase, upTo } from "./_harness.ts";
import type { SendSpec } from "./_raw_peer_child.ts";

const BODY = 30_000;
const HEAD = okHead(BODY);
const H = new TextEncoder().encode(HEAD).length;
const MID = H + 10_000;
const PEER_ISS = 1_000_000;
const X = { from: MID, to: MID + 1000, fill: 0x58 };

/** Mid-transfer frames that must be dropped, by name. */
const BAD_DATA: Record<string, SendSpec> = {
  "an option of length 0": { ...X, options: "0800" },
  "an option of length 1": { ...X, options: "fe01" },
  "an option running past the header": { ...X, options: "080a0000" },
  "a SACK option of a wrong length": { ...X, options: "050300000000" },
  "a data offset below 5": { ...X, dataOffset: 4 },
  "a data offset past the frame": { from: MID, to: MID + 20, fill: 0x58, dataOffset: 15 },
  "an IP total length past the frame": { ...X, ipLengthDelta: 200 },
  "an IP total length short of the frame": { ...X, ipLengthDelta: -100 },
  "a first IP fragment alone": { ...X, fragment: { offset: 0, more: true } },
  "a later IP fragment alone": { ...X, fragment: { offset: 100, more: false } },
  "a bad IP header checksum": { ...X, badIpChecksum: true },
  "a bad TCP checksum": { ...X, badTcpChecksum: true },
};

/** SYN-ACK options that must be refused (the SYN-ACK is dropped, unanswered). */
const BAD_SYNACK: Record<string, string> = {
  "MSS 0": "02040000",
  "an option of length 0": "020405b40200",
  "an option running past the header": "020405b4030a00",
};

peerTest(
  "malformed frames from the raw peer are dropped: no crash, no hang, no byte of theirs in the file",
  async (t, tb) => {
    const expected = bodyBytes(BODY);
    for (const [name, spec] of Object.entries(BAD_DATA)) {
      await t.step(`mid-transfer, ${name}: dropped`, async () => {
        const r = await runCase(tb, {
          head: HEAD,
          bodyLength: BODY,
          steps: [
            ...upTo(MID),
            { send: spec },
            { sleep: 100 },
            ...FINISH,
          ],
        }, { quiet: false });
        assert.equal(r.code, 0, r.stderr + r.peerStderr);
        assert.deepEqual(r.file, expected);
        // A short IP total length is trimmed by the router: the TCP checksum then fails at our end.
        const counted = spec.badTcpChecksum === true || (spec.ipLengthDelta ?? 0) < 0;
        if (counted) assert.match(r.stderr, / 1 bad checksums/, "the bad checksum is counted");
        // What we answered to the bad frame, when it reached us: at most a duplicate ACK of what came before it,
        // never an ACK of its bytes. IP-level lies never do (the router drops them), nor fragments after the first
        // (our BPF filter); a lone first fragment does with a packet-socket receiver (dropped by parseIpv4).
        const bad = findReceived(r.trace, (seg) => seg === null || (seg.payload.length > 0 && seg.payload[0] === 0x58));
        const lies = spec.badIpChecksum === true || (spec.ipLengthDelta ?? 0) > 0 || (spec.fragment?.offset ?? 0) > 0;
        if (lies) assert.equal(bad, -1, "the frame never reached our program");
        else if (spec.fragment === undefined) assert.ok(bad >= 0, "the frame reached our program");
        for (const answer of bad >= 0 ? answersTo(r.trace, bad) : []) assert.equal(answer.ack, PEER_ISS + 1 + MID);
      });
    }
    for (const [name, options] of Object.entries(BAD_SYNACK)) {
      await t.step(`a SYN-ACK with ${name}: unanswered; a good SYN-ACK after it connects`, async () => {
        const r = await runCase(tb, {
          head: HEAD,
          bodyLength: BODY,
          steps: [
            { accept: { options } },
            { sleep: 100 },
            { send: { flags: "SA", seqAt: -1, options: "020405b4" } },
            { awaitRequest: {} },
            ...FINISH,
          ],
        });
        assert.equal(r.code, 0, r.stderr + r.peerStderr);
        assert.deepEqual(r.file, expected);
        assert.deepEqual(answersTo(r.trace, 0), [], "nothing answers the bad SYN-ACK");
      });
    }
    await t.step("a SYN-ACK with window scale 15 is read as 14 (RFC 7323 §2.3): the download works", async () => {
      const r = await runCase(tb, {
        head: HEAD,
        bodyLength: BODY,
        steps: [{ accept: { options: "020405b40103030f" } }, { awaitRequest: {} }, ...FINISH],
      });
      assert.equal(r.code, 0, r.stderr + r.peerStderr);
      assert.deepEqual(r.file, expected);
    });
  },
);
