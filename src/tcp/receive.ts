/**
 * Segment arrival (RFC 9293 §3.10.7.3 SYN-SENT and §3.10.7.4 synchronized states), hardened per RFC 5961
 * (RST/SYN/ACK checks), RFC 7323 (PAWS, TS.Recent) and RFC 5681 §4.2 (when to ACK).
 *
 * @module
 */

import { ACK, CWR, ECE, FIN, RST, seqDiff, SYN, type TcpRepr } from "../wire/mod.ts";
import { ackArrived } from "./ack.ts";
import { type Tcb, TS_OPTION_LEN } from "./tcb.ts";

/** Most challenge ACKs per second (RFC 5961 §7 asks for a limit; Linux uses 1000/s system-wide). */
const CHALLENGE_ACKS_PER_SECOND = 100;

/**
 * Processes one segment from the peer; never throws on peer input. `ce`: its IP header was marked CE (congestion
 * experienced, RFC 3168 §5).
 */
export function processSegment(c: Tcb, now: number, seg: TcpRepr, ce = false): void {
  c.stats.segmentsIn++;
  if (seg.dstPort !== c.opts.localPort || seg.srcPort !== c.opts.remotePort) {
    c.stats.badSegments++;
    return;
  }
  if (c.state === "CLOSED") {
    // §3.10.7.1 would answer with RST; the connection is gone and the driver stops listening, so stay silent.
    c.stats.ignoredSegments++;
    return;
  }
  if (c.state === "SYN-SENT") synSent(c, now, seg);
  else {
    if (c.ecnOn) ecnSignals(c, seg, ce);
    synchronized(c, now, seg);
  }
}

/**
 * RFC 3168 §6.1.3, the data receiver: a CE mark makes us echo ECE on every ACK until a segment with CWR arrives
 * (CWR first: a segment with both still leaves news to echo). The first mark is ACKed at once, so the sender learns
 * of the congestion a round trip sooner.
 */
function ecnSignals(c: Tcb, seg: TcpRepr, ce: boolean): void {
  if ((seg.flags & CWR) !== 0) c.eceEcho = false;
  if (!ce) return;
  c.stats.ceMarks++;
  if (!c.eceEcho) c.ackNow = true;
  c.eceEcho = true;
}

/** §3.10.7.3: the answer to our SYN. */
function synSent(c: Tcb, now: number, seg: TcpRepr): void {
  const flags = seg.flags;
  // First: our SYN is the only thing sent, so an acceptable ACK is exactly ISS + 1.
  if ((flags & ACK) !== 0 && seqDiff(seg.ack, c.sndSeq(1)) !== 0) {
    if ((flags & RST) === 0) c.rstReplySeq = seg.ack; // <SEQ=SEG.ACK><CTL=RST>
    c.stats.badSegments++;
    return;
  }
  // Second: an RST with an acceptable ACK means "connection refused"; without ACK it is dropped.
  if ((flags & RST) !== 0) {
    if ((flags & ACK) !== 0) c.apply("reset", "refused");
    else c.stats.badSegments++;
    return;
  }
  // Fourth: a SYN without ACK is a simultaneous open, which this active-only client does not support.
  if ((flags & SYN) === 0 || (flags & ACK) === 0) {
    c.stats.ignoredSegments++;
    return;
  }
  negotiate(c, seg);
  // RFC 3168 §6.1.1: ECE without CWR in the SYN-ACK accepts the ECN we asked for (both set is a SYN, not an answer).
  c.ecnOn = c.ecnAsked && (flags & ECE) !== 0 && (flags & CWR) === 0;
  c.irs = seg.seq;
  c.sndUna = 1;
  if (c.sndNxt < 1) c.sndNxt = 1;
  // Karn's rule even with timestamps: after a retransmitted SYN the echo may date from a SYN-ACK the peer had
  // to retransmit, which would inflate the first RTO by the peer's timer (seen in simulation at 20% loss).
  if (c.rttMark === 1) c.rtt.sample(now - c.rttSentAt);
  c.rttMark = -1;
  c.rtt.clearBackoff();
  // RFC 7323 §2.2: the window of a SYN-ACK is never scaled.
  c.sndWnd = seg.window;
  c.maxSndWnd = seg.window;
  c.sndWl1 = seg.seq;
  c.sndWl2 = 1;
  c.timers.stopRetransmit(); // RFC 6298 §5.2: the SYN, all that was outstanding, is acknowledged
  c.rtxCount = 0;
  c.lastProgress = now;
  c.lastHeard = now;
  c.apply("syn-ack");
  c.ackNow = true;
  // Data or FIN riding on the SYN-ACK are processed as in the synchronized states (§3.10.7.3 "sixth step").
  if (seg.payload.length > 0 || (flags & FIN) !== 0) receiveText(c, now, seg, 0);
}

