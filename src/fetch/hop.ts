/**
 * One hop of a download: a connection to the URL's host, one request, one response. The hop decides where the body
 * goes (a new file, a resumed one, a shared sink) once the head says what it is, and, when the connection ends, what
 * the hop produced: a saved file, a redirect to follow, or a typed error. Every resource it opens is released however
 * it ends.
 *
 * @module
 */

import { type HeadEvent, hostPort, type ParsedUrl, persistenceOf } from "../http/mod.ts";
import {
  directoryOf,
  isSpecialFile,
  openOutput,
  type Output,
  type PartMap,
  partMapPath,
  partName,
  prepareDirectory,
  readPartMap,
  removePartMap,
  resumePoint,
  SkippingOutput,
  type Target,
  uniqueName,
} from "../save/mod.ts";
import { fileSize, setModificationTime } from "../../ffi/mod.ts";
import type { OpenStream } from "../transport/mod.ts";
import type { StreamOutcome, StreamSession } from "../transport/mod.ts";
import { Connection, type ConnectionPool } from "./connection.ts";
import { type CounterSnapshot, countersSince, snapshotCounters } from "./counters.ts";
import { type HeadVerdict, judgeHead } from "./head_policy.ts";
import { SavedErrorStatus, ServerStatusError } from "./errors.ts";
import { PLAIN_GET, type RequestMethod } from "./request_method.ts";
import { BROKEN_LINK, judgeSpider, type SpiderVerdict } from "./spider.ts";
import { HttpExchange } from "./http_exchange.ts";
import type { FetchEvents, FetchOptions } from "./options.ts";
import { loadSecure } from "./secure_loader.ts";
import { proxyFor, type ProxyRoute } from "./proxy.ts";
import { HopTimestamps, type TimestampVerdict } from "./timestamps.ts";
import { headLines, responseTrace, serverResponseText } from "./head_trace.ts";
import type { Authenticator } from "./auth.ts";
import type { CookieJar } from "./cookie_jar.ts";
import { type Carry, derivedPath, type DownloadContext, type HopResult } from "./hop_types.ts";
import { buildHopRequest } from "./hop_request.ts";
import { nowSeconds } from "./clock.ts";
import { failHop } from "./hop_failure.ts";
import { WatchedHandler } from "./watched_handler.ts";
import { dispositionPath, secureOptions } from "./hop_options.ts";
import { endAtHead } from "./hop_head_end.ts";
import { openConnection } from "./hop_connect.ts";
import type { HopPart } from "./part_sink.ts";
import type { ParallelDownload } from "./parallel.ts";
import { beginParallel, firstMissing } from "./parallel_start.ts";
import { ifRangeOf } from "./parallel_policy.ts";

/** How long a complete response waits for the server's FIN before we end the connection ourselves. */
const FIN_GRACE_MS = 1000;

/** Methods a request of which may be sent again when its connection died unanswered (RFC 9110 §9.2.2). */
const IDEMPOTENT: ReadonlySet<string> = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);

