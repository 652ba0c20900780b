/**
 * Reads TypeScript source just well enough for the layering check: blanks comments (and, for a second view, the
 * contents of strings, templates and regular expressions) without moving any character, then finds import specifiers.
 *
 * Both views keep every offset and every newline of the input, so a position found in one view is the same position
 * in the source and line numbers stay exact.
 *
 * @module
 */

/** Two views of one source text, each as long as the text itself. */
export interface SourceViews {
  /** The source with every comment replaced by spaces; strings are kept. */
  code: string;
  /** `code` with the contents of strings, template text and regular expressions replaced by spaces as well. */
  bare: string;
}

/** An import specifier as written, with the 1-based line of its opening quote. */
export interface ImportSite {
  specifier: string;
  line: number;
}

// After one of these characters a `/` starts a regular expression; after anything else it divides.
const REGEX_AFTER_CHAR = new Set("(,=:[!&|?{};+-*%<>~^".split(""));
// ... and after one of these words.
const REGEX_AFTER_WORD = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
]);
const WORD_CHAR = /[\w$]/;

/**
 * Splits `text` into a comment-free view and a view without comments or literal contents.
 *
 * @example
 * ```ts
 * const { code, bare } = viewSource('const url = "http://x"; // Date.now()');
 * // code: 'const url = "http://x";              '
 * // bare: 'const url = "        ";              '
 * ```
 */
export function viewSource(text: string): SourceViews {
  const code: string[] = [];
  const bare: string[] = [];
  const blank = (ch: string) => ch === "\n" ? "\n" : " ";
  const keep = (ch: string) => (code.push(ch), bare.push(ch));
  const comment = (ch: string) => (code.push(blank(ch)), bare.push(blank(ch)));
  const literal = (ch: string) => (code.push(ch), bare.push(blank(ch)));
  // Brace depths at which a `}` closes a template substitution and resumes the template text.
  const substitutions: number[] = [];
  let depth = 0;
  let i = 0;
  let last = ""; // the last code character that is not white space
  let word = ""; // the identifier or keyword that ends at `last`, if any

  const template = (): void => {
    while (i < text.length) {
      const ch = text[i];
      if (ch === "\\") {
        literal(text[i++]);
        if (i < text.length) literal(text[i++]);
      } else if (ch === "`") {
        keep(text[i++]);
        return;
      } else if (ch === "$" && text[i + 1] === "{") {
        keep(text[i++]);
        keep(text[i++]);
        substitutions.push(depth);
        return;
      } else literal(text[i++]);
    }
  };
  // The end of a regular expression starting at `i`, or -1 when the line ends first (then `/` was a division).
  const regexEnd = (): number => {
    let inClass = false;
    for (let j = i + 1; j < text.length; j++) {
      const ch = text[j];
      if (ch === "\n") return -1;
      if (ch === "\\") j++;
      else if (ch === "[") inClass = true;
      else if (ch === "]") inClass = false;
      else if (ch === "/" && !inClass) return j;
    }
    return -1;
  };

  if (text.startsWith("#!")) { while (i < text.length && text[i] !== "\n") comment(text[i++]); }
  while (i < text.length) {
    const ch = text[i];
    const next = text[i + 1];
    if (ch === "/" && next === "/") {
      while (i < text.length && text[i] !== "\n") comment(text[i++]);
    } else if (ch === "/" && next === "*") {
      const close = text.indexOf("*/", i + 2);
      const stop = close < 0 ? text.length : close + 2;
      while (i < stop) comment(text[i++]);
    } else if (ch === '"' || ch === "'") {
      keep(text[i++]);
      while (i < text.length && text[i] !== ch && text[i] !== "\n") {
        if (text[i] === "\\") literal(text[i++]);
        if (i < text.length) literal(text[i++]);
      }
      if (text[i] === ch) keep(text[i++]);
      last = ch;
    } else if (ch === "`") {
      keep(text[i++]);
      template();
      last = "`";
    } else if (ch === "}" && substitutions.at(-1) === depth) {
      substitutions.pop();
      keep(text[i++]);
      template();
      last = "`";
    } else if (ch === "/" && (last === "" || REGEX_AFTER_CHAR.has(last) || REGEX_AFTER_WORD.has(word))) {
      const end = regexEnd();
      if (end < 0) {
        keep(text[i++]);
        last = ch;
      } else {
        keep(text[i++]);
        while (i < end) literal(text[i++]);
        keep(text[i++]);
        last = "/";
      }
      word = "";
    } else {
      if (ch === "{") depth++;
      if (ch === "}") depth--;
      if (WORD_CHAR.test(ch)) word = WORD_CHAR.test(text[i - 1] ?? "") ? word + ch : ch;
      else if (!/\s/.test(ch)) word = "";
      if (!/\s/.test(ch)) last = ch;
      keep(text[i++]);
    }
  }
  return { code: code.join(""), bare: bare.join("") };
}

// Each pattern ends at the opening quote of a specifier. They run on the bare view, so text inside comments and
// strings never matches; an import clause (`type { A, b as c }`, `* as ns`, `x, { y }`) has no quote, `;`, `(`, `)`
// or `=`, which keeps a match from running past its own statement.
const IMPORT_PATTERNS: readonly RegExp[] = [
  /(?<![\w$.])(?:import|export)\b[^;"'`()=]*?\bfrom\s*(["'])/g, // import … from "x", export … from "x"
  /(?<![\w$.])import\s*(["'])/g, // import "x"
  /(?<![\w$.])import\s*\(\s*(["'`])/g, // import("x")
];

/**
 * Lists the import specifiers of a module in source order: static imports and re-exports (type-only ones too),
 * side-effect imports and dynamic `import()` of a literal. Mentions in comments and strings do not count.
 *
 * @example
 * ```ts
 * findImports('import type { A } from "../wire/mod.ts";\nconst m = await import("./x.ts");');
 * // [{ specifier: "../wire/mod.ts", line: 1 }, { specifier: "./x.ts", line: 2 }]
 * ```
 */
export function findImports(text: string): ImportSite[] {
  const { code, bare } = viewSource(text);
  const found: { offset: number; site: ImportSite }[] = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of bare.matchAll(pattern)) {
      const open = match.index + match[0].length;
      const close = bare.indexOf(match[1], open);
      if (close < 0) continue;
      const specifier = code.slice(open, close);
      if (specifier.includes("${") || specifier.includes("\n")) continue; // not a literal
      found.push({ offset: open, site: { specifier, line: lineAt(code, open) } });
    }
  }
  return found.sort((a, b) => a.offset - b.offset).map((f) => f.site);
}

/** The 1-based line of an offset into `text`. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}
