/**
 * What a recursive retrieval reads out of a document and what it decides about each link: the types the link
 * extractors (HTML, CSS), the link rules, the local names and the link converter share.
 *
 * Offsets are byte offsets into the document as downloaded: the extractors read the bytes one for one (a "binary
 * string", each byte one UTF-16 unit) so that a conversion (`-k`) rewrites exactly the bytes of a link and leaves every
 * other byte of the page as the server sent it, whatever its charset.
 *
 * @module
 */

/** Where a link sits, which decides how `-k` writes it back. */
export type LinkContext =
  /** An HTML attribute's whole value (`href="…"`, `src=…`): written back as a quoted attribute value. */
  | "attribute"
  /** One URL among others in an attribute (`srcset`, a `<meta http-equiv=refresh>` content's `url=` part). */
  | "attribute-part"
  /** A CSS `url(…)` or `@import "…"`, in a stylesheet, a `<style>` element or a `style` attribute. */
  | "css";

/** One link found in a document. */
export interface FoundLink {
  /** The link as written, character references decoded, surrounding whitespace removed, not yet resolved. */
  readonly raw: string;
  /** Byte offset of the first byte `-k` replaces (the value's text, inside any quotes). */
  readonly start: number;
  /** Byte offset just past the last byte `-k` replaces. */
  readonly end: number;
  /** How the replacement is written. */
  readonly context: LinkContext;
  /**
   * A page requisite (wget's "inline" link: `img src`, `script src`, `link rel=stylesheet`, `@import`, `url()`…):
   * `-p` fetches it, and `-np` and the depth limit spare it as wget does.
   */
  readonly inline: boolean;
  /** The link is expected to lead to HTML (`a href`, `frame src`, `iframe src`, a refresh): wget's `link_expect_html`. */
  readonly expectHtml: boolean;
  /** The link is expected to lead to CSS (`link rel=stylesheet`, `@import`): wget's `link_expect_css`. */
  readonly expectCss: boolean;
  /** The element and attribute it came from (`a/href`, `img/srcset`, `style`, `css`), for messages and tests. */
  readonly origin: string;
  /**
   * true: `-k` rewrites the link but the crawl does not fetch it (wget's `ignore_when_downloading`): `<base href>`
   * (which `-k` empties) and `<form action>`. Absent for every other link.
   */
  readonly convertOnly?: boolean;
}

/** What a document says about its links. */
export interface PageLinks {
  /** The links in document order. */
  readonly links: readonly FoundLink[];
  /** `<base href>`'s value (the first one, as browsers take it), null when there is none. */
  readonly base: string | null;
  /** `<meta name="robots" content="nofollow">` (or `none`): wget follows none of the page's links then. */
  readonly nofollow: boolean;
  /** The page had more links than the extractor's limit: only the first ones are here. */
  readonly truncated?: boolean;
}
