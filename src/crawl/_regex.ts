/**
 * wget's `--regex-type` patterns as JavaScript `RegExp` sources. Only whether a URL matches counts (wget compiles
 * with `REG_NOSUB`), so POSIX's leftmost-longest rule and JavaScript's leftmost-first one give the same answers.
 * Pure.
 *
 * @module
 */

import { quote } from "../http/mod.ts";

import { POSIX_CLASSES } from "./_wildcard.ts";

/** A pattern JavaScript cannot take, with the reason in one sentence (thrown as a `RangeError` by the caller). */
export class UntranslatableRegex extends Error {}

const SYNTAX = /[\\^$.*+?()[\]{}|/]/;
const CLASSES: Readonly<Record<string, string>> = { ...POSIX_CLASSES, word: "\\w" };

/**
 * A POSIX extended regular expression (glibc `regcomp` with `REG_EXTENDED`) as a JavaScript source, compiled with
 * the "s" flag ("." matches any character, as without `REG_NEWLINE`). Bracket expressions are read the POSIX way
 * ("\\" is literal inside, "]" first is a member, `[:alpha:]`, `[=a=]`, `[.a.]`); "\\" before another character
 * makes it literal, except glibc's `\w \W \s \S \b \B \< \> \` \'` and back-references `\1`…`\9`; `(` always captures;
 * an unmatched ")" is literal; stacked repetitions (`a+*`) are allowed. Errors glibc reports are thrown.
 */
