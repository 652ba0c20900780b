/**
 * Handlers of the driver tests on the simulated link: each sends a plain request when its connection opens and keeps
 * what it hears, and {@linkcode Recorder} also notes the order of the calls and when the connection closed.
 *
 * @module
 */

import type { ByteStream, StreamHandler, StreamOutcome } from "../../src/transport/mod.ts";
import { concatBytes } from "../wire/_helpers.ts";

/** The request every handler here sends: the simulated peer answers whatever it is asked. */
export const REQUEST: Uint8Array = new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n");

/**
 * A handler that sends {@linkcode REQUEST} on open, keeps every chunk it hears and the outcome; a subclass adds what
 * else its test watches (calling the method it overrides).
 *
 * @example
 * ```ts
 * class Timed extends Requester { onEnd() { super.onEnd(); this.endedAt = this.clock(); } }
 * ```
 */
export class Requester implements StreamHandler {
  /** The stream once open. */
  stream: ByteStream | null = null;
  /** What it heard, in order (copies). */
  readonly chunks: Uint8Array[] = [];
  /** How the connection ended, once it has. */
  outcome: StreamOutcome | null = null;

  /** Reads the time from `clock` (the simulated link's) when a subclass notes one. */
  constructor(readonly clock: () => number = () => NaN) {}

  /** Sends the request. */
  onOpen(stream: ByteStream): void {
    this.stream = stream;
    stream.write(REQUEST);
  }

  /** Keeps a copy of the bytes. */
  onData(bytes: Uint8Array): void {
    this.chunks.push(bytes.slice());
  }

  /** The peer ended the response. */
  onEnd(): void {}

  /** Keeps the outcome. */
  onClosed(outcome: StreamOutcome): void {
    this.outcome = outcome;
  }

  /** Everything heard, as one array. */
  bytes(): Uint8Array {
    return concatBytes(this.chunks);
  }
}

/**
 * A {@linkcode Requester} that records the order of the calls (`open`, `data` once per run of chunks, `end`,
 * `closed:OUTCOME`), the bytes it got, and when its connection closed; it is `finished` once the peer ended the
 * response, unless a test says it is still busy.
 *
 * @example
 * ```ts
 * const app = new Recorder(link.clock);
 * await driver.run(app);
 * assert.deepEqual(app.events, ["open", "data", "end", "closed:normal"]);
 * ```
 */
export class Recorder extends Requester {
  /** The calls so far, in order. */
  readonly events: string[] = [];
  /** Bytes heard so far. */
  received = 0;
  /** Whether the peer ended the response. */
  ended = false;
  /** The response is whole once the peer ended it (unless a test says the handler is still busy). */
  busy = false;
  /** When the connection closed, by `clock` (NaN until then, or without a clock). */
  closedAt = NaN;

  /** Whether the handler has all it wants: the driver may then end the run sooner. */
  get finished(): boolean {
    return !this.busy && this.ended;
  }

  /** Notes the call and sends the request. */
  override onOpen(stream: ByteStream): void {
    this.events.push("open");
    super.onOpen(stream);
  }

  /** Notes the call (once per run of chunks) and keeps the bytes. */
  override onData(bytes: Uint8Array): void {
    if (this.events.at(-1) !== "data") this.events.push("data");
    super.onData(bytes);
    this.received += bytes.length;
  }

  /** Notes the call. */
  override onEnd(): void {
    this.events.push("end");
    this.ended = true;
  }

  /** Notes the call, the outcome and the time. */
  override onClosed(outcome: StreamOutcome): void {
    this.events.push(`closed:${outcome}`);
    super.onClosed(outcome);
    this.closedAt = this.clock();
  }
}
