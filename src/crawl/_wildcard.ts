/**
 * Shell wildcards as glibc's `fnmatch` reads them (wget's `-A`/`-R` and `-I`/`-X` patterns), turned into a
 * `RegExp` that matches the whole name: `*`, `?`, bracket expressions (`[a-z]`, `[!abc]` or `[^abc]`, `[[:digit:]]`),
 * and "\\" quoting the next character. With `pathname` (`FNM_PATHNAME`, for directories) no wildcard matches "/".
 * Pure.
 *
 * @module
 */

/** wget's `has_wildcards_p`: a pattern is a wildcard when it holds one of `*?[]`. */
export function hasWildcards(pattern: string): boolean {
  return /[*?[\]]/.test(pattern);
}

/** Matches nothing: what glibc answers for a pattern it cannot read (a trailing "\\", an unknown class). */
const NEVER = /(?!)/;

/** `pattern` as a `RegExp` matching whole names; `ignoreCase` is `FNM_CASEFOLD`. */
export function wildcardRegExp(pattern: string, pathname: boolean, ignoreCase: boolean): RegExp {
  const chars = [...pattern];
  const any = pathname ? "[^/]" : "[\\s\\S]";
  let source = "";
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === "*") {
      source += `${any}*`;
    } else if (c === "?") {
      source += any;
    } else if (c === "\\") {
      if (i + 1 === chars.length) return NEVER;
      source += literal(chars[++i]);
    } else if (c === "[") {
      const bracket = readBracket(chars, i + 1);
      if (bracket === "invalid") return NEVER;
      if (bracket === null) {
        source += "\\[";
      } else {
        source += pathname ? `(?!/)${bracket.source}` : bracket.source;
        i = bracket.end;
      }
    } else {
      source += literal(c);
    }
  }
  return new RegExp(`^${source}$`, ignoreCase ? "iu" : "u");
}

/** A character as a `RegExp` literal (u mode allows escaping syntax characters only). */
function literal(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/** A character inside a `RegExp` class. */
function member(c: string): string {
  return /[\\\]^[-]/.test(c) ? `\\${c}` : c;
}

/** POSIX bracket classes (`[:alpha:]` …) as JavaScript class ranges, in the C locale. */
export const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alpha: "a-zA-Z",
  digit: "0-9",
  alnum: "a-zA-Z0-9",
  upper: "A-Z",
  lower: "a-z",
  space: " \\t\\n\\r\\f\\v",
  blank: " \\t",
  punct: "!-\\/:-@\\[-`{-~",
  xdigit: "0-9A-Fa-f",
  cntrl: "\\x00-\\x1f\\x7f",
  print: " -~",
  graph: "!-~",
};

/**
 * The bracket expression whose text starts at `chars[start]` (after "["): its `RegExp` class and the index of its
 * "]"; null when it is not closed (the "[" is then an ordinary character), "invalid" for an unknown class name.
 */
function readBracket(
  chars: readonly string[],
  start: number,
): { source: string; end: number } | null | "invalid" {
  let i = start;
  const negated = chars[i] === "!" || chars[i] === "^";
  if (negated) i++;
  let body = "";
  for (let first = true; i < chars.length; first = false) {
    const c = chars[i];
    if (c === "]" && !first) return { source: `[${negated ? "^" : ""}${body}]`, end: i };
    if (c === "[" && chars[i + 1] === ":") {
      const close = chars.indexOf(":", i + 2);
      if (close > 0 && chars[close + 1] === "]") {
        const range = POSIX_CLASSES[chars.slice(i + 2, close).join("")];
        if (range === undefined) return "invalid";
        body += range;
        i = close + 2;
        continue;
      }
    }
    let low = c;
    if (c === "\\" && i + 1 < chars.length) low = chars[++i];
    i++;
    if (chars[i] === "-" && i + 1 < chars.length && chars[i + 1] !== "]") {
      let high = chars[i + 1];
      i += 2;
      if (high === "\\" && i < chars.length) high = chars[i++];
      // glibc matches nothing with a range whose end comes before its start.
      if (low.codePointAt(0)! <= high.codePointAt(0)!) body += `${member(low)}-${member(high)}`;
      continue;
    }
    body += member(low);
  }
  return null;
}
