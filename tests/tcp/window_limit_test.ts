/**
 * Packet scripts of `limitReceiveWindow()` (how `--limit-rate` makes the server send at the rate): the window we
 * advertise stays within the limit of the first unread byte, opens as the application reads, never moves an edge
 * already advertised to the left (RFC 9293 §3.8.6.2.2), and returns to the whole buffer when the limit is lifted. The
 * server does not scale its window here, so `win` values are plain bytes.
 */

import assert from "node:assert/strict";
import { TcpConnection } from "../../src/tcp/connection.ts";
import { established, events, expectNothing, expectSent, scriptOptions, sendSeg } from "./_script.ts";

const M = 1448; // the server's segment size (1460 minus timestamps)

/** A connection limited to `limit` before its SYN, through the handshake (server ISN 1000, no window scale). */
function limitedFromTheStart(limit: number): TcpConnection {
  const conn = new TcpConnection(scriptOptions());
  conn.limitReceiveWindow(limit);
  conn.connect(0);
  const [syn] = expectSent(conn, 0, [{ flags: "SYN", seq: 100, win: limit }]);
  sendSeg(conn, 10, {
    flags: "SYN ACK",
    seq: 1000,
    ack: 101,
    mss: 1460,
    sackOk: true,
    ts: [500, syn.options.timestamp!.tsVal],
  });
  expectSent(conn, 10, [{ flags: "ACK", ack: 1001, win: limit }]);
  assert.deepEqual(events(conn), ["connected"]);
  return conn;
}

Deno.test("limitReceiveWindow() caps the window from the SYN on, and reads open it by what was read", () => {
  const conn = limitedFromTheStart(4096);
  sendSeg(conn, 20, { seq: 1001, ack: 101, data: M, ts: [501, 0] });
  expectNothing(conn, 20);
  sendSeg(conn, 21, { seq: 1001 + M, ack: 101, data: M, ts: [502, 0] });
  expectSent(conn, 21, [{ flags: "ACK", ack: 1001 + 2 * M, win: 4096 - 2 * M }]);
  // The sender fills what is left: the window is used up, so the ACK goes at once (the sender waits for it).
  sendSeg(conn, 22, { seq: 1001 + 2 * M, ack: 101, data: 4096 - 2 * M, ts: [503, 0] });
  expectSent(conn, 22, [{ flags: "ACK", ack: 1001 + 4096, win: 0 }]);
  // The application reads one segment's worth: the window opens by exactly that, never past the limit.
  assert.equal(conn.read(M)!.length, M);
  expectSent(conn, 30, [{ flags: "ACK", ack: 1001 + 4096, win: M }]);
  // Less than a segment read: receiver SWS avoidance holds the update back (§3.8.6.2.2).
  assert.equal(conn.read(100)!.length, 100);
  expectNothing(conn, 31);
});

Deno.test("limitReceiveWindow(null) gives the window back the whole receive buffer", () => {
  const conn = limitedFromTheStart(4096);
  sendSeg(conn, 20, { seq: 1001, ack: 101, data: 4096, ts: [501, 0] });
  expectSent(conn, 20, [{ flags: "ACK", ack: 1001 + 4096, win: 0 }]);
  conn.limitReceiveWindow(null);
  assert.equal(conn.read()!.length, 4096);
  expectSent(conn, 30, [{ flags: "ACK", ack: 1001 + 4096, win: 65535 }]);
});

Deno.test("a limit set while a larger window is advertised never moves its edge left", () => {
  const conn = established(); // 65535 advertised
  conn.limitReceiveWindow(4096);
  let nxt = 1001;
  let edge = 1001 + 65535;
  const oldEdge = edge;
  let t = 20;
  let last = 65535;
  // The application reads everything at once; the sender fills every window it is given.
  while (nxt < oldEdge + 8 * M) {
    const len = Math.min(M, edge - nxt);
    if (len > 0) {
      sendSeg(conn, t, { seq: nxt, ack: 101, data: len, ts: [501 + t, 0] });
      nxt += len;
    }
    conn.read();
    t += 50;
    conn.handleTimeout(t);
    for (let s = conn.pollTransmit(t); s !== null; s = conn.pollTransmit(t)) {
      assert.ok(s.ack + s.window >= edge, `the edge moved left from ${edge} to ${s.ack + s.window}`);
      edge = s.ack + s.window;
      last = s.window;
    }
  }
  // Past the edge advertised before the limit, the window is the limit.
  assert.ok(last <= 4096, `window ${last} above the limit of 4096`);
  assert.ok(last > 0, "the window closed");
});

Deno.test("limitReceiveWindow() refuses a limit that is not a whole number above 0", () => {
  const conn = established();
  for (const bad of [0, -1, 1.5, NaN]) assert.throws(() => conn.limitReceiveWindow(bad), RangeError, String(bad));
  conn.limitReceiveWindow(1 << 30); // more than the buffer: the buffer is the limit
});
