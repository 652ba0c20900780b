/**
 * `-i FILE`: the URLs of a list, read as wget 1.21.3 reads a list that is not HTML (src/html-url.c `get_urls_file`):
 * one a line, white space around it ignored, empty lines skipped. `#` starts no comment (wget has none: such a line
 * is an invalid URL, reported like any other). With `-B URL` each line is first resolved against that URL (RFC 3986
 * §5.2, as wget's `uri_merge`). A line that is not a URL rawhttpget can fetch is reported and left out; the run then
 * exits with at least 1, as in wget. Pure: the file arrives as text.
 *
 * @module
 */

import { parseUrl, type UrlEncodings } from "../http/mod.ts";

/** What a list holds. */
export interface UrlList {
  /** The URLs to fetch, in order (resolved against the base when there is one). */
  readonly urls: readonly string[];
  /** One sentence for each line left out: `FILE: …`. */
  readonly problems: readonly string[];
}

// wget's c_isspace: ASCII white space only.
const EDGE_SPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;

/**
 * Reads the list `text` of the file `name`.
 *
 * @example
 * ```ts
 * parseUrlList("http://h/a\n\n  b.bin \n", "list", { base: "http://h/dir/" });
 * // { urls: ["http://h/a", "http://h/dir/b.bin"], problems: [] }
 * ```
 */
export function parseUrlList(
  text: string,
  name: string,
  options: { readonly base?: string; readonly encodings?: UrlEncodings } = {},
): UrlList {
  const urls: string[] = [], problems: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(EDGE_SPACE, "");
    if (line === "") continue;
    try {
      const url = options.base === undefined ? line : resolved(line, options.base);
      parseUrl(url, options.encodings);
      urls.push(url);
    } catch (e) {
      problems.push(`${name}: ${(e as Error).message}`);
    }
  }
  return { urls, problems };
}

function resolved(line: string, base: string): string {
  try {
    return new URL(line, base).href;
  } catch {
    throw new TypeError(`Cannot resolve "${line}" against the base URL ${base}`);
  }
}
