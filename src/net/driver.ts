/**
 * The driver: the only event loop. It moves frames between the raw sockets and one sans-IO {@linkcode TcpConnection},
 * feeds it the monotonic clock, and hands the in-order byte stream to an application.
 *
 * Each turn: drain every queued frame with synchronous `recvfrom` calls (no waiting while frames are ready), let the
 * connection answer, deliver what it has read, and only when nothing is queued wait in a nonblocking `poll` until the
 * next frame or the connection's next deadline, so that timers, signals and streams keep running meanwhile.
 *
 * @module
 */

import type { RawReceiver, RawSender } from "../../ffi/raw_socket.ts";
import { RecvBatch } from "../../ffi/recv_batch.ts";
import { OsError } from "../../ffi/os_error.ts";
import { POLLIN, waitReadableOrWoken, type Waker } from "../../ffi/poll.ts";
import { libc } from "../../ffi/libc.ts";
import type { TcpConnection } from "../tcp/connection.ts";
import type { CloseReason } from "../tcp/events.ts";
import { RST, type TcpRepr } from "../wire/tcp_repr.ts";
import { type FrameCounters, FrameDecoder, FrameEncoder } from "./frames.ts";
import type { Flow } from "./flow.ts";

/** What the driver tells the application about the byte stream. */
export interface StreamApp {
  /** The handshake completed; returns the bytes to send (the request). */
  onConnected(): Uint8Array;
  /** In-order bytes from the peer; the view is valid only during the call. */
  onData(bytes: Uint8Array): void;
  /** The peer closed its side and every byte before its FIN was delivered. */
  onPeerClosed(): void;
}

/** Observes every frame, for `-v` traces and `--pcap`. */
export interface FrameTap {
  /** A frame we sent, with its TCP segment. */
  sent(frame: Uint8Array, segment: TcpRepr, now: number): void;
  /** A frame we received for our flow; `segment` is null when it was dropped as malformed. */
  received(frame: Uint8Array, segment: TcpRepr | null, now: number): void;
}

/** How a connection run ended. */
export type DriverOutcome = CloseReason | "interrupted" | "stopped";

/** Options of {@linkcode Driver}. */
export interface DriverOptions {
  /** Monotonic clock in milliseconds (default `performance.now`). */
  readonly clock?: () => number;
  /** Observer of every frame. */
  readonly tap?: FrameTap;
  /** Wakes the idle wait early (signals). */
  readonly waker?: Waker;
  /** The MSS we announced (a larger received segment was coalesced locally). */
  readonly mss: number;
  /** Segments handled between two flushes of the transmit queue (default 64; a quarter while holes are filled). */
  readonly flushEvery?: number;
  /**
   * A firewall rule drops our own RSTs (an RST guard whose sender could not be marked, or `--no-firewall` with the
   * user's own rule): EPERM from `sendto` on an RST is then a lost RST, not an error. Default: when the sender has
   * no SO_MARK. Otherwise every EPERM is an error.
   */
  readonly ownRstsDropped?: boolean;
}

/** Frames per recvmmsg call, and the largest frame kept (GRO/LRO merges stay within 64 KiB). */
const RECV_SLOTS = 64;
const RECV_SLOT_SIZE = 65536;
const MAX_FRAMES_PER_TURN = 1024;
const IDLE_WAIT_CAP_MS = 250;
const YIELD_EVERY_MS = 25;
/** Longest synchronous wait for the next frame while a transfer runs (see `#pollBriefly`). */
const BRIEF_WAIT_MS = 2;
/**
 * Largest piece handed to the application at once (one GRO frame's worth). After a pause the ring may hold the whole
 * window (8 MiB): in pieces, the application can pause again after any of them instead of having to buffer it all.
 */
const MAX_DELIVERY = 65536;

/**
 * Runs one connection to its end over a raw sender and receiver.
 *
 * @example
 * ```ts
 * const driver = new Driver(tx, rx, conn, flow);
 * const outcome = await driver.run(app); // "normal" after an orderly close
 * ```
 */
export class Driver {
  readonly #tx: RawSender;
  readonly #rx: RawReceiver;
  readonly #conn: TcpConnection;
  readonly #flow: Flow;
  readonly #clock: () => number;
  readonly #tap: FrameTap | undefined;
  readonly #waker: Waker | undefined;
  readonly #flushEvery: number;
  readonly #ownRstsDropped: boolean;
  readonly #decoder: FrameDecoder;
  readonly #encoder: FrameEncoder;
  readonly #rxBatch = new RecvBatch(RECV_SLOTS, RECV_SLOT_SIZE);
  readonly #pollBuf = new Uint8Array(8);
  readonly #pollFds = new DataView(this.#pollBuf.buffer);
  #stopRequest: "interrupted" | "stopped" | null = null;
  // Streaming side (send/closeWrite/pauseReading): see the section "Writing at any time, backpressure" below.
  readonly #sends: Array<{ bytes: Uint8Array; done: (() => void) | undefined }> = [];
  #established = false;
  #closeWriteRequested = false;
  #readingPaused = false;

