/**
 * How a hop ends when its exchange ended at the head (no body wanted): `-N` kept the local file, credentials to send,
 * a redirect to follow, a `--spider` answer, a file already complete, a 204. What each means for the download, as
 * the hop's result.
 *
 * @module
 */

import { openOutput, removePartMap, type Target } from "../save/mod.ts";
import type { CounterSnapshot } from "./counters.ts";
import type { HeadVerdict } from "./head_policy.ts";
import type { HopResult } from "./hop_types.ts";
import type { SpiderVerdict } from "./spider.ts";
import type { TimestampVerdict } from "./timestamps.ts";

/** What the hop knows when its exchange ended at the head. */
export interface HeadEnd {
  /** The response's status. */
  readonly status: number;
  /** What the head policy (or `--spider`, or a 401) decided, or null. */
  readonly verdict: HeadVerdict | SpiderVerdict | { readonly kind: "authenticate" } | null;
  /** What `-N` decided instead of the head policy, or null; `local` is the file it compared. */
  readonly kept: TimestampVerdict | null;
  readonly local: { readonly path: string; readonly size: number } | null;
  /** The path a download that saves nothing reports (the sink's, `-O`'s, or the URL's name). */
  readonly path: () => string;
  /** The partial file a range continued, and how many bytes of it are the file's. */
  readonly candidate: Target | null;
  readonly have: number;
  /** The part map of that file (an interrupted download over several connections), removed with the rename. */
  readonly partMap: string | null;
  /** This exchange's counters. */
  readonly stats: CounterSnapshot;
  /** Tells the user. */
  readonly notice?: (message: string) => void;
}

/**
 * The hop's result, or null when the verdict is not one that ends at the head (the exchange failed instead).
 *
 * @example
 * ```ts
 * const result = await endAtHead({ status: 416, verdict: { kind: "complete" }, kept: null, local: null, … });
 * ```
 */
export async function endAtHead(end: HeadEnd): Promise<HopResult | null> {
  const { status, verdict, kept, stats } = end;
  const nothing = (path: string) => ({ path, saved: false, bytes: 0, received: 0, status, ...stats });
  if (kept !== null) {
    if (kept.fetch) return { kind: "fetch" };
    const local = end.local!;
    return { kind: "done", done: { ...nothing(local.path), bytes: local.size } };
  }
  switch (verdict?.kind) {
    case "authenticate":
      return { kind: "authenticate" };
    case "get":
      return { kind: "fetch" };
    case "exists":
      return { kind: "done", done: nothing(end.path()) };
    case "redirect":
      return { kind: "redirect", location: verdict.location, status };
    case "complete": {
      end.notice?.(`The file is already fully retrieved; nothing to do`);
      const candidate = end.candidate;
      // --start-pos at or past the end of the server's file: there is nothing to write, and no file (as in wget).
      if (candidate === null) return { kind: "done", done: nothing(end.path()) };
      // NAME.part becomes NAME (a part file whose map lacks nothing was complete but not renamed).
      if (end.partMap !== null) removePartMap(end.partMap);
      if (!candidate.inPlace) await openOutput(candidate.path, { offset: end.have }).commit();
      return { kind: "done", done: { ...nothing(candidate.path), saved: true, bytes: end.have } };
    }
    case "empty":
      // No file: wget creates none for a 204 either (an -O FILE was created before the download began).
      end.notice?.(`The server answered 204 No Content: there is nothing to save`);
      return { kind: "done", done: nothing(end.path()) };
  }
  return null;
}
