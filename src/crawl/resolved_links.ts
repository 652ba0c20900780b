/**
 * The links of a page resolved against its `<base href>` or its URL: what the crawl follows and what `-k` converts.
 *
 * @module
 */

import { type ParsedUrl, resolveLocation, type UrlEncodings, UTF8 } from "../http/mod.ts";
import type { FoundLink, PageLinks } from "./link_types.ts";

/** One link of a page: `url` resolved against the page's base (null: not an http(s) URL), `href` as written. */
export interface ResolvedLink {
  readonly link: FoundLink;
  readonly href: string;
  readonly fragment: string;
  readonly url: ParsedUrl | null;
}

/**
 * The links of `page` (saved from `url`) resolved against its `<base href>` or its URL, fragments apart: what the
 * crawl follows and what `-k` converts.
 *
 * @example
 * ```ts
 * for (const { url, fragment } of resolvedLinks(page, parseUrl("http://h/a/"))) console.log(url?.href, fragment);
 * ```
 */
export function* resolvedLinks(page: PageLinks, url: ParsedUrl, encodings?: UrlEncodings): Generator<ResolvedLink> {
  const base = page.base === null ? url : resolveOrNull(url, page.base, encodings) ?? url;
  for (const link of page.links) {
    const hash = link.raw.indexOf("#");
    const href = hash < 0 ? link.raw : link.raw.slice(0, hash);
    const fragment = hash < 0 ? "" : link.raw.slice(hash);
    yield { link, href, fragment, url: resolveOrNull(base, href, encodings) };
  }
}

/**
 * Whether a link counts as relative for `-L`, as wget's `link_relative_p`: written without a scheme and not from the
 * root (`/x`, `//host/x` are not).
 *
 * @example
 * ```ts
 * isRelativeLink("img/a.png"); // true
 * isRelativeLink("/img/a.png"); // false
 * ```
 */
export function isRelativeLink(href: string): boolean {
  return !/^[-+a-zA-Z0-9]+:/.test(href) && !href.startsWith("/");
}

/**
 * `href` (text, read from the page in its charset) resolved against `base`, or null for a link that is no http(s)
 * URL (mailto:, javascript:, ftp:, …). Its characters outside ASCII are sent as UTF-8, as wget sends an IRI.
 */
function resolveOrNull(base: ParsedUrl, href: string, encodings?: UrlEncodings): ParsedUrl | null {
  const bytes = new TextEncoder().encode(href);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  try {
    return resolveLocation(base, binary, { ...encodings, remote: UTF8 });
  } catch {
    return null;
  }
}
