/**
 * The links of CSS text, found as wget 1.21.3 finds them (src/css.l, src/css-url.c): not a CSS parser but a scanner
 * that knows comments, strings, names, `url(…)` and `@import`, so that "url(x)" inside a comment, a string or a
 * longer name (`myurl(x)`) is no link. Escapes are decoded in the link's text (wget keeps the backslashes).
 *
 * @module
 */

import { type LinkDraft, MappedText, type Piece } from "./_mapped_text.ts";

const BACKSLASH = 0x5c;
const END = -1;

/** The links of `source[from, to)` (one character per byte), as drafts whose spans are offsets into `source`. */
export function scanCss(source: string, from: number, to: number, origin: string): LinkDraft[] {
  const drafts: LinkDraft[] = [];
  const code = (at: number) => at < to ? source.charCodeAt(at) : END;
  const found = (start: number, end: number, expectCss: boolean) => {
    if (end <= start) return; // `url()`, `url("")`: wget finds nothing there
    const value = unescaped(source, start, end);
    drafts.push({
      value,
      from: 0,
      to: value.text.length,
      dropNewlines: false,
      context: "css",
      inline: true,
      expectHtml: false,
      expectCss,
      origin,
      convertOnly: false,
    });
  };

  /** Past a comment starting at `at` (an unclosed one runs to the end). */
  const commentEnd = (at: number) => {
    // Searched in a slice: an unclosed comment in a short `style` value must not cost a scan of the whole document.
    const close = source.slice(at + 2, to).indexOf("*/");
    return close < 0 ? to : at + 2 + close + 2;
  };

  /** Past the string whose quote is at `at`; `ok` false when a newline or the end comes before its closing quote. */
  const stringEnd = (at: number): { end: number; ok: boolean } => {
    const quote = code(at);
    for (let i = at + 1; i < to;) {
      const c = code(i);
      if (c === quote) return { end: i + 1, ok: true };
      if (c === 0x0a || c === 0x0d || c === 0x0c) return { end: i, ok: false };
      if (c === BACKSLASH) i += code(i + 1) === 0x0d && code(i + 2) === 0x0a ? 3 : 2;
      else i++;
    }
    return { end: to, ok: false };
  };

  /** Past the name (letters, digits, `_`, `-`, bytes outside ASCII, escapes) starting at `at`. */
  const nameEnd = (at: number) => {
    let i = at;
    for (;;) {
      const c = code(i);
      if (isNameCode(c)) i++;
      else if (c === BACKSLASH && isEscapable(code(i + 1))) i = escapeEnd(source, i, to);
      else return i;
    }
  };

  /** Whether `url(` starts at `at`: the name "url" in any case, right before a parenthesis. */
  const isUrlFunction = (at: number, end: number) =>
    end - at === 3 && code(end) === 0x28 && source.slice(at, end).toLowerCase() === "url";

  /** Reads `url(…)` from just past its parenthesis, finding its link; returns where scanning goes on. */
  const url = (at: number, expectCss: boolean) => {
    let i = at;
    while (isCssSpace(code(i))) i++;
    let valueFrom = i;
    let valueTo: number;
    if (code(i) === 0x22 || code(i) === 0x27) {
      const string = stringEnd(i);
      if (!string.ok) return string.end;
      valueFrom = i + 1;
      valueTo = string.end - 1;
      i = string.end;
    } else {
      for (;;) {
        const c = code(i);
        if (c === BACKSLASH && isEscapable(code(i + 1))) i = escapeEnd(source, i, to);
        else if (isUrlCode(c)) i++;
        else break;
      }
      valueTo = i;
    }
    while (isCssSpace(code(i))) i++;
    if (code(i) !== 0x29) return i; // no closing parenthesis: a bad URL, no link
    found(valueFrom, valueTo, expectCss);
    return i + 1;
  };

  /** Reads what follows `@import` (whitespace and comments, then a string or `url(…)`); returns where to go on. */
  const importRule = (at: number) => {
    let i = at;
    for (;;) {
      if (isCssSpace(code(i))) i++;
      else if (code(i) === 0x2f && code(i + 1) === 0x2a) i = commentEnd(i);
      else break;
    }
    if (code(i) === 0x22 || code(i) === 0x27) {
      const string = stringEnd(i);
      if (string.ok) found(i + 1, string.end - 1, true);
      return string.end;
    }
    const end = nameEnd(i);
    return isUrlFunction(i, end) ? url(end + 1, true) : end;
  };

  for (let i = from; i < to;) {
    const c = code(i);
    if (c === 0x2f && code(i + 1) === 0x2a) {
      i = commentEnd(i);
    } else if (c === 0x22 || c === 0x27) {
      i = stringEnd(i).end;
    } else if (c === 0x40 || c === 0x23) { // an at-keyword, or a hash (`#url` is a name, no function)
      const end = nameEnd(i + 1);
      i = c === 0x40 && source.slice(i + 1, end).toLowerCase() === "import" ? importRule(end) : Math.max(end, i + 1);
    } else if (isNameCode(c) || (c === BACKSLASH && isEscapable(code(i + 1)))) {
      const end = nameEnd(i);
      i = isUrlFunction(i, end) ? url(end + 1, false) : end;
    } else {
      i++;
    }
  }
  return drafts;
}

