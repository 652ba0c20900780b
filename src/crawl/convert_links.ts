/**
 * `-k` (`--convert-links`): once a recursive retrieval is over, each downloaded HTML or CSS document gets its links
 * rewritten for local browsing, as GNU wget 1.21.3 does (src/convert.c `convert_links_in_hashtable`,
 * `convert_links`, `construct_relative`, `local_quote_string`, `replace_attr`; doc/wget.texi "--convert-links").
 *
 * The rules followed:
 * - A link to a URL that was downloaded becomes the relative path from the document's directory to the local file
 *   (`construct_relative`), even when it was relative already: `-nd`, `--cut-dirs` or `-E` (a.php saved as
 *   a.php.html) change where files are. In the name, `%` `#` `;` become %XX, and `?` becomes %3F with `-E` only.
 * - A link to a URL not downloaded becomes the complete URL when it has no scheme (`/x`, `../x`, `//host/x`), and
 *   is left byte for byte as it is when it has one (`http://…`, `mailto:…`): wget's `link_complete_p`.
 * - An attribute value keeps its quote; an unquoted one is written in double quotes; the name gets wget's entity
 *   escapes (`&amp;` `&lt;` `&gt;` `&quot;` `&#32;`). A part of a value (`srcset`, a refresh's `url=`) and a CSS
 *   `url()` or `@import` are replaced in place.
 * - The fragment is copied from the document's own bytes (wget's `find_fragment`), so it stays as the page wrote it.
 * - `<base href>` is emptied (`href=""`): every relative link has been rewritten against it already. The extractor
 *   hands it over as a link whose origin is {@linkcode BASE_HREF_ORIGIN}.
 * - `-K` is the caller's: before writing the converted document over NAME, wget renames the original to NAME.orig,
 *   or, when `-E` added ".html", to NAME with that "html" replaced by "orig" (a.php.html → a.php.orig); once per
 *   file, and only for a file downloaded in this run that has a link to rewrite (when none has, this function returns
 *   the very same `doc`, and wget leaves the file alone).
 *
 * Chosen differently, each where wget's output breaks the page:
 * - The fragment is kept in `srcset`, refresh and CSS links too (wget drops it in `srcset` and CSS: `icons.svg#x`).
 * - A `'` in the new value is written `&#39;` in a single-quoted value or a part of one (wget writes it raw).
 * - In a part of a value, a space in a local name is written %20 (wget's `&#32;` splits a `srcset` entry), and a
 *   complete URL gets the entity escapes too (wget writes its `&` raw in `srcset`, escaped in a refresh).
 * - In CSS, whitespace, quotes, parentheses and backslashes are CSS escapes (`\20 `; wget writes them raw).
 * Not done: `--convert-file-only` (only the file name part rewritten); the base's own fragment, which wget copies
 * into the emptied `href`; wget's lines per file with `-v` ("Converting links in FILE... N." and the counts of links
 * made local and made complete), whose counts this function does not return.
 *
 * Documents are bytes: everything outside the replaced spans is copied as it was, whatever the charset. A local name
 * is written in UTF-8, the encoding of the file names on disk; a complete URL is ASCII (an href).
 *
 * @module
 */

import { quote } from "../http/mod.ts";
import type { FoundLink } from "./link_types.ts";
import { cssEscape, fragmentStart, htmlQuote, localQuote, printDecimal, quoteBefore } from "./_convert_quote.ts";

const UTF8 = new TextEncoder();

/** A link of the document and where it leads. */
export interface LinkTarget {
  /** The link as found. */
  readonly link: FoundLink;
  /** The link resolved against the page's base, fragment removed (an href): what `localOf` is asked about. */
  readonly url: string;
  /** The link's fragment (`"#x"`, or `""`): written when the document's text does not spell it with a plain `#`. */
  readonly fragment: string;
}

/** What changes how links are written. */
export interface ConvertOptions {
  /** `-E` (`--adjust-extension`) was given: a `?` in a local name is written %3F. Default false. */
  readonly adjustExtension?: boolean;
}