/** One request and its response over one connection. */
export class Hop {
  readonly #url: ParsedUrl;
  readonly #given: string;
  readonly #options: FetchOptions;
  readonly #events: FetchEvents;
  readonly #carry: Carry;
  readonly #auth: Authenticator;
  readonly #cookies: CookieJar | null;
  readonly #sink: Output | null;
  /** The file a range continues (from `-c` or a failed attempt), or null. */
  readonly #candidate: Target | null;
  /** Where the range asked for starts in the server's file: `--start-pos` plus what the file holds. */
  readonly #resumeAt: number;
  /** `--start-pos`: the server's bytes before it are not in the file. */
  readonly #startPos: number;
  /** The proxy this hop goes through, or null for a direct connection. */
  readonly #proxy: ProxyRoute | null;
  /** `-N` and server timestamps for this hop. */
  readonly #stamps: HopTimestamps;
  /** The method and content asked for; `#wire` is the method sent (HEAD for `--spider` and `-N`'s first look). */
  readonly #method: RequestMethod;
  readonly #wire: string;
  /** What `-N` decided on the head, when it decided instead of the head policy. */
  #kept: TimestampVerdict | null = null;
  #verdict: HeadVerdict | SpiderVerdict | { readonly kind: "authenticate" } | null = null;
  /** The error status whose body `--content-on-error` saves. */
  #failedStatus: ServerStatusError | null = null;
  #target: Target | null = null;
  #start = 0;
  /** The server's file size as the head declares it (`#start` plus the body), or null when it does not say. */
  #size: number | null = null;
  #aborted = false;
  /** The connection's counters when this hop's exchange began on a reused connection, else null. */
  #countersBefore: CounterSnapshot | null = null;
  /** The certificate was accepted without verifying (`--no-check-certificate`): its HSTS field is not noted. */
  #unverified = false;
  /** The part of a file this hop fetches for a download over several connections, or null. */
  readonly #part: HopPart | null;
  readonly #context: DownloadContext;
  /** The part map of the partial file this hop continues (an interrupted parallel download), or null. */
  readonly #map: PartMap | null;
  /** The download over several connections this hop's body began, or null. */
  #parallel: ParallelDownload | null = null;
  /** Ends the current exchange (a signal), and stops it once its part is done. */
  #interrupt: (() => void) | null = null;
  #stopExchange: (() => void) | null = null;
  #openStream: OpenStream | null = null;
  /** The session of the current exchange. */
  #session: StreamSession | null = null;

