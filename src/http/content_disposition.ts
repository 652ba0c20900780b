/**
 * The file name a `Content-Disposition` field offers (RFC 6266), for `--content-disposition`: `filename*` (an RFC 8187
 * ext-value, `UTF-8''caf%C3%A9.txt`) before `filename` (a token or quoted-string), whatever the disposition type (as
 * wget and browsers' "save as" do), without any directory part. The name is not yet safe to create: the caller
 * passes it through `safeFileName` like every other name.
 *
 * Deliberately ignored: RFC 2231 continuations (`filename*0=`; RFC 6266 §4.3 does not use them in HTTP), a repeated
 * parameter (the first counts; RFC 6266 §4.1 forbids repeats), and `%` in a plain `filename`, which is not an escape
 * there (RFC 6266 Appendix D; wget decodes it).
 *
 * @module
 */

import { type Charset, findCharset, UTF8 } from "./charset.ts";

/** One `name=value` parameter: the name in lower case, the value unquoted (null when the syntax is broken). */
interface Parameter {
  readonly name: string;
  readonly value: string | null;
}

/**
 * The file name of a Content-Disposition value, or null when it offers none that can be read. Bytes of a plain
 * `filename` outside ASCII (a header arrives as ISO-8859-1 text, one character per byte) are read in `remote`
 * (UTF-8 by default), or as ISO-8859-1 when they are not valid in it.
 *
 * @example
 * ```ts
 * dispositionFileName('attachment; filename="EURO rates"; filename*=utf-8\'\'%e2%82%ac%20rates'); // "€ rates"
 * dispositionFileName("attachment; filename=../../etc/passwd"); // "passwd"
 * dispositionFileName("inline"); // null
 * ```
 */
export function dispositionFileName(value: string, remote: Charset = UTF8): string | null {
  let plain: string | null = null;
  let extended: string | null = null;
  let seenPlain = false, seenExtended = false;
  for (const p of parameters(value)) {
    if (p.name === "filename*" && !seenExtended) {
      seenExtended = true;
      extended = p.value === null ? null : baseName(extValue(p.value));
    } else if (p.name === "filename" && !seenPlain) {
      seenPlain = true;
      plain = p.value === null ? null : baseName(headerText(p.value, remote));
    }
  }
  return extended ?? plain;
}

/** The parameters after the disposition type (RFC 6266 §4.1); a first item with "=" is a parameter too (wget). */
function parameters(value: string): Parameter[] {
  const out: Parameter[] = [];
  let i = 0;
  const n = value.length;
  const skipSpace = () => {
    while (i < n && (value[i] === " " || value[i] === "\t")) i++;
  };
  while (i < n) {
    skipSpace();
    const nameStart = i;
    while (i < n && value[i] !== "=" && value[i] !== ";") i++;
    const name = value.slice(nameStart, i).trim().toLowerCase();
    if (i >= n || value[i] === ";") {
      i++; // the disposition type, or a parameter without a value: nothing to take
      continue;
    }
    i++; // "="
    skipSpace();
    let v: string | null;
    if (value[i] === '"') {
      // quoted-string (RFC 9110 §5.6.4): "\" quotes the next character.
      let text = "";
      i++;
      for (; i < n && value[i] !== '"'; i++) text += value[i] === "\\" && i + 1 < n ? value[++i] : value[i];
      v = i < n ? text : null; // no closing quote: broken
      i++;
      skipSpace();
      if (i < n && value[i] !== ";") v = null; // text after the closing quote: broken
      while (i < n && value[i] !== ";") i++;
    } else {
      const start = i;
      while (i < n && value[i] !== ";") i++;
      v = value.slice(start, i).trim();
    }
    i++; // ";"
    if (name !== "") out.push({ name, value: v });
  }
  return out;
}

/** RFC 8187 §3.2.1 ext-value: `charset'[language]'value-chars`, percent-decoded in the charset; null if unreadable. */
function extValue(value: string): string | null {
  const m = /^([^']*)'[^']*'(.*)$/s.exec(value);
  if (m === null) return null;
  const charset = findCharset(m[1]);
  // RFC 8187 §3.2.1: value-chars are attr-char or pct-encoded; anything else is not an ext-value.
  if (charset === null || !/^(?:[A-Za-z0-9!#$&+.^_`|~-]|%[0-9A-Fa-f]{2})*$/.test(m[2])) return null;
  const bytes: number[] = [];
  for (let i = 0; i < m[2].length; i++) {
    if (m[2][i] === "%") {
      bytes.push(parseInt(m[2].slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(m[2].charCodeAt(i));
    }
  }
  return charset.decode(Uint8Array.from(bytes));
}

/** A header's text (one character per byte) read in `remote`, or kept as ISO-8859-1 when not valid in it. */
function headerText(value: string, remote: Charset): string {
  if (!/[\u0080-\uffff]/.test(value)) return value;
  const bytes = Uint8Array.from(value, (ch) => ch.charCodeAt(0) & 0xff);
  return remote.decode(bytes) ?? value;
}

/** What follows the last "/" or "\\" (RFC 6266 §4.3: no directory information); null when nothing does. */
function baseName(name: string | null): string | null {
  if (name === null) return null;
  const base = name.slice(Math.max(name.lastIndexOf("/"), name.lastIndexOf("\\")) + 1);
  return base === "" ? null : base;
}
