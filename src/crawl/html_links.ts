/**
 * The links of an HTML page, found as GNU wget 1.21.3 finds them for `-r`, `-p` and `-k` (src/html-url.c,
 * src/html-parse.c; doc/wget.texi "Recursive Accept/Reject Options").
 *
 * Followed as wget does:
 * - The URL attributes of wget's `tag_url_attributes` (see `URL_ATTRIBUTES` in _html_rules.ts), each occurrence in
 *   document order, duplicates included, with its flags: a page requisite (`img src`, `script src`, `frame src`…)
 *   and/or expected to be HTML (`a href`, `area href`, `frame src`, `iframe src`…). `<img srcset>` is split into its
 *   URLs. `<form action>` and `<base href>` are links `-k` converts but the crawl does not fetch (`convertOnly`).
 * - `<link href>` by its whole `rel`: "stylesheet" or "alternate stylesheet" is a requisite expected to be CSS;
 *   "icon", "shortcut icon" and "manifest" are requisites; any other `rel` is expected to be HTML unless `type` says
 *   another type than text/html; no `rel` at all gives a link with no flag.
 * - `<meta http-equiv=refresh content="N; url=X">` gives X, expected to be HTML; `<meta name=robots>` with "none"
 *   or "nofollow" sets `nofollow`; `<meta http-equiv=Content-Type content="…; charset=X">` names the charset the
 *   links are read in when the caller knows none from the HTTP header; `<base href>` gives `base`.
 * - The `style` attribute of any tag and the text of `<style>` are CSS (see css_links.ts), whatever
 *   `--follow-tags`/`--ignore-tags` say; those choose among the tags above (`base`, `form`, `link`, `meta` included).
 * - A quoted value loses the whitespace bytes around it and its CR and LF bytes; an empty value is a link (to the
 *   page itself) as in wget, and so is a fragment alone (`#top`).
 *
 * Chosen differently from wget:
 * - Tags are read as HTML5 reads them (htmlparser2): `/` parts attributes (`<a/href=x>`), and a quote left open
 *   runs to the next one; wget backs out of such a tag. Character references are decoded as HTML5 says (all named
 *   ones, any code point); wget decodes ASCII ones only.
 * - An attribute without a value (`<a href>`) gives no link; wget reads its name as its value ("href").
 * - A `<script>`, `<style>`, `<title>` or `<textarea>` body is not searched for tags (wget finds `<img>` written
 *   inside a script's string); an unclosed `<style>` is read to the end of the document (wget skips it).
 * - `srcset` is split on the value as written: wget first removes its line breaks, gluing "a.png\n2x" into one URL.
 * - A robots item matches "nofollow" whole (wget takes any prefix of it, even an empty item, as "nofollow").
 * - `base` is the first `<base href>`; wget resolves each link against the last base seen before it.
 * - A quoted `charset="X"` in a Content-Type `<meta>` is read as X (wget keeps the quotes, and knows no such charset).
 * - Bytes that are not valid in the charset (or a charset rawhttpget cannot read) are kept as %XX in `raw`.
 *
 * @module
 */

import { type Charset, findCharset, UTF8 } from "../http/mod.ts";
import type { PageLinks } from "./link_types.ts";
import { binaryString } from "./_binary.ts";
import { scanCss } from "./_css_scanner.ts";
import {
  contentCharset,
  followedTags,
  keyword,
  refreshUrlStart,
  robotsNofollow,
  srcsetUrls,
  trimmed,
  URL_ATTRIBUTES,
  WANTED_ATTRIBUTES,
} from "./_html_rules.ts";
import { readTags, type TagAttribute } from "./_html_tokens.ts";
import { finishLink, type LinkDraft, type MappedText } from "./_mapped_text.ts";

/**
 * How a page's links are read.
 *
 * @example
 * ```ts
 * const options: HtmlLinkOptions = { charset: "iso-8859-1", ignoreTags: ["img"] };
 * ```
 */
