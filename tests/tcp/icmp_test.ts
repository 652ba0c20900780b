/**
 * Packet scripts of what the path says back: ICMP errors checked against what is in flight (RFC 5927 §4.1), ending
 * a connection attempt (RFC 1122 §4.2.3.9, RFC 5461), lowering the send MSS (RFC 1191), and the black-hole fallback
 * when no ICMP comes (RFC 4821 §7.5).
 */

import assert from "node:assert/strict";
import { TcpConnection } from "../../src/tcp/mod.ts";
import { type IcmpVerdict, seq } from "../../src/wire/mod.ts";
import { established, events, expectNothing, expectSent, scriptOptions, sendSeg, stateOf, tick } from "./_script.ts";

const icmp = (verdict: IcmpVerdict, s: number, mtu = 0, quotedLength = 1500) => ({
  verdict,
  seq: seq(s),
  mtu,
  quotedLength,
});

Deno.test("host unreachable quoting our SYN ends the attempt at once: closed 'unreachable', no more SYNs", () => {
  const conn = new TcpConnection(scriptOptions());
  conn.connect(0);
  expectSent(conn, 0, [{ flags: "SYN", seq: 100 }]);
  assert.equal(conn.handleIcmp(5, icmp("unreachable", 100)), "ended");
  assert.equal(stateOf(conn), "CLOSED");
  assert.deepEqual(events(conn), ["closed:unreachable"]);
  expectNothing(conn, 5);
  assert.equal(conn.pollTimeout(), null);
  assert.equal(conn.stats.icmpAccepted, 1);
});

Deno.test("port unreachable (hard) also ends the attempt; an error quoting another sequence number changes nothing", () => {
  const conn = new TcpConnection(scriptOptions());
  conn.connect(0);
  expectSent(conn, 0, [{ flags: "SYN", seq: 100 }]);
  // A blind attacker guessing: not our ISN, not in flight.
  for (const s of [99, 101, 100 + 2 ** 31, 0]) assert.equal(conn.handleIcmp(5, icmp("hard", s)), "ignored");
  assert.equal(stateOf(conn), "SYN-SENT");
  assert.equal(conn.stats.icmpIgnored, 4);
  tick(conn, 1000);
  expectSent(conn, 1000, [{ flags: "SYN", seq: 100 }]); // the attempt goes on
  assert.equal(conn.handleIcmp(1001, icmp("hard", 100)), "ended");
  assert.deepEqual(events(conn), ["closed:unreachable"]);
});

Deno.test("time exceeded during the handshake is only noted: the SYN is resent as usual", () => {
  const conn = new TcpConnection(scriptOptions());
  conn.connect(0);
  expectSent(conn, 0, [{ flags: "SYN" }]);
  assert.equal(conn.handleIcmp(5, icmp("soft", 100)), "noted");
  assert.equal(stateOf(conn), "SYN-SENT");
  tick(conn, 1000);
  expectSent(conn, 1000, [{ flags: "SYN" }]);
});

Deno.test("once established, unreachable errors are only noted (routes recover): the data is retransmitted", () => {
  const conn = established();
  conn.write(new Uint8Array(100));
  expectSent(conn, 20, [{ flags: "PSH ACK", seq: 101, len: 100 }]);
  assert.equal(conn.handleIcmp(25, icmp("unreachable", 101)), "noted");
  assert.equal(conn.handleIcmp(25, icmp("hard", 101)), "noted");
  assert.equal(stateOf(conn), "ESTABLISHED");
  assert.deepEqual(events(conn), []);
});

