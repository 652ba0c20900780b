/**
 * A sans-IO, active-open TCP connection over IPv4 (the client side of one HTTP download).
 *
 * Read first: RFC 9293 (TCP), RFC 5961 (blind in-window attacks), RFC 6298 (RTO), RFC 7323 (window scale,
 * timestamps, PAWS), RFC 2018 (SACK), RFC 5681 (congestion control), RFC 6582 (NewReno).
 *
 * Layout: `tcb.ts` holds the variables, `states.ts` the state diagram, `receive.ts` + `ack.ts` the arrival of
 * segments, `transmit.ts` what leaves, `timers.ts` the deadlines; ring buffer, assembler, send buffer, RTT and
 * congestion control are one file each.
 *
 * @module
 */

import type { TcpRepr } from "../wire/mod.ts";
import type { ConnectionEvent, ConnectionStats } from "./events.ts";
import { type ConnectionOptions, resolveOptions } from "./options.ts";
import { handleIcmpNotice, type IcmpNotice, type IcmpOutcome } from "./path_mtu.ts";
import { processSegment } from "./receive.ts";
import { isSynchronized, type TcpState } from "./states.ts";
import { Tcb } from "./tcb.ts";
import { nextDeadline, runTimers } from "./timers.ts";
import { nextSegment, windowUpdateDue } from "./transmit.ts";

/**
 * One TCP connection as a pure state machine: it never reads a clock, sets a timer or touches a socket.
 *
 * Call order, each time something happens (a segment arrived, the deadline passed, the application acts):
 * 1. feed the input: `connect(now)`, `handleSegment(now, seg)`, `handleTimeout(now)`, `write()`, `close()`,
 *    `abort()`;
 * 2. drain `pollTransmit(now)` until it returns null, sending each segment before the next call (its payload may
 *    be a view into the send buffer);
 * 3. drain `pollEvent()` until null, and `read()` until null (each view is valid until the next call into the
 *    connection; reading may make a window update due, so poll the transmit queue again afterwards);
 * 4. sleep until `pollTimeout()` (absolute ms on the caller's clock) or the next segment.
 *
 * Peer input never throws; local misuse (bad options, writing after close) throws `TypeError`/`RangeError`.
 *
 * @example
 * ```ts
 * const conn = new TcpConnection({ localPort: 40000, remotePort: 80, mss: 1460, isn: 12345 });
 * conn.connect(0);
 * const syn = conn.pollTransmit(0); // SYN with MSS, window scale, SACK-permitted and timestamps
 * ```
 */
export class TcpConnection {
  #c: Tcb;
  #opened = false;
  #released = false;

  /** Validates the options (throws `TypeError`/`RangeError`) and allocates the buffers. */
  constructor(options: ConnectionOptions) {
    this.#c = new Tcb(resolveOptions(options));
  }

  /** The state as spelled in RFC 9293 §3.3.2, e.g. "SYN-SENT" or "TIME-WAIT". */
  get state(): TcpState {
    return this.#c.state;
  }

  /** A snapshot of the counters. */
  get stats(): ConnectionStats {
    const c = this.#c;
    const rtt = c.rtt;
    return {
      ...c.stats,
      srttMs: rtt.srtt,
      minRttMs: rtt.minRtt,
      rttvarMs: rtt.rttvar,
      rtoMs: rtt.rto,
      cwnd: c.cc.cwnd,
    };
  }

  /** Segments that arrived beyond RCV.NXT so far (as in `stats`, without the snapshot). */
  get outOfOrderSegments(): number {
    return this.#c.stats.outOfOrderSegments;
  }

  /** Whether in-order segments are still ACKed one by one (the `quickAcks` option): the driver then sends each ACK. */
  get quickAcking(): boolean {
    return this.#c.quickAcksLeft > 0;
  }

  /** Whether our FIN has been sent (at least once; it may not be acknowledged yet). */
  get finSent(): boolean {
    const c = this.#c;
    return c.finOffset >= 0 && c.sndMax > c.finOffset;
  }

  /** The smoothed round-trip time in ms (RFC 6298 SRTT; 0 before the first sample), as in `stats`. */
  get srttMs(): number {
    return this.#c.rtt.srtt;
  }

  /** The retransmission timeout in ms, backoff included, as in `stats` (read per segment by `--report`). */
  get rtoMs(): number {
    return this.#c.rtt.rto;
  }

  /**
   * Bytes the receive buffer holds now: the in-order bytes the application has not read, plus the span up to the
   * highest out-of-order byte kept (holes included: that space is taken until they fill).
   */
  get receiveBufferFill(): number {
    const c = this.#c;
    const held = c.assembler.isEmpty ? c.rcvNxt : Math.max(c.rcvNxt, c.assembler.highestEnd);
    return held - c.rcvReadOffset();
  }

  /** The receive buffer's size in bytes (`recvBufferSize`): the largest window we advertise. */
  get receiveBufferSize(): number {
    return this.#c.opts.recvBufferSize;
  }

  /**
   * Limits the receive window: from now on the right edge we advertise stays within `bytes` of the first byte the
   * application has not read, as if the receive buffer held `bytes` (at most `recvBufferSize`; null lifts the limit).
   * An application that reads at a chosen rate thus makes the peer send at that rate (RFC 9293 §3.8.6.2: the window
   * is the receiver's flow control). An edge already advertised never moves left (§3.8.6.2.2), so a lower limit takes
   * effect as the application reads. Throws `RangeError` unless `bytes` is a whole number above 0.
   *
   * @example
   * ```ts
   * conn.limitReceiveWindow(32 * 1024); // about rate × RTT for an application that reads at a limited rate
   * ```
   */
  limitReceiveWindow(bytes: number | null): void {
    if (bytes !== null && !(Number.isSafeInteger(bytes) && bytes > 0)) {
      throw new RangeError(`Cannot limit the receive window to ${bytes} bytes: expected a whole number above 0`);
    }
    const c = this.#c;
    c.rcvLimit = bytes === null ? c.opts.recvBufferSize : Math.min(bytes, c.opts.recvBufferSize);
  }

