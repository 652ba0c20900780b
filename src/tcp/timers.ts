/**
 * Deadlines of one connection: retransmission (RFC 6298 §5), persist (RFC 9293 §3.8.6.1), delayed ACK
 * (RFC 5681 §4.2, RFC 9293 §3.8.6.3), TIME-WAIT (§3.10.8) and the user timeout (§3.8.3, RFC 5482).
 *
 * `Timers` (deadlines.ts) holds the stored deadlines, and its operations are the only code that sets them: each
 * applies one RFC rule. The functions here decide which rule applies and run the expiries.
 *
 * The user timeout fires when the peer has been silent for `userTimeoutMs`, or when data (or SYN/FIN) has waited
 * that long without SND.UNA advancing — which also ends a peer that keeps its window closed forever. In SYN-SENT the
 * bound is `connectTimeoutMs` (by default the same).
 *
 * @module
 */

import { blackHoleStep } from "./path_mtu.ts";
import { isSynchronized } from "./states.ts";
import type { Tcb } from "./tcb.ts";

/**
 * RFC 6298 §5.1–5.3: the retransmission timer runs while data is outstanding (restarted when new data is acked);
 * with a zero send window and data waiting it becomes the persist timer (RFC 9293 §3.8.6.1); otherwise it stops.
 */
export function rearmRetransmitTimer(c: Tcb, now: number, restart: boolean): void {
  const t = c.timers;
  if (c.sndNxt > c.sndUna) {
    if (restart) t.restartRetransmit(now);
    else t.startRetransmit(now);
  } else if (c.sndWnd === 0 && c.hasUnsentData() && c.state !== "SYN-SENT") {
    if (!t.persisting) {
      if (c.sndMax === c.sndUna) c.lastProgress = now;
      t.armPersist(now);
    }
  } else {
    c.probePending = false;
    t.stopRetransmit();
  }
}

/** The user-timeout deadline (the connect timeout's in SYN-SENT), or null when none applies. */
function userDeadline(c: Tcb): number | null {
  if (c.state === "CLOSED" || c.state === "TIME-WAIT") return null;
  if (c.state === "SYN-SENT") return c.lastProgress + c.opts.connectTimeoutMs;
  const t = c.opts.userTimeoutMs;
  let d = c.lastHeard + t;
  if (c.sndMax > c.sndUna || c.hasUnsentData() || c.timers.persisting) d = Math.min(d, c.lastProgress + t);
  return d;
}

function earlier(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null || a < b ? a : b;
}

function passed(deadline: number | null, now: number): boolean {
  return deadline !== null && now >= deadline;
}

/** The earliest deadline (absolute ms), or null (called once per wake-up: no allocation). */
export function nextDeadline(c: Tcb): number | null {
  const t = c.timers;
  return earlier(earlier(earlier(userDeadline(c), t.delayedAckAt), t.retransmitAt), t.timeWaitAt);
}

/** Runs every deadline that has passed at `now`. */
export function runTimers(c: Tcb, now: number): void {
  if (c.state === "CLOSED") return;
  const user = userDeadline(c);
  if (user !== null && now >= user) {
    c.apply("timeout", "timeout");
    return;
  }
  const t = c.timers;
  if (passed(t.timeWaitAt, now)) {
    c.apply("time-wait-expired");
    return;
  }
  if (passed(t.delayedAckAt, now)) {
    t.cancelDelayedAck();
    c.ackNow = true;
  }
  if (passed(t.retransmitAt, now)) retransmissionTimer(c, now);
}

function retransmissionTimer(c: Tcb, now: number): void {
  const t = c.timers;
  if (t.persisting) {
    // Persist timer: probe the zero window, backing off like the RTO (RFC 1122 §4.2.2.17).
    c.probePending = true;
    c.rtt.backoff();
    t.armPersist(now);
    return;
  }
  c.rtxCount++;
  if (c.rtxCount > c.opts.maxRetransmissions) {
    c.apply("timeout", "timeout");
    return;
  }
  blackHoleStep(c, now);
  let probe = false;
  if (c.state === "SYN-SENT") {
    c.synPending = true;
  } else if (isSynchronized(c.state)) {
    // RFC 6298 §5.4–5.6 and RFC 5681 §3.1: retransmit from SND.UNA with a one-segment window.
    c.cc.onTimeout(c.flight());
    c.cc.recover = c.sndMax; // RFC 6582 §3.2: after a timeout, record the highest offset sent in "recover"
    c.sndNxt = c.sndUna;
    c.fastRtxPending = false;
    c.dupAcks = 0;
    c.rttMark = -1;
    // A closed window leaves nothing to retransmit into: the timer continues as the persist timer.
    probe = c.sndWnd === 0 && c.hasUnsentData();
    if (probe) c.probePending = true;
  }
  c.rtt.backoff();
  if (probe) t.armPersist(now);
  else t.restartRetransmit(now);
}
