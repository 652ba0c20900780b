/**
 * One URL, end to end: a loop of hops (see `hop.ts`) through redirects and retries.
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
 *   appended; a 200 (the whole file) has the bytes the file already has skipped and the rest appended, never
 *   truncating it; a 416, or a 200 no longer than the file, means it is already complete.
 * - `timestamping` (-N) compares the server's file with the local one first (see `timestamps.ts`): with
 *   `ifModifiedSince: false` a HEAD goes to each URL of the chain before its GET.
 * - `tries` (3 by default; wget's 20 is a long wait for a file that will not come): network failures (timeouts,
 *   resets, a connection closed early) are retried after 1 s, 2 s, … (at most 10 s), continuing with a range what
 *   the failed attempt saved, and so are a 504 and a 206 for the wrong range (wget 1.21 retries those two as well);
 *   a refused connection, DNS and other HTTP errors are not (wget does not retry them either).
 *
 * @module
 */

import { createHash } from "node:crypto";
import { parseUrl, resolveLocation } from "../http/mod.ts";
import { checkWritableDirectory } from "../save/mod.ts";
import { ConnectionError, type OpenStream, openTcpStream } from "../transport/mod.ts";
import { RedirectError, retryable } from "./errors.ts";
import { Hop } from "./hop.ts";
import { type Carry, derivedPath, type DownloadContext, type HopDone } from "./hop_types.ts";
import { Authenticator, type AuthTools } from "./auth.ts";
import type { FetchEvents, FetchOptions } from "./options.ts";

/** What a successful download produced. */
export interface DownloadResult extends HopDone {
  /** The URL the file came from. */
  readonly url: string;
  /** From the first SYN of the first hop to the end, in ms. */
  readonly elapsedMs: number;
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
  openStream: OpenStream = (endpoint) => openTcpStream(endpoint, options),
): Promise<DownloadResult> {
  const first = parseUrl(given);
  if (options.sink === undefined && options.output !== "-") {
    checkWritableDirectory(options.output ?? derivedPath(first, given, options));
  }
  const tries = options.tries ?? 3;
  const maxRedirects = options.maxRedirects ?? 20;
  const started = performance.now();
  const carry: Carry = { target: null, final: false };
  const auth = new Authenticator(first, options.auth ?? {}, AUTH_TOOLS);
  const context: DownloadContext = { given, carry, options, events, auth };
  for (let attempt = 1;; attempt++) {
    // A try starts from the URL the user gave, as wget does (a redirect may have been temporary).
    let url = first;
    const seen = new Set([url.href]);
    try {
      let afterHead = false;
      for (let redirects = 0;;) {
        const hop = await new Hop(url, context, afterHead).run(openStream);
        if (hop.kind === "done") return { ...hop.done, url: url.href, elapsedMs: performance.now() - started };
        // -N --no-if-modified-since: the HEAD said to fetch; the GET goes to the same URL (not a redirect).
        afterHead = hop.kind === "fetch";
        if (hop.kind === "fetch") continue;
        // The credentials the server asked for go with the same URL; the authenticator refuses a second refusal.
        if (hop.kind === "authenticate") continue;
        if (redirects++ >= maxRedirects) {
          throw new RedirectError("limit", `Stopped after ${maxRedirects} redirects (see --max-redirect)`);
        }
        const next = resolveLocation(url, hop.location);
        if (seen.has(next.href)) throw new RedirectError("loop", `Redirect loop: ${next.href} was already visited`);
        seen.add(next.href);
        events.notice?.(`Redirected (${hop.status}) to ${next.href}`);
        url = next;
      }
    } catch (e) {
      if (attempt >= tries || carry.final || !retryable(e)) throw e;
      const delay = (options.retryDelayMs ?? ((n) => Math.min(n, 10) * 1000))(attempt);
      events.notice?.(`${(e as Error).message}; retrying in ${delay / 1000} s (attempt ${attempt + 1} of ${tries})`);
      await sleep(delay, events);
    }
  }
}

/** Digest's hashes (node:crypto) and client nonces (128 random bits). */
const AUTH_TOOLS: AuthTools = {
  hash: (algorithm, text) => createHash(algorithm === "MD5" ? "md5" : "sha256").update(text, "utf8").digest("hex"),
  cnonce: () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(""),
};

function sleep(ms: number, events: FetchEvents): Promise<void> {
  return new Promise((resolve, reject) => {
    const id = setTimeout(resolve, ms);
    events.onInterruptible?.(() => {
      clearTimeout(id);
      reject(new ConnectionError("interrupted", "The download was interrupted"));
    });
  });
}
