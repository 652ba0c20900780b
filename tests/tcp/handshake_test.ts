/** Packet scripts: the active open (RFC 9293 §3.5, §3.10.7.3) and its options (RFC 7323, RFC 2018). */

import assert from "node:assert/strict";
import { TcpConnection } from "../../src/tcp/connection.ts";
import { established, events, expectNothing, expectSent, scriptOptions, sendSeg, stateOf, tick } from "./_script.ts";

Deno.test("connect() sends a SYN with MSS, window scale, SACK-permitted and timestamps", () => {
  const conn = new TcpConnection(scriptOptions());
  assert.equal(stateOf(conn), "CLOSED");
  conn.connect(0);
  assert.equal(stateOf(conn), "SYN-SENT");
  expectSent(conn, 0, [{ flags: "SYN", seq: 100, ack: 0, win: 65535, mss: 1460, ws: 1, sackOk: true, ts: [-1, 0] }]);
  expectNothing(conn, 0);
  assert.equal(conn.pollTimeout(), 1000); // RFC 6298 §2.1: initial RTO 1 s
});

Deno.test("the SYN is retransmitted with exponential backoff: 1 s, 2 s, 4 s", () => {
  const conn = new TcpConnection(scriptOptions());
  conn.connect(0);
  expectSent(conn, 0, [{ flags: "SYN", seq: 100 }]);
  tick(conn, 1000);
  expectSent(conn, 1000, [{ flags: "SYN", seq: 100 }]);
  assert.equal(conn.pollTimeout(), 3000);
  tick(conn, 3000);
  expectSent(conn, 3000, [{ flags: "SYN", seq: 100 }]);
  assert.equal(conn.pollTimeout(), 7000);
  assert.equal(conn.stats.retransmissions, 2);
});

Deno.test("the SYN-ACK establishes the connection and its RTT sets the RTO", () => {
  const conn = established({}, { ws: 7 });
  assert.equal(stateOf(conn), "ESTABLISHED");
  assert.equal(conn.stats.srttMs, 10);
  assert.equal(conn.stats.rtoMs, 200); // 10 + 4 × 5 is below the 200 ms minimum
  assert.equal(conn.pollTimeout(), 60010); // only the user timeout (silence) remains
});

Deno.test("window scale is used only when both SYNs carry it (RFC 7323 §2.2)", () => {
  const scaled = established({}, { ws: 7 });
  sendSeg(scaled, 20, { seq: 1001, ack: 101, data: 1448, ts: [501, 0] });
  sendSeg(scaled, 21, { seq: 2449, ack: 101, data: 1448, ts: [501, 0] });
  // 65536-byte buffer, shift 1: (65536 − 2896) / 2 rounded up.
  expectSent(scaled, 21, [{ flags: "ACK", ack: 3897, win: 31320 }]);
  const plain = established({}, {});
  sendSeg(plain, 20, { seq: 1001, ack: 101, data: 1448, ts: [501, 0] });
  sendSeg(plain, 21, { seq: 2449, ack: 101, data: 1448, ts: [501, 0] });
  expectSent(plain, 21, [{ flags: "ACK", ack: 3897, win: 65535 - 2896 }]);
});

Deno.test("timestamps are used only when the SYN-ACK carries them (RFC 7323 §3.2)", () => {
  const conn = established({}, { noTs: true });
  sendSeg(conn, 20, { seq: 1001, ack: 101, data: 1448 });
  sendSeg(conn, 21, { seq: 2449, ack: 101, data: 1448 });
  const [ack] = expectSent(conn, 21, [{ flags: "ACK", ack: 3897 }]);
  assert.equal(ack.options.timestamp, undefined);
});

Deno.test("an RST answering the SYN closes with refused; an RST without ACK is ignored", () => {
  const conn = new TcpConnection(scriptOptions());
  conn.connect(0);
  expectSent(conn, 0, [{ flags: "SYN" }]);
  sendSeg(conn, 5, { flags: "RST", seq: 0, ack: 0 });
  assert.equal(stateOf(conn), "SYN-SENT");
  sendSeg(conn, 6, { flags: "RST ACK", seq: 0, ack: 101 });
  assert.equal(stateOf(conn), "CLOSED");
  assert.deepEqual(events(conn), ["closed:refused"]);
  expectNothing(conn, 6);
  assert.equal(conn.pollTimeout(), null);
});

Deno.test("a SYN-ACK acknowledging something else is answered by <SEQ=SEG.ACK><CTL=RST>", () => {
  const conn = new TcpConnection(scriptOptions());
  conn.connect(0);
  expectSent(conn, 0, [{ flags: "SYN" }]);
  sendSeg(conn, 5, { flags: "SYN ACK", seq: 1000, ack: 555 });
  expectSent(conn, 5, [{ flags: "RST", seq: 555 }]);
  assert.equal(stateOf(conn), "SYN-SENT");
});

Deno.test("a server that never answers: closed/timeout exactly at userTimeoutMs", () => {
  const conn = new TcpConnection(scriptOptions({ userTimeoutMs: 10000 }));
  conn.connect(0);
  const sent: number[] = [];
  for (let t = 0, guard = 0; stateOf(conn) !== "CLOSED" && guard < 100; guard++) {
    for (let s = conn.pollTransmit(t); s !== null; s = conn.pollTransmit(t)) sent.push(t);
    t = conn.pollTimeout()!;
    tick(conn, t);
    if (stateOf(conn) === "CLOSED") assert.equal(t, 10000);
  }
  assert.deepEqual(sent, [0, 1000, 3000, 7000]);
  assert.deepEqual(events(conn), ["closed:timeout"]);
});

Deno.test("close() in SYN-SENT ends the attempt; abort() in SYN-SENT sends no RST", () => {
  const a = new TcpConnection(scriptOptions());
  a.connect(0);
  a.close();
  assert.equal(stateOf(a), "CLOSED");
  assert.deepEqual(events(a), ["closed:aborted"]);
  const b = new TcpConnection(scriptOptions());
  b.connect(0);
  expectSent(b, 0, [{ flags: "SYN" }]);
  b.abort();
  expectNothing(b, 1);
  assert.deepEqual(events(b), ["closed:aborted"]);
});

Deno.test("local misuse throws: bad options, second connect, write before connect, read(0)", () => {
  assert.throws(() => new TcpConnection(scriptOptions({ localPort: 0 })), RangeError);
  assert.throws(() => new TcpConnection(scriptOptions({ isn: 1.5 })), TypeError);
  assert.throws(() => new TcpConnection(scriptOptions({ windowScale: 15 })), RangeError);
  const conn = new TcpConnection(scriptOptions());
  assert.throws(() => conn.write(new Uint8Array(1)), TypeError);
  conn.connect(0);
  assert.throws(() => conn.connect(1), TypeError);
  assert.throws(() => conn.read(0), RangeError);
});
