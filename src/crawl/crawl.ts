/**
 * A recursive retrieval as wget 1.21's `retrieve_tree` runs it, as a state machine that does no I/O: it says which
 * URL to fetch next (or which `robots.txt` to read first), is told what each fetch saved, reads the links the caller
 * extracted from a saved page, and decides which of them to queue.
 *
 * The order is wget's: breadth first from each URL given (one tree after the other, each with its own set of URLs
 * seen; a file saved by an earlier tree is not fetched again, its links are read again), every link judged when its
 * page is read (see `link_rules.ts`), then `robots.txt` of its host (fetched the first time a link to that host passes
 * the other rules), then queued once. The depth rules are wget's: links of a page at the last level are not followed;
 * with `-p`, the page requisites of the pages at that level and the next are still fetched.
 *
 * Call order: `startTree(url)`, then `next()` until it returns null; after a `fetch` step, `fetched(step, result)`;
 * when that returns a `read`, the caller reads the file and calls `parsed(read, links)`; after a `robots` step,
 * `robotsRead(step, text)`.
 *
 * @module
 */

import { type ParsedUrl, resolveLocation, type UrlEncodings } from "../http/mod.ts";
import { isRelativeLink, resolvedLinks } from "./resolved_links.ts";
import type { PageLinks } from "./link_types.ts";
import {
  acceptableFile,
  type Candidate,
  type ForeignUrl,
  judgeLink,
  type LinkRules,
  type RejectReason,
} from "./link_rules.ts";
import { parseRobots, robotsAllows, type RobotsRules } from "./robots.ts";
import { CrawlRecord } from "./crawl_record.ts";

/** How the crawl goes: the link rules and what happens to saved files. */
export interface CrawlSettings {
  /** The link rules (`-l`, `-np`, `-H`, `-D`, `-A`, `-R`, `-I`, `-X`, regexes, `-p`). */
  readonly rules: LinkRules;
  /** `-r`: follow links (without it, `-p` fetches the page requisites of the URLs given alone). */
  readonly recursive: boolean;
  /** Honour `robots.txt` and `<meta name=robots content=nofollow>` (false: `-e robots=off`). */
  readonly robots: boolean;
  /** `--delete-after` or `--spider`: every saved file is removed once its links are read. */
  readonly deleteAfter: boolean;
  /** How URLs are read (`--iri`, `--no-iri`). */
  readonly encodings?: UrlEncodings;
  /** URLs waiting in the queue at most (default {@linkcode MAX_QUEUED}). */
  readonly maxQueued?: number;
}

/** One URL of the queue: wget's `queue_element`. */
export interface QueueItem {
  readonly url: ParsedUrl;
  /** The page that linked to it (sent as `Referer`), null for a URL given. */
  readonly referer: ParsedUrl | null;
  readonly depth: number;
  /** Its links are read if it is HTML (it was linked as a page). */
  readonly htmlAllowed: boolean;
  /** Its links are read as CSS whatever its type (it was linked as a stylesheet). */
  readonly cssAllowed: boolean;
}

/** What the caller does next. */
export type CrawlStep =
  /** Fetch `item.url`. */
  | { readonly kind: "fetch"; readonly item: QueueItem }
  /** Fetch `url` (a host's `robots.txt`) and give its text to `robotsRead`, null when there is none. */
  | { readonly kind: "robots"; readonly url: ParsedUrl }
  /** Read the file again (a URL an earlier tree saved) and give its links to `parsed`. */
  | ReadStep;

/** A saved file whose links the caller extracts and hands to `parsed`. */
export interface ReadStep {
  readonly kind: "read";
  readonly item: QueueItem;
  /** The URL its relative links resolve against (the last of its redirects). */
  readonly url: ParsedUrl;
  readonly path: string;
  /** Read it as CSS (else HTML). */
  readonly css: boolean;
  /** Only its page requisites are followed (a page at the last level, with `-p`). */
  readonly requisitesOnly: boolean;
}

/** What a fetch produced, as the caller saw it. */
export interface Fetched {
  /** The URL the response came from (the last of the redirects). */
  readonly url: ParsedUrl;
  /** Where the body was saved, null when nothing was saved (an error, `--spider` of a file, a 204). */
  readonly path: string | null;
  /** The media type, lower case (null when the response named none: wget takes it for HTML). */
  readonly contentType: string | null;
}

/** A link the crawl did not follow, and why: wget's `--rejected-log` line. */
export interface Rejection {
  readonly reason: RejectReason;
  readonly url: ParsedUrl | ForeignUrl;
  readonly parent: ParsedUrl | null;
  /** The link's fragment, without its "#". */
  readonly fragment?: string;
}

const HTML_TYPES = new Set(["text/html", "application/xhtml+xml"]);

/**
 * URLs waiting in the queue at most: tens of thousands of pages crawl as wget crawls them, while a hostile site
 * (pages of 100 000 new links each) cannot make the queue grow without end (a few hundred bytes a URL).
 */
