/**
 * wget 1.21.3's knowledge of HTML links (src/html-url.c): which attribute of which tag holds a URL and what is
 * expected of it, the tags `--follow-tags` and `--ignore-tags` choose among, and the small syntaxes inside some values
 * (`srcset`, a refresh's `content`, a robots `content`, a Content-Type's `charset=`).
 *
 * @module
 */

import { isCSpace } from "./_binary.ts";
import type { MappedText } from "./_mapped_text.ts";

/** What wget expects of a URL attribute: a page requisite (`ATTR_INLINE`), an HTML page (`ATTR_HTML`). */
export interface UrlAttribute {
  readonly inline: boolean;
  readonly expectHtml: boolean;
}

const INLINE: UrlAttribute = { inline: true, expectHtml: false };
const HTML: UrlAttribute = { inline: false, expectHtml: true };
const BOTH: UrlAttribute = { inline: true, expectHtml: true };

/** wget's `tag_url_attributes`: the tags whose URL attributes are simply collected, and those attributes. */
export const URL_ATTRIBUTES: ReadonlyMap<string, ReadonlyMap<string, UrlAttribute>> = new Map(
  Object.entries({
    a: { href: HTML },
    applet: { code: INLINE },
    area: { href: HTML },
    bgsound: { src: INLINE },
    body: { background: INLINE },
    embed: { href: HTML, src: BOTH },
    fig: { src: INLINE },
    frame: { src: BOTH },
    iframe: { src: BOTH },
    img: { href: INLINE, lowsrc: INLINE, src: INLINE },
    input: { src: INLINE },
    layer: { src: BOTH },
    object: { data: INLINE },
    overlay: { src: BOTH },
    script: { src: INLINE },
    table: { background: INLINE },
    td: { background: INLINE },
    th: { background: INLINE },
    video: { src: INLINE, poster: INLINE },
    audio: { src: INLINE, poster: INLINE },
    source: { src: INLINE },
  }).map(([tag, attributes]) => [tag, new Map(Object.entries(attributes))]),
);

/** wget's `known_tags`: the tags above and those handled on their own. */
const KNOWN_TAGS: readonly string[] = [...URL_ATTRIBUTES.keys(), "base", "form", "link", "meta"];

/** The attributes read at all (wget's `interesting_attributes`). */
export const WANTED_ATTRIBUTES: ReadonlySet<string> = new Set([
  ...[...URL_ATTRIBUTES.values()].flatMap((attributes) => [...attributes.keys()]),
  ...["rel", "type", "http-equiv", "name", "content", "action", "style", "srcset"],
]);

/**
 * The tags whose links are collected: wget's known tags less `--ignore-tags`, then, when `--follow-tags` names any,
 * only those of them (unknown names are left out; an empty list restricts nothing, as an empty option does in wget).
 */
export function followedTags(follow?: readonly string[], ignore?: readonly string[]): ReadonlySet<string> {
  const names = (list?: readonly string[]) => new Set((list ?? []).map((name) => name.trim().toLowerCase()));
  const ignored = names(ignore);
  const followed = names(follow);
  return new Set(KNOWN_TAGS.filter((tag) => !ignored.has(tag) && (followed.size === 0 || followed.has(tag))));
}

/** The characters `[from, to)` of a value less the whitespace bytes around them (wget's `MHT_TRIM_VALUES`). */
export function trimmed(value: MappedText): [number, number] {
  const text = value.text;
  let from = 0;
  let to = text.length;
  // A space written as a reference (`&#32;`) is meant, so only bytes are trimmed, as wget trims before decoding.
  while (from < to && isCSpace(text.charCodeAt(from)) && value.isLiteral(from)) from++;
  while (to > from && isCSpace(text.charCodeAt(to - 1)) && value.isLiteral(to - 1)) to--;
  return [from, to];
}

/** A keyword value (`rel`, `http-equiv`, `name`…) trimmed and in lower case, for comparing. */
export function keyword(value: string | undefined): string {
  return (value ?? "").replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, "").toLowerCase();
}

/** `srcset`'s separators (HTML5's whitespace, which has no \v, and the comma between candidates). */
const SRCSET_SPACE = " \f\n\r\t";

/**
 * The URLs of a `srcset` value in `text[from, to)` as character ranges, the way wget's `tag_handle_img` splits it:
 * a URL runs to whitespace and loses trailing commas; a descriptor (`2x`, `480w`) runs to a comma outside parentheses.
 */
export function srcsetUrls(text: string, from: number, to: number): [number, number][] {
  const urls: [number, number][] = [];
  let at = from;
  while (at < to) {
    while (at < to && (SRCSET_SPACE.includes(text[at]) || text[at] === ",")) at++;
    if (at === to) break;
    const start = at;
    while (at < to && !SRCSET_SPACE.includes(text[at])) at++;
    let end = at;
    let descriptor = true;
    while (end - 1 > start && text[end - 1] === ",") {
      descriptor = false;
      end--;
    }
    urls.push([start, end]);
    if (!descriptor) {
      at = end;
      continue;
    }
    let inParentheses = false;
    for (; at < to; at++) {
      if (text[at] === "(") inParentheses = true;
      else if (text[at] === ")") inParentheses = false;
      else if (text[at] === "," && !inParentheses) break;
    }
  }
  return urls;
}

/**
 * Where the URL of a refresh's `content` (`text[from, to)`) starts, or -1 when it has none: wget reads a number (no
 * digits: 0; negative: no refresh), then right after it `;`, whitespace, `URL=` in any case, whitespace.
 */
export function refreshUrlStart(text: string, from: number, to: number): number {
  const match = /^(?:([+-]?)(\d+))?;[ \t\n\v\f\r]*url=[ \t\n\v\f\r]*/i.exec(text.slice(from, to));
  if (match === null || (match[1] === "-" && Number(match[2]) > 0)) return -1;
  return from + match[0].length;
}

/**
 * Whether a `<meta name=robots>` `content` forbids following links: "none", or a comma-separated item "nofollow"
 * (any case; what follows the item's first word up to the comma is ignored, as wget does).
 */
export function robotsNofollow(content: string): boolean {
  const value = keyword(content);
  if (value === "none") return true;
  return value.split(",").some((item) => keyword(item).split(/[ \t\n\v\f\r]/)[0] === "nofollow");
}

/**
 * The charset a `<meta http-equiv=Content-Type>` names in its `content` (`…; charset=X`), else null (wget's
 * `parse_charset`).
 */
export function contentCharset(content: string): string | null {
  // Quotes around the name are dropped, which wget does not do (it then knows no such charset).
  const match = /charset=["']?([^ \t\n\v\f\r;"']*)/i.exec(content);
  return match === null || match[1] === "" ? null : match[1];
}
