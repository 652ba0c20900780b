/** Packet scripts of quick ACKs (the `quickAcks` option): the first in-order segments are ACKed one by one. */

import assert from "node:assert/strict";
import { established, expectNothing, expectSent, sendSeg } from "./_script.ts";

Deno.test("quickAcks: 3 ACKs the first three segments one by one, then every second one (RFC 5681 §4.2)", () => {
  const conn = established({ quickAcks: 3 });
  assert.equal(conn.quickAcking, true);
  let seq = 1001;
  const data = (t: number) => {
    sendSeg(conn, t, { seq, ack: 101, data: 1000, ts: [501, 0] });
    seq += 1000;
  };
  for (const t of [20, 21, 22]) {
    data(t);
    expectSent(conn, t, [{ flags: "ACK", ack: seq }]);
  }
  assert.equal(conn.quickAcking, false);
  data(23);
  expectNothing(conn, 23); // delayed: one segment unacknowledged
  data(24);
  expectSent(conn, 24, [{ flags: "ACK", ack: seq }]);
});

Deno.test("without quickAcks, the first segment waits for the second (or the delayed-ACK timer)", () => {
  const conn = established();
  assert.equal(conn.quickAcking, false);
  sendSeg(conn, 20, { seq: 1001, ack: 101, data: 1000, ts: [501, 0] });
  expectNothing(conn, 20);
  sendSeg(conn, 21, { seq: 2001, ack: 101, data: 1000, ts: [501, 0] });
  expectSent(conn, 21, [{ flags: "ACK", ack: 3001 }]);
});
