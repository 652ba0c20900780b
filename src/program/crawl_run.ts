/**
 * Runs a recursive retrieval (`-r`, `-p`, `-m`): the crawl (src/crawl) says what to fetch, the run's download loop
 * fetches it over the run's kept connections, and this file does the I/O around them: directories, reading saved
 * pages for their links, removing what wget removes, `--rejected-log`, and at the end `-k`'s conversion, `-K`'s
 * backups and `--spider`'s list of broken links.
 *
 * @module
 */

import {
  convertedSummary,
  convertLinks,
  Crawl,
  type CrawlStep,
  type PageLinks,
  type ReadStep,
  rejectedLogHeader,
  rejectedLogLine,
  resolvedLinks,
} from "../crawl/mod.ts";
import { extractHtmlLinks, extractStylesheetLinks } from "../crawl/extract.ts";
import { type CrawlProgress, ExitCode, type Recursion, type Settings } from "../cli/mod.ts";
import { type DownloadResult, ServerStatusError } from "../fetch/mod.ts";
import { type ParsedUrl, parseUrl } from "../http/mod.ts";
import { sudoOwner } from "../save/mod.ts";
import {
  type File,
  fileInfo,
  openFile,
  readFileBytes,
  removeFile,
  renameFile,
  setModificationTime,
} from "../../ffi/mod.ts";

/** Pages larger than this are not read for links: a page is read whole, and a hostile one must not take the memory. */
const MAX_PAGE_BYTES = 64 * 2 ** 20;

/** A download's outcome as the run's loop saw it: its result, its error (said already), or null after a signal. */
export type Fetched = { readonly ok: true; readonly result: DownloadResult } | {
  readonly ok: false;
  readonly error: unknown;
} | null;

/** What the crawl needs of the run. */
export interface CrawlHost {
  /**
   * Downloads `url` with the run's options and `extra`, saying what happened; a failure counts in the exit code
   * unless `counted` is false (a robots.txt, as in wget).
   */
  fetch(url: string, extra?: Partial<Settings>, counted?: boolean): Promise<Fetched>;
  /** Says a line. */
  say(line: string): void;
  /** Says a notice (absent with -q; -nv keeps warnings only). */
  notice?: (line: string) => void;
  /** A signal or the quota stops the crawl. */
  stopped(): boolean;
  /** Where the crawl is, before each file it fetches. */
  progress?: (progress: CrawlProgress) => void;
}

/** A run's crawl over every URL given. */
export class CrawlRun {
  #settings: Settings;
  #recursion: Recursion;
  #host: CrawlHost;
  #crawl: Crawl;
  #rejected: File | null = null;
  #broken = new Set<string>();
  #spider: boolean;
  #done = 0;
  #bytes = 0;

