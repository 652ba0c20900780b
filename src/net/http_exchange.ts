/**
 * One HTTP exchange over the driver's byte stream: sends the request, parses the response as it streams, decodes
 * its content coding and writes the body to the output. Errors are kept and end the connection (they must not
 * escape into the driver's loop).
 *
 * @module
 */

import { type ContentDecoder, createContentDecoder } from "../http/decode.ts";
import type { HeadEvent } from "../http/response_parser.ts";
import { ResponseParser } from "../http/response_parser.ts";
import type { StreamApp } from "./driver.ts";
import { ServerStatusError } from "./errors.ts";
import type { Output } from "./output.ts";

/** What the exchange reports while it runs. */
export interface ExchangeListener {
  /** The response head arrived. */
  onHead?(head: HeadEvent): void;
  /** `received` decoded body bytes so far out of `total` (null when unknown). */
  onProgress?(received: number, total: number | null): void;
}

/** The state of the exchange, for the caller once the connection ended. */
export type ExchangeState = "waiting" | "body" | "complete" | "failed";

/** Runs the HTTP side of a download; plug it into {@linkcode Driver.run}. */
export class HttpExchange implements StreamApp {
  readonly #request: Uint8Array;
  readonly #openOutput: () => Output;
  readonly #listener: ExchangeListener;
  readonly #stop: () => void;
  readonly #parser = new ResponseParser();
  #decoder: ContentDecoder | null = null;
  #output: Output | null = null;
  #head: HeadEvent | null = null;
  #state: ExchangeState = "waiting";
  #error: unknown = null;
  #bodyBytes = 0;

  /**
   * `openOutput` is called once a 2xx head arrives (so an error status creates no file); `stop` ends the
   * connection early when the exchange fails.
   */
  constructor(request: Uint8Array, openOutput: () => Output, stop: () => void, listener: ExchangeListener = {}) {
    this.#request = request;
    this.#openOutput = openOutput;
    this.#stop = stop;
    this.#listener = listener;
  }

  /** Where the exchange is. */
  get state(): ExchangeState {
    return this.#state;
  }

  /** The error that failed the exchange, if any. */
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
    if (this.#state === "failed") return;
    this.#guard(() => {
      this.#parser.receiveData(bytes);
      this.#drain();
    });
  }

  /** The peer's FIN: the end of a body read to EOF, or a truncation. */
  onPeerClosed(): void {
    if (this.#state === "failed" || this.#state === "complete") return;
    this.#guard(() => {
      this.#parser.receiveEof();
      this.#drain();
    });
  }

  /** Releases the decoder when the exchange is abandoned. */
  dispose(): void {
    this.#decoder?.close();
  }

  #guard(step: () => void): void {
    try {
      step();
    } catch (e) {
      this.#fail(e);
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
        this.#listener.onHead?.(ev);
        if (ev.status < 200 || ev.status > 299) {
          this.#fail(new ServerStatusError(ev.status, ev.reason));
          return;
        }
        this.#decoder = createContentDecoder(ev.headers.get("content-encoding"));
        this.#output = this.#openOutput();
        this.#state = "body";
        this.#progress();
      } else if (ev.type === "body") {
        this.#bodyBytes += ev.bytes.length;
        for (const piece of this.#decoder!.push(ev.bytes)) this.#output!.write(piece);
        this.#progress();
      } else {
        for (const piece of this.#decoder!.finish()) this.#output!.write(piece);
        this.#state = "complete";
        this.#progress();
      }
    }
  }

  #progress(): void {
    const total = this.#decoder?.coding === "identity" ? this.#head?.contentLength ?? null : null;
    this.#listener.onProgress?.(this.#output?.written ?? 0, total);
  }

  /** Body bytes as received (before content decoding). */
  get bodyBytes(): number {
    return this.#bodyBytes;
  }
}
