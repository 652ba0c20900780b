/**
 * One URL, end to end: a loop of hops (see `hop.ts`) through redirects and retries.
 *
 * Choices (wget's unless said):
 * - Redirects (301, 302, 303, 307, 308) open a new connection per hop, up to `maxRedirects` (20); a URL seen twice
 *   in one chain is a loop and stops at once. Redirects between http and https are followed and counted alike.
 * - HSTS (`options.hsts`): the given URL and every redirect to an `http://` URL of a Known HSTS Host become
 *   `https://` before connecting; the file keeps the name of the URL given.
 * - https: the certificate is checked against the system's CA bundle plus `caFile` and the URL's host (SNI is the
 *   host name, none for an IP literal, RFC 6066 §3); `checkCertificate: false` downloads anyway and warns.
 * - The file is named after the URL the user gave, not the server's last redirect (CVE-2010-2252), unless
 *   `trustServerNames`, or `contentDisposition` and the response offers a name (RFC 6266); an existing file is kept
 *   and the new one is `NAME.1`, … unless `output` names the file.
 * - `resume` (-c) continues `NAME.part`, else a partial `NAME`, with `Range: bytes=N-` (RFC 9110 §14.2): a 206 is
 *   appended; a 200 (the whole file) has the bytes the file already has skipped and the rest appended, never
 *   truncating it; a 416, or a 200 no longer than the file, means it is already complete.
 * - `timestamping` (-N) compares the server's file with the local one first (see `timestamps.ts`): with
 *   `ifModifiedSince: false` a HEAD goes to each URL of the chain before its GET.
 * - `tries` (3 by default; wget's 20 is a long wait for a file that will not come): network failures (timeouts,
 *   resets, a connection closed early) are retried after 1 s, 2 s, … (at most `--waitretry`, 10 s), continuing with
 *   a range what the failed attempt saved, and so are a 504 and a 206 for the wrong range (wget 1.21 retries those
 *   two as well); a refused connection (unless `retryConnRefused`), DNS and other HTTP errors are not (nor in wget).
 * - `pacing` (-w, --random-wait): a pause before every request but the run's first and one that answers a 401.
 * - `noClobber` (-nc): a file that exists already is not fetched again; nothing is sent for it.
 * - A request with another method or content (`--method`, `--post-data`, …) is sent again as it was by each attempt
 *   and each 307 or 308; other redirects may turn it into a plain GET (see `request_method.ts`).
 *
 * @module
 */

import { type ParsedUrl, parseUrl, resolveLocation } from "../http/mod.ts";
import { checkWritableDirectory } from "../save/mod.ts";
import { newStats } from "../tcp/mod.ts";
import { ConnectionError, newFrameCounters, type OpenStream, openTcpStream } from "../transport/mod.ts";
import { fileInfo } from "../../ffi/mod.ts";
import { RedirectError, retryable } from "./errors.ts";
import { Hop } from "./hop.ts";
import { type Carry, derivedPath, type DownloadContext, type HopDone } from "./hop_types.ts";
import { Authenticator, type AuthTools } from "./auth.ts";
import { CookieJar } from "./cookie_jar.ts";
import { afterRedirect, requestMethod } from "./request_method.ts";
import type { FetchEvents, FetchOptions } from "./options.ts";
import { Pacing } from "./pacing.ts";

/** What a successful download produced. */
export interface DownloadResult extends HopDone {
  /** The URL the file came from. */
  readonly url: string;
  /** From the first SYN of the first hop to the end, in ms. */
  readonly elapsedMs: number;
  /** The try that ended it (1: the first), as wget's `-nv` line counts. */
  readonly attempt: number;
}

/**
 * Downloads one URL; throws a typed error on any failure (a partial `.part` file is kept for a resume). Streams are
 * opened through our own stack unless `openStream` says otherwise (tests run the loop on a simulated link).
 *
 * @example
 * ```ts
 * const result = await download("http://198.18.2.2/file.bin", { tries: 1 }, { notice: console.error });
 * ```
 */