export interface HtmlLinkOptions {
  /**
   * The charset of the page from its Content-Type header (a label `findCharset` knows; it wins over a `<meta>`);
   * by default the `<meta http-equiv=Content-Type>` one, else UTF-8.
   */
  readonly charset?: string;
  /** `--follow-tags`: collect links from these tags only (any case; unknown names do nothing). */
  readonly followTags?: readonly string[];
  /** `--ignore-tags`: never collect links from these tags. */
  readonly ignoreTags?: readonly string[];
  /** Links collected at most (default {@linkcode MAX_PAGE_LINKS}); `truncated` says when there were more. */
  readonly maxLinks?: number;
}

/**
 * The links of the HTML page `doc`, in document order, with its `<base href>` and its robots `nofollow`. Spans are
 * byte offsets into `doc`; `raw` is read in the page's charset.
 *
 * @example
 * ```ts
 * const page = extractHtmlLinks(new TextEncoder().encode('<a href="b.html">b</a><img src="c.png">'));
 * page.links.map((link) => [link.raw, link.inline, link.expectHtml]);
 * // [["b.html", false, true], ["c.png", true, false]]
 * ```
 */
export function extractHtmlLinks(doc: Uint8Array, options: HtmlLinkOptions = {}): PageLinks {
  const source = binaryString(doc);
  const limit = options.maxLinks ?? MAX_PAGE_LINKS;
  const collector = new LinkCollector(source, followedTags(options.followTags, options.ignoreTags), limit);
  readTags(source, WANTED_ATTRIBUTES, collector);
  const label = options.charset ?? collector.metaCharset;
  const charset: Charset | null = label === null ? UTF8 : findCharset(label);
  const links = collector.drafts.map((draft) => finishLink(draft, charset)).sort((a, b) => a.start - b.start);
  const base = collector.baseDraft === null ? null : finishLink(collector.baseDraft, charset).raw;
  return { links, base, nofollow: collector.nofollow, ...(collector.truncated ? { truncated: true } : {}) };
}

/** Links read from one page at most, by default: enough for any real page, a bound for a hostile one. */
export const MAX_PAGE_LINKS = 100_000;

/** What a link is taken for (the flags of `FoundLink`). */
interface LinkFlags {
  readonly inline: boolean;
  readonly expectHtml: boolean;
  readonly expectCss?: boolean;
  readonly convertOnly?: boolean;
}

const NO_FLAGS: LinkFlags = { inline: false, expectHtml: false };

/** Turns tags into link drafts, as wget's `collect_tags_mapper` does. */
class LinkCollector {
  readonly drafts: LinkDraft[] = [];
  baseDraft: LinkDraft | null = null;
  nofollow = false;
  /** The charset of the last `<meta http-equiv=Content-Type>`, as wget keeps the last. */
  metaCharset: string | null = null;
  /** More links than the limit were found: the rest were not collected. */
  truncated = false;

  /** The reading may stop: the limit is reached. */
  get full(): boolean {
    return this.truncated;
  }
  readonly #source: string;
  readonly #followed: ReadonlySet<string>;
  readonly #limit: number;

  constructor(source: string, followed: ReadonlySet<string>, limit: number) {
    this.#source = source;
    this.#followed = followed;
    this.#limit = limit;
  }