  /**
   * Gives the receive ring and the send buffer back to `buffers` once the connection is over (or given up), so that
   * the next connection may reuse them; the connection is CLOSED from then on (nothing more is sent or read).
   * Calling it twice is harmless.
   */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    const c = this.#c;
    if (c.state !== "CLOSED") c.apply("abort", "aborted");
    c.ring.readable = 0;
    c.opts.buffers.give(c.ring.storage);
    c.opts.buffers.give(c.sendBuf.storage);
  }

  /** Active OPEN (RFC 9293 §3.10.1): the SYN becomes due. Throws `TypeError` when called twice. */
  connect(now: number): void {
    if (this.#opened) throw new TypeError(`Cannot connect: the connection is already ${this.#c.state}`);
    this.#opened = true;
    const c = this.#c;
    c.apply("open");
    c.synPending = true;
    c.lastProgress = now;
    c.lastHeard = now;
  }

  /**
   * Processes one segment addressed to this connection (the driver has checked addresses and checksum); `ce`: its IP
   * header was marked CE (congestion experienced, RFC 3168).
   */
  handleSegment(now: number, seg: TcpRepr, ce = false): void {
    processSegment(this.#c, now, seg, ce);
  }

  /**
   * Takes an ICMP error that quotes our 4-tuple (the driver matched addresses and ports): checked against the segments
   * in flight (RFC 5927 §4.1), it may end a connection attempt, lower the send MSS, or be only noted.
   */
  handleIcmp(now: number, notice: IcmpNotice): IcmpOutcome {
    return handleIcmpNotice(this.#c, now, notice);
  }

  /** Runs the deadlines that have passed at `now`. */
  handleTimeout(now: number): void {
    runTimers(this.#c, now);
  }

  /** Queues bytes to send (RFC 9293 §3.10.2); returns how many fit in the send buffer. */
  write(bytes: Uint8Array): number {
    if (!(bytes instanceof Uint8Array)) throw new TypeError(`Cannot write ${typeof bytes}: expected a Uint8Array`);
    const c = this.#c;
    if (!this.#opened || c.state === "CLOSED") throw new TypeError(`Cannot write: the connection is ${c.state}`);
    if (c.finOffset >= 0) throw new TypeError(`Cannot write: the connection is closing (${c.state})`);
    return c.sendBuf.write(bytes);
  }

  /** CLOSE (RFC 9293 §3.10.4): a FIN follows the queued data; in SYN-SENT the attempt ends ("aborted"). */
  close(): void {
    const c = this.#c;
    if (c.state === "SYN-SENT") {
      c.apply("close", "aborted");
    } else if ((c.state === "ESTABLISHED" || c.state === "CLOSE-WAIT") && c.finOffset < 0) {
      c.finOffset = c.dataEnd();
      c.apply("close");
    }
  }

  /** ABORT (RFC 9293 §3.10.5): an RST is sent unless in SYN-SENT, CLOSING, LAST-ACK or TIME-WAIT; "aborted". */
  abort(): void {
    const c = this.#c;
    if (c.state === "CLOSED") return;
    // §3.10.5: an RST only where the peer may still hold state for us; CLOSING, LAST-ACK and TIME-WAIT just end.
    const st = c.state;
    const sendRst = isSynchronized(st) && st !== "CLOSING" && st !== "LAST-ACK" && st !== "TIME-WAIT";
    c.apply("abort", "aborted");
    c.rstPending = sendRst;
  }

  /** The next segment to send, or null when there is nothing (more) to send now. */
  pollTransmit(now: number): TcpRepr | null {
    return nextSegment(this.#c, now);
  }

  /** The next deadline (absolute ms on the caller's clock) at which `handleTimeout` must run, or null. */
  pollTimeout(): number | null {
    return nextDeadline(this.#c);
  }

  /**
   * The next event, or null. "peer-closed" comes once the FIN arrived and every byte before it was read (so poll
   * again after reading); "closed" is always the last event, though bytes received before it stay readable.
   */
  pollEvent(): ConnectionEvent | null {
    const c = this.#c;
    if (c.finReceived && !c.peerClosedReported && c.ring.readable === 0) {
      c.peerClosedReported = true;
      return { type: "peer-closed" };
    }
    const ev = c.events.shift() ?? null;
    if (ev?.type === "closed") c.peerClosedReported = true; // nothing follows "closed"
    return ev;
  }

  /**
   * Up to `max` received bytes as a zero-copy view into the receive ring (valid until the next call into the
   * connection), or null when none are ready. The freed space reopens the window (RFC 9293 §3.8.6.2.2).
   */
  read(max: number = Number.MAX_SAFE_INTEGER): Uint8Array | null {
    if (typeof max !== "number" || !(max > 0)) {
      throw new RangeError(`Cannot read ${max} bytes: expected a count above 0`);
    }
    const c = this.#c;
    const view = c.ring.read(max);
    if (view !== null && windowUpdateDue(c)) c.ackNow = true;
    return view;
  }
}