export const MAX_QUEUED = 200_000;

/** The crawl of a run: the trees of every URL given, and what they saved. */
export class Crawl {
  #settings: CrawlSettings;
  #queue: QueueItem[] = [];
  #head = 0;
  #seen = new Set<string>();
  #start: ParsedUrl | null = null;
  /** Links of the page read last that still wait for a verdict (one whose host's robots.txt is being read first). */
  #pending:
    | { parent: ParsedUrl; depth: number; links: (Candidate | ForeignUrl)[]; flags: LinkFlags[]; at: number }
    | null = null;
  #robots = new Map<string, RobotsRules>();
  #rejections: Rejection[] = [];
  #notices: string[] = [];
  /** What every tree saved: local names by URL, pages and stylesheets, links of each for `-k`. */
  readonly record: CrawlRecord = new CrawlRecord();

  /** A crawl with `settings`. */
  constructor(settings: CrawlSettings) {
    this.#settings = settings;
  }

  /** Begins the tree of a URL given (after the previous tree ended): its queue and set of URLs seen are new. */
  startTree(url: ParsedUrl): void {
    this.#start = url;
    this.#queue = [{ url, referer: null, depth: 0, htmlAllowed: true, cssAllowed: false }];
    this.#head = 0;
    this.#seen = new Set([url.href]);
    this.#pending = null;
  }

  /** URLs queued and not yet taken by `next`, for the progress line. */
  get waiting(): number {
    return this.#queue.length - this.#head;
  }

  /** The next step, or null when the tree is done. */
  next(): CrawlStep | null {
    const robots = this.#drainPending();
    if (robots !== null) return { kind: "robots", url: robots };
    const item = this.#queue[this.#head];
    if (item === undefined) return null;
    this.#queue[this.#head++] = undefined as unknown as QueueItem; // let the item go
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    const saved = this.record.saved(item.url.href);
    if (saved === null) return { kind: "fetch", item };
    // An earlier tree saved it: its links count again from this depth (wget's "Already downloaded").
    const css = item.cssAllowed && saved.kind === "css";
    if (!css && !(item.htmlAllowed && saved.kind === "html")) return this.next();
    return this.#read(item, item.url, saved.path, css) ?? this.next();
  }

  /**
   * What a `fetch` step produced; returns the file to read for links, or null. `result` null: the fetch failed.
   * A redirect's target is judged as a link of the URL asked (wget's `descend_redirect`).
   */
  fetched(item: QueueItem, result: Fetched | null): ReadStep | null {
    if (result === null || result.path === null) return null;
    const html = result.contentType === null || HTML_TYPES.has(result.contentType);
    const css = result.contentType === "text/css";
    this.record.save(item.url.href, result.url.href, result.path, html ? "html" : css ? "css" : null);
    let descend = (item.htmlAllowed && html) || css || item.cssAllowed;
    if (descend && result.url.href !== item.url.href) {
      // A redirect to a host whose robots.txt is not read yet is followed (wget would read it first).
      const judged = this.#judge(this.#candidate(result.url, item.url, item.depth));
      const verdict = judged === "robots-unknown" ? null : judged;
      if (verdict === null) this.#seen.add(result.url.href);
      else this.#rejections.push({ reason: verdict, url: item.url, parent: this.#start });
      descend = verdict === null;
    }
    if (!descend) return null;
    return this.#read(item, result.url, result.path, css || item.cssAllowed);
  }

