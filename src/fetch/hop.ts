/**
 * One hop of a download: a connection to the URL's host, one request, one response. The hop decides where the body
 * goes (a new file, a resumed one, a shared sink) once the head says what it is, and, when the connection ends, what
 * the hop produced: a saved file, a redirect to follow, or a typed error. Every resource it opens is released however
 * it ends.
 *
 * @module
 */

import { buildGetRequest, fileNameFor, type HeadEvent, type ParsedUrl, parseUrl } from "../http/mod.ts";
import { joinPath, openOutput, type Output, partName, resumePoint, type Target, uniqueName } from "../save/mod.ts";
import { fileSize } from "../../ffi/mod.ts";
import type { ConnectionStats } from "../tcp/mod.ts";
import { ConnectionError, type FrameCounters, type OpenStream, OUTCOME_MESSAGES } from "../transport/mod.ts";
import type { StreamOutcome, StreamSession } from "../transport/mod.ts";
import { type HeadVerdict, judgeHead } from "./head_policy.ts";
import { HttpExchange } from "./http_exchange.ts";
import { type FetchEvents, type FetchOptions, VERSION } from "./options.ts";
import { loadTrustStore } from "./tls.ts";
import { TlsLayer } from "./tls_layer.ts";

/** How long a complete response waits for the server's FIN before we end the connection ourselves. */
const FIN_GRACE_MS = 1000;

/** What a hop that ended the download produced. */
export interface HopDone {
  /** Where the file was saved ("-" for standard output). */
  readonly path: string;
  /** Bytes in the file (after content decoding; a resumed file counts what it had). */
  readonly bytes: number;
  /** Bytes received and saved by this hop. */
  readonly received: number;
  /** The response status (416 when the file was already complete). */
  readonly status: number;
  /** The TCP engine's counters. */
  readonly tcp: ConnectionStats;
  /** The frame counters below TCP. */
  readonly frames: FrameCounters;
}

/** How a hop ended, unless it threw. */
export type HopResult =
  | { readonly kind: "done"; readonly done: HopDone }
  | { readonly kind: "redirect"; readonly location: string; readonly status: number };

/** What attempts pass on to the next: the file a failed attempt saved part of, and whether it may be retried. */
export interface Carry {
  /** The file a retry continues with a range (null: start afresh). */
  target: Target | null;
  /** Bytes went where a retry could not take them back (standard output, a concatenation). */
  final: boolean;
}

/**
 * The path a download saves to when `-O` does not name it: the URL's file name inside `-P DIR`. The name comes from
 * the URL the user gave, not a redirect's (a server must not choose our file names, CVE-2010-2252), unless
 * `--trust-server-names`.
 *
 * @example
 * ```ts
 * derivedPath(parseUrl("http://h/a/b.iso"), "http://h/a/b.iso", { directory: "dl" }); // "dl/b.iso"
 * ```
 */
export function derivedPath(url: ParsedUrl, given: string, options: FetchOptions): string {
  const base = options.trustServerNames ? url : parseUrl(given);
  return joinPath(options.directory ?? ".", fileNameFor(base));
}

/** One request and its response over one connection. */
export class Hop {
  readonly #url: ParsedUrl;
  readonly #given: string;
  readonly #options: FetchOptions;
  readonly #events: FetchEvents;
  readonly #carry: Carry;
  readonly #sink: Output | null;
  /** The file a range continues (from `-c` or a failed attempt), or null. */
  readonly #candidate: Target | null;
  readonly #resumeAt: number;
  #verdict: HeadVerdict | null = null;
  #target: Target | null = null;
  #start = 0;
  #aborted = false;

  /** A hop to `url` of the download of `given` (the URL the user typed). */
  constructor(url: ParsedUrl, given: string, carry: Carry, options: FetchOptions, events: FetchEvents) {
    this.#url = url;
    this.#given = given;
    this.#carry = carry;
    this.#options = options;
    this.#events = events;
    this.#sink = options.sink ?? (options.output === "-" ? openOutput("-") : null);
    // A range is asked when -c finds a partial file, or when a retry continues what an attempt saved.
    this.#candidate = carry.target ?? (options.resume && this.#sink === null ? this.#resumeTarget() : null);
    this.#resumeAt = this.#candidate === null ? 0 : fileSize(partName(this.#candidate)) ?? 0;
  }

