/**
 * Deadlines of one connection: delayed ACK (RFC 5681 §4.2), retransmission (RFC 6298 §5), persist
 * (RFC 9293 §3.8.6.1), TIME-WAIT (§3.10.8) and the user timeout (§3.8.3, RFC 5482).
 *
 * The user timeout fires when the peer has been silent for `userTimeoutMs`, or when data (or SYN/FIN) has waited
 * that long without SND.UNA advancing — which also ends a peer that keeps its window closed forever.
 *
 * @module
 */

import { isSynchronized } from "./states.ts";
import type { Tcb } from "./tcb.ts";

/** The user-timeout deadline, or null when none applies. */
function userDeadline(c: Tcb): number | null {
  if (c.state === "CLOSED" || c.state === "TIME-WAIT") return null;
  const t = c.opts.userTimeoutMs;
  if (c.state === "SYN-SENT") return c.lastProgress + t;
  let d = c.lastHeard + t;
  if (c.sndMax > c.sndUna || c.sndNxt < c.dataEnd() || c.persist) d = Math.min(d, c.lastProgress + t);
  return d;
}

function earlier(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null || a < b ? a : b;
}

/** The earliest deadline (absolute ms), or null (called once per wake-up: no allocation). */
export function nextDeadline(c: Tcb): number | null {
  return earlier(earlier(earlier(userDeadline(c), c.delayedAckAt), c.rtxAt), c.timeWaitAt);
}

/** Runs every deadline that has passed at `now`. */
export function runTimers(c: Tcb, now: number): void {
  if (c.state === "CLOSED") return;
  const user = userDeadline(c);
  if (user !== null && now >= user) {
    c.apply("timeout", "timeout");
    return;
  }
  if (c.timeWaitAt !== null && now >= c.timeWaitAt) {
    c.apply("time-wait-expired");
    return;
  }
  if (c.delayedAckAt !== null && now >= c.delayedAckAt) {
    c.delayedAckAt = null;
    c.ackNow = true;
  }
  if (c.rtxAt !== null && now >= c.rtxAt) retransmissionTimer(c, now);
}

function retransmissionTimer(c: Tcb, now: number): void {
  if (c.persist) {
    // Persist timer: probe the zero window, backing off like the RTO (RFC 1122 §4.2.2.17).
    c.probePending = true;
    c.rtt.backoff();
    c.rtxAt = now + c.rtt.rto;
    return;
  }
  c.rtxCount++;
  if (c.rtxCount > c.opts.maxRetransmissions) {
    c.apply("timeout", "timeout");
    return;
  }
  if (c.state === "SYN-SENT") {
    c.synPending = true;
  } else if (isSynchronized(c.state)) {
    // RFC 6298 §5.4–5.6 and RFC 5681 §3.1: retransmit from SND.UNA with a one-segment window.
    c.cc.onTimeout(c.sndNxt - c.sndUna);
    c.cc.recover = c.sndMax; // RFC 6582 §3.2: after a timeout, record the highest offset sent in "recover"
    c.sndNxt = c.sndUna;
    c.fastRtxPending = false;
    c.dupAcks = 0;
    c.rttMark = -1;
    if (c.sndWnd === 0 && c.sndUna < c.dataEnd()) {
      c.persist = true;
      c.probePending = true;
    }
  }
  c.rtt.backoff();
  c.rtxAt = now + c.rtt.rto;
}
