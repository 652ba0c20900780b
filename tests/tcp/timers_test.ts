/** The timer operations (each one RFC rule) and the derived quantities of the TCB. */

import assert from "node:assert/strict";
import { resolveOptions } from "../../src/tcp/options.ts";
import { RttEstimator } from "../../src/tcp/rtt.ts";
import { Tcb } from "../../src/tcp/tcb.ts";
import { Timers } from "../../src/tcp/deadlines.ts";
import { nextDeadline } from "../../src/tcp/timers.ts";
import { seq } from "../../src/wire/seq.ts";

const DELAYS = { delayedAckMs: 40, timeWaitMs: 1000 };

/** Timers over an RTO of 1000 ms (the initial RTO of RFC 6298 §2.1). */
function timers(): Timers {
  return new Timers(new RttEstimator(1000, 200, 60000), DELAYS);
}

/** A TCB in CLOSED, where no user timeout competes with the deadline under test. */
function tcb(): Tcb {
  return new Tcb(resolveOptions({ localPort: 40000, remotePort: 80, mss: 1460, isn: 100, ...DELAYS }));
}

Deno.test("startRetransmit() starts a stopped timer but leaves a running one alone (RFC 6298 §5.1)", () => {
  const t = timers();
  t.startRetransmit(10);
  assert.equal(t.retransmitAt, 1010);
  t.startRetransmit(500);
  assert.equal(t.retransmitAt, 1010);
  assert.equal(t.persisting, false);
});

Deno.test("startRetransmit() takes over from a persist timer", () => {
  const t = timers();
  t.armPersist(10);
  assert.equal(t.persisting, true);
  t.startRetransmit(20);
  assert.equal(t.retransmitAt, 1020);
  assert.equal(t.persisting, false);
});

Deno.test("restartRetransmit() moves the deadline one RTO from now as the retransmission timer (§5.3)", () => {
  const t = timers();
  t.startRetransmit(10);
  t.restartRetransmit(300);
  assert.equal(t.retransmitAt, 1300);
  t.armPersist(400);
  t.restartRetransmit(450);
  assert.equal(t.retransmitAt, 1450);
  assert.equal(t.persisting, false);
});

Deno.test("postponeRetransmit() moves the deadline and keeps the timer's role", () => {
  const t = timers();
  t.armPersist(10);
  t.postponeRetransmit(70);
  assert.equal(t.retransmitAt, 1070);
  assert.equal(t.persisting, true);
  t.restartRetransmit(80);
  t.postponeRetransmit(90);
  assert.equal(t.persisting, false);
});

Deno.test("stopRetransmit() stops the retransmission and the persist timer (RFC 6298 §5.2)", () => {
  const t = timers();
  t.armPersist(10);
  t.stopRetransmit();
  assert.equal(t.retransmitAt, null);
  assert.equal(t.persisting, false);
});

Deno.test("the retransmission deadline follows the backed-off RTO (RFC 6298 §5.5–5.6)", () => {
  const rtt = new RttEstimator(1000, 200, 60000);
  const t = new Timers(rtt, DELAYS);
  t.startRetransmit(0);
  rtt.backoff();
  t.restartRetransmit(1000);
  assert.equal(t.retransmitAt, 3000);
});

Deno.test("armDelayedAck() keeps the first deadline until cancelDelayedAck() (RFC 5681 §4.2)", () => {
  const t = timers();
  t.armDelayedAck(100);
  t.armDelayedAck(130);
  assert.equal(t.delayedAckAt, 140);
  t.cancelDelayedAck();
  assert.equal(t.delayedAckAt, null);
  t.armDelayedAck(150);
  assert.equal(t.delayedAckAt, 190);
});

Deno.test("armTimeWait() restarts TIME-WAIT on every call (RFC 9293 §3.10.8)", () => {
  const t = timers();
  t.armTimeWait(100);
  assert.equal(t.timeWaitAt, 1100);
  t.armTimeWait(600);
  assert.equal(t.timeWaitAt, 1600);
});

Deno.test("clearAll() stops every timer", () => {
  const t = timers();
  t.armPersist(1);
  t.armDelayedAck(1);
  t.armTimeWait(1);
  t.clearAll();
  assert.deepEqual([t.retransmitAt, t.persisting, t.delayedAckAt, t.timeWaitAt], [null, false, null, null]);
});

Deno.test("each timer operation sets the deadline pollTimeout() reports", () => {
  const cases: Array<[string, (c: Tcb) => void, number | null]> = [
    ["startRetransmit", (c) => c.timers.startRetransmit(5), 1005],
    ["restartRetransmit", (c) => c.timers.restartRetransmit(6), 1006],
    ["postponeRetransmit", (c) => c.timers.postponeRetransmit(7), 1007],
    ["armPersist", (c) => c.timers.armPersist(8), 1008],
    ["armDelayedAck", (c) => c.timers.armDelayedAck(9), 49],
    ["armTimeWait", (c) => c.timers.armTimeWait(10), 1010],
    ["stopRetransmit", (c) => (c.timers.startRetransmit(0), c.timers.stopRetransmit()), null],
    ["cancelDelayedAck", (c) => (c.timers.armDelayedAck(0), c.timers.cancelDelayedAck()), null],
    ["clearAll", (c) => (c.timers.armPersist(0), c.timers.armTimeWait(0), c.timers.clearAll()), null],
  ];
  for (const [name, op, want] of cases) {
    const c = tcb();
    op(c);
    assert.equal(nextDeadline(c), want, name);
  }
  const c = tcb();
  c.timers.armTimeWait(0);
  c.timers.armDelayedAck(0);
  c.timers.startRetransmit(0);
  assert.equal(nextDeadline(c), 40, "the earliest deadline wins");
});

Deno.test("Tcb.rcvWnd() is what is left of the advertised window and never negative", () => {
  const c = tcb();
  c.rcvNxt = 100;
  c.rcvRight = 1100;
  assert.equal(c.rcvWnd(), 1000);
  c.rcvRight = 90;
  assert.equal(c.rcvWnd(), 0);
});

Deno.test("Tcb.rcvNxtWithFin() counts the FIN once it is consumed, as rcvNxtSeq() does", () => {
  const c = tcb();
  c.irs = seq(0xffffffff);
  c.rcvNxt = 10;
  assert.equal(c.rcvNxtWithFin(), 10);
  assert.equal(c.rcvNxtSeq(), 10);
  c.finReceived = true;
  assert.equal(c.rcvNxtWithFin(), 11);
  assert.equal(c.rcvNxtSeq(), 11);
});

Deno.test("Tcb.sndOffset() inverts sndSeq() across the wrap and ackInRange() bounds it (RFC 5961 §5.2)", () => {
  const c = new Tcb(resolveOptions({ localPort: 40000, remotePort: 80, mss: 1460, isn: 0xfffffff0 }));
  c.sndUna = 10;
  c.sndMax = 50;
  c.maxSndWnd = 5;
  for (const off of [5, 10, 30, 50]) assert.equal(c.sndOffset(c.sndSeq(off)), off);
  assert.deepEqual([4, 5, 50, 51].map((off) => c.ackInRange(off)), [false, true, true, false]);
});
