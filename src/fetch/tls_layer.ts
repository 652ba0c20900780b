/**
 * TLS as a layer between the driver and a handler: to the driver it is a {@linkcode StreamHandler}, to the handler
 * inside it a {@linkcode ByteStream}, so the HTTP exchange runs the same over TLS as over plain TCP.
 *
 * ```text
 *   exchange ⇄ TlsLayer ⇄ TLSSocket (node:tls) ⇄ StreamDuplex ⇄ Driver ⇄ TcpConnection ⇄ frames
 * ```
 *
 * The inner handler is opened once the handshake completed and the certificate was accepted (under TLS 1.3, once the
 * server also answered our Finished: see {@linkcode TICKET_WAIT_EXTRA_MS}); it hears `onClosed` once both the
 * connection ended and the TLS socket handed over all it decrypted. A refused certificate or a failed handshake is
 * kept in {@linkcode TlsLayer.failure}; the inner handler then hears only `onClosed`.
 *
 * @module
 */

import type { TLSSocket } from "node:tls";
import { type AbortReason, type ByteStream, ConnectionError, type StreamHandler } from "../transport/mod.ts";
import type { StreamOutcome } from "../transport/mod.ts";
import { StreamDuplex } from "./stream_duplex.ts";
import { startTls, tlsHandshake, type TlsOptions } from "./tls.ts";
import { TlsError } from "./tls_errors.ts";

/**
 * Under TLS 1.3 the request waits for the server's first record after our Finished (its NewSessionTicket, which a
 * server sends once it has read our Finished: RFC 8446 §4.6.1), for at most half the handshake's duration plus this
 * many milliseconds. That is what wget does: right after the handshake it asks GnuTLS for the session
 * (`gnutls_session_get_data2`), which waits that long for a ticket, so its request never travels with its Finished.
 * Ours did (Deno's TLS flushes the Finished with the first write): a server whose OpenSSL reads ahead then reads the
 * request during its TLS accept, and one that waits for the request with select() (IO::Socket::SSL + HTTP::Daemon
 * with a Timeout) never sees it and closes without a response. A server that sends no ticket costs us the bound.
 */
export const TICKET_WAIT_EXTRA_MS = 60;

/**
 * Client and server take turns in a handshake: our ClientHello, the server's flight, our Finished; the fourth turn is
 * the server's first record after our Finished. (With a HelloRetryRequest the fourth turn comes earlier: the request
 * then goes at once, as it always did.)
 */
const SERVER_ANSWERED_FINISHED = 4;

/** Options of {@linkcode TlsLayer}. */
export interface SecureOptions extends TlsOptions {
  /** Refuse a certificate that does not verify (false: `--no-check-certificate`). */
  readonly verify: boolean;
  /** Told the verification error that `verify: false` ignored, for a warning. */
  readonly onUnverified?: (error: TlsError) => void;
  /** Verbose messages (the negotiated version). */
  readonly log?: (message: string) => void;
}

/**
 * Runs a handler over TLS over a byte stream.
 *
 * @example
 * ```ts
 * const tls = new TlsLayer(exchange, { host: "198.18.2.2", ca: loadTrustStore(), verify: true });
 * await session.run(tls);
 * if (tls.failure !== null) throw tls.failure;
 * ```
 */
export class TlsLayer implements StreamHandler {
  readonly #inner: StreamHandler;
  readonly #options: SecureOptions;
  #duplex: StreamDuplex | null = null;
  #secure: TLSSocket | null = null;
  #outcome: StreamOutcome | null = null;
  /** The handshake's result: null while it runs. */
  #handshake: { ok: true } | { ok: false; error: unknown } | null = null;
  /** The TLS socket ended, failed or closed after the handshake. */
  #secureDone = false;
  #failure: TlsError | null = null;
  #innerClosed = false;
  /** When our ClientHello left (for the wait bound). */
  #startedAt = 0;
  /** Turns taken so far: a run of our writes or of received bytes is one turn. */
  #turns = 0;
  #lastTurn: "client" | "server" | null = null;
  /** The handshake completed under TLS 1.3; the inner handler opens when the server answered our Finished. */
  #waiting: { readonly open: () => void; readonly timer: ReturnType<typeof setTimeout> } | null = null;

  /** Wraps `inner`; the TLS client starts when the stream opens. */
  constructor(inner: StreamHandler, options: SecureOptions) {
    this.#inner = inner;
    this.#options = options;
  }

  /** The TLS failure that ended the stream (a refused certificate, a failed handshake), if any. */
  get failure(): TlsError | null {
    return this.#failure;
  }