  /** The links of a `read` step's file (null: it could not be read). */
  parsed(read: ReadStep, page: PageLinks | null): void {
    if (page === null) return;
    if (this.#settings.robots && page.nofollow) return;
    const links: (Candidate | ForeignUrl)[] = [];
    const flags: LinkFlags[] = [];
    for (const { link, url, href, fragment } of resolvedLinks(page, read.url, this.#settings.encodings)) {
      // <base href> and <form action> are only converted (wget's ignore_when_downloading).
      if (link.convertOnly || (read.requisitesOnly && !link.inline)) continue;
      if (url === null) {
        // wget names the links to FTP it does not follow (other schemes are no URLs to it), in their turn.
        const foreign = ftpUrl(href);
        if (foreign === null) continue;
        links.push(foreign);
        flags.push({ html: false, css: false, fragment: fragment.slice(1) });
        continue;
      }
      links.push({
        ...this.#candidate(url, read.url, read.item.depth),
        inline: link.inline,
        relative: isRelativeLink(href),
      });
      flags.push({ html: link.expectHtml, css: link.expectCss, fragment: fragment.slice(1) });
    }
    this.#pending = { parent: read.url, depth: read.item.depth, links, flags, at: 0 };
  }

  /** The text of `url` (a `robots.txt`), null when the server had none. */
  robotsRead(url: ParsedUrl, text: string | null): void {
    this.#robots.set(hostKey(url), parseRobots(text ?? ""));
  }

  /** Whether a saved file is removed after its links are read (`--delete-after`, `--spider`, `-R`/`-A` pages). */
  removes(path: string): boolean {
    return this.#settings.deleteAfter || !acceptableFile(path.slice(path.lastIndexOf("/") + 1), this.#settings.rules);
  }

  /** What the crawl has to say (a full queue), in order; the list is emptied. */
  takeNotices(): string[] {
    const out = this.#notices;
    this.#notices = [];
    return out;
  }

  /** The links not followed so far, in order (for `--rejected-log`); the list is emptied. */
  takeRejections(): Rejection[] {
    const out = this.#rejections;
    this.#rejections = [];
    return out;
  }

  #read(item: QueueItem, url: ParsedUrl, path: string, css: boolean): ReadStep | null {
    const level = this.#settings.rules.level;
    let requisitesOnly = false;
    if (level !== Infinity && item.depth >= level) {
      // wget: -p goes one level past the last (two, for the frames of a leaf page), for page requisites only.
      if (!(this.#settings.rules.pageRequisites && item.depth <= level + 1)) return null;
      requisitesOnly = true;
    }
    return { kind: "read", item, url, path, css, requisitesOnly };
  }

  /** Judges the pending links until one needs its host's robots.txt first (returned) or none is left (null). */
  #drainPending(): ParsedUrl | null {
    const pending = this.#pending;
    if (pending === null) return null;
    for (; pending.at < pending.links.length; pending.at++) {
      const candidate = pending.links[pending.at];
      const { fragment } = pending.flags[pending.at];
      if (!("url" in candidate)) {
        this.#rejections.push({ reason: "non-http", url: candidate, parent: pending.parent, fragment });
        continue;
      }
      const url = candidate.url;
      if (this.#seen.has(url.href)) {
        this.#rejections.push({ reason: "blacklist", url, parent: pending.parent, fragment });
        continue;
      }
      const verdict = this.#judge(candidate);
      if (verdict === "robots-unknown") return robotsUrl(url);
      if (verdict !== null) {
        this.#rejections.push({ reason: verdict, url, parent: pending.parent, fragment });
        continue;
      }
      const most = this.#settings.maxQueued ?? MAX_QUEUED;
      if (this.waiting >= most) {
        this.#notices.push(
          `The crawl has ${most} URLs waiting: ${pending.links.length - pending.at} more links of ` +
            `${pending.parent.href} are not followed`,
        );
        break;
      }
      const { html, css } = pending.flags[pending.at];
      this.#queue.push({ url, referer: pending.parent, depth: pending.depth + 1, htmlAllowed: html, cssAllowed: css });
      this.#seen.add(url.href);
    }
    this.#pending = null;
    return null;
  }

  /** The link rules, then robots.txt ("robots-unknown" when it must be read first). */
  #judge(candidate: Candidate): RejectReason | "robots-unknown" | null {
    const verdict = judgeLink(candidate, this.#settings.rules);
    if (verdict !== null || !this.#settings.robots) return verdict;
    const rules = this.#robots.get(hostKey(candidate.url));
    if (rules === undefined) return "robots-unknown";
    if (robotsAllows(rules, candidate.url.path)) return null;
    this.#seen.add(candidate.url.href); // wget blacklists what robots.txt forbids
    return "robots";
  }

  #candidate(url: ParsedUrl, parent: ParsedUrl, depth: number): Candidate {
    return { url, parent, start: this.#start ?? parent, depth, inline: false, relative: true };
  }
}

/** How a link's target is read once fetched, and its fragment (for `--rejected-log`). */
interface LinkFlags {
  readonly html: boolean;
  readonly css: boolean;
  readonly fragment: string;
}

/** An absolute `ftp://` or `ftps://` link, split as wget logs it, or null. */
function ftpUrl(href: string): ForeignUrl | null {
  const m = /^(ftps?):\/\/([^/:?#]+)(?::(\d+))?\/?([^?#]*)(?:\?([^#]*))?/i.exec(href.trim());
  if (m === null) return null;
  const scheme = m[1].toLowerCase();
  const port = m[3] === undefined ? (scheme === "ftps" ? 990 : 21) : Number(m[3]);
  const host = m[2].toLowerCase();
  const text = `${scheme}://${host}${m[3] === undefined ? "" : `:${port}`}/${m[4]}${
    m[5] === undefined ? "" : `?${m[5]}`
  }`;
  return { scheme, host, port, path: m[4], query: m[5] ?? "", text };
}

/** The key robots.txt rules are kept under: wget keeps them per host and port. */
function hostKey(url: ParsedUrl): string {
  return `${url.scheme}://${url.host}:${url.port}`;
}

function robotsUrl(url: ParsedUrl): ParsedUrl {
  return resolveLocation(url, "/robots.txt");
}