/**
 * The `origin` the link extractor gives a `<base href>` value: `-k` empties it rather than converting it.
 *
 * @example
 * ```ts
 * const base = { raw: "http://a.example/d/", start: 12, end: 31, context: "attribute", inline: false,
 *   expectHtml: false, expectCss: false, origin: BASE_HREF_ORIGIN } as const;
 * ```
 */
export const BASE_HREF_ORIGIN = "base/href";

/**
 * A copy of the document `doc`, saved as `docPath`, with its links rewritten as wget's `-k` does. `localOf` says
 * where a URL was saved (a path relative to the same root as `docPath`, after any `-E` renaming), or null when it was
 * not downloaded. Links are taken in document order; one that overlaps a link already rewritten is left alone. When
 * no link needs rewriting, `doc` itself is returned (wget then leaves the file, and writes no `-K` backup).
 *
 * @throws {RangeError} when a link's span is not within the document.
 *
 * @example
 * ```ts
 * const doc = new TextEncoder().encode('<a href="../img/a.png">');
 * const link = { raw: "../img/a.png", start: 9, end: 21, context: "attribute", inline: false,
 *   expectHtml: true, expectCss: false, origin: "a/href" } as const;
 * const saved = new Map([["http://h.example/img/a.png", "h.example/img/a.png"]]);
 * const out = convertLinks(doc, "h.example/docs/x/index.html",
 *   [{ link, url: "http://h.example/img/a.png", fragment: "" }], (url) => saved.get(url) ?? null);
 * new TextDecoder().decode(out); // '<a href="../../img/a.png">'
 * ```
 */
export function convertLinks(
  doc: Uint8Array,
  docPath: string,
  links: readonly LinkTarget[],
  localOf: (url: string) => string | null,
  options: ConvertOptions = {},
): Uint8Array {
  for (const { link } of links) checkSpan(link, doc.length);
  // A stable sort: of two links at the same place, the one listed first wins.
  const ordered = [...links].sort((a, b) => a.link.start - b.link.start);
  const chunks: Uint8Array[] = [];
  let copied = 0;
  let lastStart = -1;
  for (const target of ordered) {
    if (target.link.start < copied || target.link.start === lastStart) continue;
    const replacement = rewrite(doc, docPath, target, localOf, options.adjustExtension ?? false);
    if (replacement === null) continue;
    const { start, end, before } = replacedSpan(doc, target.link);
    chunks.push(doc.subarray(copied, start), UTF8.encode(before), ...replacement);
    copied = end;
    lastStart = target.link.start;
  }
  if (chunks.length === 0) return doc;
  chunks.push(doc.subarray(copied));
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * The link from the file `fromPath` to the file `toPath` (both relative to one root, `/`-separated, without `.` or
 * `..` segments), as wget's `construct_relative` makes it: the common directories dropped, one `../` per directory
 * of `fromPath` left. A result whose first segment holds a `:` gets `./` so it cannot read as a scheme.
 *
 * @example
 * ```ts
 * relativeLink("h/a/x.html", "h/a/y.html"); // "y.html"
 * relativeLink("h/a/x.html", "h/b/c/y.png"); // "../b/c/y.png"
 * relativeLink("h/index.html", "h/site;sub:.html"); // "./site;sub:.html"
 * ```
 */
export function relativeLink(fromPath: string, toPath: string): string {
  let common = 0;
  for (let i = 0; i < fromPath.length && fromPath[i] === toPath[i]; i++) {
    if (fromPath[i] === "/") common = i + 1;
  }
  const from = fromPath.slice(common);
  const to = toPath.slice(common);
  const ups = from.split("/").length - 1;
  if (ups === 0 && /^[^/]*:/.test(to)) return `./${to}`;
  return "../".repeat(ups) + to;
}

/**
 * The line wget prints (with `-v`, its default) once `-k` is done: `files` counts every HTML and CSS document looked
 * at, converted or not, and `seconds` is shown as wget's `print_decimal` shows it. Without the final newline. wget
 * says "files" even for one.
 *
 * @example
 * ```ts
 * convertedSummary(3, 0.0012); // "Converted links in 3 files in 0.001 seconds."
 * convertedSummary(12, 1.25); // "Converted links in 12 files in 1.2 seconds."
 * ```
 */
export function convertedSummary(files: number, seconds: number): string {
  return `Converted links in ${files} files in ${printDecimal(seconds)} seconds.`;
}

/** Throws when a link's span is not a range of the document. */
function checkSpan(link: FoundLink, length: number): void {
  const { start, end } = link;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || start > end || end > length) {
    throw new RangeError(
      `Cannot convert link ${quote(link.raw)}: its span [${start}, ${end}) is not within the ${length}-byte document`,
    );
  }
}

