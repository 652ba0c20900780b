/**
 * The link extractors of HTML pages and stylesheets: a surface of its own, since it loads htmlparser2 (vendored in
 * `_htmlparser2.js`, 50 kB of script), which a run that does not crawl need not parse (the program imports it when
 * `-r`, `-p` or `-m` is given).
 *
 * @module
 */

export { extractHtmlLinks, type HtmlLinkOptions, MAX_PAGE_LINKS } from "./html_links.ts";
export { type CssLinkOptions, extractCssLinks, extractStylesheetLinks } from "./css_links.ts";
