/**
 * Packet scripts of the send path: segmentation, RTO and backoff (RFC 6298), fast retransmit (RFC 5681 §3.2),
 * zero-window probing (RFC 9293 §3.8.6.1), and the user timeout.
 */

import assert from "node:assert/strict";
import { established, events, expectNothing, expectSent, sendSeg, stateOf, tick } from "./_script.ts";

const M = 1448;

Deno.test("a request is cut at the peer's MSS minus the timestamps option", () => {
  const conn = established();
  assert.equal(conn.write(new Uint8Array(3000)), 3000);
  expectSent(conn, 20, [
    { flags: "ACK", seq: 101, ack: 1001, len: M },
    { flags: "ACK", seq: 101 + M, len: M },
    { flags: "PSH ACK", seq: 101 + 2 * M, len: 3000 - 2 * M },
  ]);
  assert.equal(conn.stats.bytesOut, 3000);
});

Deno.test("the RTO doubles on every timeout: 200, 400, 800, 1600 ms", () => {
  const conn = established();
  conn.write(new Uint8Array(100));
  expectSent(conn, 20, [{ flags: "PSH ACK", seq: 101, len: 100 }]);
  let t = 20;
  for (const rto of [200, 400, 800, 1600]) {
    assert.equal(conn.pollTimeout(), t + rto);
    t += rto;
    tick(conn, t);
    expectSent(conn, t, [{ flags: "PSH ACK", seq: 101, len: 100 }]);
  }
  assert.equal(conn.stats.retransmissions, 4);
  assert.equal(conn.stats.rtoMs, 3200);
  // The ACK ends the backoff.
  sendSeg(conn, t + 5, { seq: 1001, ack: 201, ts: [501, 0] });
  assert.equal(conn.stats.rtoMs, 200);
  assert.equal(conn.pollTimeout(), t + 5 + 60000);
});

Deno.test("the user timeout ends a connection whose data is never acknowledged", () => {
  const conn = established({ userTimeoutMs: 5000 });
  conn.write(new Uint8Array(100));
  conn.pollTransmit(20);
  let t = 20;
  while (stateOf(conn) !== "CLOSED") {
    t = conn.pollTimeout()!;
    tick(conn, t);
    while (conn.pollTransmit(t) !== null);
  }
  assert.equal(t, 5010); // the server last spoke at t=10 (its SYN-ACK): 5 s of silence
  assert.deepEqual(events(conn), ["closed:timeout"]);
});

Deno.test("maxRetransmissions of the same segment ends the connection", () => {
  const conn = established({ maxRetransmissions: 2 });
  conn.write(new Uint8Array(100));
  conn.pollTransmit(20);
  tick(conn, 220);
  expectSent(conn, 220, [{ seq: 101 }]);
  tick(conn, 620);
  expectSent(conn, 620, [{ seq: 101 }]);
  tick(conn, 1420);
  expectNothing(conn, 1420);
  assert.deepEqual(events(conn), ["closed:timeout"]);
});

Deno.test("three duplicate ACKs trigger a fast retransmission of the first unacknowledged segment", () => {
  const conn = established();
  conn.write(new Uint8Array(6 * M));
  expectSent(conn, 20, Array.from({ length: 6 }, (_, i) => ({ len: M, seq: 101 + i * M })));
  sendSeg(conn, 30, { seq: 1001, ack: 101 + M, ts: [501, 0] });
  expectNothing(conn, 30);
  for (let i = 0; i < 2; i++) {
    sendSeg(conn, 31 + i, { seq: 1001, ack: 101 + M, ts: [501, 0], sack: [[101 + 2 * M, 101 + (3 + i) * M]] });
    expectNothing(conn, 31 + i);
  }
  sendSeg(conn, 33, { seq: 1001, ack: 101 + M, ts: [501, 0] });
  expectSent(conn, 33, [{ flags: "ACK", seq: 101 + M, len: M }]);
  // A partial ACK (NewReno, RFC 6582) retransmits the next hole.
  sendSeg(conn, 40, { seq: 1001, ack: 101 + 2 * M, ts: [502, 0] });
  expectSent(conn, 40, [{ seq: 101 + 2 * M, len: M }]);
  assert.equal(conn.stats.retransmissions, 2);
});

Deno.test("a zero send window is probed with backoff; the probe's ACK reopens it", () => {
  const conn = established({}, { win: 0 });
  conn.write(new Uint8Array(100));
  expectNothing(conn, 20);
  assert.equal(conn.pollTimeout(), 220); // persist timer = RTO
  tick(conn, 220);
  expectSent(conn, 220, [{ flags: "ACK", seq: 101, len: 1 }]);
  assert.equal(conn.pollTimeout(), 620);
  // The peer still has no room: ACK 101, window 0.
  sendSeg(conn, 230, { seq: 1001, ack: 101, win: 0, ts: [501, 0] });
  expectNothing(conn, 230);
  tick(conn, 620);
  expectSent(conn, 620, [{ seq: 101, len: 1 }]);
  // Now it opens: everything goes.
  sendSeg(conn, 630, { seq: 1001, ack: 101, win: 1000, ts: [502, 0] });
  expectSent(conn, 630, [{ flags: "PSH ACK", seq: 101, len: 100 }]);
});

Deno.test("a peer whose window stays zero ends with the user timeout", () => {
  const conn = established({ userTimeoutMs: 10000 }, { win: 0 });
  conn.write(new Uint8Array(100));
  let t = 20;
  conn.pollTransmit(t);
  while (stateOf(conn) !== "CLOSED") {
    t = conn.pollTimeout()!;
    tick(conn, t);
    for (let s = conn.pollTransmit(t); s !== null; s = conn.pollTransmit(t)) {
      sendSeg(conn, t + 5, { seq: 1001, ack: 101, win: 0, ts: [501, 0] }); // every probe answered
    }
  }
  assert.equal(t, 10020);
  assert.deepEqual(events(conn), ["closed:timeout"]);
});