Deno.test("fragmentation needed (mtu 576) lowers the MSS and resends what was in flight at the new size", () => {
  const conn = established();
  conn.write(new Uint8Array(3000));
  // MSS 1460 minus 12 bytes of timestamps: 1448 per segment.
  expectSent(conn, 20, [{ seq: 101, len: 1448 }, { seq: 1549, len: 1448 }, { seq: 2997, len: 104 }]);
  // The router quotes the first segment: 576 − 40 − 12 = 524 bytes per segment from now on, from SND.UNA.
  assert.equal(conn.handleIcmp(21, icmp("too-big", 101, 576)), "mss-lowered");
  expectSent(conn, 21, [
    { seq: 101, len: 524 },
    { seq: 625, len: 524 },
    { seq: 1149, len: 524 },
    { seq: 1673, len: 524 },
    { seq: 2197, len: 524 },
    { seq: 2721, len: 380 },
  ]);
  assert.equal(conn.stats.pathMtu, 576);
  // A second message for a segment of the old size cannot raise it again, and a larger MTU is no news.
  assert.equal(conn.handleIcmp(22, icmp("too-big", 1549, 1400)), "noted");
  sendSeg(conn, 30, { seq: 1001, ack: 3101, ts: [501, 0] });
  assert.equal(stateOf(conn), "ESTABLISHED");
});

Deno.test("fragmentation needed without an MTU (an old router) steps down RFC 1191's plateaus; never below 576", () => {
  const conn = established();
  conn.write(new Uint8Array(2000));
  expectSent(conn, 20, [{ seq: 101, len: 1448 }, { seq: 1549, len: 552 }]);
  assert.equal(conn.handleIcmp(21, icmp("too-big", 101, 0, 1500)), "mss-lowered");
  assert.equal(conn.stats.pathMtu, 1492);
  expectSent(conn, 21, [{ seq: 101, len: 1440 }, { seq: 1541, len: 560 }]);
  // An absurd MTU is taken as the minimum, not below.
  assert.equal(conn.handleIcmp(22, icmp("too-big", 101, 68)), "mss-lowered");
  assert.equal(conn.stats.pathMtu, 576);
});

Deno.test("a PTB quoting acknowledged data is ignored: it says nothing about what is in flight now", () => {
  const conn = established();
  conn.write(new Uint8Array(1000));
  expectSent(conn, 20, [{ seq: 101, len: 1000 }]);
  sendSeg(conn, 30, { seq: 1001, ack: 1101, ts: [501, 0] });
  assert.equal(conn.handleIcmp(31, icmp("too-big", 101, 576)), "ignored");
  assert.equal(conn.stats.pathMtu, 0);
});

Deno.test("a black hole: after two timeouts of a full-sized segment the MSS halves, then stops at the minimum", () => {
  const conn = established();
  conn.write(new Uint8Array(3000));
  expectSent(conn, 20, [{ len: 1448 }, { len: 1448 }, { len: 104 }]);
  // Each timeout at its deadline (the RTO doubles): the first retransmission keeps the size, the second halves it.
  const timeout = () => {
    const at = conn.pollTimeout()!;
    tick(conn, at);
    return at;
  };
  let at = timeout();
  expectSent(conn, at, [{ seq: 101, len: 1448 }]);
  // The loss window stays one segment of the old size in bytes (the congestion state is not the path's business):
  // two smaller segments fit in it.
  at = timeout();
  expectSent(conn, at, [{ seq: 101, len: 724 }, { seq: 825, len: 724 }]);
  assert.equal(conn.stats.blackHoleSteps, 1);
  at = timeout();
  expectSent(conn, at, [{ seq: 101, len: 524 }, { seq: 625, len: 524 }]);
  assert.equal(conn.stats.blackHoleSteps, 2);
  assert.equal(conn.stats.pathMtu, 576);
  at = timeout();
  expectSent(conn, at, [{ seq: 101, len: 524 }, { seq: 625, len: 524 }]); // the minimum holds
  assert.equal(conn.stats.blackHoleSteps, 2);
  // The path carries 524: the rest follows at that size.
  sendSeg(conn, at + 10, { seq: 1001, ack: 1149, ts: [501, 0] });
  expectSent(conn, at + 10, [
    { seq: 1149, len: 524 },
    { seq: 1673, len: 524 },
    { seq: 2197, len: 524 },
    { flags: "PSH ACK", seq: 2721, len: 380 },
  ]);
});