export async function download(
  given: string,
  options: FetchOptions,
  events: FetchEvents = {},
  openStream: OpenStream = (endpoint, request) =>
    openTcpStream(endpoint, {
      ...options,
      recvBufferSize: request?.recvBufferSize ?? options.recvBufferSize,
      ...(request?.unwatched ? { watch: undefined, segments: undefined } : {}),
      notice: events.notice,
    }),
): Promise<DownloadResult> {
  const first = parseUrl(given, options.encodings);
  // --spider saves nothing, so it needs no writable directory.
  if (options.sink === undefined && options.output !== "-" && !options.spider) {
    // -x, -r: the HOST/PATH directories of a name are made when its file is opened (see hop.ts).
    if (options.output !== undefined || options.localName === undefined) {
      checkWritableDirectory(options.output ?? derivedPath(first, given, options));
    }
  }
  // The content is read before any connection: a file that cannot be read fails this URL alone (wget's exit 3).
  const asked = requestMethod(options, options.readFile);
  const tries = options.tries ?? 3;
  const maxRedirects = options.maxRedirects ?? 20;
  const started = performance.now();
  const carry: Carry = { target: null, final: false };
  const auth = new Authenticator(first, options.auth ?? {}, AUTH_TOOLS);
  // Cookies set by any response go with the next requests, redirects and retries included (wget keeps them on).
  const cookies = options.cookies === false ? null : options.cookieJar ?? new CookieJar();
  const context: DownloadContext = { given, carry, options, events, auth, cookies };
  const pacing = options.pacing ?? new Pacing();
  for (let attempt = 1;; attempt++) {
    // A try starts from the URL the user gave, as wget does (a redirect may have been temporary).
    let url = first;
    let method = asked;
    const seen = new Set([url.href]);
    try {
      let afterHead = false;
      // The first request of a retry has had its pause; one that answers a 401 has none (wget asks again at once).
      let paused = attempt > 1;
      for (let redirects = 0;;) {
        // RFC 6797 §8.3: an http:// URL to a Known HSTS Host goes to https:// before any connection (wget).
        const upgraded = options.hsts?.upgrade(url) ?? null;
        if (upgraded !== null) {
          events.notice?.(`URL transformed to HTTPS due to an HSTS policy: ${upgraded.href}`);
          url = upgraded;
          seen.add(url.href);
        }
        const kept = options.noClobber ? alreadyThere(url, given, options, events) : null;
        if (kept !== null) return { ...kept, url: url.href, elapsedMs: performance.now() - started, attempt };
        if (!paused) await pause(pacing.beforeRequestMs(), options, events);
        paused = false;
        const hop = await new Hop(url, context, afterHead, method).run(openStream, options.connections ?? null);
        if (hop.kind === "done") {
          return { ...hop.done, url: url.href, elapsedMs: performance.now() - started, attempt };
        }
        // -N --no-if-modified-since: the HEAD said to fetch; the GET goes to the same URL (not a redirect).
        afterHead = hop.kind === "fetch";
        if (hop.kind === "fetch") continue;
        // The credentials the server asked for go with the same URL; the authenticator refuses a second refusal.
        paused = hop.kind === "authenticate";
        if (hop.kind === "authenticate") {
          await loadDigestHashes(); // a Digest answer needs them; nothing before a 401 does
          continue;
        }
        if (redirects++ >= maxRedirects) {
          throw new RedirectError("limit", `Stopped after ${maxRedirects} redirects (see --max-redirect)`);
        }
        const next = resolveLocation(url, hop.location, options.encodings);
        if (seen.has(next.href)) throw new RedirectError("loop", `Redirect loop: ${next.href} was already visited`);
        seen.add(next.href);
        events.notice?.(`Redirected (${hop.status}) to ${next.href}`);
        url = next;
        method = afterRedirect(method, hop.status);
      }
    } catch (e) {
      // --retry-connrefused: a refused connection may be a server starting up, an unreachable host one coming up
      // (wget retries both then).
      const refused = e instanceof ConnectionError && (e.reason === "refused" || e.reason === "unreachable") &&
        options.retryConnRefused === true;
      if (attempt >= tries || carry.final || !(retryable(e) || refused)) throw e;
      const delay = options.retryDelayMs?.(attempt) ?? pacing.beforeRetryMs(attempt);
      events.notice?.(`${(e as Error).message}; retrying in ${delay / 1000} s (attempt ${attempt + 1} of ${tries})`);
      await sleep(delay, events);
    }
  }
}

/** `node:crypto`, loaded when the first 401 arrives (about 20 ms of start-up that a plain download does without). */
let nodeCrypto: typeof import("node:crypto") | null = null;

async function loadDigestHashes(): Promise<void> {
  nodeCrypto ??= await import("node:crypto");
}

/** Digest's hashes (node:crypto, loaded by then: a Digest answer follows a 401) and client nonces (128 random bits). */
const AUTH_TOOLS: AuthTools = {
  hash: (algorithm, text) =>
    nodeCrypto!.createHash(algorithm === "MD5" ? "md5" : "sha256").update(text, "utf8").digest("hex"),
  cnonce: () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(""),
};

/**
 * `-nc`: the download's file when it exists already (wget's "already there; not retrieving"), or null. Only a name
 * derived from a URL is checked here: `-O FILE` is checked once, when the run starts.
 */
function alreadyThere(url: ParsedUrl, given: string, options: FetchOptions, events: FetchEvents): HopDone | null {
  if (options.output !== undefined || options.sink !== undefined) return null;
  const path = derivedPath(url, given, options);
  const info = fileInfo(path);
  if (info === null) return null;
  events.notice?.(`File '${path}' already there; not retrieving`);
  const counters = { tcp: newStats(), frames: newFrameCounters() };
  return { path, saved: false, bytes: info.size, received: 0, status: 0, ...counters };
}

/** `-w`'s pause before a request (nothing when `ms` is 0); a signal ends it as it ends a download. */
async function pause(ms: number, options: FetchOptions, events: FetchEvents): Promise<void> {
  if (ms <= 0) return;
  options.log?.(`Waiting ${ms / 1000} s before the next request (-w)`);
  await sleep(ms, events);
}

function sleep(ms: number, events: FetchEvents): Promise<void> {
  return new Promise((resolve, reject) => {
    const id = setTimeout(resolve, ms);
    events.onInterruptible?.(() => {
      clearTimeout(id);
      reject(new ConnectionError("interrupted", "The download was interrupted"));
    });
  });
}
