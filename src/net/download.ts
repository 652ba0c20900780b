/**
 * One URL, end to end: a loop of hops (redirects, retries, resumes) above one hop = "open a byte stream to
 * host:port, run an HTTP exchange over it" (over TLS for `https://`). Every resource of a hop is released however it
 * ends.
 *
 * Choices (wget's unless said):
 * - Redirects (301, 302, 303, 307, 308) open a new connection per hop, up to `maxRedirects` (20); a URL seen twice
 *   in one chain is a loop and stops at once. Redirects between http and https are followed and counted alike (no
 *   HSTS).
 * - https: the certificate is checked against the system's CA bundle plus `caFile` and the URL's host (SNI is the
 *   host name, none for an IP literal, RFC 6066 §3); `checkCertificate: false` downloads anyway and warns.
 * - The file is named after the URL the user gave, not the server's last redirect (CVE-2010-2252), unless
 *   `trustServerNames`; an existing file is kept and the new one is `NAME.1`, … unless `output` names the file.
 * - `resume` (-c) continues `NAME.part`, else a partial `NAME`, with `Range: bytes=N-` (RFC 9110 §14.2): a 206 is
 *   appended, a 200 starts the file over, a 416 means the file is already complete.
 * - `tries` (3 by default; wget's 20 is a long wait for a file that will not come): network failures (timeouts,
 *   resets, a connection closed early) are retried after 1 s, 2 s, … (at most 10 s), continuing with a range what
 *   the failed attempt saved; a refused connection, DNS and HTTP errors are not (wget does not retry them either).
 *
 * @module
 */

import { buildGetRequest } from "../http/request.ts";
import { fileNameFor, type ParsedUrl, parseUrl, resolveLocation } from "../http/url.ts";
import type { ConnectionStats } from "../tcp/events.ts";
import { loadTrustStore } from "./tls.ts";
import type { DriverOutcome, FrameTap } from "./driver.ts";
import { ConnectionError, OUTCOME_MESSAGES, RedirectError, retryable } from "./errors.ts";
import type { FirewallMode } from "./firewall.ts";
import type { FrameCounters } from "./frames.ts";
import { judgeHead } from "./head_policy.ts";
import { HttpExchange } from "./http_exchange.ts";
import { fileSize } from "../../ffi/fs.ts";
import {
  checkWritableDirectory,
  joinPath,
  openOutput,
  type Output,
  partName,
  resumePoint,
  type Target,
  uniqueName,
} from "./output.ts";
import { openTcpStream, type SecureOptions } from "./tcp_stream.ts";

/** The program's version, sent as `User-Agent: rawhttpget/<version>`. */
export const VERSION = "0.2.0";

/** What a download needs to know. */
export interface DownloadOptions {
  /** The URL as the user typed it. */
  readonly url: string;
  /** Output path; "-" for standard output; derived from the URL (inside `directory`) when absent. */
  readonly output?: string;
  /** A sink shared by several downloads (`-O FILE` with several URLs): flushed after each download, not closed here. */
  readonly sink?: Output;
  /** Directory for derived names (`-P`), "." by default. */
  readonly directory?: string;
  /** Continue a partial file (`-c`). */
  readonly resume?: boolean;
  /** Attempts in all (default 3). */
  readonly tries?: number;
  /** Redirects followed at most (default 20). */
  readonly maxRedirects?: number;
  /** Ask in HTTP/1.1 (chunked responses decoded) instead of HTTP/1.0. */
  readonly http11?: boolean;
  /** Name the file after the last URL of the redirect chain. */
  readonly trustServerNames?: boolean;
  /** Silence tolerated before giving up, in ms (default 60000). */
  readonly timeoutMs?: number;
  /** How the kernel's RSTs are silenced (default "auto"). */
  readonly firewall?: FirewallMode;
  /** Source address to send from (`--source`), a u32. */
  readonly source?: number;
  /** Interface to leave by (`--interface`). */
  readonly device?: string;
  /** Frame observer (traces, pcap). */
  readonly tap?: FrameTap;
  /** Verbose messages ("resolving…", what the firewall did). */
  readonly log?: (message: string) => void;
  /** Messages every user sees unless `-q` (a redirect, a retry). */
  readonly notice?: (message: string) => void;
  /** The body starts: the file, the byte it starts at, the whole size when known. */
  readonly onBody?: (path: string, offset: number, total: number | null) => void;
  /** Bytes in the file so far, out of the whole size when known. */
  readonly onProgress?: (bytes: number, total: number | null) => void;
  /** Receives a function that interrupts the download (for signal handlers). */
  readonly onInterruptible?: (interrupt: () => void) => void;
  /** TCP receive buffer in bytes (the largest advertised window). */
  readonly recvBufferSize?: number;
  /** Pause before retry `n` (1-based), in ms; 1 s, 2 s, … up to 10 s by default. */
  readonly retryDelayMs?: (n: number) => number;
  /** A PEM file of CAs trusted besides the system's (`--ca-certificate`). */
  readonly caFile?: string;
  /** Refuse a certificate that does not verify (default true; false: `--no-check-certificate`, with a warning). */
  readonly checkCertificate?: boolean;
}

