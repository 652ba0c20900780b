/**
 * The parts of a URL wget's recursive retrieval works with (src/url.c `url_parse` and `split_path`): `u->path` (the
 * escaped path without its leading "/" and without the query), `u->dir` and `u->file` (its directory and last
 * segment, unescaped), and `u->query`. Pure.
 *
 * @module
 */

import { bytesAsName, type ParsedUrl } from "../http/mod.ts";

/** A URL split as wget splits it. */
export interface UrlParts {
  /** The path as sent, without the leading "/" and the query (wget's `u->path`). */
  readonly path: string;
  /** Every segment of `path` but the last, still escaped (none at the root; "" for an empty segment). */
  readonly dirSegments: readonly string[];
  /** The directory part, %XX decoded (wget's `u->dir`: "a/b" for "/a/b/c.html", "" at the root). */
  readonly dir: string;
  /** The last segment, %XX decoded (wget's `u->file`: "" for a path ending in "/"). */
  readonly file: string;
  /** The last segment as sent, still escaped. */
  readonly rawFile: string;
  /** The query as sent, without "?"; null when the URL has none, "" for a bare "?". */
  readonly query: string | null;
}

/** Splits `url` as wget's `url_parse` does. */
export function urlParts(url: ParsedUrl): UrlParts {
  const mark = url.path.indexOf("?");
  const pathname = mark < 0 ? url.path : url.path.slice(0, mark);
  // WHATWG URL drops an empty query from `search` but keeps its "?" in `href`; wget keeps it as "".
  const query = mark >= 0 ? url.path.slice(mark + 1) : url.href.endsWith("?") ? "" : null;
  const path = pathname.replace(/^\//, "");
  const segments = path.split("/");
  const rawFile = segments.pop() ?? "";
  return {
    path,
    dirSegments: segments,
    dir: unescapeText(segments.join("/")),
    file: unescapeText(rawFile),
    rawFile,
    query,
  };
}

/**
 * wget's `url_unescape` on bytes: each `%XX` becomes its byte, except `%00` (which a C string cannot hold) and a "%"
 * without two hex digits after it, which stay as they are.
 */
export function unescapeBytes(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const value = bytes[i] === PERCENT ? hexPair(bytes[i + 1], bytes[i + 2]) : -1;
    if (value > 0) {
      out.push(value);
      i += 2;
    } else {
      out.push(bytes[i]);
    }
  }
  return Uint8Array.from(out);
}

/** `text` %XX decoded as {@linkcode unescapeBytes} does, read as UTF-8 (other bytes kept as charset.ts carries them). */
export function unescapeText(text: string): string {
  return bytesAsName(unescapeBytes(new TextEncoder().encode(text)));
}

const PERCENT = 0x25;

/** The byte two hex digits (as bytes) name, or -1. */
function hexPair(high: number | undefined, low: number | undefined): number {
  const h = hexDigit(high);
  const l = hexDigit(low);
  return h < 0 || l < 0 ? -1 : h * 16 + l;
}

function hexDigit(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}
