/**
 * The links of CSS, found as GNU wget 1.21.3 finds them for `-r`, `-p` and `-k` (src/css-url.c, src/css.l): every
 * `url(…)`, quoted or not, whatever property holds it, and the string or `url(…)` after `@import`. All are page
 * requisites; an `@import` is expected to be CSS. Comments are skipped, a string is never read as a link, and
 * `url(` must be a name of its own (`myurl(x)` is no link). The link's span is its text inside any quotes, less the
 * whitespace inside the parentheses.
 *
 * Chosen differently from wget:
 * - Escapes are decoded in `raw` (`url(a\)b.png)` is "a)b.png"; wget keeps the backslash).
 * - Comments may stand between `@import` and its URL; wget then finds nothing.
 * - Every byte outside ASCII may be in an unquoted URL (wget's scanner takes 0xA0…0xFF only, so a UTF-8 "ő" ends
 *   the token and the URL is lost).
 * - `@import ""` gives no link, as `url("")` does not in wget either (wget reads the empty import as the
 *   stylesheet itself).
 * - `@charset` is not read: the charset is the caller's (the HTTP header's, else UTF-8).
 *
 * @module
 */

import { findCharset, UTF8 } from "../http/mod.ts";
import type { FoundLink, PageLinks } from "./link_types.ts";
import { binaryString } from "./_binary.ts";
import { scanCss } from "./_css_scanner.ts";
import { finishLink } from "./_mapped_text.ts";

/**
 * How CSS links are read.
 *
 * @example
 * ```ts
 * const options: CssLinkOptions = { charset: "windows-1252", origin: "div/style" };
 * ```
 */
export interface CssLinkOptions {
  /** The charset `raw` is read in (a label `findCharset` knows); default UTF-8. */
  readonly charset?: string;
  /** The `origin` of the links; default "css". */
  readonly origin?: string;
}

/**
 * The links of the CSS `text`, one character per byte, that starts at byte `offset` of its document: a whole
 * stylesheet (offset 0), or the text of a `<style>` element or `style` attribute. Spans are offsets into the
 * document.
 *
 * @example
 * ```ts
 * const links = extractCssLinks('@import "a.css"; p { background: url(b.png) }', 0);
 * links.map((link) => [link.raw, link.start, link.expectCss]); // [["a.css", 9, true], ["b.png", 37, false]]
 * ```
 */
export function extractCssLinks(text: string, offset: number, options: CssLinkOptions = {}): FoundLink[] {
  const charset = options.charset === undefined ? UTF8 : findCharset(options.charset);
  return scanCss(text, 0, text.length, options.origin ?? "css").map((draft) => {
    const link = finishLink(draft, charset);
    return { ...link, start: link.start + offset, end: link.end + offset };
  });
}

/**
 * The links of a stylesheet (a text/css file) read in `charset` (default UTF-8): no base, never `nofollow`.
 *
 * @example
 * ```ts
 * extractStylesheetLinks(new TextEncoder().encode("h1 { background: url('t.png') }")).links[0].raw; // "t.png"
 * ```
 */
export function extractStylesheetLinks(doc: Uint8Array, charset?: string, maxLinks = 100_000): PageLinks {
  const links = extractCssLinks(binaryString(doc), 0, { charset });
  if (links.length <= maxLinks) return { links, base: null, nofollow: false };
  return { links: links.slice(0, maxLinks), base: null, nofollow: false, truncated: true };
}
