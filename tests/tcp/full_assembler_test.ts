/**
 * Deterministic reproduction of a stall seen end to end (impaired_test.ts, 5 % loss toward the client, about one
 * 32 MiB download in 20 stalls for 25–115 s, then completes byte-exact): when the out-of-order list is full
 * (`Assembler.MAX_INTERVALS` holes), the segment that starts exactly at RCV.NXT is dropped, because `receiveText`
 * inserts it into the assembler, whose `insert` refuses a new interval and returns false (ignored). In-order data
 * needs no interval; dropping it means only a retransmission that also reaches the first held interval can ever
 * advance RCV.NXT. The pcap shows the server's RTO retransmissions of RCV.NXT each answered by the same ACK.
 *
 * Sans-IO, so it runs everywhere.
 */

import assert from "node:assert/strict";
import { Assembler } from "../../src/tcp/assembler.ts";
import { established, sendSeg } from "./_script.ts";

Deno.test("a segment at RCV.NXT is accepted even when the out-of-order list is full", () => {
  const conn = established();
  // RCV.NXT is 1001. Fill the assembler with MAX_INTERVALS separate 10-byte islands beyond a hole.
  for (let k = 1; k <= Assembler.MAX_INTERVALS; k++) {
    sendSeg(conn, 20 + k, { seq: 1001 + 20 * k, ack: 101, data: 10, ts: [500 + k, 0] });
  }
  while (conn.pollTransmit(100) !== null) { /* drain the duplicate ACKs */ }
  // The in-order segment [1001, 1011) touches no island: it must still advance RCV.NXT to 1011.
  sendSeg(conn, 200, { seq: 1001, ack: 101, data: 10, ts: [600, 0] });
  const ack = conn.pollTransmit(200);
  assert.ok(ack !== null, "no ACK for the segment at RCV.NXT");
  assert.equal(ack.ack, 1011, "the ACK did not move past the in-order segment: it was dropped");
  const got = conn.read();
  assert.ok(got !== null && got.length === 10, `the in-order segment was dropped: read() gave ${got?.length ?? null}`);
});
