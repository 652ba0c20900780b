/**
 * `--spider` as GNU wget 1.21 does it without recursion: a HEAD to each URL of the redirect chain, nothing saved. A
 * 2xx means the file exists; an error status is a broken link (exit 8); a HEAD answered 500 or 501 is asked again as
 * a GET, whose body is not kept.
 *
 * @module
 */

import type { HeadEvent } from "../http/mod.ts";
import { judgeHead } from "./head_policy.ts";

/** What a head means to `--spider`. */
export type SpiderVerdict =
  /** The file is there: say `note`, save nothing. */
  | { readonly kind: "exists"; readonly note: string }
  /** Ask again with a GET: the server does not answer HEAD, or (`--spider -r`) the page may hold links (`note`). */
  | { readonly kind: "get"; readonly note?: string }
  /** Follow `location` (not yet resolved against the URL). */
  | { readonly kind: "redirect"; readonly location: string };

/** What wget says of an error status in spider mode. */
export const BROKEN_LINK = "Remote file does not exist -- broken link!!!";

/** Media types wget says "could contain further links" of (a missing Content-Type counts, as broken CGIs omit it). */
const PAGE_TYPES: ReadonlySet<string> = new Set(["", "text/html", "application/xhtml+xml", "text/css"]);

/**
 * Judges the head of a spider's request sent with `method`; throws as {@linkcode judgeHead} does for an error status.
 *
 * @example
 * ```ts
 * judgeSpider(head200, "HEAD"); // { kind: "exists", note: "Remote file exists." }
 * judgeSpider(head501, "HEAD"); // { kind: "get" }
 * ```
 */
export function judgeSpider(head: HeadEvent, method: string, recursive = false): SpiderVerdict {
  if (method === "HEAD" && (head.status === 500 || head.status === 501)) return { kind: "get" };
  const verdict = judgeHead(head, 0);
  if (verdict.kind === "redirect") return verdict;
  const type = (head.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  // wget -r --spider: a page is fetched for its links (an empty type is not one: wget looks for text/html, text/css).
  if (recursive) {
    return type === "text/html" || type === "application/xhtml+xml" || type === "text/css"
      ? { kind: "get", note: "Remote file exists and could contain links to other resources -- retrieving." }
      : { kind: "exists", note: "Remote file exists but does not contain any link -- not retrieving." };
  }
  const note = PAGE_TYPES.has(type)
    ? "Remote file exists and could contain further links, but recursion is disabled -- not retrieving."
    : "Remote file exists.";
  return { kind: "exists", note };
}