  /** Wires a connection to its sockets; nothing is sent until {@linkcode Driver.run}. */
  constructor(tx: RawSender, rx: RawReceiver, conn: TcpConnection, flow: Flow, options: DriverOptions) {
    this.#tx = tx;
    this.#rx = rx;
    this.#conn = conn;
    this.#flow = flow;
    this.#clock = options.clock ?? (() => performance.now());
    this.#tap = options.tap;
    this.#waker = options.waker;
    this.#flushEvery = options.flushEvery ?? RECV_SLOTS;
    this.#ownRstsDropped = options.ownRstsDropped ?? tx.mark === null;
    this.#decoder = new FrameDecoder(flow, options.mss);
    this.#encoder = new FrameEncoder(flow);
  }

  /** Counters of the frames seen below TCP (bad checksums, offload artefacts, foreign frames). */
  get frameCounters(): Readonly<FrameCounters> {
    return this.#decoder.counters;
  }

  /**
   * Asks the run to end at its next turn: the connection is aborted with an RST. `interrupted` is for signals,
   * `stopped` for an application that has what it needs (or refuses what it got).
   */
  stop(why: "interrupted" | "stopped"): void {
    this.#stopRequest ??= why;
    this.#waker?.wake();
  }

  /** Opens the connection and runs it until it closes; resolves to how it ended. */
  async run(app: StreamApp): Promise<DriverOutcome> {
    const conn = this.#conn;
    let pending: Uint8Array | null = null;
    let lastYield = this.#clock();
    conn.connect(this.#clock());
    for (;;) {
      this.#flush();
      for (let ev = conn.pollEvent(); ev !== null; ev = conn.pollEvent()) {
        if (ev.type === "connected") {
          pending = app.onConnected();
          this.#established = true;
        } else if (ev.type === "peer-closed") {
          this.#deliver(app);
          app.onPeerClosed();
          conn.close();
        } else {
          this.#flush();
          return ev.reason;
        }
      }
      if (pending !== null) {
        const n = conn.write(pending);
        pending = n < pending.length ? pending.subarray(n) : null;
      }
      if (pending === null) this.#pushSends();
      this.#deliver(app);
      this.#flush();
      if (this.#stopRequest !== null) {
        conn.abort();
        this.#flush();
        return this.#stopRequest;
      }
      const got = this.#receiveBatch(app);
      const now = this.#clock();
      const deadline = conn.pollTimeout();
      if (deadline !== null && now >= deadline) {
        conn.handleTimeout(now);
        continue;
      }
      if (got > 0) {
        if (this.#readingPaused || now - lastYield >= YIELD_EVERY_MS) {
          // Let signal handlers, timers and streams run even while frames keep arriving (at once when a paused
          // reader waits for them to consume what it has).
          await this.#wait(0);
          lastYield = this.#clock();
        }
        continue;
      }
      const wait = deadline === null ? IDLE_WAIT_CAP_MS : Math.min(IDLE_WAIT_CAP_MS, deadline - now);
      if (now - lastYield < YIELD_EVERY_MS && this.#pollBriefly(Math.min(BRIEF_WAIT_MS, wait))) continue;
      await this.#wait(wait);
      lastYield = this.#clock();
    }
  }

  /**
   * Waits up to `ms` (≤ {@linkcode BRIEF_WAIT_MS}) for a frame in a synchronous `poll`: between two frames of a
   * transfer the async wait's thread hand-off (~33 µs, and a slow wake-up) cost more CPU than the frame itself (2.3
   * CPU s for 50 MiB at 100 Mbit/s). Returns true when a frame is queued. The event loop still runs every
   * {@linkcode YIELD_EVERY_MS}, and no wait is ever longer than this bound.
   */
  #pollBriefly(ms: number): boolean {
    const fds = this.#pollFds;
    fds.setInt32(0, this.#rx.fd, true);
    fds.setInt16(4, POLLIN, true);
    fds.setInt16(6, 0, true);
    return libc().poll(this.#pollBuf, 1n, Math.max(0, Math.floor(ms))) > 0 && (fds.getInt16(6, true) & POLLIN) !== 0;
  }

  async #wait(ms: number): Promise<void> {
    if (this.#waker !== undefined) await waitReadableOrWoken(this.#rx.fd, this.#waker, ms);
    else await this.#rx.waitReadable(ms);
  }

  /**
   * Reads every queued frame (up to a bound that keeps timers honest) with `recvmmsg`, many frames per FFI call;
   * returns how many were read.
   */
  #receiveBatch(app: StreamApp): number {
    const conn = this.#conn;
    const batch = this.#rxBatch;
    let count = 0;
    let sinceFlush = 0;
    let oooBefore = conn.outOfOrderSegments;
    while (count < MAX_FRAMES_PER_TURN) {
      const got = this.#rx.recvBatch(batch);
      if (got === 0) break;
      const now = this.#clock(); // they were all queued when we asked
      for (let i = 0; i < got; i++, count++) {
        if (batch.length(i) > batch.slotSize) {
          this.#decoder.counters.truncated++;
          continue;
        }
        const frame = batch.frame(i);
        const segment = this.#decoder.decode(frame);
        this.#tap?.received(frame, segment, now);
        if (segment === null) continue;
        conn.handleSegment(now, segment);
        // Per segment: a stream app (TLS) pauses reading at its own pace; file writes are batched by the output.
        this.#deliver(app);
        // ACK (flush) every `flushEvery` frames while data arrives in order, 4× as often while holes are being filled
        // (SACK news is urgent for the sender's recovery). Measured: every 64 frames gave +8% clean and +15% at 1%
        // loss over every 16, but −14% at 5% loss; RFC 5681 §4.2's "every second segment" is a SHOULD that Linux's
        // GRO receivers (one ACK per 64 KiB) do not follow either. Also measured, not kept (6 runs each): flushing at
        // once when a segment opens a new hole or fills one, 1% loss 186 → 116–129 MiB/s, 5% loss 160 → 132; every
        // 32 frames while holes are filled, or 128 in order: within the noise.
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

  #deliver(app: StreamApp): void {
    // The application may pause reading from inside onData: stop at once, the rest stays in the ring.
    while (!this.#readingPaused) {
      const chunk = this.#conn.read(MAX_DELIVERY);
      if (chunk === null) return;
      app.onData(chunk);
    }
  }

  /** Sends everything the connection wants to send now. */
  #flush(): void {
    const conn = this.#conn;
    for (let seg = conn.pollTransmit(this.#clock()); seg !== null; seg = conn.pollTransmit(this.#clock())) {
      const frame = this.#encoder.encode(seg);
      this.#tap?.sent(frame, seg, this.#clock());
      // A full device queue is a lost frame: TCP recovers it like any other loss.
      if ((seg.flags & RST) === 0) this.#tx.send(frame, this.#flow.remoteAddr);
      else this.#sendRst(frame);
    }
  }

  /**
   * Our RST guard lets our marked RSTs through. Without a mark it drops them with the kernel's, and `sendto` reports
   * EPERM: the RST is lost (as on a lossy path; the server times out), which must not fail the run, e.g. an abort or
   * the RFC 9293 §3.10.7.3 reply in SYN-SENT.
   */
  #sendRst(frame: Uint8Array<ArrayBuffer>): void {
    try {
      this.#tx.send(frame, this.#flow.remoteAddr);
    } catch (e) {
      if (!(this.#ownRstsDropped && e instanceof OsError && e.code === "EPERM")) throw e;
    }
  }

  // ---- Writing at any time, backpressure (for streams such as TLS; the StreamApp request path is unchanged) ----

  /**
   * Queues bytes to send at any time, after the request {@linkcode StreamApp.onConnected} returned. What the TCP send
   * buffer cannot take yet stays queued (the view is kept, not copied) and each turn of the run pushes more;
   * `done` is called once every byte is in the send buffer (a writer's backpressure). Bytes sent after
   * {@linkcode Driver.closeWrite}, or once the connection no longer accepts data, are dropped and `done` is called.
   */
  send(bytes: Uint8Array, done?: () => void): void {
    if (this.#closeWriteRequested) {
      done?.();
      return;
    }
    this.#sends.push({ bytes, done });
    this.#pushSends();
    this.#waker?.wake();
  }

  /** Bytes queued by {@linkcode Driver.send} that the TCP send buffer has not taken yet. */
  get queuedBytes(): number {
    let n = 0;
    for (const s of this.#sends) n += s.bytes.length;
    return n;
  }

  /** Sends our FIN once every queued byte is in the send buffer (RFC 9293 §3.10.4: a half close). */
  closeWrite(): void {
    this.#closeWriteRequested = true;
    this.#pushSends();
    this.#waker?.wake();
  }

  /**
   * Stops handing received bytes to the application: they stay in the receive ring, which fills, and the window we
   * advertise shrinks to zero (RFC 9293 §3.8.6.2.2), so the peer stops sending. The peer's FIN is reported only
   * after every byte before it was delivered, so it waits too.
   */
  pauseReading(): void {
    this.#readingPaused = true;
  }

  /** Hands received bytes to the application again; the next turn delivers them and reopens the window. */
  resumeReading(): void {
    if (!this.#readingPaused) return;
    this.#readingPaused = false;
    this.#waker?.wake();
  }

  /** Whether {@linkcode Driver.pauseReading} is in effect. */
  get readingPaused(): boolean {
    return this.#readingPaused;
  }

  #pushSends(): void {
    if (!this.#established) return; // kept until the handshake completes
    const conn = this.#conn;
    const writable = conn.state === "ESTABLISHED" || conn.state === "CLOSE-WAIT";
    while (this.#sends.length > 0) {
      const head = this.#sends[0];
      if (writable) {
        const n = conn.write(head.bytes);
        if (n < head.bytes.length) {
          head.bytes = head.bytes.subarray(n);
          return;
        }
      }
      this.#sends.shift();
      head.done?.();
    }
    if (this.#closeWriteRequested && writable) conn.close();
  }
}
