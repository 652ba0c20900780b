/**
 * What the hops of one download share and return: the context every hop reads, what attempts pass on, how a hop
 * ended, and the path a download saves to.
 *
 * @module
 */

import { fileNameFor, type ParsedUrl, parseUrl } from "../http/mod.ts";
import { joinPath, type Target } from "../save/mod.ts";
import type { ConnectionStats } from "../tcp/mod.ts";
import type { FrameCounters } from "../transport/mod.ts";
import type { Authenticator } from "./auth.ts";
import type { CookieJar } from "./cookie_jar.ts";
import type { FetchEvents, FetchOptions } from "./options.ts";

/** What a hop that ended the download produced. */
export interface HopDone {
  /** Where the file was saved ("-" for standard output). */
  readonly path: string;
  /**
   * Whether there is a file to show for it: false after a 204 No Content, which creates none, and when `-N` found the
   * local file up to date.
   */
  readonly saved: boolean;
  /** Bytes in the file (after content decoding; a resumed file counts what it had). */
  readonly bytes: number;
  /** Body bytes received by this hop (after content decoding; bytes the file already had count too). */
  readonly received: number;
  /** The response status (416, or the 200 that ignored the range, when the file was already complete). */
  readonly status: number;
  /**
   * Where the saved body ended in the server's file (its range start plus the bytes received) and that file's size
   * when the head declared it: wget's `[LEN/SIZE]` of `-nv`. Set when a body was received whole.
   */
  readonly extent?: { readonly end: number; readonly size: number | null };
  /** The response's media type, lower case without parameters ("text/html"), when a body was saved with one. */
  readonly contentType?: string;
  /** The charset the response's Content-Type names, when it names one. */
  readonly charset?: string;
  /** Connections the file came over at most at once, when more than one (`--connections`). */
  readonly connections?: number;
  /** The TCP engine's counters (of every connection, added up, for a file that came over several). */
  readonly tcp: ConnectionStats;
  /** The frame counters below TCP. */
  readonly frames: FrameCounters;
}

/** How a hop ended, unless it threw. */
export type HopResult =
  | { readonly kind: "done"; readonly done: HopDone }
  | { readonly kind: "redirect"; readonly location: string; readonly status: number }
  /**
   * The HEAD that `-N --no-if-modified-since` sends first says the file must be fetched, or a `--spider` HEAD got 500
   * or 501: GET the same URL.
   */
  | { readonly kind: "fetch" }
  /** The server asked who we are (401) and the credentials are ready: ask the same URL again. */
  | { readonly kind: "authenticate" };

/** What every hop of one download shares. */
export interface DownloadContext {
  /** The URL as the user typed it. */
  readonly given: string;
  /** What attempts pass on to the next. */
  readonly carry: Carry;
  /** The run's options. */
  readonly options: FetchOptions;
  /** Where the download reports. */
  readonly events: FetchEvents;
  /** Who we are to servers that ask. */
  readonly auth: Authenticator;
  /** The cookies requests carry and responses set (null: `--no-cookies`). */
  readonly cookies: CookieJar | null;
}

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
export function derivedPath(
  url: ParsedUrl,
  given: string,
  options: FetchOptions,
  contentType?: string | null,
): string {
  const base = options.trustServerNames ? url : parseUrl(given, options.encodings);
  if (options.localName !== undefined) return options.localName(base, contentType);
  return joinPath(options.directory ?? ".", fileNameFor(base, options.encodings, options.fileNameRules));
}