  /** Opens a stream with `openStream`, runs the exchange over it, and says what came of it. */
  async run(openStream: OpenStream): Promise<HopResult> {
    const url = this.#url;
    const session = await openStream({ host: url.host, port: url.port });
    try {
      this.#events.onInterruptible?.(() => {
        this.#aborted = true;
        session.abort("interrupted");
      });
      if (this.#resumeAt > 0) {
        this.#options.log?.(`Asking for bytes from ${this.#resumeAt} of ${this.#candidate!.path}`);
      }
      let linger: ReturnType<typeof setTimeout> | undefined;
      const exchange = new HttpExchange(this.#request(), (head) => this.#onHead(head), {
        onProgress: (n, total) => {
          const base = this.#sink === null ? this.#start : this.#sink.written - n;
          this.#events.onProgress?.(base + n, total === null ? null : base + total);
        },
        // The body is complete: a server that then neither closes nor sends more gets a short grace for its FIN,
        // then our RST, rather than holding the download until the silence timeout.
        onComplete: () => (linger = setTimeout(() => exchange.stop(), FIN_GRACE_MS)),
      });
      const tls = url.scheme === "https" ? new TlsLayer(exchange, this.#secureOptions()) : null;
      let outcome: StreamOutcome;
      try {
        await session.run(tls ?? exchange);
        outcome = await exchange.closed;
      } catch (e) {
        // Our own RST may be refused by the RST guard (EPERM): once we asked to stop, that is not news.
        if (!this.#aborted && !exchange.stopped) throw e;
        outcome = "stopped";
      } finally {
        clearTimeout(linger);
        exchange.dispose();
      }
      if (tls?.failure) throw tls.failure;
      return await this.#settle(exchange, outcome, session);
    } finally {
      await session.close();
    }
  }

  #request(): Uint8Array {
    const url = this.#url;
    return buildGetRequest({
      host: url.host,
      port: url.port,
      defaultPort: url.defaultPort,
      path: url.path,
      userAgent: `rawhttpget/${VERSION}`,
      version: this.#options.http11 ? "1.1" : "1.0",
      range: this.#resumeAt > 0 ? { start: this.#resumeAt } : undefined,
    });
  }

  /** What the head means, and where its body goes (null: no body wanted). */
  #onHead(head: HeadEvent): Output | null {
    const verdict = this.#verdict = judgeHead(head, this.#resumeAt);
    if (verdict.kind !== "body") return null;
    const start = this.#start = verdict.offset;
    const total = exchangeTotal(head.contentLength, head.headers.get("content-encoding"));
    const sink = this.#sink;
    if (sink !== null) {
      this.#events.onBody?.(sink.path, sink.written, total === null ? null : sink.written + total);
      return sink;
    }
    if (this.#resumeAt > 0 && start === 0) this.#events.notice?.("The server ignored the range: starting over");
    const candidate = this.#candidate;
    const path = candidate?.path ?? this.#options.output ?? uniqueName(this.#derived());
    const target = this.#target = { path, inPlace: (candidate?.inPlace ?? false) && start > 0 };
    this.#events.onBody?.(target.path, start, total === null ? null : start + total);
    return openOutput(target.path, { inPlace: target.inPlace, offset: start });
  }

  /** The connection ended: the file, the redirect, or the error. */
  async #settle(exchange: HttpExchange, outcome: StreamOutcome, session: StreamSession): Promise<HopResult> {
    const out = exchange.output;
    const sink = this.#sink;
    const stats = { tcp: session.tcpStats, frames: session.frameCounters };
    const verdict = this.#verdict;
    if (exchange.state === "head" && verdict?.kind === "redirect") {
      return { kind: "redirect", location: verdict.location, status: exchange.head!.status };
    }
    if (exchange.state === "head" && verdict?.kind === "complete") {
      this.#events.notice?.(`The file is already fully retrieved; nothing to do`);
      const candidate = this.#candidate!;
      // NAME.part becomes NAME
      if (!candidate.inPlace) await openOutput(candidate.path, { offset: this.#resumeAt }).commit();
      return {
        kind: "done",
        done: { path: candidate.path, bytes: this.#resumeAt, received: 0, status: 416, ...stats },
      };
    }
    if (exchange.state === "complete") {
      // The file is complete once the buffered bytes are written (a full disk says so only now).
      try {
        await out?.commit();
      } catch (e) {
        await out?.abandon(true);
        throw e;
      }
      const path = sink?.path ?? this.#target?.path ?? "-";
      const done = { path, bytes: out?.written ?? 0, received: exchange.written, status: exchange.head!.status };
      return { kind: "done", done: { ...done, ...stats } };
    }
    await out?.abandon(true);
    // A retry may continue with a range only what was saved as sent, in a file of our own; what went to a shared
    // output (standard output, a concatenation) cannot be taken back, so that is not retried at all.
    const target = this.#target;
    if (target !== null) this.#carry.target = exchange.identity && (out?.written ?? 0) > 0 ? target : null;
    if (out !== null && out === sink && exchange.written > 0) this.#carry.final = true;
    if (exchange.state === "failed") throw exchange.error;
    const url = this.#url;
    if (outcome === "refused") {
      throw new ConnectionError(outcome, `${url.host}:${url.port} refused the connection (nothing listens there)`);
    }
    const where = out === null || out === sink ? "" : ` after ${out.written} bytes (kept in ${partName(target!)})`;
    const when = exchange.state === "waiting" ? " before the response headers arrived" : where;
    throw new ConnectionError(outcome, `${OUTCOME_MESSAGES[outcome]}${when}`);
  }

  #derived(): string {
    return derivedPath(this.#url, this.#given, this.#options);
  }

  #resumeTarget(): Target {
    const path = this.#options.output ?? this.#derived();
    return { path, inPlace: resumePoint(path).inPlace };
  }

  #secureOptions() {
    const options = this.#options;
    return {
      host: this.#url.host,
      ca: loadTrustStore(options.caFile), // the system bundle and the CA file, read again for each https hop
      verify: options.checkCertificate ?? true,
      onUnverified: (e: Error) =>
        this.#events.notice?.(`WARNING: ${e.message}; downloading anyway (--no-check-certificate)`),
      log: options.log,
    };
  }
}

function exchangeTotal(contentLength: number | null, coding: string | null): number | null {
  return coding === null || coding.trim().toLowerCase() === "identity" ? contentLength : null;
}