  /** A crawl with the run's settings. */
  constructor(settings: Settings, recursion: Recursion, host: CrawlHost) {
    this.#settings = settings;
    this.#recursion = recursion;
    this.#host = host;
    this.#spider = settings.spider === true;
    this.#crawl = new Crawl({
      rules: recursion.rules,
      recursive: recursion.recursive,
      robots: recursion.robots,
      deleteAfter: recursion.deleteAfter || this.#spider,
      encodings: settings.encodings,
    });
    if (recursion.rejectedLog !== undefined) {
      try {
        this.#rejected = openFile(recursion.rejectedLog, { create: true, write: true, truncate: true });
        this.#rejected.write(new TextEncoder().encode(`${rejectedLogHeader()}\n`));
      } catch (e) {
        host.say(`rawhttpget: Cannot open the rejected log '${recursion.rejectedLog}': ${(e as Error).message}`);
      }
    }
  }

  /** Crawls from `given` (a URL of the command line or of `-i`). */
  async tree(given: string): Promise<void> {
    let start: ParsedUrl;
    try {
      start = parseUrl(given, this.#settings.encodings);
    } catch {
      await this.#host.fetch(given); // says why the URL is no URL, and counts it
      return;
    }
    this.#crawl.startTree(start);
    for (let step = this.#crawl.next(); step !== null; step = this.#crawl.next()) {
      await this.#step(step);
      this.#logRejections();
      for (const note of this.#crawl.takeNotices()) this.#host.notice?.(note);
      if (this.#host.stopped()) return;
    }
  }

  /**
   * Ends the run's crawl: `-k` converts the links of every page and stylesheet saved, `--spider` lists the broken
   * links; returns the exit code this adds (8 for broken links, as wget).
   */
  finish(): number {
    this.#rejected?.close();
    if (this.#recursion.convertLinks && !this.#spider) this.#convert();
    if (!this.#spider || !this.#recursion.recursive) return ExitCode.Ok;
    const say = this.#host.say;
    if (this.#broken.size === 0) {
      say("Found no broken links.\n");
      return ExitCode.Ok;
    }
    say(`Found ${this.#broken.size} broken link${this.#broken.size === 1 ? "" : "s"}.\n`);
    for (const url of this.#broken) say(url);
    say("");
    return ExitCode.ServerError;
  }

  async #step(step: CrawlStep): Promise<void> {
    if (step.kind === "robots") return await this.#robots(step.url);
    if (step.kind === "read") return this.#read(step);
    const item = step.item;
    this.#host.progress?.({ done: this.#done, known: this.#done + 1 + this.#crawl.waiting, bytes: this.#bytes });
    this.#done++;
    const fetched = await this.#host.fetch(item.url.href, {
      ...(item.referer === null ? {} : { referer: item.referer.href }),
      spiderFetchesPages: this.#spider,
    });
    if (fetched === null) return;
    if (!fetched.ok) {
      if (this.#spider && fetched.error instanceof ServerStatusError) this.#broken.add(item.url.href);
      this.#crawl.fetched(item, null);
      return;
    }
    const result = fetched.result;
    if (result.saved) this.#bytes += result.received;
    // A file kept (-nc, -N) is read for its links as if fetched, a page by its name (wget's "bogusness alert").
    const kept = !result.saved && !this.#spider && result.status !== 204 && fileInfo(result.path)?.isFile === true;
    const path = (result.saved || kept) && result.path !== "-" ? result.path : null;
    const contentType = kept ? typeByName(result.path) : result.contentType ?? null;
    const read = this.#crawl.fetched(item, { url: parseUrl(result.url, this.#settings.encodings), path, contentType });
    if (read !== null) this.#read(read, result.charset);
    if (path !== null && this.#crawl.removes(path)) this.#remove(path);
  }

  #read(read: ReadStep, charset?: string): void {
    this.#crawl.parsed(read, this.#links(read.path, read.css, charset));
  }

  /** The links of a saved page or stylesheet, null when it cannot be read (or is too large to read). */
  #links(path: string, css: boolean, charset?: string): PageLinks | null {
    const size = fileInfo(path)?.size ?? 0;
    if (size > MAX_PAGE_BYTES) {
      this.#host.notice?.(`'${path}' is larger than ${MAX_PAGE_BYTES / 2 ** 20} MiB: its links are not followed`);
      return null;
    }
    let bytes: Uint8Array;
    try {
      bytes = readFileBytes(path);
    } catch (e) {
      this.#host.notice?.(`Cannot read '${path}' for its links: ${(e as Error).message}`);
      return null;
    }
    const r = this.#recursion;
    const page = css
      ? extractStylesheetLinks(bytes, charset)
      : extractHtmlLinks(bytes, { charset, followTags: r.followTags, ignoreTags: r.ignoreTags });
    if (page.truncated) {
      this.#host.notice?.(`'${path}' has more than ${page.links.length} links: only those are followed`);
    }
    return page;
  }

  /** Reads a host's robots.txt (wget saves it like any file, and checks it with -N and --spider off). */
  async #robots(url: ParsedUrl): Promise<void> {
    this.#host.notice?.("Loading robots.txt; please ignore errors.");
    const extra = { timestamping: false, spider: false, spiderFetchesPages: false };
    const fetched = await this.#host.fetch(url.href, extra, false);
    let text: string | null = null;
    if (fetched?.ok === true && fetched.result.saved) {
      const path = fetched.result.path;
      try {
        text = new TextDecoder().decode(readFileBytes(path));
      } catch { /* no rules */ }
      // wget keeps robots.txt like any file, unless the run removes its files or -A/-R made it a NAME.tmp.
      if (this.#spider || this.#recursion.deleteAfter || path.endsWith(".tmp")) this.#remove(path, false);
    }
    this.#crawl.robotsRead(url, text);
  }

  #remove(path: string, record = true): void {
    const why = this.#spider || this.#recursion.deleteAfter ? "" : " since it should be rejected";
    if (this.#settings.verbose) this.#host.say(`Removing ${path}${why}.`);
    try {
      removeFile(path);
    } catch (e) {
      this.#host.say(`rawhttpget: Cannot remove '${path}': ${(e as Error).message}`);
    }
    if (record) this.#crawl.record.remove(path);
  }

  #logRejections(): void {
    const rejections = this.#crawl.takeRejections();
    if (this.#rejected === null) return;
    const text = rejections.map((r) => `${rejectedLogLine(r.reason, r.url, r.parent, r.fragment)}\n`).join("");
    if (text !== "") this.#rejected.write(new TextEncoder().encode(text));
  }

  /** `-k` (and `-K`): every page and stylesheet saved gets links to the saved files, and to full URLs otherwise. */
  #convert(): void {
    const started = performance.now();
    const record = this.#crawl.record;
    let files = 0;
    for (const doc of record.documents()) {
      const page = this.#links(doc.path, doc.kind === "css");
      if (page === null) continue;
      const url = parseUrl(doc.url, this.#settings.encodings);
      const targets = [...resolvedLinks(page, url, this.#settings.encodings)].flatMap(({ link, url, fragment }) =>
        url === null ? [] : [{ link, url: url.href, fragment }]
      );
      const bytes = readFileBytes(doc.path);
      const adjustExtension = this.#recursion.adjustExtension;
      const converted = convertLinks(bytes, doc.path, targets, (u) => record.localOf(u), { adjustExtension });
      files++;
      // wget leaves a file with nothing to convert as it is (no backup either).
      if (converted === bytes) continue;
      if (this.#settings.verbose) this.#host.say(`Converting links in ${doc.path}...`);
      try {
        // -E added ".html" when the URL's own name is another.
        const asked = this.#settings.localName?.(parseUrl(doc.asked, this.#settings.encodings));
        this.#replace(doc.path, bytes, converted, asked !== undefined && asked !== doc.path);
      } catch (e) {
        this.#host.say(`rawhttpget: Cannot convert the links of '${doc.path}': ${(e as Error).message}`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    if (!this.#settings.quiet && !this.#settings.noVerbose) this.#host.say(convertedSummary(files, seconds));
  }

  /** Writes `converted` over `path` atomically (a temporary file renamed over it), keeping `-K`'s NAME.orig. */
  #replace(path: string, original: Uint8Array, converted: Uint8Array, extended: boolean): void {
    const mtime = fileInfo(path)?.mtime;
    // wget's backup: NAME.orig, or for a name -E extended, the added "html" replaced (a.php.html: a.php.orig).
    const backup = extended && path.endsWith(".html") ? `${path.slice(0, -4)}orig` : `${path}.orig`;
    if (this.#recursion.backupConverted) writeWhole(backup, original, mtime);
    const temporary = `${path}.rhg-convert`;
    writeWhole(temporary, converted, undefined);
    renameFile(temporary, path);
  }
}

function writeWhole(path: string, bytes: Uint8Array, mtime: number | undefined): void {
  const file = openFile(path, { create: true, write: true, truncate: true });
  try {
    file.write(bytes as Uint8Array<ArrayBuffer>);
    const owner = sudoOwner();
    if (owner !== null) file.chown(owner.uid, owner.gid);
  } finally {
    file.close();
  }
  if (mtime !== undefined) setModificationTime(path, mtime);
}

/** The type wget assumes for a file it kept: a page by its suffix (.html, .htm), a stylesheet (.css), or neither. */
function typeByName(path: string): string {
  return /\.html?$/i.test(path) ? "text/html" : /\.css$/i.test(path) ? "text/css" : "application/octet-stream";
}
