/**
 * Packet scripts of ECN for the data receiver (RFC 3168 §6.1.1 negotiation, §6.1.1.1 fallback, §6.1.3 the ECE echo
 * until CWR).
 */

import assert from "node:assert/strict";
import { TcpConnection } from "../../src/tcp/mod.ts";
import { CWR, ECE, SYN, type TcpRepr } from "../../src/wire/mod.ts";
import { expectSent, scriptOptions, segment, sendSeg, tick } from "./_script.ts";

/** SYN at t=0; the SYN-ACK at t=10 carries `flags` beyond SYN ACK (server ISN 1000, timestamps). */
function handshake(conn: TcpConnection, extra: number): void {
  conn.connect(0);
  const [syn] = expectSent(conn, 0, [{ flags: "SYN" }]);
  assert.equal(syn.flags, SYN | ECE | CWR, "the first SYN asks for ECN");
  const synAck = segment({ flags: "SYN ACK", seq: 1000, ack: 101, mss: 1460, ts: [500, syn.options.timestamp!.tsVal] });
  conn.handleSegment(10, { ...synAck, flags: synAck.flags | extra });
  expectSent(conn, 10, [{ flags: "ACK" }]);
}

/** 1000 bytes of data at `seq` (two of them make an ACK due at once: every second full-sized segment). */
const data = (seq: number, flags = 0): TcpRepr => {
  const s = segment({ seq, ack: 101, data: 1000, ts: [501, 0] });
  return { ...s, flags: s.flags | flags };
};
const ece = (s: TcpRepr) => (s.flags & ECE) !== 0;

Deno.test("ECN accepted (ECE, no CWR, in the SYN-ACK): a CE mark is ACKed at once with ECE, echoed until CWR", () => {
  const conn = new TcpConnection(scriptOptions());
  handshake(conn, ECE);
  conn.handleSegment(20, data(1001));
  expectSent(conn, 20, []); // delayed ACK: nothing marked yet
  conn.handleSegment(21, data(2001), true);
  const [first] = expectSent(conn, 21, [{ flags: "ACK", ack: 3001 }]);
  assert.ok(ece(first), "the first CE mark is ACKed at once, with ECE");
  // ECE on every ACK until the server's CWR, marked or not.
  conn.handleSegment(22, data(3001));
  conn.handleSegment(23, data(4001));
  const [next] = expectSent(conn, 23, [{ flags: "ACK", ack: 5001 }]);
  assert.ok(ece(next));
  conn.handleSegment(30, data(5001, CWR));
  conn.handleSegment(31, data(6001));
  const [after] = expectSent(conn, 31, [{ flags: "ACK", ack: 7001 }]);
  assert.ok(!ece(after), "CWR ends the echo");
  assert.equal(conn.stats.ceMarks, 1);
});

Deno.test("a segment with CWR that is itself marked CE keeps the echo going", () => {
  const conn = new TcpConnection(scriptOptions());
  handshake(conn, ECE);
  conn.handleSegment(20, data(1001), true);
  expectSent(conn, 20, [{ flags: "ACK" }]);
  conn.handleSegment(21, data(2001, CWR), true);
  conn.handleSegment(22, data(3001));
  const [ack] = expectSent(conn, 22, [{ flags: "ACK", ack: 4001 }]);
  assert.ok(ece(ack));
  assert.equal(conn.stats.ceMarks, 2);
});

Deno.test("no ECN when the SYN-ACK does not accept it (or says ECE and CWR): CE marks are not echoed", () => {
  for (const extra of [0, ECE | CWR]) {
    const conn = new TcpConnection(scriptOptions());
    handshake(conn, extra);
    conn.handleSegment(20, data(1001), true);
    conn.handleSegment(21, data(2001), true);
    const [ack] = expectSent(conn, 21, [{ flags: "ACK", ack: 3001 }]);
    assert.ok(!ece(ack));
    assert.equal(conn.stats.ceMarks, 0);
  }
});

Deno.test("RFC 3168 §6.1.1.1: a retransmitted SYN no longer asks for ECN, and its answer cannot turn it on", () => {
  const conn = new TcpConnection(scriptOptions());
  conn.connect(0);
  expectSent(conn, 0, [{ flags: "SYN" }]);
  tick(conn, 1000);
  const [again] = expectSent(conn, 1000, [{ flags: "SYN" }]);
  assert.equal(again.flags, SYN);
  const synAck = segment({ flags: "SYN ACK", seq: 1000, ack: 101, mss: 1460 });
  conn.handleSegment(1010, { ...synAck, flags: synAck.flags | ECE });
  expectSent(conn, 1010, [{ flags: "ACK" }]);
  conn.handleSegment(1020, data(1001), true);
  conn.handleSegment(1021, data(2001), true);
  const [ack] = expectSent(conn, 1021, [{ flags: "ACK" }]);
  assert.ok(!ece(ack));
});

Deno.test("ecn: false asks for nothing", () => {
  const conn = new TcpConnection(scriptOptions({ ecn: false }));
  conn.connect(0);
  const [syn] = expectSent(conn, 0, [{ flags: "SYN" }]);
  assert.equal(syn.flags, SYN);
  sendSeg(conn, 10, { flags: "SYN ACK", seq: 1000, ack: 101, mss: 1460 });
});
