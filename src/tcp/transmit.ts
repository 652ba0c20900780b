/**
 * What to send next: RST, SYN, retransmissions, new data (RFC 9293 §3.8.6, sender SWS avoidance §3.8.6.2.1,
 * RFC 5681 congestion window), zero-window probes (§3.8.6.1) and ACKs with timestamps (RFC 7323 §3) and SACK
 * blocks (RFC 2018 §4); the advertised window follows §3.8.6.2.2 (receiver SWS avoidance, never shrinking).
 *
 * @module
 */

import {
  ACK,
  CWR,
  ECE,
  FIN,
  PSH,
  RST,
  type SackBlock,
  seq,
  seqAdd,
  SYN,
  type TcpOptions,
  type TcpRepr,
} from "../wire/mod.ts";
import { isSynchronized } from "./states.ts";
import type { Tcb } from "./tcb.ts";
import { rearmRetransmitTimer } from "./timers.ts";

const NO_OPTIONS: TcpOptions = {};
const NO_PAYLOAD = new Uint8Array(0);

/** The next segment to send, or null. */
export function nextSegment(c: Tcb, now: number): TcpRepr | null {
  if (c.rstReplySeq !== null) {
    const s = c.rstReplySeq;
    c.rstReplySeq = null;
    c.stats.segmentsOut++;
    return raw(c, s, seq(0), RST, 0, NO_OPTIONS, NO_PAYLOAD);
  }
  if (c.rstPending) {
    // §3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST> (with the ACK field, as common stacks do).
    c.rstPending = false;
    c.stats.segmentsOut++;
    return raw(c, c.sndSeq(c.sndNxt), c.rcvNxtSeq(), RST | ACK, 0, NO_OPTIONS, NO_PAYLOAD);
  }
  if (c.state === "SYN-SENT") return c.synPending ? syn(c, now) : null;
  if (!isSynchronized(c.state)) return null;
  if (c.fastRtxPending) {
    c.fastRtxPending = false;
    const s = dataSegment(c, now, c.sndUna, c.sndMax, true);
    if (s !== null) return s;
  }
  const s = dataSegment(c, now, c.sndNxt, c.sndUna + Math.min(c.sndWnd, c.cc.cwnd), false);
  if (s !== null) return s;
  if (c.probePending) {
    c.probePending = false;
    if (c.hasUnsentData()) {
      // One octet beyond the zero window (§3.8.6.1); if the peer takes it, its ACK moves SND.UNA past it.
      const payload = c.sendBuf.view(c.sndNxt - 1, 1);
      if (c.sndNxt + 1 > c.sndMax) c.sndMax = c.sndNxt + 1;
      return segment(c, now, c.sndNxt, 0, payload);
    }
  }
  if (c.sndWnd === 0 && !c.timers.persisting) rearmRetransmitTimer(c, now, false);
  if (c.ackNow) return segment(c, now, c.sndNxt, 0, NO_PAYLOAD);
  return null;
}

/** Our SYN with every option we offer (RFC 9293 §3.7.1, RFC 7323 §2.2/§3.2, RFC 2018 §2). */
function syn(c: Tcb, now: number): TcpRepr {
  c.synPending = false;
  // RFC 3168 §6.1.1: ECE and CWR ask for ECN; §6.1.1.1: a SYN that went unanswered may have met a middlebox that
  // drops such SYNs, so its retransmissions ask no more (as Linux's fallback does).
  c.ecnAsked = c.opts.ecn && c.sndMax === 0;
  if (c.sndMax > 0) {
    c.stats.retransmissions++;
    c.rttMark = -1; // Karn: a retransmitted SYN gives no RTT sample
  } else {
    c.rttMark = 1;
    c.rttSentAt = now;
  }
  c.sndNxt = 1;
  c.sndMax = 1;
  const window = Math.min(c.rcvLimit, 0xffff); // never scaled in a SYN (RFC 7323 §2.2)
  c.rcvRight = window;
  const options: TcpOptions = {
    mss: c.opts.mss,
    windowScale: c.opts.windowScale,
    sackPermitted: c.opts.sack ? true : undefined,
    timestamp: c.opts.timestamps ? { tsVal: c.tsNow(now), tsEcr: 0 } : undefined,
  };
  c.timers.startRetransmit(now);
  c.stats.segmentsOut++;
  return raw(c, c.iss, seq(0), SYN | (c.ecnAsked ? ECE | CWR : 0), window, options, NO_PAYLOAD);
}

/**
 * A data (and/or FIN) segment starting at send offset `from`, limited to offset `limit` (window or, for a fast
 * retransmission, what was already sent); null when there is nothing worth sending.
 */
