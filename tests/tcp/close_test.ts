/** Packet scripts of connection release (RFC 9293 §3.6, §3.10.4, §3.10.7.4 fifth and eighth steps). */

import assert from "node:assert/strict";
import { established, events, expectNothing, expectSent, sendSeg, stateOf, tick } from "./_script.ts";

Deno.test("we close first: FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT → CLOSED", () => {
  const conn = established({ timeWaitMs: 1000 });
  conn.write(new Uint8Array(10));
  conn.close();
  assert.equal(stateOf(conn), "FIN-WAIT-1");
  assert.throws(() => conn.write(new Uint8Array(1)), TypeError);
  expectSent(conn, 20, [{ flags: "FIN PSH ACK", seq: 101, len: 10 }]);
  sendSeg(conn, 30, { seq: 1001, ack: 112, ts: [501, 0] });
  assert.equal(stateOf(conn), "FIN-WAIT-2");
  sendSeg(conn, 40, { flags: "FIN ACK", seq: 1001, ack: 112, data: 5, ts: [502, 0] });
  expectSent(conn, 40, [{ flags: "ACK", seq: 112, ack: 1007 }]);
  assert.equal(stateOf(conn), "TIME-WAIT");
  assert.deepEqual(events(conn), []); // "peer-closed" waits for the 5 bytes to be read
  assert.equal(conn.read()!.length, 5);
  assert.deepEqual(events(conn), ["peer-closed"]);
  // A retransmitted FIN is ACKed again and restarts the timer.
  sendSeg(conn, 500, { flags: "FIN ACK", seq: 1001, ack: 112, data: 5, ts: [503, 0] });
  expectSent(conn, 500, [{ flags: "ACK", ack: 1007 }]);
  assert.equal(conn.pollTimeout(), 1500);
  tick(conn, 1500);
  assert.equal(stateOf(conn), "CLOSED");
  assert.deepEqual(events(conn), ["closed:normal"]);
});

Deno.test("the peer closes first: CLOSE-WAIT → LAST-ACK → CLOSED", () => {
  const conn = established();
  sendSeg(conn, 20, { flags: "FIN ACK", seq: 1001, ack: 101, ts: [501, 0] });
  expectSent(conn, 20, [{ flags: "ACK", ack: 1002 }]);
  assert.equal(stateOf(conn), "CLOSE-WAIT");
  assert.deepEqual(events(conn), ["peer-closed"]);
  conn.close();
  assert.equal(stateOf(conn), "LAST-ACK");
  expectSent(conn, 21, [{ flags: "FIN ACK", seq: 101, ack: 1002 }]);
  // The FIN is retransmitted like data.
  tick(conn, 221);
  expectSent(conn, 221, [{ flags: "FIN ACK", seq: 101 }]);
  sendSeg(conn, 230, { seq: 1002, ack: 102, ts: [502, 0] });
  assert.equal(stateOf(conn), "CLOSED");
  assert.deepEqual(events(conn), ["closed:normal"]);
  assert.equal(conn.pollTimeout(), null);
});

Deno.test("simultaneous close: FIN-WAIT-1 → CLOSING → TIME-WAIT", () => {
  const conn = established();
  conn.close();
  expectSent(conn, 20, [{ flags: "FIN ACK", seq: 101 }]);
  sendSeg(conn, 21, { flags: "FIN ACK", seq: 1001, ack: 101, ts: [501, 0] });
  assert.equal(stateOf(conn), "CLOSING");
  expectSent(conn, 21, [{ flags: "ACK", seq: 102, ack: 1002 }]);
  sendSeg(conn, 30, { seq: 1002, ack: 102, ts: [502, 0] });
  assert.equal(stateOf(conn), "TIME-WAIT");
});

Deno.test("a FIN that also acknowledges ours goes from FIN-WAIT-1 straight to TIME-WAIT", () => {
  const conn = established();
  conn.close();
  conn.pollTransmit(20);
  sendSeg(conn, 30, { flags: "FIN ACK", seq: 1001, ack: 102, ts: [501, 0] });
  assert.equal(stateOf(conn), "TIME-WAIT");
  expectSent(conn, 30, [{ flags: "ACK", ack: 1002 }]);
});

Deno.test("abort() sends an RST and closes with aborted", () => {
  const conn = established();
  conn.abort();
  expectSent(conn, 20, [{ flags: "RST ACK", seq: 101, ack: 1001 }]);
  expectNothing(conn, 21);
  assert.deepEqual(events(conn), ["closed:aborted"]);
  // Segments after CLOSED are ignored.
  sendSeg(conn, 22, { seq: 1001, ack: 101, data: 10 });
  expectNothing(conn, 22);
  assert.equal(conn.stats.ignoredSegments, 1);
});