  /**
   * A hop to `url` of a download with `method`; `afterHead`: a HEAD at this URL already decided that `-N` fetches the
   * file (or, with `--spider`, that a GET must ask again); `part`: the range of a file this hop fetches for a
   * download over several connections (see parallel.ts).
   */
  constructor(
    url: ParsedUrl,
    download: DownloadContext,
    afterHead = false,
    method: RequestMethod = PLAIN_GET,
    part: HopPart | null = null,
  ) {
    const { carry, options } = download;
    this.#context = download;
    this.#url = url;
    this.#given = download.given;
    this.#carry = carry;
    this.#options = options;
    this.#events = download.events;
    this.#auth = download.auth;
    this.#cookies = download.cookies;
    this.#sink = options.sink ?? (options.output === "-" ? openOutput("-") : null);
    // A range is asked when -c finds a partial file, or when a retry continues what an attempt saved.
    this.#part = part;
    const resumes = options.resume && this.#sink === null && !options.spider && part === null;
    this.#candidate = part !== null ? null : carry.target ?? (resumes ? this.#resumeTarget() : null);
    this.#startPos = part !== null ? 0 : options.startPos ?? 0;
    // A part file with a map is not contiguous: the map says where the bytes it lacks start.
    const candidate = this.#candidate;
    const mapped = candidate !== null && !candidate.inPlace && this.#startPos === 0;
    this.#map = mapped ? readPartMap(partMapPath(partName(candidate))) : null;
    this.#resumeAt = part?.start ??
      (this.#map !== null
        ? firstMissing(this.#map)
        : this.#startPos + (candidate === null ? 0 : fileSize(partName(candidate)) ?? 0));
    this.#proxy = proxyFor(url, options.proxy);
    // --spider saves nothing, so it has no file for -N to compare.
    const saves = options.output === undefined && this.#sink === null && !options.spider;
    this.#stamps = new HopTimestamps(options, saves ? this.#derived() : null, afterHead);
    this.#method = method;
    this.#wire = (options.spider && !afterHead) || this.#stamps.method === "HEAD" ? "HEAD" : method.name;
  }

  /**
   * Runs the exchange over a connection to the URL's origin: an idle one of `pool` when there is one (replaced
   * transparently when the server had closed it, for a request that may be sent again), else one opened with
   * `openStream`. The connection goes back to `pool` when the response allows it (`persistenceOf`), else it is closed.
   * Without a pool, the request says `Connection: close`.
   */
  async run(openStream: OpenStream, pool: ConnectionPool | null = null): Promise<HopResult> {
    const url = this.#url;
    const proxy = this.#proxy;
    if (proxy !== null) this.#options.log?.(`Connecting through the proxy ${proxy.label} (${proxy.source})`);
    // The TLS files are read before connecting, as wget reads them: one that cannot be used fails the hop here.
    // TLS itself is loaded by the first https hop only (a plain download starts faster without it).
    const tlsModule = url.scheme === "https" ? await loadSecure() : null;
    this.#openStream = openStream;
    const secure = tlsModule === null ? null : secureOptions(this.#url, this.#options, this.#events, tlsModule);
    this.#options.watch?.hop(url.href, secure !== null);
    const key = `${url.scheme} ${proxy?.label ?? "direct"} ${hostPort(url.host, url.port)}`;
    let conn = pool === null ? null : await pool.take(key);
    if (conn !== null) this.#options.log?.(`Reusing existing connection to ${hostPort(url.host, url.port)}.`);
    for (;;) {
      conn ??= await openConnection({
        openStream,
        key,
        url,
        proxy,
        tlsModule,
        secure,
        options: this.#options,
        onUnverified: () => (this.#unverified = true),
      });
      let kept = false;
      try {
        this.#unverified = conn.unverified;
        const ran = await this.#exchangeOver(conn, pool !== null);
        if (ran === "stale") {
          this.#options.log?.(`The server had closed the connection; connecting again`);
          continue;
        }
        const { exchange, outcome, persists } = ran;
        try {
          if (persists) {
            kept = true;
            conn.reuses++;
            await pool!.release(conn);
          }
          return await this.#settle(exchange, outcome, conn.session);
        } finally {
          exchange.dispose();
        }
      } finally {
        if (!kept) await conn.close();
        conn = null;
      }
    }
  }

  /**
   * One request and its response over `conn`; "stale" when a connection that had carried exchanges before ended
   * before a byte of the response came, for a request that may be sent again (RFC 9110 §9.2.2: idempotent).
   */
  async #exchangeOver(conn: Connection, keepAlive: boolean): Promise<
    "stale" | { exchange: HttpExchange; outcome: StreamOutcome; persists: boolean }
  > {
    const watch = this.#options.watch;
    const session = this.#session = conn.session;
    this.#countersBefore = conn.reuses === 0 ? null : snapshotCounters(session.tcpStats, session.frameCounters);
    this.#interrupt = () => {
      this.#aborted = true;
      conn.session.abort("interrupted");
    };
    // A download over several connections interrupts all of them, this one included (see parallel.ts).
    if (this.#parallel === null) this.#events.onInterruptible?.(this.#interrupt);
    const part = this.#part;
    if (part !== null) this.#options.log?.(`Asking for bytes ${part.start}-${part.last ?? ""} (a part of the file)`);
    else if (this.#resumeAt > 0) {
      const of = this.#candidate === null ? " (--start-pos)" : ` of ${this.#candidate.path}`;
      this.#options.log?.(`Asking for bytes from ${this.#resumeAt}${of}`);
    }
    const exchange = new HttpExchange(this.#request(keepAlive), (head) => this.#onHead(head), {
      onProgress: (n, total) => {
        if (this.#parallel !== null) return; // the parts report the whole file's progress
        const base = this.#sink === null ? this.#start : this.#sink.written - n;
        this.#events.onProgress?.(base + n, total === null ? null : base + total);
      },
      onComplete: () => watch?.milestone("last-byte"),
    }, { head: this.#wire === "HEAD", ignoreLength: this.#options.ignoreLength });
    this.#stopExchange = () => exchange.stop();
    this.#part?.bindStop(this.#stopExchange);
    const http = watch === undefined ? exchange : new WatchedHandler(exchange, watch, "exchange");
    let outcome: StreamOutcome = "normal";
    let persists = false;
    try {
      await conn.carry(http, exchange.ended);
      const head = exchange.head;
      persists = keepAlive && exchange.messageComplete && !exchange.stopped && conn.usable && head !== null &&
        exchange.state !== "body" && exchange.state !== "waiting" && persistenceOf(head, true) === null;
      // Not kept: the server's FIN is awaited a moment (it closes after the response), then our RST ends it.
      if (persists) conn.detach();
      else {
        await conn.finish(FIN_GRACE_MS);
        // The exchange hears the end last (TLS first settles its handshake, a late decoder writes what waited).
        outcome = await exchange.closed;
      }
    } catch (e) {
      // Our own RST may be refused by the RST guard (EPERM): once we asked to stop, that is not news.
      if (!this.#aborted && !exchange.stopped) throw e;
      outcome = "stopped";
    }
    const idempotent = IDEMPOTENT.has(this.#wire);
    if (conn.reuses > 0 && exchange.received === 0 && !this.#aborted && idempotent && !persists) {
      exchange.dispose();
      return "stale";
    }
    const failure = conn.failure();
    if (failure !== null) {
      exchange.dispose();
      throw failure;
    }
    return { exchange, outcome, persists };
  }

  #request(keepAlive: boolean): Uint8Array {
    return buildHopRequest({
      keepAlive,
      url: this.#url,
      proxy: this.#proxy,
      stamps: this.#stamps,
      auth: this.#auth,
      cookies: this.#cookies,
      options: this.#options,
      wire: this.#wire,
      method: this.#method,
      resumeAt: this.#resumeAt,
      part: this.#part !== null
        ? { last: this.#part.last ?? undefined, ifRange: this.#part.ifRange }
        : this.#map === null
        ? undefined
        : { ifRange: ifRangeOf(this.#map) },
    });
  }

  /** What the head means, and where its body goes (null: no body wanted). */
  #onHead(head: HeadEvent): Output | null {
    if (this.#options.debug) this.#options.log?.(responseTrace(head));
    // Any response may set cookies, a redirect or a 401 too: the next request carries them (RFC 6265 §3, wget).
    const jar = this.#cookies;
    if (jar !== null) {
      for (const field of head.headers.getAll("set-cookie")) this.#say(jar.receive(this.#url, field, nowSeconds()));
    }
    this.#events.serverResponse?.(serverResponseText(head));
    this.#options.watch?.head(headLines(head));
    // RFC 6797 §8.1: an https response may note its host as a Known HSTS Host (wget: any status but 401).
    const sts = head.headers.getAll("strict-transport-security")[0] ?? null;
    if (head.status !== 401) this.#options.hsts?.record(this.#url, sts, !this.#unverified);
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
    if (this.#part !== null) return this.#part.onHead(head);
    // --spider -r: the GET that follows a page's HEAD saves the page for the crawl.
    if (this.#options.spider && (this.#wire === "HEAD" || !this.#options.spiderFetchesPages)) return this.#spy(head);
    const verdict = this.#verdict = this.#judge(head);
    if (verdict.kind !== "body") return null;
    const failed = this.#failedStatus !== null;
    if (!failed) this.#say(stamps.dateNote(head));
    if (stamps.method === "HEAD") {
      this.#kept = stamps.onSuccess(head);
      return this.#say(this.#kept.note);
    }
    const { offset, skip = 0 } = verdict;
    // Progress counts the body as it comes: from the offset, or from 0 when it repeats what the file has.
    const start = this.#start = offset - skip;
    const total = exchangeTotal(head.contentLength, head.headers.get("content-encoding"));
    this.#size = total === null ? null : start + total;
    const sink = this.#sink;
    if (sink !== null) {
      this.#events.onBody?.(sink.path, sink.written, total === null ? null : sink.written + total);
      return skip > 0 ? new SkippingOutput(sink, skip) : sink;
    }
    // The body of an error status never continues or replaces a file: it gets a name of its own, unless -O names one.
    const candidate = failed ? null : this.#candidate;
    // -N replaces the local file (wget's no-clobber does not apply).
    const derived = this.#derived(mediaType(head.headers.get("content-type")).contentType ?? null);
    const replaces = (stamps.timestamping || this.#options.replaceExisting === true) && !failed;
    const path = candidate?.path ?? this.#options.output ??
      (replaces ? derived : uniqueName(dispositionPath(head, this.#options) ?? derived));
    // The file holds the server's bytes from --start-pos on (an error body that is saved starts at 0 anyway).
    const fileOffset = failed ? 0 : offset - this.#startPos;
    const inPlace = isSpecialFile(path) || ((candidate?.inPlace ?? false) && fileOffset > 0);
    const target = this.#target = { path, inPlace };
    // -x, -r: the name's HOST/PATH directories, made as its file is opened (wget makes none for a failure).
    if (this.#options.localName !== undefined && candidate === null) prepareDirectory(directoryOf(path));
    if (skip > 0) {
      const where = fileOffset > 0 ? `, already in ${partName(target)},` : "";
      this.#events.notice?.(
        `The server ignored the range and sent the whole file: its first ${skip} bytes${where} are skipped`,
      );
    }
    // --start-pos writes the server's bytes from there at the file's start: the parts' offsets would not match.
    const single = failed || skip > 0 || target.inPlace || this.#startPos > 0;
    const parallel = single || this.#wire !== "GET" || this.#method.content !== null ? null : beginParallel({
      head,
      url: this.#url,
      context: this.#context,
      openStream: this.#openStream!,
      path,
      offset: fileOffset,
      map: this.#map,
      interruptFirst: () => this.#interrupt?.(),
      rttMs: this.#session?.tcpStats.minRttMs ?? 0,
    });
    if (parallel !== null) {
      this.#parallel = parallel;
      parallel.firstSink.bindStop(this.#stopExchange!);
      this.#events.onBody?.(target.path, parallel.received, parallel.size);
      return parallel.firstSink;
    }
    // A part map beside NAME.part describes bytes that this output replaces or continues contiguously.
    if (!target.inPlace) removePartMap(partMapPath(partName(target)));
    this.#events.onBody?.(target.path, start, total === null ? null : start + total);
    const output = openOutput(target.path, { inPlace: target.inPlace, offset: fileOffset });
    return skip > 0 ? new SkippingOutput(output, skip) : output;
  }

  /**
   * The head policy's verdict; with `--content-on-error`, an error status is a body to save from byte 0, and the
   * error is kept for the end.
   */
  #judge(head: HeadEvent): HeadVerdict {
    // RFC 9110 §13.1.5: a 200 to our If-Range is the file again, changed since the part map was saved (or its server
    // no longer serves ranges): its bytes cannot continue a file made of parts, so it starts over.
    if (this.#map !== null && head.status === 200) {
      this.#events.notice?.(`The file changed on the server since it was partly saved: downloading it again`);
      return { kind: "body", offset: this.#startPos };
    }
    try {
      return judgeHead(head, this.#resumeAt);
    } catch (e) {
      if (!(this.#options.contentOnError && e instanceof ServerStatusError && this.#wire !== "HEAD")) throw e;
      this.#failedStatus = e;
      return { kind: "body", offset: 0 };
    }
  }

  /** `--spider`: whether the file exists, said as wget says it; nothing is saved. */
  #spy(head: HeadEvent): null {
    try {
      const verdict = this.#verdict = judgeSpider(head, this.#wire, this.#options.spiderFetchesPages);
      return this.#say(verdict.kind === "redirect" ? null : verdict.note ?? null);
    } catch (e) {
      if (e instanceof ServerStatusError && !e.transient) this.#say(BROKEN_LINK);
      throw e;
    }
  }

  /** The connection ended: the file, the redirect, or the error. */
  async #settle(exchange: HttpExchange, outcome: StreamOutcome, session: StreamSession): Promise<HopResult> {
    const out = exchange.output;
    const sink = this.#sink;
    // This exchange's own counts: a kept connection carried other downloads before it.
    const now = snapshotCounters(session.tcpStats, session.frameCounters);
    const stats = this.#countersBefore === null ? now : countersSince(now, this.#countersBefore);
    const verdict = this.#verdict;
    const kept = this.#kept;
    if ((this.#part !== null || this.#parallel !== null) && exchange.state !== "head") {
      return await this.#settleParts(exchange, outcome, session, stats);
    }
    if (exchange.state === "head") {
      const candidate = this.#candidate;
      const ended = await endAtHead({
        status: exchange.head!.status,
        verdict,
        kept,
        local: this.#stamps.local,
        path: () => sink?.path ?? this.#options.output ?? this.#derived(),
        candidate,
        partMap: this.#map !== null && candidate !== null ? partMapPath(partName(candidate)) : null,
        have: this.#resumeAt - this.#startPos,
        stats,
        notice: this.#events.notice,
      });
      if (ended !== null) return ended;
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
      const head = exchange.head!;
      if (this.#failedStatus !== null) throw new SavedErrorStatus(head.status, head.reason, path);
      if (path !== "-") this.#setTime(path, head);
      const done = {
        path,
        saved: true,
        bytes: out?.written ?? 0,
        received: exchange.written,
        status: exchange.head!.status,
        extent: { end: this.#start + exchange.written, size: this.#size },
        ...mediaType(head.headers.get("content-type")),
      };
      return { kind: "done", done: { ...done, ...stats } };
    }
    return await failHop({
      exchange,
      outcome,
      session,
      sink,
      target: this.#target,
      carry: this.#carry,
      failedStatus: this.#failedStatus,
      url: this.#url,
    });
  }

  /**
   * The end of a part's hop, or of the hop whose body began a download over several connections: a part is done when
   * it has its range (its exchange may have been stopped there) or its response ended (a shorter one: the worker asks
   * again for the rest); otherwise the failure is the part's, which the download over several connections handles.
   */
  async #settleParts(
    exchange: HttpExchange,
    outcome: StreamOutcome,
    session: StreamSession,
    stats: CounterSnapshot,
  ): Promise<HopResult> {
    const part = this.#part ?? this.#parallel!.firstSink;
    const ended = part.done || exchange.state === "complete";
    const carry = { target: null, final: false };
    const error = ended ? null : await failHop({
      exchange,
      outcome,
      session,
      // The part file is the download's: the failure is said without it (the part's own carry is dropped; the download
      // over several connections retries the part).
      sink: null,
      target: null,
      carry,
      failedStatus: null,
      url: this.#url,
    })
      .catch((e: unknown) => e);
    if (this.#parallel !== null) {
      const done = await this.#parallel.settle(error, stats);
      this.#setTime(done.path, exchange.head!);
      return { kind: "done", done: { ...done, ...mediaType(exchange.head!.headers.get("content-type")) } };
    }
    if (error !== null) throw error;
    const written = exchange.written;
    const path = exchange.output?.path ?? "-";
    return {
      kind: "done",
      done: { path, saved: true, bytes: written, received: written, status: exchange.head!.status, ...stats },
    };
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

  #derived(contentType?: string | null): string {
    return derivedPath(this.#url, this.#given, this.#options, contentType);
  }

  #resumeTarget(): Target {
    const path = this.#options.output ?? this.#derived();
    return { path, inPlace: resumePoint(path).inPlace };
  }
}

/** The body's length when it is stored as sent (no content coding), else null. */
function exchangeTotal(contentLength: number | null, coding: string | null): number | null {
  return coding === null || coding.trim().toLowerCase() === "identity" ? contentLength : null;
}

/** A Content-Type's media type (lower case, no parameters) and charset, for the crawl to read the body by. */
function mediaType(field: string | null): { contentType?: string; charset?: string } {
  if (field === null) return {};
  const [type, ...params] = field.split(";");
  const charset = params.map((p) => /^\s*charset\s*=\s*"?([^";\s]+)"?\s*$/i.exec(p)?.[1]).find((c) => c !== undefined);
  return { contentType: type.trim().toLowerCase(), ...(charset === undefined ? {} : { charset }) };
}
