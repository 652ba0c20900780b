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
import { waitReadableOrWoken, type Waker } from "../../ffi/poll.ts";
import type { TcpConnection } from "../tcp/connection.ts";
import type { CloseReason } from "../tcp/events.ts";
import type { TcpRepr } from "../wire/tcp_repr.ts";
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
  /** Frames handled between two flushes of the transmit queue (default 16). */
  readonly flushEvery?: number;
}

const RECV_BUFFER = 256 * 1024;
const IDLE_WAIT_CAP_MS = 250;
const YIELD_EVERY_MS = 25;

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
  readonly #decoder: FrameDecoder;
  readonly #encoder: FrameEncoder;
  readonly #rxBuf = new Uint8Array(RECV_BUFFER);
  #stopRequest: "interrupted" | "stopped" | null = null;

  /** Wires a connection to its sockets; nothing is sent until {@linkcode Driver.run}. */
  constructor(tx: RawSender, rx: RawReceiver, conn: TcpConnection, flow: Flow, options: DriverOptions) {
    this.#tx = tx;
    this.#rx = rx;
    this.#conn = conn;
    this.#flow = flow;
    this.#clock = options.clock ?? (() => performance.now());
    this.#tap = options.tap;
    this.#waker = options.waker;
    this.#flushEvery = options.flushEvery ?? 16;
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
        if (ev.type === "connected") pending = app.onConnected();
        else if (ev.type === "peer-closed") {
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
        if (now - lastYield >= YIELD_EVERY_MS) {
          // Let signal handlers, timers and streams run even while frames keep arriving.
          await this.#wait(0);
          lastYield = this.#clock();
        }
        continue;
      }
      const wait = deadline === null ? IDLE_WAIT_CAP_MS : Math.min(IDLE_WAIT_CAP_MS, deadline - now);
      await this.#wait(wait);
      lastYield = this.#clock();
    }
  }

  async #wait(ms: number): Promise<void> {
    if (this.#waker !== undefined) await waitReadableOrWoken(this.#rx.fd, this.#waker, ms);
    else await this.#rx.waitReadable(ms);
  }

  /** Reads every queued frame (up to a bound that keeps timers honest); returns how many were read. */
  #receiveBatch(app: StreamApp): number {
    const conn = this.#conn;
    const buf = this.#rxBuf;
    let count = 0;
    for (; count < 1024; count++) {
      const n = this.#rx.recv(buf);
      if (n < 0) break;
      if (n > buf.length) {
        this.#decoder.counters.truncated++;
        continue;
      }
      const frame = buf.subarray(0, n);
      const now = this.#clock();
      const segment = this.#decoder.decode(frame);
      this.#tap?.received(frame, segment, now);
      if (segment === null) continue;
      conn.handleSegment(now, segment);
      this.#deliver(app);
      if ((count + 1) % this.#flushEvery === 0) this.#flush();
    }
    return count;
  }

  #deliver(app: StreamApp): void {
    for (let chunk = this.#conn.read(); chunk !== null; chunk = this.#conn.read()) app.onData(chunk);
  }

  /** Sends everything the connection wants to send now. */
  #flush(): void {
    const conn = this.#conn;
    for (let seg = conn.pollTransmit(this.#clock()); seg !== null; seg = conn.pollTransmit(this.#clock())) {
      const frame = this.#encoder.encode(seg);
      this.#tap?.sent(frame, seg, this.#clock());
      // A full device queue is a lost frame: TCP recovers it like any other loss.
      this.#tx.send(frame, this.#flow.remoteAddr);
    }
  }
}
