/**
 * Regression: with window scaling, the scaled window field is rounded up into the ring's slack (RFC 7323 §2.4). Done
 * again on every ACK while the application did not read, the right edge crept past the ring's end and a greedy
 * sender's bytes overwrote unread ones (found by the HTTPS stalled-reader test, tests/https/_slow_reader_child.ts).
 */

import assert from "node:assert/strict";
import { established, sendSeg } from "./_script.ts";

const M = 1448;

Deno.test("a sender that fills every window we advertise never overwrites unread bytes", () => {
  const conn = established({ recvBufferSize: 65536, windowScale: 8 }, { ws: 7 });
  let nxt = 1001; // the sender's next sequence number
  let edge = 1001 + 65535; // the SYN-ACK's window is not scaled
  let t = 20;
  for (let round = 0; round < 1000 && edge > nxt; round++) {
    // Two segments at a time (the second is ACKed at once), each as large as the window allows, as a bulk sender.
    for (let k = 0; k < 2 && edge > nxt; k++) {
      const len = Math.min(M, edge - nxt);
      sendSeg(conn, t, { seq: nxt, ack: 101, data: len, ts: [501 + round, 0] });
      nxt += len;
    }
    t += 50; // past the delayed-ACK timer, so every pair is ACKed
    conn.handleTimeout(t);
    for (let seg = conn.pollTransmit(t); seg !== null; seg = conn.pollTransmit(t)) {
      edge = seg.ack + seg.window * (1 << 8);
    }
  }
  let total = 0;
  for (let chunk = conn.read(); chunk !== null; chunk = conn.read()) {
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== ((1001 + total + i) & 0xff)) assert.fail(`byte ${total + i} was overwritten`);
    }
    total += chunk.length;
  }
  assert.ok(total >= 65536, `only ${total} bytes were accepted`);
  assert.ok(total <= 65536 + 256, `${total} bytes were accepted into a 65536 + 256 byte ring`);
});