/** The bytes that replace one link's span, or null to leave it as it is. */
function rewrite(
  doc: Uint8Array,
  docPath: string,
  target: LinkTarget,
  localOf: (url: string) => string | null,
  adjustExtension: boolean,
): Uint8Array[] | null {
  const { link } = target;
  const quoteChar = link.context === "attribute" ? quoteBefore(doc, link.start) : null;
  // An unquoted attribute value is written in double quotes, as wget's replace_attr does.
  const wrap = link.context === "attribute" && quoteChar === null ? '"' : "";
  const htmlQuoteChar = link.context === "attribute" ? quoteChar ?? '"' : null;
  if (link.origin === BASE_HREF_ORIGIN) return [UTF8.encode(wrap + wrap)];

  const local = localOf(target.url);
  let text: string;
  if (local !== null) {
    text = localQuote(relativeLink(docPath, local), adjustExtension);
    // A space would split a srcset entry: %20 names the same file.
    if (link.context === "attribute-part") text = text.replaceAll(" ", "%20");
  } else if (hasScheme(link.raw)) {
    return null;
  } else {
    text = target.url;
  }
  const css = link.context === "css";
  const escaped = css ? cssEscape(text) : htmlQuote(text, htmlQuoteChar);
  const hash = fragmentStart(doc, link.start, link.end, css);
  const fragment = hash >= 0
    ? doc.subarray(hash, link.end)
    : UTF8.encode(css ? cssEscape(target.fragment) : htmlQuote(target.fragment, htmlQuoteChar));
  return [UTF8.encode(wrap + escaped), fragment, UTF8.encode(wrap)];
}

/**
 * The bytes a conversion replaces, wider than the link's own text where wget rewrites more: a quoted attribute value
 * whole (the white space around the link inside the quotes goes), and a refresh's `content` whole, written again as
 * `N; URL=` and the link (wget's `replace_attr_refresh_hack`).
 */
function replacedSpan(doc: Uint8Array, link: FoundLink): { start: number; end: number; before: string } {
  const isSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d);
  if (link.context === "attribute") {
    let start = link.start, end = link.end;
    while (start > 0 && isSpace(doc[start - 1])) start--;
    const quote = doc[start - 1];
    if (start === 0 || (quote !== 0x22 && quote !== 0x27)) return { start: link.start, end: link.end, before: "" };
    while (end < doc.length && isSpace(doc[end])) end++;
    return doc[end] === quote ? { start, end, before: "" } : { start: link.start, end: link.end, before: "" };
  }
  if (link.origin === REFRESH_ORIGIN) {
    let start = link.start;
    while (start > 0 && doc[start - 1] !== 0x22 && doc[start - 1] !== 0x27 && doc[start - 1] !== 0x3c) start--;
    // An unquoted content keeps its text before the link (no quote to find the value's start by).
    if (start === 0 || doc[start - 1] === 0x3c) return { start: link.start, end: link.end, before: "" };
    let digits = "";
    for (let i = start; i < link.start && doc[i] >= 0x30 && doc[i] <= 0x39; i++) digits += String.fromCharCode(doc[i]);
    return { start, end: link.end, before: `${Number(digits || "0")}; URL=` };
  }
  return { start: link.start, end: link.end, before: "" };
}

/** The origin the HTML extractor gives a `<meta http-equiv=refresh>` link. */
const REFRESH_ORIGIN = "meta/content";

/** wget's `url_has_scheme`: the link starts with `[-+a-zA-Z0-9]+:`, so it is complete and is not touched. */
function hasScheme(raw: string): boolean {
  return /^[-+a-zA-Z0-9]+:/.test(raw);
}
