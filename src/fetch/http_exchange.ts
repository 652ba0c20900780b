/**
 * One HTTP exchange over a byte stream (plain, or inside the TLS layer): sends the request, parses the response as it
 * streams, decodes its content coding and writes the body to the output. Errors are kept and end the connection
 * (they must not escape into the driver's turn). When the output's buffer is full (a disk slower than the network),
 * the exchange pauses its stream until the output has room again: our receive window closes instead of bytes piling
 * up in memory. What a head means (a body to save, a redirect, an error) is the caller's policy: `onHead` decides.
 *
 * @module
 */

import {
  type ContentDecoder,
  contentDecoderReady,
  createContentDecoder,
  type HeadEvent,
  HttpError,
  loadContentDecoders,
  ResponseParser,
  type ResponseParserOptions,
} from "../http/mod.ts";
import type { Output } from "../save/mod.ts";
import type { ByteStream, StreamHandler, StreamOutcome } from "../transport/mod.ts";

/** What the exchange reports while it runs. */
export interface ExchangeListener {
  /** `received` decoded body bytes of this response so far out of `total` (null when unknown). */
  onProgress?(received: number, total: number | null): void;
  /** The whole body arrived (the server's FIN may still be on its way). */
  onComplete?(): void;
}

/**
 * Decides what a response head means: an output to write its body to, or null to end the exchange at the head (a
 * redirect, a 416 for a complete file). Throwing fails the exchange with that error (an error status).
 */
export type HeadHandler = (head: HeadEvent) => Output | null;

/**
 * The state of the exchange, for the caller once the connection ended. "head": the head handler wanted no body;
 * "failed": `error` says why (when the head handler threw it, the body is still read and dropped, as for "head").
 */
export type ExchangeState = "waiting" | "body" | "complete" | "head" | "failed";

/** Most body bytes of a redirect or error response read and dropped before the connection is cut. */
const MAX_DISCARDED_BYTES = 1024 * 1024;

/** Runs the HTTP side of a download over a stream (a `StreamSession`'s `run`, or inside a `TlsLayer`). */
export class HttpExchange implements StreamHandler {
  readonly #request: Uint8Array;
  readonly #onHead: HeadHandler;
  readonly #listener: ExchangeListener;
  readonly #parser: ResponseParser;
  readonly #closed: Promise<StreamOutcome>;
  #resolveClosed: (outcome: StreamOutcome) => void = () => {};
  readonly #ended: Promise<void>;
  #resolveEnded: () => void = () => {};
  #stream: ByteStream | null = null;
  #stopped = false;
  #decoder: ContentDecoder | null = null;
  #output: Output | null = null;
  #head: HeadEvent | null = null;
  #state: ExchangeState = "waiting";
  #error: unknown = null;
  #bodyBytes = 0;
  #received = 0;
  #written = 0;
  #discarding = false;
  #full = false;
  #disposed = false;
  /**
   * Body bytes (copied) held while the decoder of the response's coding loads (`loadContentDecoders`), and whether
   * the end came meanwhile; null when nothing waits.
   */
  #pending: { readonly bytes: Uint8Array[]; ended: boolean } | null = null;
  /** How the stream ended, while the end of the exchange waits for the pending body. */
  #closedWhilePending: StreamOutcome | null = null;

  /**
   * `onHead` is called once the final head arrives (so an error status creates no file); the exchange aborts its
   * stream when it fails or ends at the head. `options` go to the parser: `head: true` when the request is a HEAD
   * (its response has no body), `ignoreLength: true` to read bodies to EOF whatever their Content-Length says.
   */
  constructor(
    request: Uint8Array,
    onHead: HeadHandler,
    listener: ExchangeListener = {},
    options: ResponseParserOptions = {},
  ) {
    this.#parser = new ResponseParser(options);
    this.#request = request;
    this.#onHead = onHead;
    this.#listener = listener;
    this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#ended = new Promise((resolve) => (this.#resolveEnded = resolve));
  }

