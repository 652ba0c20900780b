/**
 * The byte-stream contract between the driver and whatever runs over a connection: the HTTP exchange directly, or
 * the TLS layer with the HTTP exchange inside it. Both directions are one interface each, so plain and TLS streams
 * look the same to the HTTP code, and one handler may run several exchanges over one stream.
 *
 * ```text
 *   handler ── write, closeWrite, pause, resume, abort ──▶ ByteStream (the driver, or the TLS layer)
 *   handler ◀── onOpen, onData, onEnd, onClosed ───────── ByteStream
 * ```
 *
 * @module
 */

import type { CloseReason } from "../tcp/mod.ts";

/** How a stream ended: the connection's own close reason, or our stop ("interrupted" by a signal, "stopped"). */
export type StreamOutcome = CloseReason | "interrupted" | "stopped";

/** Why a handler ends a stream early with an RST. */
export type AbortReason = "interrupted" | "stopped";

/** What a handler can do to its stream. */
export interface ByteStream {
  /**
   * Queues bytes to send (the view is kept, not copied); `done` is called once every byte is in the TCP send buffer
   * (a writer's backpressure), or at once when the stream no longer sends.
   */
  write(bytes: Uint8Array, done?: () => void): void;
  /** Sends our FIN once every queued byte is out (RFC 9293 §3.10.4: a half close; reading goes on). */
  closeWrite(): void;
  /**
   * Stops handing received bytes to the handler: they stay in the receive ring, which fills, and the advertised
   * window closes (RFC 9293 §3.8.6.2.2). Safe to call from inside `onData`.
   */
  pause(): void;
  /** Hands received bytes to the handler again; the window reopens. */
  resume(): void;
  /** Ends the stream at the next turn with an RST. */
  abort(why: AbortReason): void;
}

/** What runs over a stream. Every call comes from the driver's turn; none may throw. */
export interface StreamHandler {
  /** The stream is open (handshake done): the handler may write. */
  onOpen(stream: ByteStream): void;
  /** In-order bytes from the peer; the view is valid only during the call. */
  onData(bytes: Uint8Array): void;
  /** The peer closed its side and every byte before its FIN was delivered. */
  onEnd(): void;
  /** The connection ended (after `onEnd` for an orderly close); the last call. */
  onClosed(outcome: StreamOutcome): void;
  /**
   * True once the handler has all it wants from the stream (a whole response, or, on a kept connection, no request
   * yet): after the peer's FIN and ours, the driver may then end the run without waiting a round trip for the peer's
   * last ACK, and it waits for frames without holding the event loop, where the handler has its next work. Absent:
   * never.
   */
  readonly finished?: boolean;
}

/** The TCP connection ended before the exchange over it was complete. */
export class ConnectionError extends Error {
  /** How the connection ended. */
  readonly reason: StreamOutcome;

  /** Builds the error with a sentence for the user. */
  constructor(reason: StreamOutcome, message: string = OUTCOME_MESSAGES[reason]) {
    super(message);
    this.name = "ConnectionError";
    this.reason = reason;
  }
}

/** The sentence for each way a connection can end before its exchange was complete. */
export const OUTCOME_MESSAGES: Readonly<Record<StreamOutcome, string>> = {
  normal: "The server closed the connection before the response was complete",
  reset: "The server reset the connection",
  refused: "The server refused the connection",
  timeout: "The server stopped answering",
  aborted: "The connection was aborted",
  unreachable: "The server is unreachable",
  interrupted: "The download was interrupted",
  stopped: "The download was stopped",
};
