/**
 * A {@linkcode ByteStream} as a `node:stream` Duplex, so that `node:tls` can run over our TCP connection: every byte
 * still travels in frames we build. Both directions keep backpressure: a write completes only once the TCP send
 * buffer took it, and a reader that stops reading pauses the stream, which closes our advertised window.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { Duplex } from "node:stream";
import type { ByteStream } from "../transport/mod.ts";

/** Bytes buffered on the readable side before the stream is paused (about a window's worth). */
const READABLE_HIGH_WATER_MARK = 4 * 1024 * 1024;

/**
 * A Duplex over one open byte stream; the owner feeds it what the stream delivers.
 *
 * @example
 * ```ts
 * const duplex = new StreamDuplex(stream); // in a handler's onOpen
 * const secure = startTls(duplex, { host: "example.com", ca: loadTrustStore() });
 * ```
 */
export class StreamDuplex extends Duplex {
  readonly #stream: ByteStream;
  #ended = false;

  /** Wraps `stream`. */
  constructor(stream: ByteStream) {
    // No autoDestroy: ending both sides is an orderly close the driver finishes, not a reason to stop it.
    super({ readableHighWaterMark: READABLE_HIGH_WATER_MARK, allowHalfOpen: true, autoDestroy: false });
    this.#stream = stream;
  }

  /** In-order bytes: copied (the view is the receive ring's) and pushed; a full readable side pauses the stream. */
  received(bytes: Uint8Array): void {
    if (this.destroyed) return;
    if (!this.push(Buffer.from(bytes))) this.#stream.pause();
  }

  /** The peer's FIN: the readable side ends. */
  receivedEnd(): void {
    if (!this.destroyed) this.push(null);
  }

  /** Ends the Duplex once the connection ended: in order (`error` null), or with the connection's error. */
  connectionEnded(error: Error | null): void {
    this.#ended = true;
    if (this.destroyed) return;
    if (error !== null) this.destroy(error);
    else if (!this.readableEnded) this.push(null);
  }

  /** The reader wants more: deliver received bytes again. */
  override _read(): void {
    this.#stream.resume();
  }

  /** Hands the chunk to the stream; the callback waits for the TCP send buffer. */
  override _write(chunk: Uint8Array, _encoding: string, callback: (error?: Error | null) => void): void {
    this.#stream.write(chunk, () => callback());
  }

  /** `end()`: our FIN after the queued bytes (a half close; the readable side stays open). */
  override _final(callback: (error?: Error | null) => void): void {
    this.#stream.closeWrite();
    callback();
  }

  /** Destroyed before the connection ended (e.g. by a failed TLS handshake): end the connection with an RST. */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#ended) this.#stream.abort("stopped");
    callback(error);
  }
}
