/**
 * Server timestamps and timestamping (`-N`), as GNU wget 1.21 does them:
 *
 * - A saved file's modification time is set from `Last-Modified` (unless `useServerTimestamps` is false); a file
 *   that is not complete, standard output and a server that sends no valid date leave the time as the writes set it.
 * - `-N` with a local file of the name the download would get: by default a GET with `If-Modified-Since` (the local
 *   modification time). A 304 keeps the local file; so does a 200 whose `Last-Modified` is not newer than the local
 *   file and whose length is the local size (a server that ignored the condition). Otherwise the body replaces the
 *   local file (never `NAME.1`).
 * - `-N` with `ifModifiedSince: false`: a HEAD first; the local file is kept when it is at least as new as the
 *   server's and of the same size (or the server gives no length); otherwise a GET follows.
 * - `-N` and a response without `Last-Modified`: wget says time-stamps are turned off and downloads.
 * - `-N` is ignored when `output` names the file (wget warns and turns it off).
 *
 * {@linkcode judgeTimestamp} is the decision as a pure function; {@linkcode HopTimestamps} applies it to one hop.
 *
 * @module
 */

import { fileInfo } from "../../ffi/mod.ts";
import { formatHttpDate, type HeadEvent, parseHttpDate } from "../http/mod.ts";
import type { FetchOptions } from "./options.ts";

/** The local file `-N` compares the server's with. */
export interface LocalFile {
  /** Its path. */
  readonly path: string;
  /** Its size in bytes. */
  readonly size: number;
  /** Its modification time, whole seconds since the epoch. */
  readonly mtime: number;
}

/** How `-N` asks the server: a conditional GET, or a HEAD before the GET (`--no-if-modified-since`). */
export type TimestampCheck = "if-modified-since" | "head";

/** What `-N` decides on a response. */
export interface TimestampVerdict {
  /** Fetch the body (it replaces the local file), or keep the local file as it is. */
  readonly fetch: boolean;
  /** What to tell the user, or null. */
  readonly note: string | null;
}

/** What a decision reads of a response head. */
export type StampedHead = Pick<HeadEvent, "status" | "headers" | "contentLength">;

/**
 * Decides whether the server's file replaces `local`: `head` answers the conditional GET (`"if-modified-since"`) or
 * is the 2xx answer to the HEAD sent first (`"head"`). Comparisons are in whole seconds, as wget's.
 *
 * @example
 * ```ts
 * judgeTimestamp(head304, { path: "a.bin", size: 5000, mtime: 1577934245 }, "if-modified-since");
 * // { fetch: false, note: "File 'a.bin' not modified on server; omitting download" }
 * ```
 */
export function judgeTimestamp(head: StampedHead, local: LocalFile, check: TimestampCheck): TimestampVerdict {
  const remote = serverTime(head, true).time;
  const sameSize = head.contentLength === null || head.contentLength === local.size;
  if (check === "if-modified-since") {
    // RFC 9110 §15.4.5: 304, the local copy is current.
    if (head.status === 304) return keep(`File '${local.path}' not modified on server; omitting download`);
    // A server that ignores If-Modified-Since answers 200 with the same file: wget compares as it would after a HEAD.
    if (head.status === 200 && remote !== null && remote <= local.mtime && sameSize) {
      return keep(
        `Server ignored If-Modified-Since header for file '${local.path}'; not retrieving ` +
          `(you might want to add --no-if-modified-since)`,
      );
    }
    return { fetch: true, note: null };
  }
  if (remote === null) return { fetch: true, note: null };
  if (local.mtime >= remote) {
    if (sameSize) return keep(`Server file no newer than local file '${local.path}'; not retrieving`);
    return { fetch: true, note: `The sizes do not match (local ${local.size}); retrieving` };
  }
  return { fetch: true, note: "Remote file is newer; retrieving" };
}