/** `source[from, to)` with its CSS escapes decoded (CSS Syntax §4.3.7), mapped to its bytes. */
function unescaped(source: string, from: number, to: number): MappedText {
  if (!source.slice(from, to).includes("\\")) return MappedText.literal(source, from, to);
  const pieces: Piece[] = [];
  let run = from;
  for (let i = from; i < to;) {
    if (source.charCodeAt(i) !== BACKSLASH) {
      i++;
      continue;
    }
    if (i > run) pieces.push({ from: run, to: i, text: null });
    const next = i + 1 < to ? source.charCodeAt(i + 1) : END;
    if (isHex(next)) {
      const end = escapeEnd(source, i, to);
      const digits = /^[0-9a-fA-F]+/.exec(source.slice(i + 1, end))![0];
      const cp = parseInt(digits, 16);
      const valid = cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
      pieces.push({ from: i, to: end, text: valid ? String.fromCodePoint(cp) : "\ufffd" });
      run = i = end;
    } else if (next === END || !isEscapable(next)) {
      // A backslash before a line break continues a string; one at the end stands for nothing.
      const end = next === 0x0d && i + 2 < to && source.charCodeAt(i + 2) === 0x0a ? i + 3 : Math.min(i + 2, to);
      pieces.push({ from: i, to: end, text: "" });
      run = i = end;
    } else {
      // `\)`, `\ `, `\"`: the byte after the backslash stands for itself.
      pieces.push({ from: i, to: i + 1, text: "" });
      run = i + 1;
      i += 2;
    }
  }
  if (run < to) pieces.push({ from: run, to, text: null });
  return MappedText.fromPieces(source, pieces, to);
}

/** Past the escape whose backslash is at `at`: up to six hex digits and one whitespace, or one byte. */
function escapeEnd(source: string, at: number, to: number): number {
  let i = at + 1;
  if (!isHex(source.charCodeAt(i))) return i + 1;
  while (i < to && i < at + 7 && isHex(source.charCodeAt(i))) i++;
  if (i + 1 < to && source.charCodeAt(i) === 0x0d && source.charCodeAt(i + 1) === 0x0a) return i + 2;
  return i < to && isCssSpace(source.charCodeAt(i)) ? i + 1 : i;
}

/** A byte that may follow a backslash in an escape: anything but a line break (and the end). */
function isEscapable(c: number): boolean {
  return c !== END && c !== 0x0a && c !== 0x0d && c !== 0x0c;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** A byte of a name: letters, digits, `_`, `-`, and every byte outside ASCII (wget's `nonascii` starts at 0xA0). */
function isNameCode(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f ||
    c === 0x2d || c >= 0x80;
}

/** A byte of an unquoted URL: printable ASCII but quotes, parentheses, backslash and space; bytes outside ASCII. */
function isUrlCode(c: number): boolean {
  return c === 0x21 || (c >= 0x23 && c <= 0x26) || (c >= 0x2a && c <= 0x7e && c !== BACKSLASH) || c >= 0x80;
}

/** CSS whitespace: space, \t, \n, \r, \f. */
function isCssSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c;
}
