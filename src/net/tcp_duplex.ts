/**
 * Our TCP connection as a `node:stream` Duplex, so that `node:tls` can run over it: every byte still travels in
 * frames we build. Both directions keep backpressure: a write completes only once the TCP send buffer took it, and a
 * reader that stops reading makes the driver stop reading the receive ring, which closes our advertised window.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { Duplex } from "node:stream";
import type { StreamApp } from "./driver.ts";

/** What the Duplex needs of the driver (a {@linkcode Driver} has all of it). */
export interface ByteStreamControl {
  /** Queues bytes; `done` once the TCP send buffer took them all. */
  send(bytes: Uint8Array, done?: () => void): void;
  /** Our FIN after the queued bytes. */
  closeWrite(): void;
  /** Stops delivering received bytes (the window closes as the ring fills). */
  pauseReading(): void;
  /** Delivers received bytes again. */
  resumeReading(): void;
  /** Ends the run with an RST. */
  stop(why: "interrupted" | "stopped"): void;
}

/** Bytes buffered on the readable side before the driver is told to pause (about a window's worth). */
const READABLE_HIGH_WATER_MARK = 4 * 1024 * 1024;

/**
 * A Duplex over one TCP connection; it is also the {@linkcode StreamApp} to run the driver with.
 *
 * @example
 * ```ts
 * const duplex = new TcpDuplex(driver);
 * const secure = startTls(duplex, { host: "example.com", ca: loadTrustStore() });
 * const outcome = await driver.run(duplex);
 * ```
 */
export class TcpDuplex extends Duplex implements StreamApp {
  readonly #control: ByteStreamControl;
  #connected = false;
  #ended = false;

  /** Wraps the connection `control` drives; nothing moves until the driver runs with this as its app. */
  constructor(control: ByteStreamControl) {
    // No autoDestroy: ending both sides is an orderly close the driver finishes, not a reason to stop it.
    super({ readableHighWaterMark: READABLE_HIGH_WATER_MARK, allowHalfOpen: true, autoDestroy: false });
    this.#control = control;
  }

  /** Whether the TCP handshake completed. */
  get connected(): boolean {
    return this.#connected;
  }

  /** The handshake completed; the bytes written so far were queued in the driver and go out now. */
  onConnected(): Uint8Array {
    this.#connected = true;
    this.emit("connect");
    return new Uint8Array(0);
  }

  /** In-order bytes: copied (the view is the receive ring's) and pushed; a full readable side pauses the driver. */
  onData(bytes: Uint8Array): void {
    if (this.destroyed) return;
    if (!this.push(Buffer.from(bytes))) this.#control.pauseReading();
  }

  /** The peer's FIN: the readable side ends. */
  onPeerClosed(): void {
    if (!this.destroyed) this.push(null);
  }

  /** Ends the stream after the connection ended some other way than a FIN (reset, timeout). */
  connectionEnded(error: Error | null): void {
    this.#ended = true;
    if (this.destroyed) return;
    if (error !== null) this.destroy(error);
    else if (!this.readableEnded) this.push(null);
  }

  /** The reader wants more: deliver received bytes again. */
  override _read(): void {
    this.#control.resumeReading();
  }

  /** Hands the chunk to the driver; the callback waits for the TCP send buffer. */
  override _write(chunk: Uint8Array, _encoding: string, callback: (error?: Error | null) => void): void {
    this.#control.send(chunk, () => callback());
  }

  /** `end()`: our FIN after the queued bytes (a half close; the readable side stays open). */
  override _final(callback: (error?: Error | null) => void): void {
    this.#control.closeWrite();
    callback();
  }

  /** Destroyed before the connection ended (e.g. by a failed TLS handshake): end the connection with an RST. */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#ended) this.#control.stop("stopped");
    callback(error);
  }
}
