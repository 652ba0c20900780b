/**
 * Packet scripts of the receive path: delayed and immediate ACKs (RFC 5681 §4.2, RFC 9293 §3.8.6.3), SACK
 * (RFC 2018 §4), PAWS (RFC 7323 §5), window updates and zero windows (RFC 9293 §3.8.6.2.2), FIN handling.
 * The server does not scale its window here, so `win` values are plain bytes.
 */

import assert from "node:assert/strict";
import { established, events, expectNothing, expectSent, sendSeg, stateOf, tick } from "./_script.ts";

const M = 1448; // the server's segment size (1460 minus timestamps)

Deno.test("one in-order segment is ACKed after the 40 ms delay", () => {
  const conn = established();
  sendSeg(conn, 20, { seq: 1001, ack: 101, data: M, ts: [501, 0] });
  expectNothing(conn, 20);
  assert.equal(conn.pollTimeout(), 60);
  tick(conn, 60);
  expectSent(conn, 60, [{ flags: "ACK", seq: 101, ack: 1001 + M, win: 65535 - M, ts: [-1, 501] }]);
});

Deno.test("the second full-sized segment is ACKed at once", () => {
  const conn = established();
  sendSeg(conn, 20, { seq: 1001, ack: 101, data: M, ts: [501, 0] });
  expectNothing(conn, 20);
  sendSeg(conn, 21, { seq: 1001 + M, ack: 101, data: M, ts: [502, 0] });
  expectSent(conn, 21, [{ flags: "ACK", ack: 1001 + 2 * M, ts: [-1, 501] }]);
  assert.equal(conn.pollTimeout(), 60021); // no delayed ACK left
  assert.equal(conn.read()!.length, 2 * M);
});

Deno.test("out-of-order data gets an immediate duplicate ACK with SACK blocks, newest first", () => {
  const conn = established();
  // Hole at 1001; segments at 2449 and 5345 arrive.
  sendSeg(conn, 20, { seq: 1001 + M, ack: 101, data: M, ts: [501, 0] });
  expectSent(conn, 20, [{ flags: "ACK", ack: 1001, win: 65535, sack: [[2449, 3897]], ts: [-1, 500] }]);
  sendSeg(conn, 21, { seq: 1001 + 3 * M, ack: 101, data: M, ts: [502, 0] });
  expectSent(conn, 21, [{ flags: "ACK", ack: 1001, sack: [[5345, 6793], [2449, 3897]] }]);
  // The middle one joins both blocks.
  sendSeg(conn, 22, { seq: 1001 + 2 * M, ack: 101, data: M, ts: [503, 0] });
  expectSent(conn, 22, [{ flags: "ACK", ack: 1001, sack: [[2449, 6793]] }]);
  assert.equal(conn.read(), null);
  // The hole fills: an immediate ACK of everything, no SACK left.
  sendSeg(conn, 23, { seq: 1001, ack: 101, data: M, ts: [504, 0] });
  expectSent(conn, 23, [{ flags: "ACK", ack: 6793, sack: [], ts: [-1, 504] }]);
  const got = conn.read()!;
  assert.equal(got.length, 4 * M);
  for (let i = 0; i < got.length; i++) assert.equal(got[i], (1001 + i) & 0xff);
  const s = conn.stats;
  assert.equal(s.outOfOrderSegments, 3);
  assert.equal(s.sackBlocksSent, 4);
});

Deno.test("SACK reports at most three blocks beside timestamps, the newest first", () => {
  const conn = established();
  for (const [i, k] of [1, 3, 5, 7].entries()) {
    sendSeg(conn, 20 + i, { seq: 1001 + k * 100, ack: 101, data: 50, ts: [501, 0] });
    conn.pollTransmit(20 + i);
  }
  sendSeg(conn, 30, { seq: 1001 + 900, ack: 101, data: 50, ts: [501, 0] });
  expectSent(conn, 30, [{ ack: 1001, sack: [[1901, 1951], [1701, 1751], [1501, 1551]] }]);
});

Deno.test("overlapping retransmissions: the first copy received wins", () => {
  const conn = established();
  sendSeg(conn, 20, { seq: 1101, ack: 101, data: new Uint8Array(100).fill(1), ts: [501, 0] });
  conn.pollTransmit(20);
  sendSeg(conn, 21, { seq: 1001, ack: 101, data: new Uint8Array(150).fill(2), ts: [501, 0] });
  expectSent(conn, 21, [{ ack: 1201 }]);
  const got = conn.read()!;
  assert.equal(got.length, 200);
  assert.equal(got[99], 2);
  assert.equal(got[100], 1);
  assert.equal(got[199], 1);
});