/** Options in the SYN-ACK decide what the connection uses (RFC 7323 §1.3/§2.2, RFC 2018 §2, RFC 9293 §3.7.1). */
function negotiate(c: Tcb, seg: TcpRepr): void {
  const o = seg.options;
  c.tsOn = c.opts.timestamps && o.timestamp !== undefined;
  if (c.tsOn && o.timestamp !== undefined) c.tsRecent = o.timestamp.tsVal;
  c.sackOn = c.opts.sack && o.sackPermitted === true;
  if (o.windowScale !== undefined) {
    c.sndShift = Math.min(o.windowScale, 14);
    c.rcvShift = c.opts.windowScale;
  }
  const peerMss = o.mss ?? 536; // §3.7.1: 536 when the option is absent
  c.sendMss = Math.max(Math.min(peerMss, c.opts.mss) - (c.tsOn ? TS_OPTION_LEN : 0), 1);
  c.cc.setMss(c.sendMss);
}

/** Timestamp clocks compare like sequence numbers (RFC 7323 §5.3: modulo 2^32). */
function seqDiffTs(a: number, b: number): number {
  return (a - b) | 0;
}

/** §3.10.7.4: every state after SYN-SENT. */
function synchronized(c: Tcb, now: number, seg: TcpRepr): void {
  const flags = seg.flags;
  const plen = seg.payload.length;
  const ts = c.tsOn ? seg.options.timestamp : undefined;
  // RFC 7323 §5.3 R1 (PAWS): an older TSval is a stale duplicate; ACK it unless it is an RST.
  if (ts !== undefined && (flags & RST) === 0 && seqDiffTs(ts.tsVal, c.tsRecent) < 0) {
    c.stats.badSegments++;
    c.ackNow = true;
    return;
  }
  const nxt = c.rcvNxtWithFin();
  const segOff = nxt + seqDiff(seg.seq, c.rcvNxtSeq());
  const wnd = c.rcvWnd();
  const segLen = plen + ((flags & FIN) !== 0 ? 1 : 0) + ((flags & SYN) !== 0 ? 1 : 0);
  // First: the acceptability test of §3.10.7.4, with two leniencies that Linux shares: an empty segment may
  // start anywhere from Last.ACK.sent (a pure ACK overtaken by data it preceded is not "old": answering it would
  // be a spurious duplicate ACK), and a bare FIN exactly at RCV.NXT is accepted in a zero window (it needs no buffer).
  let ok: boolean;
  if (segLen === 0) ok = segOff >= c.lastAckSent && (wnd === 0 ? segOff <= nxt : segOff < nxt + wnd);
  else if (wnd === 0) ok = plen === 0 && segOff === nxt;
  else {
    const last = segOff + segLen - 1;
    ok = (segOff >= nxt && segOff < nxt + wnd) || (last >= nxt && last < nxt + wnd);
  }
  if (!ok) {
    if ((flags & RST) !== 0) {
      c.stats.badSegments++;
      return;
    }
    // "Special allowance" for valid ACKs with a zero window: the peer's window probe still carries its ACK.
    if (wnd === 0 && segOff === nxt && (flags & ACK) !== 0) ackArrived(c, now, seg);
    // A peer that probes our zero window or retransmits is alive: with a plausible ACK it is not "silent".
    if ((flags & ACK) !== 0 && c.ackInRange(c.sndOffset(seg.ack))) c.lastHeard = now;
    if (c.state === "TIME-WAIT" && (flags & FIN) !== 0) c.timers.armTimeWait(now); // eighth step
    if (plen > 0) c.stats.dupAcksSent++;
    else c.stats.badSegments++;
    c.ackNow = true;
    return;
  }
  c.lastHeard = now;
  // Second: RFC 5961 §3.2, an RST resets only at exactly RCV.NXT; elsewhere in the window it earns a challenge ACK.
  if ((flags & RST) !== 0) {
    if (segOff === nxt) c.apply("reset", "reset");
    else challengeAck(c, now);
    return;
  }
  // Fourth: RFC 5961 §4.2, any SYN in a synchronized state earns a challenge ACK.
  if ((flags & SYN) !== 0) {
    challengeAck(c, now);
    return;
  }
  // Fifth: a segment without ACK is dropped.
  if ((flags & ACK) === 0) {
    c.stats.badSegments++;
    return;
  }
  if (!ackArrived(c, now, seg) || c.state === "CLOSED") return;
  // RFC 7323 §4.3: remember TSval of a segment that covers Last.ACK.sent (PAWS above ensured it is not older).
  if (ts !== undefined && segOff <= c.lastAckSent) c.tsRecent = ts.tsVal;
  // Seventh and eighth: text and FIN.
  if (plen > 0 || (flags & FIN) !== 0) receiveText(c, now, seg, segOff);
}