  /** Collects `drafts` up to the limit (a hostile page cannot make the crawl hold millions of links). */
  #add(drafts: LinkDraft | readonly LinkDraft[]): void {
    for (const draft of Array.isArray(drafts) ? drafts : [drafts]) {
      if (this.drafts.length >= this.#limit) {
        this.truncated = true;
        return;
      }
      this.drafts.push(draft);
    }
  }

  tag(name: string, attributes: readonly TagAttribute[]): void {
    if (this.#followed.has(name)) {
      const urlAttributes = URL_ATTRIBUTES.get(name);
      for (const attribute of urlAttributes === undefined ? [] : attributes) {
        const flags = urlAttributes?.get(attribute.name);
        if (flags !== undefined) this.#whole(name, attribute, flags);
      }
      if (name === "img") this.#srcset(find(attributes, "srcset"));
      else if (name === "base") this.#base(find(attributes, "href"));
      else if (name === "form") this.#whole(name, find(attributes, "action"), { ...NO_FLAGS, convertOnly: true });
      else if (name === "link") this.#link(attributes);
      else if (name === "meta") this.#meta(attributes);
    }
    const style = find(attributes, "style")?.mapped;
    if (style !== null && style !== undefined) {
      const [start, end] = style.span(0, style.text.length);
      this.#add(scanCss(this.#source, start, end, `${name}/style`));
    }
  }

  style(from: number, to: number): void {
    this.#add(scanCss(this.#source, from, to, "style"));
  }

  /** A link that is a whole attribute value (less the whitespace around it). */
  #whole(tag: string, attribute: TagAttribute | undefined, flags: LinkFlags): LinkDraft | null {
    const value = attribute?.mapped;
    if (attribute === undefined || value === null || value === undefined) return null;
    const [from, to] = trimmed(value);
    const draft = draftOf(value, from, to, attribute.quoted, "attribute", `${tag}/${attribute.name}`, flags);
    this.#add(draft);
    return draft;
  }

  #srcset(attribute: TagAttribute | undefined): void {
    const value = attribute?.mapped;
    if (attribute === undefined || value === null || value === undefined) return;
    const [from, to] = trimmed(value);
    for (const [start, end] of srcsetUrls(value.text, from, to)) {
      const flags = { inline: true, expectHtml: false };
      this.#add(draftOf(value, start, end, attribute.quoted, "attribute-part", "img/srcset", flags));
    }
  }

  #base(href: TagAttribute | undefined): void {
    const draft = this.#whole("base", href, { ...NO_FLAGS, convertOnly: true });
    if (this.baseDraft === null) this.baseDraft = draft;
  }

  #link(attributes: readonly TagAttribute[]): void {
    const rel = find(attributes, "rel");
    const relation = keyword(rel?.value);
    const type = find(attributes, "type");
    let flags: LinkFlags;
    if (rel === undefined) flags = NO_FLAGS;
    else if (relation === "stylesheet" || relation === "alternate stylesheet") {
      flags = { inline: true, expectHtml: false, expectCss: true };
    } else if (relation === "icon" || relation === "shortcut icon" || relation === "manifest") {
      flags = { inline: true, expectHtml: false };
    } else {
      // Other relations (next, alternate, canonical…) lead to pages, unless `type` names something else (a feed).
      flags = { inline: false, expectHtml: type === undefined || keyword(type.value) === "text/html" };
    }
    this.#whole("link", find(attributes, "href"), flags);
  }

  #meta(attributes: readonly TagAttribute[]): void {
    const httpEquiv = keyword(find(attributes, "http-equiv")?.value);
    const content = find(attributes, "content");
    if (content === undefined) return;
    if (httpEquiv === "refresh") {
      const value = content.mapped;
      if (value === null) return;
      const [from, to] = trimmed(value);
      const start = refreshUrlStart(value.text, from, to);
      if (start < 0) return;
      const flags = { inline: false, expectHtml: true };
      this.#add(draftOf(value, start, to, content.quoted, "attribute-part", "meta/content", flags));
    } else if (httpEquiv === "content-type") {
      this.metaCharset = contentCharset(content.value) ?? this.metaCharset;
    } else if (keyword(find(attributes, "name")?.value) === "robots" && robotsNofollow(content.value)) {
      this.nofollow = true;
    }
  }
}

/** A draft for the characters `[from, to)` of an attribute's value. */
function draftOf(
  value: MappedText,
  from: number,
  to: number,
  quoted: boolean,
  context: "attribute" | "attribute-part",
  origin: string,
  flags: LinkFlags,
): LinkDraft {
  return {
    value,
    from,
    to,
    dropNewlines: quoted,
    context,
    inline: flags.inline,
    expectHtml: flags.expectHtml,
    expectCss: flags.expectCss ?? false,
    origin,
    convertOnly: flags.convertOnly ?? false,
  };
}

/** The first attribute called `name` (wget's `find_attr`). */
function find(attributes: readonly TagAttribute[], name: string): TagAttribute | undefined {
  return attributes.find((attribute) => attribute.name === name);
}