function dataSegment(c: Tcb, now: number, from: number, limit: number, rtx: boolean): TcpRepr | null {
  const dataEnd = c.dataEnd();
  let len = 0;
  if (from < dataEnd) {
    len = Math.min(c.sendMss, dataEnd - from, limit - from);
    // Sender SWS avoidance (§3.8.6.2.1): a short segment only when it ends the data or nothing is in flight.
    if (len < 0 || (!rtx && len < c.sendMss && len < dataEnd - from && from > c.sndUna)) len = 0;
  }
  const payload = len > 0 ? c.sendBuf.view(from - 1, len) : NO_PAYLOAD;
  len = payload.length;
  const fin = c.finOffset >= 0 && from + len === c.finOffset && (!rtx || c.finOffset < c.sndMax);
  if (len === 0 && !fin) return null;
  const end = from + len + (fin ? 1 : 0);
  if (from < c.sndMax) c.stats.retransmissions++;
  else if (c.sndMax === c.sndUna) c.lastProgress = now; // data outstanding again after idle: the user timeout starts
  if (!rtx) c.sndNxt = end;
  if (end > c.sndMax) {
    if (c.rttMark < 0 && from >= c.sndMax) {
      c.rttMark = end;
      c.rttSentAt = now;
    }
    c.sndMax = end;
  }
  c.timers.startRetransmit(now);
  // PSH marks the segment that empties the send queue (RFC 9293 §3.9.1.2), as common stacks do.
  return segment(c, now, from, (fin ? FIN : 0) | (len > 0 && from + len === dataEnd ? PSH : 0), payload);
}

/** Builds a segment that carries our ACK: window, timestamps, SACK blocks; the ACK duties are then done. */
function segment(c: Tcb, now: number, from: number, flags: number, payload: Uint8Array): TcpRepr {
  const window = advertise(c);
  let options = NO_OPTIONS;
  const sack = c.sackOn && !c.assembler.isEmpty;
  if (c.tsOn || sack) {
    let blocks: SackBlock[] | undefined;
    if (sack) {
      const out = c.sackScratch;
      const n = c.assembler.sackBlocks(c.tsOn ? 3 : 4, out); // 40 option bytes: 3 blocks fit beside timestamps
      blocks = new Array(n);
      for (let k = 0; k < n; k++) {
        blocks[k] = { left: seqAdd(c.irs, 1 + out[2 * k]), right: seqAdd(c.irs, 1 + out[2 * k + 1]) };
      }
      c.stats.sackBlocksSent += n;
    }
    options = {
      timestamp: c.tsOn ? { tsVal: c.tsNow(now), tsEcr: c.tsRecent } : undefined,
      sackBlocks: blocks,
    };
  }
  c.ackNow = false;
  c.timers.cancelDelayedAck();
  c.unackedBytes = 0;
  c.lastAckSent = c.rcvNxtWithFin();
  c.stats.segmentsOut++;
  c.stats.bytesOut += payload.length;
  // RFC 3168 §6.1.3: every segment carries ECE until the peer's CWR says it reduced its window.
  if (c.eceEcho) flags |= ECE;
  return raw(c, c.sndSeq(from), c.rcvNxtSeq(), flags | ACK, window, options, payload);
}

function raw(
  c: Tcb,
  s: ReturnType<typeof seq>,
  ack: ReturnType<typeof seq>,
  flags: number,
  window: number,
  options: TcpOptions,
  payload: Uint8Array,
): TcpRepr {
  return {
    srcPort: c.opts.localPort,
    dstPort: c.opts.remotePort,
    seq: s,
    ack,
    flags,
    window,
    urgent: 0,
    options,
    payload,
  };
}

/**
 * The window field to send. The right edge moves only when it can grow by min(buffer / 2, MSS) (receiver SWS
 * avoidance, §3.8.6.2.2) and never moves left (RFC 7323 §2.4: the scaled field is rounded up, into ring slack).
 */
function advertise(c: Tcb): number {
  const shift = c.rcvShift;
  const right = potentialRight(c);
  if (right - c.rcvRight >= swsThreshold(c)) c.rcvRight = right;
  const wnd = c.rcvWnd();
  let field = Math.min(Math.ceil(wnd / (1 << shift)), 0xffff);
  // Rounding up may use the ring's slack, but only once: repeated on every ACK while the application does not read,
  // it would creep the edge right by RCV.NXT's remainder each time, past the ring's end, over unread bytes.
  const ringEnd = c.rcvReadOffset() + c.ring.capacity;
  if (c.rcvNxt + field * (1 << shift) > ringEnd) field = Math.floor((ringEnd - c.rcvNxt) / (1 << shift));
  const edge = c.rcvNxt + field * (1 << shift);
  if (edge > c.rcvRight) c.rcvRight = edge;
  return field;
}

/** The right edge the free buffer space would allow now (the buffer being `rcvLimit`, at most the ring). */
export function potentialRight(c: Tcb): number {
  const right = c.rcvReadOffset() + c.rcvLimit;
  const max = c.rcvNxt + 0xffff * (1 << c.rcvShift);
  return right < max ? right : max;
}

/** min(RCV.BUFF / 2, MSS): the smallest worthwhile window increase (§3.8.6.2.2). */
export function swsThreshold(c: Tcb): number {
  return Math.min(Math.floor(c.rcvLimit / 2), c.rcvMss);
}

/** After the application read: is a window update worth an ACK of its own? (window at least doubles) */
export function windowUpdateDue(c: Tcb): boolean {
  if (!isSynchronized(c.state) || c.finReceived) return false;
  const right = potentialRight(c);
  const current = c.rcvWnd();
  return right - c.rcvRight >= swsThreshold(c) && right - c.rcvNxt >= 2 * current;
}
