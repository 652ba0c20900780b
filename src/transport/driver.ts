/**
 * The driver: the only event loop. It moves frames between a {@linkcode FrameLink} and one sans-IO
 * {@linkcode TcpConnection}, feeds the connection the clock, and is the {@linkcode ByteStream} its handler reads and
 * writes.
 *
 * A turn ({@linkcode Driver.poll}) is synchronous: receive every queued frame, let the connection answer, deliver
 * in-order bytes to the handler, push queued writes, flush what the connection sends, and say when the next turn is
 * due. {@linkcode Driver.run} has a {@linkcode DriverLoop} repeat turns, alone or with other drivers: between turns
 * it waits on the links until a frame arrives, a deadline passes or something wakes it, so that timers, signals and
 * file writes keep running meanwhile.
 *
 * @module
 */

import type { TcpConnection } from "../tcp/mod.ts";
import type { Ipv4Address } from "../wire/mod.ts";
import type { Flow } from "./flow.ts";
import { type FrameCounters, FrameDecoder, FrameEncoder, type IcmpMessage } from "./frames.ts";
import type { FrameLink } from "./link.ts";
import { DEFAULT_FLUSH_EVERY, type DriverOptions, MAX_DELIVERY, MAX_FRAMES_PER_TURN } from "./driver_options.ts";
import { DriverLoop, type LoopDriver } from "./driver_loop.ts";
import type { IpAddress } from "./network.ts";
import { RatePacer } from "./rate_limit.ts";
import { SendQueue } from "./send_queue.ts";
import type { AbortReason, ByteStream, StreamHandler, StreamOutcome } from "./stream.ts";
import type { SegmentWatch } from "./watch.ts";

export type { DriverOptions } from "./driver_options.ts";

/**
 * Runs one connection to its end over a frame link.
 *
 * @example
 * ```ts
 * const driver = new Driver(link, conn, flow, { mss: 1460 });
 * const outcome = await driver.run(exchange); // "normal" after an orderly close
 * ```
 */
export class Driver<A extends IpAddress = Ipv4Address> implements ByteStream, LoopDriver {
  readonly #link: FrameLink;
  readonly #conn: TcpConnection;
  readonly #clock: () => number;
  readonly #loop: DriverLoop | null;
  readonly #flushEvery: number;
  readonly #decoder: FrameDecoder<A>;
  readonly #encoder: FrameEncoder<A>;
  readonly #mss: number;
  readonly #rate: number | null;
  readonly #segments: SegmentWatch | null;
  /** `rateLimit`'s pacing, from the start of the connection. */
  #pacer: RatePacer | null = null;
  #handler: StreamHandler | null = null;
  #outcome: StreamOutcome | null = null;
  #stopRequest: AbortReason | null = null;
  /** Frames read by the last turn: more may be queued. */
  #busy = false;
  readonly #sends = new SendQueue();
  #open = false;
  #paused = false;
  /** The peer's end was reported to the handler. */
  #ended = false;
  /** The connection closed normally with bytes the paused handler has not taken yet. */
  #draining = false;
  #lastIcmp: IcmpMessage | null = null;
  readonly #endAtLastAck: boolean;

  /** Wires a connection to its link; nothing is sent until {@linkcode Driver.run}. */
  constructor(link: FrameLink, conn: TcpConnection, flow: Flow<A>, options: DriverOptions<A>) {
    this.#link = link;
    this.#conn = conn;
    this.#clock = options.clock ?? (() => performance.now());
    this.#flushEvery = options.flushEvery ?? DEFAULT_FLUSH_EVERY;
    this.#decoder = new FrameDecoder(flow, options.mss, options.network, options.alwaysVerifyChecksums);
    this.#encoder = new FrameEncoder(flow, 0, options.network);
    this.#mss = options.mss;
    this.#endAtLastAck = options.endAtLastAck ?? false;
    const rate = options.rateLimit;
    if (rate !== undefined && !(rate > 0)) throw new RangeError(`Cannot limit the rate to ${rate} bytes per second`);
    this.#rate = rate ?? null;
    this.#segments = options.segments ?? null;
    this.#loop = options.loop ?? null;
  }

  /** The link the frames cross (the loop waits on it). */
  get link(): FrameLink {
    return this.#link;
  }

  /** The clock the driver reads. */
  get clock(): () => number {
    return this.#clock;
  }

  /** Whether the last turn read frames: more may be queued, and the loop turns again without waiting. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Whether the handler has all it wants for now (its `finished`): the loop then lets the event loop run. */
  get finished(): boolean {
    return this.#handler?.finished === true;
  }

  /**
   * The last ICMP error about our flow that the engine believed (it quoted a segment in flight), or null: why an
   * attempt ended "unreachable", or what the path said before a timeout.
   */
  get lastIcmp(): IcmpMessage | null {
    return this.#lastIcmp;
  }

