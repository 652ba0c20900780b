/** Packet scripts of RFC 5961: RST and SYN in synchronized states, ACK validation, challenge-ACK rate limit. */

import assert from "node:assert/strict";
import { established, events, expectNothing, expectSent, sendSeg, stateOf } from "./_script.ts";

Deno.test("an RST exactly at RCV.NXT resets the connection (RFC 5961 §3.2)", () => {
  const conn = established();
  sendSeg(conn, 20, { flags: "RST", seq: 1001 });
  assert.equal(stateOf(conn), "CLOSED");
  assert.deepEqual(events(conn), ["closed:reset"]);
  expectNothing(conn, 20);
  assert.equal(conn.pollTimeout(), null);
});

Deno.test("an RST elsewhere in the window earns a challenge ACK and changes nothing", () => {
  const conn = established();
  sendSeg(conn, 20, { flags: "RST", seq: 1101 });
  expectSent(conn, 20, [{ flags: "ACK", seq: 101, ack: 1001 }]);
  assert.equal(stateOf(conn), "ESTABLISHED");
  assert.equal(conn.stats.challengeAcks, 1);
});

Deno.test("an RST outside the window is dropped silently", () => {
  const conn = established();
  sendSeg(conn, 20, { flags: "RST", seq: 1001 + 70000 });
  sendSeg(conn, 20, { flags: "RST", seq: 900 });
  expectNothing(conn, 20);
  assert.equal(stateOf(conn), "ESTABLISHED");
});

Deno.test("a SYN in ESTABLISHED earns a challenge ACK (RFC 5961 §4.2)", () => {
  const conn = established();
  sendSeg(conn, 20, { flags: "SYN", seq: 1001 });
  expectSent(conn, 20, [{ flags: "ACK", seq: 101, ack: 1001 }]);
  assert.equal(stateOf(conn), "ESTABLISHED");
  // A retransmitted SYN-ACK (old sequence number) is simply re-ACKed.
  sendSeg(conn, 21, { flags: "SYN ACK", seq: 1000, ack: 101 });
  expectSent(conn, 21, [{ flags: "ACK", ack: 1001 }]);
});

Deno.test("an ACK of data never sent is answered with an ACK and the segment dropped", () => {
  const conn = established();
  sendSeg(conn, 20, { seq: 1001, ack: 5000, data: 100, ts: [501, 0] });
  expectSent(conn, 20, [{ flags: "ACK", seq: 101, ack: 1001 }]);
  assert.equal(conn.read(), null);
});

Deno.test("an ACK older than SND.UNA − MAX.SND.WND is answered with an ACK and dropped (RFC 5961 §5.2)", () => {
  const conn = established();
  sendSeg(conn, 20, { seq: 1001, ack: (101 - 70000) >>> 0, data: 100, ts: [501, 0] });
  expectSent(conn, 20, [{ flags: "ACK", ack: 1001 }]);
  assert.equal(conn.read(), null);
  // Within MAX.SND.WND an old ACK is fine: the data is taken.
  sendSeg(conn, 21, { seq: 1001, ack: 90, data: 100, ts: [501, 0] });
  assert.equal(conn.read()!.length, 100);
});

Deno.test("challenge ACKs are rate-limited to 100 per second (RFC 5961 §7)", () => {
  const conn = established();
  let sent = 0;
  for (let i = 0; i < 150; i++) {
    sendSeg(conn, 20 + i, { flags: "RST", seq: 1101 + i });
    while (conn.pollTransmit(20 + i) !== null) sent++;
  }
  assert.equal(sent, 100);
  sendSeg(conn, 1100, { flags: "RST", seq: 1101 });
  expectSent(conn, 1100, [{ flags: "ACK" }]);
});