/** What a successful download produced. */
export interface DownloadResult {
  /** Where the file was saved ("-" for standard output). */
  readonly path: string;
  /** Bytes in the file (after content decoding; a resumed file counts what it had). */
  readonly bytes: number;
  /** Bytes received and saved by this run. */
  readonly received: number;
  /** From the first SYN of the first hop to the end, in ms. */
  readonly elapsedMs: number;
  /** The final response status (416 when the file was already complete). */
  readonly status: number;
  /** The URL the file came from. */
  readonly url: string;
  /** The TCP engine's counters (the hop that carried the body). */
  readonly tcp: ConnectionStats;
  /** The frame counters below TCP (the hop that carried the body). */
  readonly frames: FrameCounters;
}

/** Downloads one URL; throws a typed error on any failure (a partial `.part` file is kept for a resume). */
export async function download(options: DownloadOptions): Promise<DownloadResult> {
  const first = parseUrl(options.url);
  if (options.sink === undefined && options.output !== "-") {
    checkWritableDirectory(options.output ?? named(first, options));
  }
  const tries = options.tries ?? 3;
  const maxRedirects = options.maxRedirects ?? 20;
  const started = performance.now();
  let url = first;
  let seen = new Set([url.href]);
  const state: HopState = { target: null, final: false };
  for (let attempt = 1;; attempt++) {
    try {
      for (let redirects = 0;; redirects++) {
        const hop = await runHop(url, state, options);
        if (hop.kind === "done") return { ...hop.result, url: url.href, elapsedMs: performance.now() - started };
        if (redirects >= maxRedirects) {
          throw new RedirectError("limit", `Stopped after ${maxRedirects} redirects (see --max-redirect)`);
        }
        const next = resolveLocation(url, hop.location);
        if (seen.has(next.href)) throw new RedirectError("loop", `Redirect loop: ${next.href} was already visited`);
        seen.add(next.href);
        options.notice?.(`Redirected (${hop.status}) to ${next.href}`);
        url = next;
      }
    } catch (e) {
      if (attempt >= tries || state.final || !retryable(e)) throw e;
      const delay = (options.retryDelayMs ?? ((n) => Math.min(n, 10) * 1000))(attempt);
      options.notice?.(`${(e as Error).message}; retrying in ${delay / 1000} s (attempt ${attempt + 1} of ${tries})`);
      await sleep(delay, options);
      // A retry starts from the URL the user gave, as wget does (a redirect may have been temporary).
      url = first;
      seen = new Set([url.href]);
    }
  }
}

/** How long a complete response waits for the server's FIN before we end the connection ourselves. */
const FIN_GRACE_MS = 1000;

type HopResult =
  | { kind: "done"; result: Omit<DownloadResult, "url" | "elapsedMs"> }
  | { kind: "redirect"; location: string; status: number };

/** What hops pass on: the file a failed attempt saved part of, for the retry to continue (null: start afresh). */
interface HopState {
  target: Target | null;
  /** Bytes went where a retry could not take them back. */
  final: boolean;
}

