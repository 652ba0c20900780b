/**
 * One hop of a download: a connection to the URL's host, one request, one response. The hop decides where the body
 * goes (a new file, a resumed one, a shared sink) once the head says what it is, and, when the connection ends, what
 * the hop produced: a saved file, a redirect to follow, or a typed error. Every resource it opens is released however
 * it ends.
 *
 * @module
 */

import { buildGetRequest, encodeTarget, type HeadEvent, type ParsedUrl } from "../http/mod.ts";
import {
  openOutput,
  type Output,
  partName,
  resumePoint,
  SkippingOutput,
  type Target,
  uniqueName,
} from "../save/mod.ts";
import { fileSize, setModificationTime } from "../../ffi/mod.ts";
import { ConnectionError, type OpenStream, OUTCOME_MESSAGES } from "../transport/mod.ts";
import type { StreamOutcome, StreamSession } from "../transport/mod.ts";
import { type HeadVerdict, judgeHead } from "./head_policy.ts";
import { HttpExchange } from "./http_exchange.ts";
import { type FetchEvents, type FetchOptions, VERSION } from "./options.ts";
import { loadTrustStore } from "./tls.ts";
import { TlsLayer } from "./tls_layer.ts";
import { proxyFor, type ProxyRoute } from "./proxy.ts";
import { ConnectTunnel } from "./tunnel.ts";
import { HopTimestamps, type TimestampVerdict } from "./timestamps.ts";
import { requestTrace, responseTrace } from "./head_trace.ts";
import type { Authenticator } from "./auth.ts";
import { type Carry, derivedPath, type DownloadContext, type HopResult } from "./hop_types.ts";

/** The User-Agent of every request. */
const USER_AGENT = `rawhttpget/${VERSION}`;

/** How long a complete response waits for the server's FIN before we end the connection ourselves. */
const FIN_GRACE_MS = 1000;

/** One request and its response over one connection. */
export class Hop {
  readonly #url: ParsedUrl;
  readonly #given: string;
  readonly #options: FetchOptions;
  readonly #events: FetchEvents;
  readonly #carry: Carry;
  readonly #auth: Authenticator;
  readonly #sink: Output | null;
  /** The file a range continues (from `-c` or a failed attempt), or null. */
  readonly #candidate: Target | null;
  readonly #resumeAt: number;
  /** The proxy this hop goes through, or null for a direct connection. */
  readonly #proxy: ProxyRoute | null;
  /** `-N` and server timestamps for this hop. */
  readonly #stamps: HopTimestamps;
  /** What `-N` decided on the head, when it decided instead of the head policy. */
  #kept: TimestampVerdict | null = null;
  #verdict: HeadVerdict | { readonly kind: "authenticate" } | null = null;
  #target: Target | null = null;
  #start = 0;
  #aborted = false;

  /** A hop to `url` of a download; `afterHead`: a HEAD at this URL already decided that `-N` fetches the file. */
  constructor(url: ParsedUrl, download: DownloadContext, afterHead = false) {
    const { carry, options } = download;
    this.#url = url;
    this.#given = download.given;
    this.#carry = carry;
    this.#options = options;
    this.#events = download.events;
    this.#auth = download.auth;
    this.#sink = options.sink ?? (options.output === "-" ? openOutput("-") : null);
    // A range is asked when -c finds a partial file, or when a retry continues what an attempt saved.
    this.#candidate = carry.target ?? (options.resume && this.#sink === null ? this.#resumeTarget() : null);
    this.#resumeAt = this.#candidate === null ? 0 : fileSize(partName(this.#candidate)) ?? 0;
    this.#proxy = proxyFor(url, options.proxy);
    const stampPath = options.output === undefined && this.#sink === null ? this.#derived() : null;
    this.#stamps = new HopTimestamps(options, stampPath, afterHead);
  }