  /** The TCP stream is open: start the TLS client over it. */
  onOpen(stream: ByteStream): void {
    const watched: ByteStream = {
      write: (bytes, done) => {
        this.#turn("client");
        stream.write(bytes, done);
      },
      closeWrite: () => stream.closeWrite(),
      pause: () => stream.pause(),
      resume: () => stream.resume(),
      abort: (why) => stream.abort(why),
    };
    const duplex = new StreamDuplex(watched);
    const secure = startTls(duplex, this.#options);
    this.#duplex = duplex;
    this.#secure = secure;
    tlsHandshake(secure, this.#options.host, this.#options.verify).then(
      (ignored) => this.#secured(stream, ignored),
      (error: unknown) => {
        this.#handshake = { ok: false, error };
        secure.destroy();
        this.#maybeClose();
      },
    );
  }

  /** Ciphertext for the TLS socket. */
  onData(bytes: Uint8Array): void {
    this.#turn("server");
    this.#duplex?.received(bytes);
    if (this.#turns >= SERVER_ANSWERED_FINISHED) this.#stopWaiting();
  }

  /** Whether the exchange inside has its whole response (decrypted): see `StreamHandler.finished`. */
  get finished(): boolean {
    return this.#inner.finished === true;
  }

  /** The peer's FIN. */
  onEnd(): void {
    this.#duplex?.receivedEnd();
    this.#stopWaiting(); // no ticket will come
  }

  /** The connection ended; the inner handler hears it once the TLS socket is done too. */
  onClosed(outcome: StreamOutcome): void {
    this.#outcome = outcome;
    this.#duplex?.connectionEnded(outcome === "normal" ? null : new ConnectionError(outcome));
    // After an orderly close the TLS socket still hands over what it decrypted; otherwise nothing more will come.
    if (outcome !== "normal") this.#secure?.destroy();
    if (this.#duplex === null) this.#handshake = { ok: false, error: null }; // never opened: nothing to wait for
    if (this.#waiting !== null) {
      // It ended while the request waited: nothing can be exchanged any more.
      clearTimeout(this.#waiting.timer);
      this.#waiting = null;
      this.#handshake = { ok: false, error: null };
    }
    this.#maybeClose();
  }

  #turn(side: "client" | "server"): void {
    if (this.#lastTurn === side) return;
    this.#lastTurn = side;
    if (++this.#turns === 1) this.#startedAt = performance.now(); // our ClientHello leaves
  }

  /** Opens the inner handler that waited for the server's answer to our Finished (or for the bound). */
  #stopWaiting(): void {
    const waiting = this.#waiting;
    if (waiting === null) return;
    this.#waiting = null;
    clearTimeout(waiting.timer);
    waiting.open();
  }

  #secured(outer: ByteStream, ignored: TlsError | null): void {
    const secure = this.#secure!;
    if (this.#outcome !== null) {
      // The connection ended while the handshake finished: nothing can be exchanged any more.
      this.#handshake = { ok: false, error: null };
      this.#maybeClose();
      return;
    }
    // The TLS socket's own end is heard from now on, also while the request waits (an unheard "error" would throw).
    secure.once("error", () => this.#secureEnded());
    secure.once("close", () => this.#secureEnded());
    if (ignored !== null) this.#options.onUnverified?.(ignored);
    const protocol = secure.getProtocol();
    this.#options.log?.(
      `${protocol} with ${this.#options.host}: certificate ${ignored === null ? "verified" : "NOT verified"}`,
    );
    if (protocol !== "TLSv1.3" || this.#turns >= SERVER_ANSWERED_FINISHED) return this.#open(outer);
    const waitMs = (performance.now() - this.#startedAt) / 2 + TICKET_WAIT_EXTRA_MS;
    this.#waiting = { open: () => this.#open(outer), timer: setTimeout(() => this.#stopWaiting(), waitMs) };
  }

  /** Opens the inner handler over the TLS socket. */
  #open(outer: ByteStream): void {
    const secure = this.#secure!;
    this.#handshake = { ok: true };
    secure.on("data", (chunk: Uint8Array) => this.#inner.onData(chunk));
    secure.once("end", () => {
      this.#inner.onEnd();
      this.#secureEnded();
    });
    const duplex = this.#duplex!;
    const inner: ByteStream = {
      write: (bytes, written) => void secure.write(bytes, () => written?.()),
      closeWrite: () => void secure.end(),
      // Pause the Duplex under the TLS socket, not the driver (the Duplex resumes the driver whenever the TLS socket
      // asks for more), nor the TLS socket (in Deno 2.9.6 a paused TLSSocket still reads its stream, and once resumed
      // after that stream ended it never emits "end"). A paused Duplex fills up to its high-water mark, then pauses
      // the driver itself.
      pause: () => void duplex.pause(),
      resume: () => void duplex.resume(),
      abort: (why: AbortReason) => outer.abort(why),
    };
    this.#inner.onOpen(inner);
  }

  /** The TLS socket ended, failed or closed after the handshake. */
  #secureEnded(): void {
    this.#secureDone = true;
    this.#maybeClose();
  }

  #maybeClose(): void {
    if (this.#innerClosed || this.#outcome === null || this.#handshake === null) return;
    if (this.#handshake.ok && !this.#secureDone) return;
    this.#innerClosed = true;
    const h = this.#handshake;
    if (!h.ok && h.error !== null) {
      // Before the handler opened, only the TLS layer stops the connection (a failed handshake, a refused
      // certificate); any other end (refused, reset, timeout) is the connection's own failure.
      const error = h.error instanceof TlsError
        ? h.error
        : new TlsError("handshake", `The TLS handshake with ${this.#options.host} failed: ${String(h.error)}`);
      if (this.#outcome === "stopped" || error.isVerification) this.#failure = error;
    }
    this.#inner.onClosed(this.#outcome);
  }
}
