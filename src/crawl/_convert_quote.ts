/**
 * How `-k` writes a link back into its document: wget's escapes for a local name (src/convert.c `local_quote_string`)
 * and for an HTML attribute value (`html_quote_string`), the escapes CSS needs, where a link's fragment begins
 * (`find_fragment`), and wget's number format for seconds (src/utils.c `print_decimal`).
 *
 * @module
 */

/** The quote around an HTML attribute value: `"`, `'`, or null where it is not known (a part of a value). */
export type AttributeQuote = '"' | "'" | null;

/**
 * A local name as a link: `%`, `#` and `;` as %XX (they mean something in a URL), and `?` as %3F with `-E` only,
 * as wget does: without `-E`, "index.html?x=1" would stop being read as an HTML file, so wget leaves the `?` alone.
 */
export function localQuote(name: string, adjustExtension: boolean): string {
  const special = adjustExtension ? /[%#;?]/g : /[%#;]/g;
  return name.replace(special, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Text as an attribute value, with wget's five escapes (`&`, `<`, `>`, `"`, space). A `'` is escaped too where the
 * value is in single quotes or its quote is not known, which wget does not do (its output breaks there).
 */
export function htmlQuote(text: string, quote: AttributeQuote): string {
  const special = quote === '"' ? /[&<>" ]/g : /[&<>"' ]/g;
  return text.replace(special, (ch) => HTML_ESCAPES[ch]);
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  " ": "&#32;",
};

/**
 * Text as the inside of a CSS `url(…)` or string: whitespace, controls, quotes, parentheses and backslashes as CSS
 * hex escapes (`\20 `), valid both unquoted and quoted, and free of quotes inside a `style` attribute. wget writes
 * them raw, which ends an unquoted `url(` early.
 */
export function cssEscape(text: string): string {
  // deno-lint-ignore no-control-regex -- controls are among what CSS cannot hold raw in url()
  return text.replace(/[\x00-\x20"'()\\\x7f]/g, (ch) => `\\${ch.charCodeAt(0).toString(16)} `);
}

/**
 * Where the fragment of the link written in `doc[start, end)` begins (its `#`), or -1. In HTML a `#` right after
 * `&` is a character reference (`&#32;`), not a fragment, as wget's `find_fragment` says; CSS has no such thing.
 */
export function fragmentStart(doc: Uint8Array, start: number, end: number, css: boolean): number {
  for (let i = start; i < end; i++) {
    if (doc[i] === HASH && (css || i === start || doc[i - 1] !== AMPERSAND)) return i;
  }
  return -1;
}

const HASH = 0x23;
const AMPERSAND = 0x26;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;

/**
 * The quote an attribute value at `start` is in: the first byte before it that is not HTML whitespace, when that is
 * a quote; null for an unquoted value (`href=a.html`, the byte before being `=`).
 */
export function quoteBefore(doc: Uint8Array, start: number): AttributeQuote {
  let i = start - 1;
  while (i >= 0 && (doc[i] === 0x20 || doc[i] === 0x09 || doc[i] === 0x0a || doc[i] === 0x0c || doc[i] === 0x0d)) i--;
  if (i < 0) return null;
  return doc[i] === QUOTE ? '"' : doc[i] === APOSTROPHE ? "'" : null;
}

/**
 * wget's `print_decimal`: "%.0f" from 9.95 up, "%.1f" from 0.95, "%.1g" from 0.001, "%.3f" from 0.0005, else "0".
 * C's printf rounds an exact tie to even (0.25 → "0.2", 10.5 → "10"), where `toFixed` would round it up.
 */
export function printDecimal(number: number): string {
  const n = Math.abs(number);
  if (n >= 9.95) return fixedHalfEven(number, 0);
  if (n >= 0.95) return fixedHalfEven(number, 1);
  // %.1g: one significant digit, trailing zeros dropped (0.0096 → "0.01").
  if (n >= 0.001) return fixedHalfEven(number, -Math.floor(Math.log10(n))).replace(/0+$/, "");
  if (n >= 0.0005) return fixedHalfEven(number, 3);
  return "0";
}

/** `number` with `decimals` decimals, an exact tie rounded to even as C's printf does. */
function fixedHalfEven(number: number, decimals: number): string {
  const sign = number < 0 ? "-" : "";
  const n = Math.abs(number);
  // toFixed(100) is the exact binary value for these magnitudes (at most 63 binary fraction digits).
  const exact = n.toFixed(100);
  const point = exact.indexOf(".");
  const rest = exact.slice(point + 1 + decimals);
  const kept = decimals === 0 ? exact.slice(0, point) : exact.slice(0, point + 1 + decimals);
  const tie = /^50*$/.test(rest);
  if (tie && Number(kept[kept.length - 1]) % 2 === 0) return sign + kept;
  return sign + n.toFixed(decimals);
}