Deno.test("a duplicate segment gets an immediate ACK", () => {
  const conn = established();
  sendSeg(conn, 20, { seq: 1001, ack: 101, data: 100, ts: [501, 0] });
  expectNothing(conn, 20);
  sendSeg(conn, 21, { seq: 1001, ack: 101, data: 100, ts: [501, 0] });
  expectSent(conn, 21, [{ flags: "ACK", ack: 1101 }]);
  assert.equal(conn.stats.dupAcksSent, 1);
  assert.equal(conn.read()!.length, 100);
});

Deno.test("PAWS: a segment with an older TSval is dropped and ACKed (RFC 7323 §5.3)", () => {
  const conn = established();
  sendSeg(conn, 20, { seq: 1001, ack: 101, data: 100, ts: [499, 0] });
  expectSent(conn, 20, [{ flags: "ACK", ack: 1001, ts: [-1, 500] }]);
  assert.equal(conn.read(), null);
  assert.equal(conn.stats.badSegments, 1);
  // A TSval that wrapped past 2^32 is newer, not older.
  const wrapped = established();
  sendSeg(wrapped, 20, { seq: 1001, ack: 101, data: 100, ts: [(500 + 2 ** 31 - 1) >>> 0, 0] });
  assert.equal(wrapped.read()!.length, 100);
});

Deno.test("reading reopens a full window and sends a window update", () => {
  const conn = established({ recvBufferSize: 8192 });
  let seq = 1001;
  for (const len of [M, M, M, M, M]) {
    sendSeg(conn, 20, { seq, ack: 101, data: len, ts: [501, 0] });
    seq += len;
    conn.pollTransmit(20);
  }
  // The segment that uses up the window is ACKed at once: the peer can send nothing more until it hears from us.
  sendSeg(conn, 20, { seq, ack: 101, data: 8192 - 5 * M, ts: [501, 0] });
  expectSent(conn, 20, [{ flags: "ACK", ack: 9193, win: 0 }]);
  // The peer's zero-window probe (one byte beyond the window) is answered with the same ACK.
  sendSeg(conn, 300, { seq: 9193, ack: 101, data: 1, ts: [502, 0] });
  expectSent(conn, 300, [{ flags: "ACK", ack: 9193, win: 0 }]);
  // Reading a little is not worth an update (receiver SWS avoidance) ...
  assert.equal(conn.read(100)!.length, 100);
  expectNothing(conn, 301);
  // ... reading the rest is.
  while (conn.read() !== null);
  expectSent(conn, 302, [{ flags: "ACK", ack: 9193, win: 8192 }]);
});

Deno.test("a FIN with data: data ACKed with the FIN, CLOSE-WAIT, then peer-closed once read", () => {
  const conn = established();
  sendSeg(conn, 20, { flags: "FIN PSH ACK", seq: 1001, ack: 101, data: 100, ts: [501, 0] });
  expectSent(conn, 20, [{ flags: "ACK", ack: 1102 }]);
  assert.equal(stateOf(conn), "CLOSE-WAIT");
  assert.deepEqual(events(conn), []); // 100 bytes still unread
  assert.equal(conn.read()!.length, 100);
  assert.deepEqual(events(conn), ["peer-closed"]);
});

Deno.test("a FIN that arrives out of order is remembered until the hole fills", () => {
  const conn = established();
  sendSeg(conn, 20, { flags: "FIN ACK", seq: 1101, ack: 101, data: 100, ts: [501, 0] });
  expectSent(conn, 20, [{ flags: "ACK", ack: 1001, sack: [[1101, 1201]] }]);
  assert.equal(stateOf(conn), "ESTABLISHED");
  sendSeg(conn, 21, { seq: 1001, ack: 101, data: 100, ts: [502, 0] });
  expectSent(conn, 21, [{ flags: "ACK", ack: 1202 }]);
  assert.equal(stateOf(conn), "CLOSE-WAIT");
  assert.equal(conn.read()!.length, 200);
  assert.deepEqual(events(conn), ["peer-closed"]);
});

Deno.test("data beyond the advertised window is trimmed", () => {
  const conn = established({ recvBufferSize: 1000 });
  sendSeg(conn, 20, { seq: 1001, ack: 101, data: 1448, ts: [501, 0] });
  expectSent(conn, 20, [{ flags: "ACK", ack: 2001, win: 0 }]); // the window is used up: ACKed at once
  assert.equal(conn.read()!.length, 1000);
});

Deno.test("a pure ACK overtaken by data is accepted silently; an older one is answered", () => {
  const conn = established();
  sendSeg(conn, 20, { seq: 1001, ack: 101, data: 100, ts: [501, 0] });
  sendSeg(conn, 21, { seq: 1001, ack: 101, win: 30000, ts: [501, 0] }); // sent before the data, arrived after
  expectNothing(conn, 21);
  sendSeg(conn, 22, { seq: 900, ack: 101, ts: [501, 0] });
  expectSent(conn, 22, [{ flags: "ACK", ack: 1101 }]);
});