  /** Opens a stream with `openStream`, runs the exchange over it, and says what came of it. */
  async run(openStream: OpenStream): Promise<HopResult> {
    const url = this.#url;
    const proxy = this.#proxy;
    if (proxy !== null) this.#options.log?.(`Connecting through the proxy ${proxy.label} (${proxy.source})`);
    const session = await openStream(proxy ?? { host: url.host, port: url.port });
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
      }, { head: this.#stamps.method === "HEAD" });
      const tls = url.scheme === "https" ? new TlsLayer(exchange, this.#secureOptions()) : null;
      // https through a proxy: TLS runs inside a CONNECT tunnel, end to end with the server (RFC 9110 §9.3.6).
      const tunnel = tls !== null && proxy !== null ? new ConnectTunnel(tls, proxy, url, USER_AGENT) : null;
      let outcome: StreamOutcome;
      try {
        await session.run(tunnel ?? tls ?? exchange);
        outcome = await exchange.closed;
      } catch (e) {
        // Our own RST may be refused by the RST guard (EPERM): once we asked to stop, that is not news.
        if (!this.#aborted && !exchange.stopped) throw e;
        outcome = "stopped";
      } finally {
        clearTimeout(linger);
        exchange.dispose();
      }
      if (tunnel?.failure) throw tunnel.failure;
      if (tls?.failure) throw tls.failure;
      return await this.#settle(exchange, outcome, session);
    } finally {
      await session.close();
    }
  }

  #request(): Uint8Array {
    const url = this.#url;
    // A plain request through a proxy names the whole URL and carries the proxy's credentials; inside a tunnel the
    // proxy sees neither.
    const viaProxy = this.#proxy !== null && url.scheme === "http";
    const auth = viaProxy ? this.#proxy!.authorization : undefined;
    const stamps = this.#stamps;
    const extraHeaders: Array<[string, string]> = [...stamps.requestFields()];
    if (auth !== undefined) extraHeaders.push(["Proxy-Authorization", auth]);
    const target = viaProxy ? `http://${hostField(url)}${encodeTarget(url.path)}` : encodeTarget(url.path);
    const credentials = this.#auth.authorization(url, stamps.method, target);
    if (credentials !== undefined) extraHeaders.push(["Authorization", credentials]);
    const request = buildGetRequest({
      host: url.host,
      port: url.port,
      defaultPort: url.defaultPort,
      path: url.path,
      userAgent: USER_AGENT,
      version: this.#options.http11 ? "1.1" : "1.0",
      range: this.#resumeAt > 0 ? { start: this.#resumeAt } : undefined,
      viaProxy,
      extraHeaders,
      method: stamps.method,
      identity: stamps.timestamping, // -N compares the Content-Length with the file's size
    });
    if (this.#options.debug) this.#options.log?.(requestTrace(request));
    return request;
  }

  /** What the head means, and where its body goes (null: no body wanted). */
  #onHead(head: HeadEvent): Output | null {
    if (this.#options.debug) this.#options.log?.(responseTrace(head));
    const stamps = this.#stamps;
    // -N: a 304, or a 200 that ignored If-Modified-Since for a file we have, keeps the local file.
    this.#kept = stamps.beforePolicy(head);
    if (this.#kept !== null) return this.#say(this.#kept.note);
    // RFC 9110 §15.5.2: a 401 we can answer is asked again with credentials (throws AuthError when we cannot).
    if (head.status === 401) {
      this.#auth.challenged(this.#url, head);
      this.#verdict = { kind: "authenticate" };
      return null;
    }
    const verdict = this.#verdict = judgeHead(head, this.#resumeAt);
    if (verdict.kind !== "body") return null;
    this.#say(stamps.dateNote(head));
    if (stamps.method === "HEAD") {
      this.#kept = stamps.onSuccess(head);
      return this.#say(this.#kept.note);
    }
    const { offset, skip = 0 } = verdict;
    // Progress counts the body as it comes: from the offset, or from 0 when it repeats what the file has.
    const start = this.#start = offset - skip;
    const total = exchangeTotal(head.contentLength, head.headers.get("content-encoding"));
    const sink = this.#sink;
    if (sink !== null) {
      this.#events.onBody?.(sink.path, sink.written, total === null ? null : sink.written + total);
      return sink;
    }
    const candidate = this.#candidate;
    // -N replaces the local file (wget's no-clobber does not apply).
    const derived = this.#derived();
    const path = candidate?.path ?? this.#options.output ?? (stamps.timestamping ? derived : uniqueName(derived));
    const target = this.#target = { path, inPlace: (candidate?.inPlace ?? false) && offset > 0 };
    if (skip > 0) {
      this.#events.notice?.(
        `The server ignored the range and sent the whole file: its first ${skip} bytes, already in ${
          partName(target)
        }, are skipped`,
      );
    }
    this.#events.onBody?.(target.path, start, total === null ? null : start + total);
    const output = openOutput(target.path, { inPlace: target.inPlace, offset });
    return skip > 0 ? new SkippingOutput(output, skip) : output;
  }

  /** The connection ended: the file, the redirect, or the error. */
  async #settle(exchange: HttpExchange, outcome: StreamOutcome, session: StreamSession): Promise<HopResult> {
    const out = exchange.output;
    const sink = this.#sink;
    const stats = { tcp: session.tcpStats, frames: session.frameCounters };
    const verdict = this.#verdict;
    const kept = this.#kept;
    if (exchange.state === "head" && kept !== null) {
      if (kept.fetch) return { kind: "fetch" };
      const local = this.#stamps.local!;
      const status = exchange.head!.status;
      return {
        kind: "done",
        done: { path: local.path, saved: false, bytes: local.size, received: 0, status, ...stats },
      };
    }
    if (exchange.state === "head" && verdict?.kind === "authenticate") return { kind: "authenticate" };
    if (exchange.state === "head" && verdict?.kind === "redirect") {
      return { kind: "redirect", location: verdict.location, status: exchange.head!.status };
    }
    if (exchange.state === "head" && verdict?.kind === "complete") {
      this.#events.notice?.(`The file is already fully retrieved; nothing to do`);
      const candidate = this.#candidate!;
      // NAME.part becomes NAME
      if (!candidate.inPlace) await openOutput(candidate.path, { offset: this.#resumeAt }).commit();
      const status = exchange.head!.status;
      return {
        kind: "done",
        done: { path: candidate.path, saved: true, bytes: this.#resumeAt, received: 0, status, ...stats },
      };
    }
    if (exchange.state === "head" && verdict?.kind === "empty") {
      // No file: wget creates none for a 204 either (an -O FILE was created before the download began).
      this.#events.notice?.(`The server answered 204 No Content: there is nothing to save`);
      const path = sink?.path ?? this.#options.output ?? this.#derived();
      return { kind: "done", done: { path, saved: false, bytes: 0, received: 0, status: 204, ...stats } };
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
      if (path !== "-") this.#setTime(path, exchange.head!);
      const done = {
        path,
        saved: true,
        bytes: out?.written ?? 0,
        received: exchange.written,
        status: exchange.head!.status,
      };
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

  /** Gives the saved file the server's modification time, as wget does; a failure is said, not fatal (wget's too). */
  #setTime(path: string, head: HeadEvent): void {
    const mtime = this.#stamps.mtime(head);
    if (mtime === null) return;
    try {
      setModificationTime(path, mtime);
    } catch (e) {
      this.#events.notice?.(`Cannot set the modification time of '${path}': ${(e as Error).message}`);
    }
  }

  /** Tells the user `note` (when there is one); returns null, the output of a head whose body is not wanted. */
  #say(note: string | null): null {
    if (note !== null) this.#events.notice?.(note);
    return null;
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

/** The Host field's value: the port only when it is not the scheme's (RFC 9110 §7.2). */
function hostField(url: ParsedUrl): string {
  return url.port === url.defaultPort ? url.host : `${url.host}:${url.port}`;
}