/** RFC 5961 §7: an ACK carrying our current RCV.NXT, rate-limited. */
function challengeAck(c: Tcb, now: number): void {
  if (now - c.challengeWindowStart >= 1000) {
    c.challengeWindowStart = now;
    c.challengeCount = 0;
  }
  if (c.challengeCount >= CHALLENGE_ACKS_PER_SECOND) return;
  c.challengeCount++;
  c.stats.challengeAcks++;
  c.ackNow = true;
}

/** §3.10.7.4 seventh (segment text) and eighth (FIN) steps; `segOff` is the stream offset of `seg.seq`. */
function receiveText(c: Tcb, now: number, seg: TcpRepr, segOff: number): void {
  const st = c.state;
  // Text is only taken in ESTABLISHED, FIN-WAIT-1 and FIN-WAIT-2, and never after the peer's FIN.
  if (c.finReceived || (st !== "ESTABLISHED" && st !== "FIN-WAIT-1" && st !== "FIN-WAIT-2")) return;
  const p = seg.payload;
  const nxt = c.rcvNxt;
  const start = segOff > nxt ? segOff : nxt;
  let end = segOff + p.length;
  let fin = (seg.flags & FIN) !== 0;
  if (c.finRecvOffset >= 0 && end > c.finRecvOffset) end = c.finRecvOffset; // nothing after a known FIN
  if (end > c.rcvRight) {
    end = c.rcvRight; // beyond the window: trimmed (§3.10.7.4), the FIN with it
    fin = false;
  }
  if (fin && c.finRecvOffset < 0) c.finRecvOffset = segOff + p.length;
  if (p.length > 0) {
    if (start >= end) {
      // All of it was here already: an immediate duplicate ACK (RFC 5681 §4.2).
      c.stats.dupAcksSent++;
      c.ackNow = true;
    } else if (start === nxt) {
      const readBase = c.rcvReadOffset();
      if (c.assembler.isEmpty) {
        // Fast path: in-order data, one copy into the ring.
        c.ring.writeAt(start - readBase, p, start - segOff, end - segOff);
        c.stats.bytesIn += end - start;
        c.ring.commit(end - nxt);
        c.rcvNxt = end;
      } else {
        const held = c.assembler.insert(start, end, (from, to) => {
          c.ring.writeAt(from - readBase, p, from - segOff, to - segOff);
          c.stats.bytesIn += to - from;
        });
        if (!held) {
          // The interval list is full and this in-order range touches none of it: in-order data needs no
          // interval, so store it and move RCV.NXT anyway (dropping it would stall the connection for good).
          c.ring.writeAt(start - readBase, p, start - segOff, end - segOff);
          c.stats.bytesIn += end - start;
        }
        const newNxt = c.assembler.advance(held ? nxt : end);
        c.ring.commit(newNxt - nxt);
        c.rcvNxt = newNxt;
        c.ackNow = true; // a hole was (partly) filled: ACK at once (RFC 5681 §4.2)
      }
      if (p.length > c.rcvMss) c.rcvMss = p.length;
      c.unackedBytes += end - start;
      // RFC 9293 §3.8.6.3 / RFC 5681 §4.2: ACK at least every second full-sized segment, else within the delay;
      // and at once when the data used up the window we offered (a reader that stopped reading): the sender can
      // send nothing more until it hears from us, and a delayed ACK would only earn a tail-loss-probe resend.
      const windowUsedUp = c.rcvWnd() < c.rcvMss;
      const quick = c.quickAcksLeft > 0;
      if (quick) c.quickAcksLeft--;
      if (quick || c.unackedBytes >= 2 * c.rcvMss || c.opts.delayedAckMs === 0 || windowUsedUp) c.ackNow = true;
      else c.timers.armDelayedAck(now);
    } else {
      // Out of order: keep it (first copy wins) and ACK at once with SACK blocks (RFC 2018 §4, RFC 5681 §4.2).
      c.stats.outOfOrderSegments++;
      const readBase = c.rcvReadOffset();
      c.assembler.insert(start, end, (from, to) => {
        c.ring.writeAt(from - readBase, p, from - segOff, to - segOff);
        c.stats.bytesIn += to - from;
      });
      c.stats.dupAcksSent++;
      c.ackNow = true;
    }
  } else if (fin && segOff > nxt) {
    c.stats.outOfOrderSegments++;
    c.ackNow = true;
  }
  consumeFin(c, now);
}

/** Eighth step: once RCV.NXT reaches a FIN (possibly remembered from out of order), it is consumed. */
function consumeFin(c: Tcb, now: number): void {
  if (c.finReceived || c.finRecvOffset < 0 || c.rcvNxt !== c.finRecvOffset) return;
  c.finReceived = true;
  c.ackNow = true;
  c.apply("fin-received");
  if (c.state === "TIME-WAIT") c.timers.armTimeWait(now);
}