/**
 * The server's modification time (`Last-Modified`, RFC 9110 §8.8.2), and what wget says about it: a missing date
 * only matters with `-N` (time-stamps are off), an invalid one is ignored either way.
 *
 * @example
 * ```ts
 * serverTime(headWithout, true); // { time: null, note: "Last-modified header missing; time-stamps turned off" }
 * ```
 */
export function serverTime(head: Pick<HeadEvent, "headers">, timestamping: boolean): {
  time: number | null;
  note: string | null;
} {
  const value = head.headers.get("last-modified");
  if (value === null) {
    return { time: null, note: timestamping ? "Last-modified header missing; time-stamps turned off" : null };
  }
  const time = parseHttpDate(value);
  return { time, note: time === null ? "Last-modified header invalid; time-stamp ignored" : null };
}

function keep(note: string): TimestampVerdict {
  return { fetch: false, note };
}

/**
 * The local file at `path` as `-N` sees it, or null when there is none (or it is not a regular file's size to
 * compare: a directory).
 */
export function localFile(path: string): LocalFile | null {
  const info = fileInfo(path);
  if (info === null || info.isDirectory) return null;
  return { path, size: info.size, mtime: info.mtime };
}

/**
 * What one hop does about timestamps: the method and fields of its request, the verdict on its response, and the
 * time it sets on the saved file.
 */
export class HopTimestamps {
  /** HEAD for the check that `--no-if-modified-since` makes first, else GET. */
  readonly method: "GET" | "HEAD";
  /** `-N` applies to this hop (not with `-O`). */
  readonly timestamping: boolean;
  /** The local file compared with, when `-N` applies and it exists. */
  readonly local: LocalFile | null;
  readonly #check: TimestampCheck | null;
  readonly #setTimes: boolean;
  readonly #afterHead: boolean;

  /**
   * `path` is where the download would save without `-O` (null with `-O` or a shared sink); `afterHead` says a HEAD
   * at this URL already decided to fetch.
   */
  constructor(options: FetchOptions, path: string | null, afterHead: boolean) {
    this.timestamping = (options.timestamping ?? false) && path !== null;
    this.local = this.timestamping ? localFile(path!) : null;
    const check = (options.ifModifiedSince ?? true) ? "if-modified-since" : "head";
    // After the HEAD, the GET is unconditional: the HEAD decided.
    this.#check = this.local === null || (check === "head" && afterHead) ? null : check;
    this.method = this.#check === "head" ? "HEAD" : "GET";
    this.#setTimes = options.useServerTimestamps ?? true;
    this.#afterHead = afterHead;
  }

  /** Fields the request adds: `If-Modified-Since` with the local file's time (RFC 9110 §13.1.3). */
  requestFields(): Array<[string, string]> {
    if (this.#check !== "if-modified-since") return [];
    return [["If-Modified-Since", formatHttpDate(Math.max(0, this.local!.mtime))]];
  }

  /**
   * The verdict on a head that the head policy has not judged yet (a 304, a 200 to the conditional GET), or null
   * when the head policy decides.
   */
  beforePolicy(head: StampedHead): TimestampVerdict | null {
    if (this.#check !== "if-modified-since") return null;
    const verdict = judgeTimestamp(head, this.local!, "if-modified-since");
    return verdict.fetch ? null : verdict;
  }

  /** The verdict on a successful head: for the HEAD, whether a GET follows; for a GET, always fetch. */
  onSuccess(head: StampedHead): TimestampVerdict {
    if (this.#check === "head") return judgeTimestamp(head, this.local!, "head");
    return { fetch: true, note: null };
  }

  /** What to say about the server's `Last-Modified` on a successful head (said once: not again after the HEAD). */
  dateNote(head: Pick<HeadEvent, "headers">): string | null {
    return this.#afterHead ? null : serverTime(head, this.timestamping).note;
  }

  /** The modification time to give the saved file, or null to leave it. */
  mtime(head: Pick<HeadEvent, "headers">): number | null {
    return this.#setTimes ? serverTime(head, false).time : null;
  }
}