export function posixSource(pattern: string): string {
  const chars = [...pattern];
  let out = "";
  let groups = 0;
  /** Where each open group starts in `out`. */
  const open: number[] = [];
  /** Where the last atom starts in `out`, null when a repetition has nothing to repeat. */
  let atom: number | null = null;
  let repeated = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    const interval = c === "{" ? /^\{(\d+)(,(\d*))?\}/.exec(chars.slice(i, i + 16).join("")) : null;
    if (c === "*" || c === "+" || c === "?" || c === "{") {
      if (atom === null) throw new UntranslatableRegex(`a repetition ${quote(c)} follows nothing`);
      let quantifier = c;
      if (c === "{") {
        if (interval === null) throw new UntranslatableRegex(`"{" does not start an interval such as {2,5}`);
        const [text, low, , high] = interval;
        if (Number(low) > 0x7fff || (high !== undefined && high !== "" && Number(high) < Number(low))) {
          throw new UntranslatableRegex(`the interval ${quote(text)} is invalid`);
        }
        quantifier = text;
        i += [...text].length - 1;
      }
      // glibc repeats a repetition; JavaScript needs the first one in a group.
      if (repeated) out = `${out.slice(0, atom)}(?:${out.slice(atom)})`;
      out += quantifier;
      repeated = true;
      continue;
    }
    repeated = false;
    const start = out.length;
    if (c === "\\") {
      const next = chars[++i];
      if (next === undefined) throw new UntranslatableRegex("it ends with a backslash");
      if (/[1-9]/.test(next) && Number(next) > groups) {
        throw new UntranslatableRegex(`the back-reference \\${next} names no group`);
      }
      out += /[1-9wWsSbB]/.test(next) ? `\\${next}` : ESCAPES[next] ?? literal(next);
      atom = /[bB<>`']/.test(next) ? null : start;
    } else if (c === "[") {
      const [source, end] = posixBracket(chars, i + 1);
      out += source;
      i = end;
      atom = start;
    } else if (c === "(") {
      groups++;
      open.push(out.length);
      out += "(";
      atom = null;
    } else if (c === ")" && open.length > 0) {
      out += ")";
      atom = open.pop()!;
    } else if (c === "|" || c === "^" || c === "$") {
      out += c;
      atom = null;
    } else {
      out += c === "." ? "." : literal(c);
      atom = start;
    }
  }
  if (open.length > 0) throw new UntranslatableRegex(`a "(" is not closed`);
  return out;
}

/** glibc's GNU escapes other than the ones JavaScript spells the same. */
const ESCAPES: Readonly<Record<string, string>> = { "<": "\\b(?=\\w)", ">": "\\b(?<=\\w)", "`": "^", "'": "$" };

/** A POSIX bracket expression starting after its "[", as a JavaScript class and the index of its "]". */
function posixBracket(chars: readonly string[], start: number): [string, number] {
  let i = start;
  const negated = chars[i] === "^";
  if (negated) i++;
  let body = "";
  for (let first = true; i < chars.length; first = false) {
    const c = chars[i];
    if (c === "]" && !first) return [`[${negated ? "^" : ""}${body}]`, i];
    let low = c;
    if (c === "[" && /[:=.]/.test(chars[i + 1] ?? "")) {
      const kind = chars[i + 1];
      const close = chars.findIndex((ch, at) => at > i + 1 && ch === kind && chars[at + 1] === "]");
      if (close < 0) throw new UntranslatableRegex(`a "[${kind}" in a bracket expression is not closed`);
      const name = chars.slice(i + 2, close).join("");
      i = close + 2;
      if (kind === ":") {
        const range = CLASSES[name];
        if (range === undefined) throw new UntranslatableRegex(`the character class ${quote(name)} is unknown`);
        body += range;
        continue;
      }
      if ([...name].length !== 1) throw new UntranslatableRegex(`the collating element ${quote(name)} is unknown`);
      low = name;
    } else {
      i++;
    }
    if (chars[i] === "-" && i + 1 < chars.length && chars[i + 1] !== "]") {
      const high = chars[i + 1];
      i += 2;
      if (low.codePointAt(0)! > high.codePointAt(0)!) {
        throw new UntranslatableRegex(`the range ${quote(`${low}-${high}`)} ends before it starts`);
      }
      body += `${member(low)}-${member(high)}`;
      continue;
    }
    body += member(low);
  }
  throw new UntranslatableRegex(`a "[" is not closed`);
}

/**
 * A PCRE pattern as a JavaScript source and flags. JavaScript reads most of Perl's syntax the same way; these are
 * rewritten: leading option settings `(?i)`, `(?s)`, `(?m)` (as flags), `(?P<name>…)`, `(?P=name)`, `\A`, `\z`, `\Z`,
 * `\Q…\E`, `\x{…}` up to FFFF, `\h`, `\e`, comments `(?#…)`, and `[:alpha:]` classes. These have no JavaScript
 * equivalent and are refused: possessive quantifiers, atomic groups `(?>…)`, recursion, conditionals, `\K`, `\G`,
 * `\R`, `\X`, `\C`, `\p{…}`, backtracking verbs, `(?x)`, and option settings after the start.
 */
export function pcreSource(pattern: string): { source: string; flags: string } {
  let rest = pattern;
  let flags = "";
  for (let lead = /^\(\?([ims]+)\)/.exec(rest); lead !== null; lead = /^\(\?([ims]+)\)/.exec(rest)) {
    for (const f of lead[1]) if (!flags.includes(f)) flags += f;
    rest = rest.slice(lead[0].length);
  }
  const unsupported = /\(\?>|\(\?R\)|\(\?[+-]?\d+\)|\(\?&|\(\?P>|\(\?\(|\(\?\||\(\*|\(\?[imsxJU-]+\)|\\[KGRXCpPg]/
    .exec(rest.replace(/\\\\/g, "").replace(/\\Q.*?(\\E|$)/gs, ""));
  if (unsupported !== null) throw new UntranslatableRegex(`JavaScript has no ${quote(unsupported[0])}`);
  let out = "";
  let inClass = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === "\\") {
      const next = rest[i + 1] ?? "";
      i++;
      if (next === "Q") {
        const end = rest.indexOf("\\E", i + 1);
        const text = rest.slice(i + 1, end < 0 ? undefined : end);
        out += [...text].map((ch) => inClass ? member(ch) : literal(ch)).join("");
        i = end < 0 ? rest.length : end + 1;
      } else if (next === "x" && rest[i + 1] === "{") {
        const end = rest.indexOf("}", i);
        const code = parseInt(rest.slice(i + 2, end), 16);
        if (end < 0 || !(code <= 0xffff)) throw new UntranslatableRegex(`the escape \\x{…} is out of range`);
        out += `\\u${code.toString(16).padStart(4, "0")}`;
        i = end;
      } else {
        out += PCRE_ESCAPES[next] ?? `\\${next}`;
      }
    } else if (inClass) {
      const posix = /^\[:(\w+):\]/.exec(rest.slice(i));
      if (posix !== null && CLASSES[posix[1]] !== undefined) {
        out += CLASSES[posix[1]];
        i += posix[0].length - 1;
      } else {
        if (c === "]") inClass = false;
        out += c === "[" ? "\\[" : c;
      }
    } else if (c === "[") {
      inClass = true;
      const negated = rest[i + 1] === "^";
      out += negated ? "[^" : "[";
      if (negated) i++;
      // A "]" first is a member in PCRE; in JavaScript it would close an empty class.
      if (rest[i + 1] === "]") {
        out += "\\]";
        i++;
      }
    } else if (rest.startsWith("(?#", i)) {
      const end = rest.indexOf(")", i);
      i = end < 0 ? rest.length : end;
    } else if (rest.startsWith("(?P<", i)) {
      out += "(?<";
      i += 3;
    } else if (rest.startsWith("(?P=", i)) {
      const end = rest.indexOf(")", i);
      out += `\\k<${rest.slice(i + 4, end)}>`;
      i = end;
    } else if (/[*+?}]/.test(c) && rest[i + 1] === "+" && !out.endsWith("\\")) {
      throw new UntranslatableRegex(`JavaScript has no possessive quantifier ${quote(c + "+")}`);
    } else {
      out += c;
    }
  }
  return { source: out, flags };
}

const PCRE_ESCAPES: Readonly<Record<string, string>> = {
  A: "(?<![\\s\\S])",
  z: "(?![\\s\\S])",
  Z: "(?=\\n?(?![\\s\\S]))",
  h: "[ \\t]",
  H: "[^ \\t]",
  e: "\\x1b",
  a: "\\x07",
};

function literal(c: string): string {
  return SYNTAX.test(c) ? `\\${c}` : c;
}

function member(c: string): string {
  return /[\\\]^[-]/.test(c) ? `\\${c}` : c;
}