  /**
   * Resolves once the exchange has nothing more to read: its response ended where its framing says (a body saved or
   * discarded), it failed or stopped, or the stream closed. A persistent connection may then carry the next one.
   */
  get ended(): Promise<void> {
    return this.#ended;
  }

  /** Whether the response ended exactly where its framing said, with nothing after it. */
  get messageComplete(): boolean {
    return this.#parser.done && this.#parser.trailingBytes === 0;
  }

  /** Resolves to how the stream ended, once the exchange heard its last event. */
  get closed(): Promise<StreamOutcome> {
    return this.#closed;
  }

  /** Whether the exchange aborted its stream (it failed, or has what it needs). */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Ends the stream with an RST (the FIN grace ran out, or the exchange has what it needs). */
  stop(): void {
    this.#stopped = true;
    this.#stream?.abort("stopped");
    this.#resolveEnded();
  }

  /** Where the exchange is. */
  get state(): ExchangeState {
    return this.#state;
  }

  /** The whole response arrived (or its head was all that was wanted): see `StreamHandler.finished`. */
  get finished(): boolean {
    return this.#state === "complete" || this.#state === "head";
  }

  /** The error that failed the exchange, or the head handler's error, if any. */
  get error(): unknown {
    return this.#error;
  }

  /** The response head, once it arrived. */
  get head(): HeadEvent | null {
    return this.#head;
  }

  /** The output, once opened. */
  get output(): Output | null {
    return this.#output;
  }

  /** Sends the request. */
  onOpen(stream: ByteStream): void {
    this.#stream = stream;
    stream.write(this.#request);
  }

  /** The stream ended: nothing more will come (the exchange ends once a body waiting for its decoder is written). */
  onClosed(outcome: StreamOutcome): void {
    if (this.#pending !== null) this.#closedWhilePending = outcome;
    else this.#resolveClosed(outcome);
    this.#resolveEnded();
  }

  /** Parses and stores in-order bytes. */
  onData(bytes: Uint8Array): void {
    this.#received += bytes.length;
    if (this.#state === "failed" && !this.#discarding) return;
    this.#guard(() => {
      this.#parser.receiveData(bytes);
      this.#drain();
      this.#checkExcess();
    });
  }

  /**
   * Bytes past the declared end of a response mean the server and we disagree about where the body ends: the file
   * cannot be trusted, so the exchange fails (RFC 9112 §6.3 allows discarding them; we refuse them on purpose).
   */
  #checkExcess(): void {
    const extra = this.#parser.trailingBytes;
    if (this.#state !== "complete" || extra === 0) return;
    const declared = this.#head?.contentLength;
    const what = declared === null || declared === undefined ? "its chunked body" : `its Content-Length of ${declared}`;
    this.#fail(new HttpError("excess-data", `The server sent ${extra} bytes past ${what}`));
  }

  /** The peer's FIN: the end of a body read to EOF, or a truncation. */
  onEnd(): void {
    if (this.#state !== "waiting" && this.#state !== "body") return;
    this.#guard(() => {
      this.#parser.receiveEof();
      this.#drain();
    });
  }

  /** Releases the decoder once the connection ended; the listener hears nothing more (the stream is closing). */
  dispose(): void {
    this.#disposed = true;
    this.#decoder?.close();
  }

  #guard(step: () => void): void {
    try {
      step();
    } catch (e) {
      // A malformed body of a redirect or error response does not matter: we have what we need from it.
      if (this.#discarding) this.stop();
      else this.#fail(e);
    }
  }