/** One hop: a connection to `url`'s host, one request, one response. */
async function runHop(url: ParsedUrl, state: HopState, options: DownloadOptions): Promise<HopResult> {
  const fixed = state.target;
  const log = options.log ?? (() => {});
  const sink = options.sink ?? (options.output === "-" ? openOutput("-") : null);
  // A range is asked when -c finds a partial file, or when a retry continues what an attempt saved.
  const candidate = fixed ?? (options.resume && sink === null ? resumeTarget(url, options) : null);
  const resumeAt = candidate === null ? 0 : fileSize(partName(candidate)) ?? 0;
  const stream = await openTcpStream({
    host: url.host,
    port: url.port,
    timeoutMs: options.timeoutMs ?? 60_000,
    firewall: options.firewall ?? "auto",
    source: options.source,
    device: options.device,
    tap: options.tap,
    log,
    recvBufferSize: options.recvBufferSize,
    tls: url.scheme === "https" ? secureOptions(url, options) : undefined,
  });
  try {
    // Our own RST may be refused by the RST guard (EPERM from sendto): once we asked to stop, that is not news.
    let stopping = false;
    const stop = (why: "interrupted" | "stopped") => {
      stopping = true;
      stream.stop(why);
    };
    options.onInterruptible?.(() => stop("interrupted"));
    const request = buildGetRequest({
      host: url.host,
      port: url.port,
      defaultPort: url.defaultPort,
      path: url.path,
      userAgent: `rawhttpget/${VERSION}`,
      version: options.http11 ? "1.1" : "1.0",
      range: resumeAt > 0 ? { start: resumeAt } : undefined,
    });
    if (resumeAt > 0) log(`Asking for bytes from ${resumeAt} of ${candidate!.path}`);
    let linger: ReturnType<typeof setTimeout> | undefined;
    let verdict: ReturnType<typeof judgeHead> | null = null;
    let target: Target | undefined;
    let start = 0;
    const exchange = new HttpExchange(
      request,
      (head) => {
        verdict = judgeHead(head, resumeAt);
        if (verdict.kind !== "body") return null;
        start = verdict.offset;
        const total = exchangeTotal(head.contentLength, head.headers.get("content-encoding"));
        if (sink !== null) {
          options.onBody?.(sink.path, sink.written, total === null ? null : sink.written + total);
          return sink;
        }
        if (resumeAt > 0 && start === 0) options.notice?.("The server ignored the range: starting over");
        const path = candidate?.path ?? options.output ?? uniqueName(named(url, options));
        target = { path, inPlace: (candidate?.inPlace ?? false) && start > 0 };
        options.onBody?.(target.path, start, total === null ? null : start + total);
        return openOutput(target.path, { inPlace: target.inPlace, offset: start });
      },
      () => stop("stopped"),
      {
        onProgress: (n, total) => {
          const base = sink === null ? start : sink.written - n;
          options.onProgress?.(base + n, total === null ? null : base + total);
        },
        // The body is complete: a server that then neither closes nor sends more gets a short grace for its FIN,
        // then our RST, rather than holding the download until the silence timeout.
        onComplete: () => (linger = setTimeout(() => stop("stopped"), FIN_GRACE_MS)),
        // A disk slower than the network: our receive window closes until the output has room again.
        onFull: () => stream.pauseReading(),
        onDrained: () => stream.resumeReading(),
      },
    );
    let outcome: DriverOutcome;
    try {
      outcome = await stream.run(exchange);
    } catch (e) {
      if (!stopping) throw e;
      outcome = "stopped";
    } finally {
      clearTimeout(linger);
      exchange.dispose();
    }
    const out = exchange.output;
    const stats = { tcp: stream.tcpStats, frames: stream.frameCounters };
    const v = verdict as ReturnType<typeof judgeHead> | null;
    if (exchange.state === "head" && v?.kind === "redirect") {
      return { kind: "redirect", location: v.location, status: exchange.head!.status };
    }
    if (exchange.state === "head" && v?.kind === "complete") {
      options.notice?.(`The file is already fully retrieved; nothing to do`);
      const path = candidate!.path;
      if (!candidate!.inPlace) await openOutput(path, { offset: resumeAt }).commit(); // NAME.part becomes NAME
      return { kind: "done", result: { path, bytes: resumeAt, received: 0, status: 416, ...stats } };
    }
    if (exchange.state === "complete") {
      // The file is complete once the buffered bytes are written (a full disk says so only now).
      try {
        await out?.commit();
      } catch (e) {
        await out?.abandon(true);
        throw e;
      }
      const path = sink?.path ?? target?.path ?? "-";
      const result = { path, bytes: out?.written ?? 0, received: exchange.written, status: exchange.head!.status };
      return { kind: "done", result: { ...result, ...stats } };
    }
    await out?.abandon(true);
    // A retry may continue with a range only what was saved as sent, in a file of our own; what went to a shared
    // output (standard output, a concatenation) cannot be taken back, so that is not retried at all.
    if (target !== undefined) state.target = exchange.identity && (out?.written ?? 0) > 0 ? target : null;
    if (out === sink && exchange.written > 0) state.final = true;
    if (exchange.state === "failed") throw exchange.error;
    const where = out === null || out === sink ? "" : ` after ${out.written} bytes (kept in ${partName(target!)})`;
    if (outcome === "refused") {
      throw new ConnectionError(outcome, `${url.host}:${url.port} refused the connection (nothing listens there)`);
    }
    const when = exchange.state === "waiting" ? " before the response headers arrived" : where;
    throw new ConnectionError(outcome, `${OUTCOME_MESSAGES[outcome]}${when}`);
  } finally {
    await stream.close();
  }
}

function named(url: ParsedUrl, options: DownloadOptions): string {
  const base = options.trustServerNames ? url : parseUrl(options.url);
  return joinPath(options.directory ?? ".", fileNameFor(base));
}

function resumeTarget(url: ParsedUrl, options: DownloadOptions): Target {
  const path = options.output ?? named(url, options);
  return { path, inPlace: resumePoint(path).inPlace };
}

function exchangeTotal(contentLength: number | null, coding: string | null): number | null {
  return coding === null || coding.trim().toLowerCase() === "identity" ? contentLength : null;
}

function secureOptions(url: ParsedUrl, options: DownloadOptions): SecureOptions {
  return {
    host: url.host,
    ca: loadTrustStore(options.caFile), // the system bundle and the CA file, read again for each https hop
    verify: options.checkCertificate ?? true,
    onUnverified: (e) => options.notice?.(`WARNING: ${e.message}; downloading anyway (--no-check-certificate)`),
    log: options.log,
  };
}

function sleep(ms: number, options: DownloadOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const id = setTimeout(resolve, ms);
    options.onInterruptible?.(() => {
      clearTimeout(id);
      reject(new ConnectionError("interrupted", "The download was interrupted"));
    });
  });
}
