/**
 * The transmission control block (RFC 9293 §3.3.1): every variable of one connection, shared by `receive.ts`,
 * `transmit.ts`, `timers.ts` and the `TcpConnection` façade. Internal to `src/tcp`.
 *
 * Sequence numbers are converted once, at the edge, into plain stream offsets that never wrap:
 * - send side: offset 0 is our SYN (ISS), data byte k is offset k + 1, our FIN follows the last data byte;
 * - receive side: offset 0 is the peer's first data byte (IRS + 1); RCV.NXT is `rcvNxt` (+1 once FIN is in).
 *
 * @module
 */

import { seq, seqAdd, seqDiff, type SeqNumber } from "../wire/mod.ts";
import { Assembler } from "./assembler.ts";
import { NewReno } from "./congestion.ts";
import { type CloseReason, type ConnectionEvent, type ConnectionStats, newStats } from "./events.ts";
import type { ResolvedOptions } from "./options.ts";
import { ReceiveRing } from "./ring_buffer.ts";
import { RttEstimator } from "./rtt.ts";
import { SendBuffer } from "./send_buffer.ts";
import { nextState, type StateInput, type TcpState } from "./states.ts";
import { Timers } from "./deadlines.ts";

/** Bytes the timestamps option adds to every segment (10 + 2 NOPs, RFC 7323 Appendix A). */
export const TS_OPTION_LEN = 12;

/** All per-connection variables. */
export class Tcb {
  /** Current state (changed only through `apply`). */
  state: TcpState = "CLOSED";
  /** Counters. */
  readonly stats: ConnectionStats = newStats();
  /** Pending events, oldest first. */
  readonly events: ConnectionEvent[] = [];

  // --- send sequence space (offsets from ISS) ---
  /** ISS. */
  readonly iss: SeqNumber;
  /** SND.UNA. */
  sndUna = 0;
  /** SND.NXT: the next offset to send (moved back to SND.UNA by an RTO). */
  sndNxt = 0;
  /** The highest offset ever sent + 1 (ACKs beyond it acknowledge unsent data). */
  sndMax = 0;
  /** SND.WND in bytes (scaled). */
  sndWnd = 0;
  /** Largest window the peer ever offered (RFC 5961 §5.2 MAX.SND.WND). */
  maxSndWnd = 0;
  /** SND.WL1 (peer sequence number of the last window update). */
  sndWl1: SeqNumber = seq(0);
  /** SND.WL2 as a send offset. */
  sndWl2 = 0;
  /** Shift applied to the peer's window field (0 unless both sides sent window scale). */
  sndShift = 0;
  /** Payload bytes per segment we send: peer MSS minus the timestamps option. */
  sendMss = 536;
  /** Data waiting to be sent or acknowledged. */
  readonly sendBuf: SendBuffer;
  /** Offset of our FIN once `close()` was called, else -1. */
  finOffset: number = -1;
  /** The SYN has to be (re)sent. */
  synPending = false;
  /** A zero-window probe is due (RFC 9293 §3.8.6.1). */
  probePending = false;
  /** One retransmission from SND.UNA is due (fast retransmit / partial ACK). */
  fastRtxPending = false;
  /** An RST has to be sent (abort). */
  rstPending = false;
  /** An RST answering an unacceptable ACK in SYN-SENT (RFC 9293 §3.10.7.3): its sequence number. */
  rstReplySeq: SeqNumber | null = null;
  /** Consecutive duplicate ACKs (RFC 5681 §2). */
  dupAcks = 0;
  /** Congestion control. */
  readonly cc: NewReno;
  /** RTO estimation. */
  readonly rtt: RttEstimator;
  /** Offset whose acknowledgment ends the current RTT measurement (-1: none running). */
  rttMark: number = -1;
  /** When the timed segment was sent (used without timestamps, Karn's rule). */
  rttSentAt = 0;
  /** Consecutive timeouts for the same SND.UNA. */
  rtxCount = 0;

  // --- receive sequence space (offsets from IRS + 1) ---
  /** IRS. */
  irs: SeqNumber = seq(0);
  /** RCV.NXT as a stream offset (data only; the FIN is counted by `finReceived`). */
  rcvNxt = 0;
  /** Right edge of the window we advertised (never moves left, RFC 9293 §3.8.6.2.2). */
  rcvRight = 0;
  /** Shift applied to our window field. */
  rcvShift = 0;
  /** Offset of the peer's FIN when known, else -1. */
  finRecvOffset: number = -1;
  /** The peer's FIN was consumed (RCV.NXT moved past it). */
  finReceived = false;
  /** "peer-closed" was reported. */
  peerClosedReported = false;
  /** Receive ring (in-order bytes then out-of-order bytes). */
  readonly ring: ReceiveRing;
  /**
   * The receive buffer the window is computed from: `recvBufferSize`, or less while the application limits its rate
   * (`TcpConnection.limitReceiveWindow`); the right edge stays within this many bytes of the first unread byte.
   */
  rcvLimit: number;
  /** Out-of-order intervals. */
  readonly assembler = new Assembler();
  /** An ACK is due now. */
  ackNow = false;
  /** In-order bytes received since our last ACK. */
  unackedBytes = 0;
  /** Our estimate of the peer's segment size: the largest payload seen (536 at first). */
  rcvMss: number;
  /** In-order data segments still to be ACKed one by one (the `quickAcks` option). */
  quickAcksLeft: number;

