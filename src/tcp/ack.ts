/**
 * The fifth step of RFC 9293 §3.10.7.4: what the peer's ACK and window tell the send side, with RFC 5961 §5.2
 * ACK validation, RTT samples (RFC 6298 §3, RFC 7323 §4.1) and RFC 5681/6582 congestion reaction; the timer rules
 * it triggers (RFC 6298 §5, persist §3.8.6.1) are in `timers.ts`.
 *
 * @module
 */

import { FIN, seqDiff, seqLt, SYN, type TcpRepr } from "../wire/mod.ts";
import type { Tcb } from "./tcb.ts";
import { rearmRetransmitTimer } from "./timers.ts";

/** Processes the ACK field and window of an acceptable segment; false when the segment must be dropped. */
export function ackArrived(c: Tcb, now: number, seg: TcpRepr): boolean {
  const ackOff = c.sndOffset(seg.ack);
  // "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an ACK, drop the segment."
  // RFC 5961 §5.2: an ACK older than SND.UNA - MAX.SND.WND is dropped (and ACKed) too.
  if (!c.ackInRange(ackOff)) {
    c.stats.badSegments++;
    c.ackNow = true;
    return false;
  }
  const window = seg.window * (1 << c.sndShift);
  if (ackOff > c.sndUna) {
    newDataAcked(c, now, seg, ackOff);
  } else if (
    ackOff === c.sndUna && seg.payload.length === 0 && (seg.flags & (FIN | SYN)) === 0 && window === c.sndWnd &&
    c.sndMax > c.sndUna
  ) {
    // RFC 5681 §2 duplicate ACK; the third starts fast retransmit unless a recovery already covers it (RFC 6582 §4.1).
    c.dupAcks++;
    if (c.dupAcks === 3 && !c.cc.inRecovery && ackOff > c.cc.recover) {
      c.cc.enterRecovery(c.flight(), c.sndMax);
      c.fastRtxPending = true;
      c.timers.postponeRetransmit(now);
    } else if (c.dupAcks > 3) {
      c.cc.onDupAck();
    }
  }
  // Window update rule: SND.WL1 < SEG.SEQ, or SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK.
  if (seqLt(c.sndWl1, seg.seq) || (seqDiff(c.sndWl1, seg.seq) === 0 && c.sndWl2 <= ackOff)) {
    c.sndWnd = window;
    c.sndWl1 = seg.seq;
    c.sndWl2 = ackOff;
    if (window > c.maxSndWnd) c.maxSndWnd = window;
    rearmRetransmitTimer(c, now, false);
  }
  return true;
}

function newDataAcked(c: Tcb, now: number, seg: TcpRepr, ackOff: number): void {
  const acked = ackOff - c.sndUna;
  // RTT: one sample per flight, from the timestamp echo (RFC 7323 §4.1) or, without timestamps, from a segment
  // that was never retransmitted (RFC 6298 §3, Karn's algorithm).
  if (c.rttMark >= 0 && ackOff >= c.rttMark) {
    const ts = seg.options.timestamp;
    if (c.tsOn && ts !== undefined && ts.tsEcr !== 0) c.rtt.sample((c.tsNow(now) - ts.tsEcr) | 0);
    else if (!c.tsOn) c.rtt.sample(now - c.rttSentAt);
    c.rttMark = -1;
  }
  c.sndUna = ackOff;
  if (c.sndNxt < ackOff) c.sndNxt = ackOff; // a persist probe byte was taken
  c.sendBuf.consumeTo(ackOff - 1);
  c.rtxCount = 0;
  c.rtt.clearBackoff();
  c.lastProgress = now;
  c.dupAcks = 0;
  if (c.cc.inRecovery) {
    if (c.cc.onRecoveryAck(ackOff, acked, c.flight())) c.fastRtxPending = true;
  } else {
    c.cc.onAck(acked);
  }
  rearmRetransmitTimer(c, now, true);
  // Our FIN is acknowledged once SND.UNA passes it.
  if (c.finOffset >= 0 && ackOff > c.finOffset) {
    c.apply("fin-acked");
    if (c.state === "TIME-WAIT") c.timers.armTimeWait(now);
  }
}
