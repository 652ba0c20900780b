/**
 * What a response head means for a download: a redirect to follow, a body to save (from the start or from the
 * resume offset), a file that was already complete, nothing to save, or an error. Pure functions of the head and what
 * was asked.
 *
 * @module
 */

import type { HeadEvent } from "../http/mod.ts";
import { RangeMismatchError, RedirectError, ServerStatusError } from "./errors.ts";

/** Statuses followed as redirects (RFC 9110 §15.4.2–§15.4.9); 300, 304 and 305 are not. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** The verdict on a head. */
export type HeadVerdict =
  /** Follow `location` (not yet resolved against the URL). */
  | { readonly kind: "redirect"; readonly location: string }
  /**
   * Nothing left to fetch (wget: "already fully retrieved"): a 416 to a range starting at the file's size, or a 200
   * to a range whose Content-Length is no more than the file already has.
   */
  | { readonly kind: "complete" }
  /** 204 No Content: there is no body, and no file is created (wget creates none either). */
  | { readonly kind: "empty" }
  /**
   * Save the body from byte `offset` of the file: the range asked for, or 0. `skip` (default 0) bytes at the start of
   * the body are ones the file already has: a server that ignores the range sends the whole file, and the part we
   * have is kept, never truncated (wget does the same).
   */
  | { readonly kind: "body"; readonly offset: number; readonly skip?: number };

/**
 * Judges a head; throws {@linkcode ServerStatusError} for an error status and {@linkcode RangeMismatchError} for a
 * 206 that does not start where we asked.
 *
 * @example
 * ```ts
 * judgeHead(head206, 1000); // { kind: "body", offset: 1000 } for "Content-Range: bytes 1000-4999/5000"
 * ```
 */
export function judgeHead(head: HeadEvent, rangeStart: number): HeadVerdict {
  const { status } = head;
  // RFC 9110 §15.3.5: a 204 has no content; even a range we asked for has nothing to add to the file.
  if (status === 204) return { kind: "empty" };
  if (REDIRECT_STATUSES.has(status)) {
    const location = head.headers.get("location");
    if (location === null || location === "") {
      throw new RedirectError("no-location", `The server answered ${status} without a Location to go to`);
    }
    return { kind: "redirect", location };
  }
  if (status === 416 && rangeStart > 0) {
    // RFC 9110 §15.5.17: "bytes */SIZE" says how big the file is. A size above ours means the range was refused for
    // another reason; a missing or equal size means the file is complete, as wget assumes.
    const size = /^bytes \*\/(\d+)$/.exec(head.headers.get("content-range")?.trim() ?? "");
    if (size === null || Number(size[1]) <= rangeStart) return { kind: "complete" };
  }
  if (status === 206) {
    // RFC 9110 §14.4: "bytes FIRST-LAST/SIZE" (SIZE may be "*").
    const range = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(head.headers.get("content-range")?.trim() ?? "");
    if (range === null || Number(range[1]) !== rangeStart) {
      throw new RangeMismatchError(
        `The server sent bytes ${
          range === null ? "of an unknown range" : `from ${range[1]}`
        } instead of from ${rangeStart}`,
      );
    }
    return { kind: "body", offset: rangeStart };
  }
  if (status >= 200 && status <= 299) {
    if (rangeStart === 0) return { kind: "body", offset: 0 };
    // A 2xx other than 206 to a range request is the whole representation (RFC 9110 §14.2). What the file has is
    // kept: a representation no longer than it means the file is complete, else its first bytes are skipped.
    const coding = head.headers.get("content-encoding")?.trim().toLowerCase() ?? "identity";
    if (coding === "identity" && head.contentLength !== null && head.contentLength <= rangeStart) {
      return { kind: "complete" };
    }
    return { kind: "body", offset: rangeStart, skip: rangeStart };
  }
  throw new ServerStatusError(status, head.reason);
}
