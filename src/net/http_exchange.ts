/**
 * One HTTP exchange over the driver's byte stream: sends the request, parses the response as it streams, decodes
 * its content coding and writes the body to the output. Errors are kept and end the connection (they must not
 * escape into the driver's loop). When the output's buffer is full (a disk slower than the network), the listener is
 * told to stop reading the connection (`onFull`) until it has room again (`onDrained`): our receive window closes
 * instead of bytes piling up in memory. What a head means (a body to save, a redirect, an error) is the caller's
 * policy: `onHead` decides.
 *
 * @module
 */

import { HttpError } from "../http/errors.ts";
import { type ContentDecoder, createContentDecoder } from "../http/decode.ts";
import type { HeadEvent } from "../http/response_parser.ts";
import { ResponseParser } from "../http/response_parser.ts";
import type { StreamApp } from "./driver.ts";
import type { Output } from "./output.ts";

/** What the exchange reports while it runs. */
export interface ExchangeListener {
  /** `received` decoded body bytes of this response so far out of `total` (null when unknown). */
  onProgress?(received: number, total: number | null): void;
  /** The whole body arrived (the server's FIN may still be on its way). */
  onComplete?(): void;
  /** The output is full: stop handing this exchange bytes (e.g. `Driver.pauseReading`). */
  onFull?(): void;
  /** The output has room again: hand it bytes again (e.g. `Driver.resumeReading`). */
  onDrained?(): void;
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

/** Runs the HTTP side of a download; plug it into {@linkcode Driver.run}. */
export class HttpExchange implements StreamApp {
  readonly #request: Uint8Array;
  readonly #onHead: HeadHandler;
  readonly #listener: ExchangeListener;
  readonly #stop: () => void;
  readonly #parser = new ResponseParser();
  #decoder: ContentDecoder | null = null;
  #output: Output | null = null;
  #head: HeadEvent | null = null;
  #state: ExchangeState = "waiting";
  #error: unknown = null;
  #bodyBytes = 0;
  #written = 0;
  #discarding = false;
  #full = false;
  #disposed = false;

  /**
   * `onHead` is called once the final head arrives (so an error status creates no file); `stop` ends the connection
   * early when the exchange fails or ends at the head.
   */
  constructor(request: Uint8Array, onHead: HeadHandler, stop: () => void, listener: ExchangeListener = {}) {
    this.#request = request;
    this.#onHead = onHead;
    this.#stop = stop;
    this.#listener = listener;
  }

  /** Where the exchange is. */
  get state(): ExchangeState {
    return this.#state;
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
  onConnected(): Uint8Array {
    return this.#request;
  }

  /** Parses and stores in-order bytes. */
  onData(bytes: Uint8Array): void {
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
  onPeerClosed(): void {
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
      if (this.#discarding) this.#stop();
      else this.#fail(e);
    }
  }

  #fail(e: unknown): void {
    this.#state = "failed";
    this.#error = e;
    this.#decoder?.close();
    this.#stop();
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
        this.#decoder = createContentDecoder(ev.headers.get("content-encoding"));
        this.#output = output;
        this.#state = "body";
        this.#progress();
      } else if (this.#discarding) {
        // The body of a redirect or an error, read and dropped; a large one is cut short.
        if (ev.type === "body") this.#bodyBytes += ev.bytes.length;
        if (ev.type === "body" && this.#bodyBytes > MAX_DISCARDED_BYTES) this.#stop();
      } else if (ev.type === "body") {
        this.#bodyBytes += ev.bytes.length;
        for (const piece of this.#decoder!.push(ev.bytes)) this.#write(piece);
        this.#progress();
      } else {
        for (const piece of this.#decoder!.finish()) this.#write(piece);
        this.#state = "complete";
        this.#progress();
        this.#listener.onComplete?.();
      }
    }
  }

  #write(piece: Uint8Array): void {
    const output = this.#output!;
    const more = output.write(piece);
    this.#written += piece.length;
    if (more || this.#full) return;
    this.#full = true;
    this.#listener.onFull?.();
    output.drained().then(() => {
      this.#full = false;
      if (!this.#disposed) this.#listener.onDrained?.();
    }, (e: unknown) => {
      // The disk failed while the connection waited for it: the download ends with the write's error (once the
      // connection ended, the output's flush reports it instead).
      this.#full = false;
      if (this.#disposed) return;
      if (this.#state === "body" || this.#state === "complete") this.#fail(e);
      this.#listener.onDrained?.();
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

  /** Body bytes as received (before content decoding). */
  get bodyBytes(): number {
    return this.#bodyBytes;
  }
}