  // --- options negotiated ---
  /** Timestamps in use (RFC 7323 §3.2). */
  tsOn = false;
  /** SACK in use (RFC 2018 §2). */
  sackOn = false;
  /** Our last SYN asked for ECN (RFC 3168 §6.1.1). */
  ecnAsked = false;
  /** ECN in use: the SYN-ACK said ECE without CWR (RFC 3168 §6.1.1). */
  ecnOn = false;
  /** A CE mark arrived and the peer has not said CWR since: our segments carry ECE (RFC 3168 §6.1.3). */
  eceEcho = false;
  /** TS.Recent (RFC 7323 §4.3). */
  tsRecent = 0;
  /** RCV.NXT (offset, FIN included) carried by our last ACK: Last.ACK.sent. */
  lastAckSent = 0;
  /** Offset of our timestamp clock (the `tsOffset` option). */
  readonly tsOffset: number;

  // --- timers and liveness ---
  /** Retransmission (or persist), delayed-ACK and TIME-WAIT deadlines: set only through their operations. */
  readonly timers: Timers;
  /** Last time a segment from the peer was accepted. */
  lastHeard = 0;
  /** Last time SND.UNA advanced (or the first send after idle). */
  lastProgress = 0;
  /** Challenge ACK rate limit (RFC 5961 §7): window start and count. */
  challengeWindowStart = 0;
  /** Challenge ACKs in the current window. */
  challengeCount = 0;
  /** Scratch array for SACK offsets. */
  readonly sackScratch: number[] = [];

  /** Builds the TCB from resolved options. */
  constructor(readonly opts: ResolvedOptions) {
    this.iss = seq(opts.isn);
    this.sendBuf = new SendBuffer(opts.sendBufferSize, opts.buffers.take(opts.sendBufferSize));
    // Slack of one scale unit: a window rounded up to the scale granularity still fits (RFC 7323 §2.4).
    const ringSize = opts.recvBufferSize + (1 << opts.windowScale);
    this.ring = new ReceiveRing(ringSize, opts.buffers.take(ringSize));
    this.rcvLimit = opts.recvBufferSize;
    this.cc = new NewReno(536);
    this.rtt = new RttEstimator(opts.initialRtoMs, opts.minRtoMs, opts.maxRtoMs);
    this.timers = new Timers(this.rtt, opts);
    // Like Linux: start from the 536-byte default (RFC 9293 §3.7.1) and grow to the largest segment seen.
    this.rcvMss = Math.min(536, opts.mss);
    this.quickAcksLeft = opts.quickAcks;
    this.tsOffset = opts.tsOffset;
  }

  /** Applies a state-diagram input (see `states.ts`) and reports entering CLOSED. */
  apply(input: StateInput, reason: CloseReason = "normal"): void {
    const before = this.state;
    this.state = nextState(before, input);
    if (this.state === before) return;
    if (this.state === "ESTABLISHED") this.events.push({ type: "connected" });
    if (this.state === "CLOSED") {
      this.events.push({ type: "closed", reason });
      this.timers.clearAll();
      this.ackNow = false;
      this.synPending = false;
      this.probePending = false;
      this.fastRtxPending = false;
      this.assembler.clear();
    }
  }

  /** Our timestamp clock value at `now` (RFC 7323 §5.4: 1 ms ticks). */
  tsNow(now: number): number {
    return (Math.floor(now) + this.tsOffset) >>> 0;
  }

  /** The sequence number of send offset `off`. */
  sndSeq(off: number): SeqNumber {
    return seqAdd(this.iss, off);
  }

  /** The send offset of sequence number `s`, read near SND.UNA (how an ACK field is taken). */
  sndOffset(s: SeqNumber): number {
    return this.sndUna + seqDiff(s, this.sndSeq(this.sndUna));
  }

  /** RFC 5961 §5.2: an acceptable ACK lies in [SND.UNA − MAX.SND.WND, SND.MAX] (given as a send offset). */
  ackInRange(ackOff: number): boolean {
    return ackOff <= this.sndMax && ackOff >= this.sndUna - this.maxSndWnd;
  }

  /** RCV.NXT as a receive offset with the FIN counted once consumed: what our ACK field acknowledges. */
  rcvNxtWithFin(): number {
    return this.rcvNxt + (this.finReceived ? 1 : 0);
  }

  /** RCV.NXT as a sequence number (IRS + 1 + data + FIN). */
  rcvNxtSeq(): SeqNumber {
    return seqAdd(this.irs, 1 + this.rcvNxtWithFin());
  }

  /** RCV.WND: what is left of the window we advertised (never negative). */
  rcvWnd(): number {
    return this.rcvRight > this.rcvNxt ? this.rcvRight - this.rcvNxt : 0;
  }

  /** Receive offset of the oldest byte the application has not read: where the receive ring starts. */
  rcvReadOffset(): number {
    return this.rcvNxt - this.ring.readable;
  }

  /** Offset just past the last byte the application wrote (the FIN, if any, goes there). */
  dataEnd(): number {
    return 1 + this.sendBuf.end;
  }

  /** Bytes sent and not yet acknowledged (SYN/FIN included). */
  flight(): number {
    return this.sndNxt - this.sndUna;
  }

  /** Data the application wrote that SND.NXT has not reached yet (to send, or to probe a zero window with). */
  hasUnsentData(): boolean {
    return this.sndNxt < this.dataEnd();
  }
}
