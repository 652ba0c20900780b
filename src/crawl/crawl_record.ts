/**
 * What a recursive retrieval saved: the local file of each URL (asked and redirected to), and which files are pages
 * and stylesheets, for the trees that come later (a file saved is not fetched again) and for `-k`, which converts the
 * links of every page and stylesheet once the crawl is over (as wget does, reading them again then rather than keeping
 * every link in memory).
 *
 * @module
 */

/** What a saved file is to the crawl: a page, a stylesheet, or another file (null). */
export type SavedKind = "html" | "css" | null;

/** A saved file. */
export interface SavedFile {
  readonly path: string;
  readonly kind: SavedKind;
  /** The URL its relative links resolve against (the last of its redirects). */
  readonly url: string;
  /** The URL asked for it (`url` when it was not redirected). */
  readonly asked: string;
}

/** The files of a crawl, by URL and by path. */
export class CrawlRecord {
  #byUrl = new Map<string, SavedFile>();
  #byPath = new Map<string, SavedFile>();

  /**
   * Notes that `asked` (redirected to `final`, the same when it was not) was saved as `path`.
   *
   * @example
   * ```ts
   * record.save("http://h/a", "http://h/a/", "h/a/index.html", "html");
   * ```
   */
  save(asked: string, final: string, path: string, kind: SavedKind): void {
    const file = { path, kind, url: final, asked };
    this.#byUrl.set(asked, file);
    this.#byUrl.set(final, file);
    this.#byPath.set(path, file);
  }

  /**
   * Forgets a file the crawl removed (`--delete-after`, a page `-A`/`-R` rejects): links to it are no longer local.
   *
   * @example
   * ```ts
   * record.remove("h/index.html");
   * ```
   */
  remove(path: string): void {
    const file = this.#byPath.get(path);
    if (file === undefined) return;
    this.#byPath.delete(path);
    for (const url of [file.asked, file.url]) if (this.#byUrl.get(url) === file) this.#byUrl.delete(url);
  }

  /**
   * The file saved for `url`, or null.
   *
   * @example
   * ```ts
   * record.saved("http://h/a/")?.path; // "h/a/index.html"
   * ```
   */
  saved(url: string): SavedFile | null {
    return this.#byUrl.get(url) ?? null;
  }

  /**
   * The local path of `url`, or null when the crawl has no file for it: `-k`'s question.
   *
   * @example
   * ```ts
   * record.localOf("http://h/a/"); // "h/a/index.html"
   * ```
   */
  localOf(url: string): string | null {
    return this.#byUrl.get(url)?.path ?? null;
  }

  /**
   * The pages and stylesheets saved, in the order they were saved: what `-k` converts.
   *
   * @example
   * ```ts
   * for (const doc of record.documents()) convert(doc.path, doc.url, doc.kind);
   * ```
   */
  *documents(): Generator<SavedFile> {
    for (const file of this.#byPath.values()) if (file.kind !== null) yield file;
  }
}