  /** Counters of the frames seen below TCP (bad checksums, offload artefacts, foreign frames). */
  get frameCounters(): Readonly<FrameCounters> {
    const counters = this.#decoder.counters;
    counters.refusedSends = this.#link.refusals?.()?.count ?? 0;
    return counters;
  }

  /** Starts the connection (our SYN goes out at the first turn) with `handler` on the stream. */
  start(handler: StreamHandler): void {
    if (this.#handler !== null) throw new TypeError("Cannot start a driver twice");
    this.#handler = handler;
    const now = this.#clock();
    // Before the SYN, which offers the window.
    if (this.#rate !== null) this.#pacer = new RatePacer(this.#rate, this.#mss, this.#conn, now);
    this.#conn.connect(now);
  }

  /**
   * Starts the connection and runs turns until it closes; resolves to how it ended. The turns run in the loop of
   * `options.loop` with the other drivers there, or in a loop of this driver's own.
   */
  run(handler: StreamHandler): Promise<StreamOutcome> {
    return (this.#loop ?? new DriverLoop()).run(this, handler);
  }

  /**
   * One synchronous turn at `now`: events, writes, delivery, a flush, then every queued frame (receive → engine →
   * deliver, flushing as it goes). Returns when the next turn is due: `now` or earlier when something is due at
   * once, a deadline of the connection, when the rate limit lets held-back bytes through, or null when only a frame
   * or a wake-up can move things. Once the connection ended, {@linkcode Driver.outcome} says how.
   */
  poll(now: number): number | null {
    const conn = this.#conn;
    if (this.#handler === null) throw new TypeError("Cannot turn a driver before start()");
    this.#busy = false;
    this.#flush();
    this.#handleEvents();
    if (this.#outcome !== null) return null;
    this.#pushSends();
    const drained = this.#deliver();
    // A turn with no frame (a rate deadline, a resume) may have read the last bytes before the peer's FIN, which
    // "peer-closed" waits for: hear it now rather than after the next idle wait.
    if (drained) {
      this.#handleEvents();
      if (this.#outcome !== null) return null;
    }
    this.#flush();
    // The peer closed first, everything it sent was delivered, the handler has all it wanted, and our FIN is out:
    // the ACK of that FIN (LAST-ACK) would cost a round trip and change nothing, so the run ends now, as a kernel
    // client's does (its kernel waits for that ACK; here the peer's late ACK meets no socket and is answered with an
    // RST it does not need). A handler still working (TLS decrypting the last records) keeps the full close.
    const finished = this.#handler!.finished === true;
    if (this.#endAtLastAck && this.#ended && finished && conn.state === "LAST-ACK" && conn.finSent) {
      this.#outcome = "normal";
      return null;
    }
    if (this.#draining) {
      // The connection is gone: a stop just ends the run; otherwise everything received before the FIN reaches the
      // handler, even when TIME-WAIT ended while it was paused.
      if (this.#stopRequest !== null) this.#outcome = this.#stopRequest;
      else if (drained) {
        this.#ended = true;
        this.#handler!.onEnd();
        this.#outcome = "normal";
      }
      return this.#outcome === null ? this.#pacer?.due ?? null : null;
    }
    if (this.#stopRequest !== null) {
      conn.abort();
      this.#flush();
      this.#outcome = this.#stopRequest;
      return null;
    }
    this.#busy = this.#receive() > 0;
    this.#pacer?.limitWindow();
    const deadline = conn.pollTimeout();
    const later = this.#clock();
    if (deadline !== null && later >= deadline) {
      conn.handleTimeout(later);
      return now;
    }
    const due = this.#pacer?.due ?? null;
    return due === null || (deadline !== null && deadline < due) ? deadline : due;
  }

  /** How the connection ended, once it did. */
  get outcome(): StreamOutcome | null {
    return this.#outcome;
  }

  #handleEvents(): void {
    const conn = this.#conn;
    const handler = this.#handler!;
    for (let ev = conn.pollEvent(); ev !== null; ev = conn.pollEvent()) {
      if (ev.type === "connected") {
        this.#open = true;
        handler.onOpen(this);
      } else if (ev.type === "peer-closed") {
        this.#deliver();
        this.#ended = true;
        handler.onEnd();
        this.closeWrite();
      } else {
        this.#flush();
        // A reader paused through TIME-WAIT still gets what arrived before the close.
        if (ev.reason === "normal" && !this.#ended) this.#draining = true;
        else this.#outcome = ev.reason;
        return;
      }
    }
  }

  /**
   * Reads every queued frame (up to a bound that keeps timers honest), many frames per call; returns how many were
   * read.
   */
  #receive(): number {
    const conn = this.#conn;
    let count = 0;
    let sinceFlush = 0;
    let oooBefore = conn.outOfOrderSegments;
    while (count < MAX_FRAMES_PER_TURN) {
      const frames = this.#link.receive();
      const got = frames.count;
      if (got === 0) break;
      const now = this.#clock(); // they were all queued when we asked
      for (let i = 0; i < got; i++, count++) {
        const frame = frames.frame(i);
        if (frame === null) {
          this.#decoder.counters.truncated++;
          continue;
        }
        const segment = this.#decoder.decode(frame, frames.checksumTrusted?.(i));
        if (segment === null) {
          this.#takeIcmp(now);
          continue;
        }
        if (this.#segments !== null) this.#segments.received(now, segment, frame);
        const quick = conn.quickAcking;
        conn.handleSegment(now, segment, this.#decoder.congested);
        // Quick ACKs (the engine's `quickAcks`, early in a connection): each goes out at once, before the handler
        // works on the data (the first bytes open the output file).
        if (quick) {
          this.#flush();
          sinceFlush = 0;
        }
        // Per segment: a handler (TLS) pauses reading at its own pace; file writes are batched by the output.
        this.#deliver();
        // ACK (flush) every `flushEvery` frames while data arrives in order, 4× as often while holes are being filled:
        // SACK news is urgent for the sender's recovery. RFC 5681 §4.2's "every second segment" is a SHOULD that
        // Linux's GRO receivers (one ACK per 64 KiB) do not follow either; tests/bench/README.md has the numbers.
        const ooo = conn.outOfOrderSegments; // not `stats`: that snapshot is an object per call
        const every = ooo !== oooBefore ? this.#flushEvery >> 2 : this.#flushEvery;
        if (++sinceFlush >= every) {
          this.#flush();
          sinceFlush = 0;
          oooBefore = ooo;
        }
      }
    }
    return count;
  }

  /** Hands an ICMP error about our flow (if the last frame was one) to the engine, and keeps it if believed. */
  #takeIcmp(now: number): void {
    const icmp = this.#decoder.takeIcmp();
    if (icmp !== null && this.#conn.handleIcmp(now, icmp.notice) !== "ignored") this.#lastIcmp = icmp;
  }

  /**
   * Hands in-order bytes to the handler until it pauses or the rate's budget is spent (then the pacer says when to
   * go on); true when the ring is empty.
   */
  #deliver(): boolean {
    const pacer = this.#pacer;
    if (pacer !== null) pacer.due = null;
    // The handler may pause from inside onData: stop at once, the rest stays in the ring.
    while (!this.#paused) {
      const max = pacer === null ? MAX_DELIVERY : pacer.budget(this.#clock(), MAX_DELIVERY);
      if (max === 0) return false;
      const chunk = this.#conn.read(max);
      if (chunk === null) return true;
      pacer?.took(chunk.length);
      this.#handler!.onData(chunk);
    }
    return false;
  }

  /** Sends everything the connection wants to send now. */
  #flush(): void {
    const conn = this.#conn;
    for (let seg = conn.pollTransmit(this.#clock()); seg !== null; seg = conn.pollTransmit(this.#clock())) {
      // A full device queue is a lost frame: TCP recovers it like any other loss.
      const frame = this.#encoder.encode(seg);
      if (this.#segments !== null) this.#segments.sent(this.#clock(), seg, frame);
      this.#link.transmit(frame);
    }
  }

  // ---- ByteStream: what the handler does to the connection ----

  /** Queues bytes; what the TCP send buffer cannot take yet stays queued and each turn pushes more. */
  write(bytes: Uint8Array, done?: () => void): void {
    if (this.#outcome !== null) return void done?.(); // the connection is gone: nothing more is sent
    this.#sends.push(bytes, done);
    this.#pushSends();
    this.#wake();
  }

  /** Our FIN once every queued byte is in the send buffer. */
  closeWrite(): void {
    this.#sends.close();
    this.#pushSends();
    this.#wake();
  }

  /** Stops delivering; the window closes as the ring fills, and the peer's FIN waits too. */
  pause(): void {
    this.#paused = true;
  }

  /** Delivers again at the next turn, which reopens the window. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#wake();
  }

  /** Ends the run at its next turn: the connection is aborted with an RST. */
  abort(why: AbortReason): void {
    this.#stopRequest ??= why;
    this.#wake();
  }

  /**
   * Wakes the loop's wait. Once the run ended the link may be closed: a handler that acts after the end (a TLS socket
   * flushing late) must not touch it.
   */
  #wake(): void {
    if (this.#outcome === null) this.#link.wake();
  }

  /** Whether {@linkcode Driver.pause} is in effect. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Bytes queued by {@linkcode Driver.write} that the TCP send buffer has not taken yet. */
  get queuedBytes(): number {
    return this.#sends.queuedBytes;
  }

  #pushSends(): void {
    if (this.#open) this.#sends.pushInto(this.#conn); // kept until the handshake completes
  }
}
