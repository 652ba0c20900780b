/**
 * A stream handler that tells a {@linkcode ConnectionWatch} the application's milestones as they pass through it,
 * and otherwise hands every call on unchanged. A hop wraps its handlers in two of them: the outer one around what
 * runs on the TCP stream (TLS, a tunnel, or the exchange) hears the connection open; the inner one around the HTTP
 * exchange hears the request go out and the response's first byte. Over TLS the time between the two is the TLS
 * handshake; over plain HTTP they coincide.
 *
 * @module
 */

import type { ByteStream, ConnectionWatch, StreamHandler, StreamOutcome } from "../transport/mod.ts";

/** Where a watched handler sits: around what runs on the TCP stream, or around the HTTP exchange. */
export type WatchedLayer = "stream" | "exchange";

/**
 * Wraps `inner`, telling `watch` the milestones of `layer`.
 *
 * @example
 * ```ts
 * const handler = new WatchedHandler(exchange, watch, "exchange");
 * await session.run(new WatchedHandler(handler, watch, "stream"));
 * ```
 */
export class WatchedHandler implements StreamHandler {
  readonly #inner: StreamHandler;
  readonly #watch: ConnectionWatch;
  readonly #layer: WatchedLayer;
  #heard = false;

  /** Wraps `inner`. */
  constructor(inner: StreamHandler, watch: ConnectionWatch, layer: WatchedLayer) {
    this.#inner = inner;
    this.#watch = watch;
    this.#layer = layer;
  }

  /** "connected" (stream) or "request" (exchange: it writes its request now), then the inner handler. */
  onOpen(stream: ByteStream): void {
    this.#watch.milestone(this.#layer === "stream" ? "connected" : "request");
    this.#inner.onOpen(stream);
  }

  /** "first-byte" on the exchange's first bytes, then the inner handler. */
  onData(bytes: Uint8Array): void {
    if (!this.#heard && this.#layer === "exchange") this.#watch.milestone("first-byte");
    this.#heard = true;
    this.#inner.onData(bytes);
  }

  /** As the inner handler. */
  onEnd(): void {
    this.#inner.onEnd();
  }

  /** As the inner handler. */
  get finished(): boolean {
    return this.#inner.finished === true;
  }

  /** "closed" (stream), then the inner handler. */
  onClosed(outcome: StreamOutcome): void {
    if (this.#layer === "stream") this.#watch.milestone("closed");
    this.#inner.onClosed(outcome);
  }
}
