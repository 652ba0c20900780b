/**
 * Whether a download may be split over several connections, and what the response to one part means. Pure functions
 * of a response head and what was asked, as the head policy (`head_policy.ts`) is.
 *
 * A file is split only when every part can be checked to come from the same version of it:
 * - its size is known (RFC 9110 §8.6 Content-Length of a 200, or the complete length of a 206's Content-Range) and
 *   it is stored as sent (no content coding: a range of gzip bytes is not a range of the file);
 * - the server says it serves ranges: `Accept-Ranges: bytes` (§14.3) with a 200, or a 206 to our own range;
 * - it names the version: a strong ETag, else a Last-Modified date (§8.8). Each part asks with `If-Range` (§13.1.5)
 *   holding it, so a server whose file changed answers 200 with the new file instead of a 206 of it, and nothing of
 *   two versions is mixed in one file;
 * - it is worth it: at least two parts of `minPart` bytes.
 *
 * @module
 */

import type { HeadEvent } from "../http/mod.ts";
import { FileChangedError, RangeMismatchError, ServerStatusError } from "./errors.ts";

/** The smallest part worth a connection of its own: a new connection costs a handshake and a request round trip. */
export const MIN_PART = 1024 * 1024;

/** The version of the file every part must come from. */
export interface FileVersion {
  /** The whole file's size. */
  readonly size: number;
  /** The strong ETag as the server sent it (quotes included), or null. */
  readonly etag: string | null;
  /** Last-Modified as the server sent it, or null. */
  readonly lastModified: string | null;
}

/** The verdict on the first response of a download asked to use several connections. */
export type ParallelVerdict =
  | { readonly kind: "parallel"; readonly version: FileVersion }
  /** One connection; `reason` says why (for `-v`). */
  | { readonly kind: "single"; readonly reason: string };

/**
 * Judges the first response (a 200 to a plain GET, or a 206 to a range continuing a partial file) of a download that
 * may use several connections; `minPart` is the smallest part worth a connection.
 *
 * @example
 * ```ts
 * judgeParallel(head200, MIN_PART); // { kind: "parallel", version: { size: 104857600, etag: '"5f-1a"', … } }
 * ```
 */
export function judgeParallel(head: HeadEvent, minPart: number = MIN_PART): ParallelVerdict {
  const coding = head.headers.get("content-encoding")?.trim().toLowerCase() ?? "identity";
  if (coding !== "identity") return single(`the body is ${coding}-coded, and ranges of it are not ranges of the file`);
  let size: number | null;
  if (head.status === 206) {
    size = completeLength(head.headers.get("content-range"));
    if (size === null) return single("the server's 206 does not say how long the file is");
  } else if (head.status === 200) {
    const accepts = (head.headers.get("accept-ranges") ?? "").toLowerCase().split(",").map((s) => s.trim());
    if (!accepts.includes("bytes")) return single("the server does not say it serves byte ranges (Accept-Ranges)");
    size = head.contentLength;
    if (size === null) return single("the server does not say how long the file is");
  } else {
    return single(`the response is a ${head.status}`);
  }
  const version = versionOf(head, size);
  if (version.etag === null && version.lastModified === null) {
    return single("the server names no version of the file (ETag, Last-Modified) that parts could be checked against");
  }
  if (size < 2 * minPart) return single(`the file is smaller than two parts of ${minPart} bytes`);
  return { kind: "parallel", version };
}

/**
 * The value of `If-Range` for a version: the strong ETag, else the date (RFC 9110 §13.1.5 allows either; a weak ETag
 * is never sent there, see {@linkcode versionOf}).
 */
export function ifRangeOf(version: FileVersion): string {
  return version.etag ?? version.lastModified!;
}

/**
 * The version a head describes: its strong ETag (a weak one, `W/"…"`, cannot vouch for the bytes of a range and is
 * left out) and its Last-Modified, with `size`.
 */
export function versionOf(head: HeadEvent, size: number): FileVersion {
  const etag = head.headers.get("etag")?.trim() ?? null;
  const strong = etag !== null && /^"[^"]*"$/.test(etag) ? etag : null;
  return { size, etag: strong, lastModified: head.headers.get("last-modified")?.trim() || null };
}

/**
 * What the response to a part's request (`Range: bytes=START-LAST`, `If-Range`) means: how many bytes at the start of
 * its body come before the part (0 for a 206), or an error. A 206 must start at `start`, end no later than `last` and
 * describe a file of the same size and ETag. A 200 of the same version (same ETag or date, same length) is a server
 * that ignores ranges after all: its first `start` bytes are read and dropped (wasteful, but right). A 200 of another
 * version means the server's file changed (RFC 9110 §13.1.5: If-Range failed); a 416, that it shrank. Error statuses
 * are the head policy's.
 *
 * @example
 * ```ts
 * judgePart(head206, 1048576, 2097151, version); // 0 for "Content-Range: bytes 1048576-2097151/104857600"
 * ```
 */
export function judgePart(head: HeadEvent, start: number, last: number, version: FileVersion): number {
  if (head.status === 200) {
    if (head.contentLength === version.size && sameVersion(versionOf(head, version.size), version)) return start;
    throw new FileChangedError(
      "answered a request for a part with the whole file: its version is not the one asked for",
    );
  }
  if (head.status === 416) throw new FileChangedError("refused a range inside the file: the file is shorter now");
  if (head.status !== 206) throw new ServerStatusError(head.status, head.reason);
  const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(head.headers.get("content-range")?.trim() ?? "");
  if (range === null || Number(range[1]) !== start || Number(range[2]) > last || Number(range[2]) < start) {
    const sent = range === null ? "an unknown range" : `bytes ${range[1]}-${range[2]}`;
    throw new RangeMismatchError(`The server sent ${sent} for a part of bytes ${start}-${last}`);
  }
  if (range[3] !== "*" && Number(range[3]) !== version.size) {
    throw new FileChangedError(`says the file is ${range[3]} bytes long now, not ${version.size}`);
  }
  const etag = head.headers.get("etag")?.trim() ?? null;
  if (etag !== null && version.etag !== null && etag !== version.etag) {
    throw new FileChangedError(`names another version of the file (ETag ${etag}, not ${version.etag})`);
  }
  return 0;
}

/** Whether two descriptions name the same version: the same strong ETag, else (neither has one) the same date. */
function sameVersion(a: FileVersion, b: FileVersion): boolean {
  if (a.etag !== null || b.etag !== null) return a.etag === b.etag;
  return a.lastModified !== null && a.lastModified === b.lastModified;
}

/** The complete length of a `Content-Range: bytes FIRST-LAST/SIZE`, or null ("*", absent, malformed). */
function completeLength(field: string | null): number | null {
  const m = /^bytes \d+-\d+\/(\d+)$/.exec(field?.trim() ?? "");
  return m === null ? null : Number(m[1]);
}

function single(reason: string): ParallelVerdict {
  return { kind: "single", reason };
}