  #fail(e: unknown): void {
    this.#state = "failed";
    this.#error = e;
    this.#decoder?.close();
    this.stop();
  }

  #drain(): void {
    for (let ev = this.#parser.nextEvent(); ev !== null; ev = this.#parser.nextEvent()) {
      if (ev.type === "head") {
        this.#head = ev;
        let output: Output | null;
        try {
          output = this.#onHead(ev);
        } catch (e) {
          // An error status: keep reading its (small) body so the server closes in order, as wget does.
          this.#error = e;
          this.#state = "failed";
          this.#discarding = true;
          continue;
        }
        if (output === null) {
          this.#state = "head";
          this.#discarding = true;
          continue;
        }
        const coding = ev.headers.get("content-encoding");
        this.#output = output;
        this.#state = "body";
        if (contentDecoderReady(coding)) this.#decoder = createContentDecoder(coding);
        else this.#awaitDecoder(coding);
        this.#progress();
      } else if (this.#discarding) {
        // The body of a redirect or an error, read and dropped; a large one is cut short.
        if (ev.type === "body") this.#bodyBytes += ev.bytes.length;
        if (ev.type === "body" && this.#bodyBytes > MAX_DISCARDED_BYTES) this.stop();
        if (ev.type === "end") this.#resolveEnded();
      } else if (this.#pending !== null) {
        if (ev.type === "body") this.#pending.bytes.push(ev.bytes.slice()); // the view dies with this turn
        else this.#pending.ended = true;
      } else if (ev.type === "body") {
        this.#decodeBody(ev.bytes);
        this.#progress();
      } else {
        this.#endBody();
      }
    }
  }

  /** Decodes body bytes into the output. */
  #decodeBody(bytes: Uint8Array): void {
    this.#bodyBytes += bytes.length;
    for (const piece of this.#decoder!.push(bytes)) this.#write(piece);
  }

  /** The body ended: the decoder's last bytes, then "complete". */
  #endBody(): void {
    for (const piece of this.#decoder!.finish()) this.#write(piece);
    this.#state = "complete";
    this.#progress();
    this.#listener.onComplete?.();
    this.#resolveEnded();
  }

  /**
   * The body's coding needs the decoder module, which is not loaded yet: the stream pauses (its window closes while
   * the module loads, ~15 ms once per run), what already arrived is kept, and the body goes on once it is there.
   */
  #awaitDecoder(coding: string | null): void {
    this.#pending = { bytes: [], ended: false };
    this.#stream?.pause();
    loadContentDecoders().then(() => {
      const pending = this.#pending!;
      this.#pending = null;
      if (this.#state === "body") {
        this.#guard(() => {
          this.#decoder = createContentDecoder(coding);
          for (const bytes of pending.bytes) this.#decodeBody(bytes);
          this.#progress();
          if (pending.ended) this.#endBody();
        });
      }
      if (this.#closedWhilePending !== null) this.#resolveClosed(this.#closedWhilePending);
      else if (!this.#full && !this.#disposed) this.#stream?.resume();
    }, (e: unknown) => {
      this.#pending = null;
      this.#fail(e);
      if (this.#closedWhilePending !== null) this.#resolveClosed(this.#closedWhilePending);
    });
  }

  #write(piece: Uint8Array): void {
    const output = this.#output!;
    const more = output.write(piece);
    this.#written += piece.length;
    if (more || this.#full) return;
    this.#full = true;
    this.#stream?.pause();
    output.drained().then(() => {
      this.#full = false;
      if (!this.#disposed) this.#stream?.resume();
    }, (e: unknown) => {
      // The disk failed while the connection waited for it: the download ends with the write's error (once the
      // connection ended, the output's flush reports it instead).
      this.#full = false;
      if (this.#disposed) return;
      if (this.#state === "body" || this.#state === "complete") this.#fail(e);
      this.#stream?.resume();
    });
  }

  #progress(): void {
    const total = this.#decoder?.coding === "identity" ? this.#head?.contentLength ?? null : null;
    this.#listener.onProgress?.(this.#written, total);
  }

  /** Decoded body bytes written to the output by this exchange. */
  get written(): number {
    return this.#written;
  }

  /** Whether the body is stored as sent (no content coding), so that a byte range can continue it. */
  get identity(): boolean {
    return this.#decoder === null || this.#decoder.coding === "identity";
  }

  /** Bytes of the response received so far, head included: 0 when the server sent nothing at all. */
  get received(): number {
    return this.#received;
  }

  /** Body bytes as received (before content decoding). */
  get bodyBytes(): number {
    return this.#bodyBytes;
  }
}
