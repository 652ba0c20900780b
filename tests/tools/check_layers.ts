/**
 * Enforces the layering of rawhttpget from its import specifiers: which place may import which, that a place is
 * entered only through its `mod.ts`, that `_private.ts` files stay in their place, which `node:` modules and packages
 * a place may use, and that the sans-IO core touches no `Deno.*`, clock, timer or randomness.
 *
 * It checks `main.ts`, `src/` and `ffi/` of the repository that holds it; tests are not checked. Run by
 * `deno run --allow-read tests/tools/check_layers.ts`; it exits with 1 when it finds a violation.
 *
 * @module
 */

import { findImports, viewSource } from "./_source.ts";

/** What one place may depend on. */
export interface Layer {
  /** The places it may import, each through its `mod.ts`; imports within the place itself are always fine. */
  readonly imports: readonly string[];
  /** The other specifiers it may import: `node:` modules, `npm:` or `jsr:` packages, URLs. */
  readonly packages: readonly string[];
  /** Marks the sans-IO core: no `Deno.*`, no clock, no timers, no randomness. */
  readonly sansIo?: boolean;
  /** Public surfaces besides `mod.ts` (a narrower entry for a lighter importer), each with the reason. */
  readonly surfaces?: Readonly<Record<string, string>>;
  /** Files of the place that may import less than the rest of it, with the reason. */
  readonly files?: Readonly<Record<string, { readonly without: readonly string[]; readonly because: string }>>;
}

/** Which place may import which. A place is `main.ts`, `ffi`, or a folder of `src/`. */
export const LAYERS: Readonly<Record<string, Layer>> = {
  "main.ts": { imports: ["src/program", "src/privilege"], packages: [] },
  "src/program": {
    imports: [
      "src/cli",
      "src/crawl",
      "src/fetch",
      "src/save",
      "src/privilege",
      "src/transport",
      "src/http",
      "src/wire",
      "ffi",
    ],
    packages: [],
  },
  "src/cli": {
    imports: [
      "src/crawl",
      "src/fetch",
      "src/save",
      "src/transport",
      "src/report",
      "src/http",
      "src/tcp",
      "src/wire",
      "ffi",
    ],
    packages: ["node:util"],
  },
  "src/fetch": {
    imports: ["src/transport", "src/save", "src/http", "src/tcp", "src/wire", "ffi"],
    packages: ["node:tls", "node:stream", "node:buffer", "node:crypto"],
  },
  "src/save": { imports: ["src/http", "src/wire", "ffi"], packages: [] },
  "src/privilege": { imports: ["src/transport", "src/wire", "ffi"], packages: [] },
  "src/transport": {
    imports: ["src/tcp", "src/wire", "ffi"],
    packages: [],
    surfaces: {
      "src/transport/privileged.ts":
        "the privileged helper opens sockets and guards, and must start without the engine",
    },
    files: {
      "src/transport/driver.ts": { without: ["ffi"], because: "the event loop must run on a simulated link" },
    },
  },
  "src/tcp": { imports: ["src/wire"], packages: [], sansIo: true },
  // The report's recorder and pages: pure (its clock is given), so it runs in unit tests and on any clock.
  "src/report": { imports: ["src/wire"], packages: [], sansIo: true },
  // Recursive retrieval's queue, link rules, names and link conversion: pure, like the protocol core.
  "src/crawl": {
    imports: ["src/http"],
    packages: [],
    sansIo: true,
    surfaces: { "src/crawl/extract.ts": "the link extractors load htmlparser2 (vendored), which only a crawl needs" },
  },
  "src/http": { imports: ["src/wire"], packages: ["node:zlib"], sansIo: true },
  "src/wire": { imports: [], packages: [], sansIo: true },
  "ffi": { imports: ["src/wire"], packages: [] },
};

// What the sans-IO core may not do. The patterns run on code with comments and string contents blanked out, so
// prose and messages may name these words; `queueMicrotask` is fine, it defers work without waiting for time.
const SANS_IO_FORBIDDEN: ReadonlyArray<readonly [RegExp, string]> = [
  [/(?<![\w$])Deno\b(?:\s*\.\s*[\w$]+)?/, "touch Deno"],
  [/(?<![\w$])performance\s*\.\s*now\b/, "read the clock"],
  [/(?<![\w$])Date\s*\.\s*now\b/, "read the clock"],
  [/(?<![\w$])new\s+Date\s*\(/, "read the clock"],
  [/(?<![\w$])set(?:Timeout|Interval)\b/, "set a timer"],
  [/(?<![\w$])crypto\s*\.\s*[\w$]*/, "use randomness"],
  [/(?<![\w$])Math\s*\.\s*random\b/, "use randomness"],
];

const SOURCE_FILE = /\.[cm]?[jt]sx?$/;

/** The rule a violation breaks. */
export type Rule = "Layering" | "Public surface" | "Private file" | "Package" | "Sans-IO" | "Unknown place";

/** One broken rule at one line of one file; `path` is relative to the repository root. */
export interface Violation {
  readonly path: string;
  readonly line: number;
  readonly rule: Rule;
  readonly message: string;
}

/**
 * Checks a tree of source files against {@linkcode LAYERS}. Keys are paths relative to the repository root with `/`
 * separators; files outside `main.ts`, `src/` and `ffi/` are not checked.
 *
 * @example
 * ```ts
 * const files = new Map([["src/tcp/timers.ts", 'import { Driver } from "../transport/mod.ts";']]);
 * checkTree(files).map(formatViolation);
 * // ['src/tcp/timers.ts:1: Layering: src/tcp may not import src/transport (imports "../transport/mod.ts")']
 * ```
 */
export function checkTree(files: ReadonlyMap<string, string>): Violation[] {
  const violations: Violation[] = [];
  for (const [path, text] of files) {
    if (!isChecked(path)) continue;
    const place = placeOf(path);
    const layer = Object.hasOwn(LAYERS, place) ? LAYERS[place] : undefined;
    if (layer === undefined) {
      violations.push({ path, line: 1, rule: "Unknown place", message: `${place} is not in the layering table` });
      continue;
    }
    for (const site of findImports(text)) {
      const found = checkImport(path, place, layer, site.specifier);
      if (found) violations.push({ path, line: site.line, ...found });
    }
    if (layer.sansIo) violations.push(...checkSansIo(path, place, text));
  }
  return violations.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line);
}

/**
 * Formats a violation as one line, `path:line: rule: message`.
 *
 * @example
 * ```ts
 * formatViolation({ path: "src/wire/seq.ts", line: 3, rule: "Sans-IO", message: "src/wire may not read the clock" });
 * // "src/wire/seq.ts:3: Sans-IO: src/wire may not read the clock"
 * ```
 */
export function formatViolation(v: Violation): string {
  return `${v.path}:${v.line}: ${v.rule}: ${v.message}`;
}

/**
 * Reads the checked files of a repository: `main.ts` and every source file under `src/` and `ffi/`.
 *
 * @example
 * ```ts
 * const files = await readTree(new URL("../../", import.meta.url));
 * ```
 */
export async function readTree(root: URL): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const path of ["main.ts", ...await walk(root, "src/"), ...await walk(root, "ffi/")]) {
    const text = await ifPresent(() => Deno.readTextFile(new URL(path, root)));
    if (text !== undefined) files.set(path, text);
  }
  return files;
}

/**
 * Checks the repository at `root` (by default the one holding this file), prints each violation on its own line
 * or a one-line summary when there is none, and returns the exit code: 1 when it found a violation, else 0.
 *
 * @example
 * ```ts
 * Deno.exit(await main());
 * ```
 */
export async function main(root: URL = new URL("../../", import.meta.url)): Promise<number> {
  const files = await readTree(root);
  const violations = checkTree(files);
  if (violations.length === 0) {
    console.log(`Layers are clean: ${files.size} files of main.ts, src/ and ffi/ follow the layering table.`);
    return 0;
  }
  for (const v of violations) console.error(formatViolation(v));
  const broken = new Set(violations.map((v) => v.path)).size;
  console.error(`Found ${violations.length} layering violations in ${broken} of ${files.size} files.`);
  return 1;
}

function isChecked(path: string): boolean {
  return path === "main.ts" || ((path.startsWith("src/") || path.startsWith("ffi/")) && SOURCE_FILE.test(path));
}

// The place a repository path belongs to, named as in LAYERS when it is one there.
function placeOf(path: string): string {
  if (path.startsWith("src/")) return path.split("/").slice(0, 2).join("/");
  return path.split("/")[0];
}

// What is wrong with one import of `path`, or nothing. Only the first broken rule is told: an import that may not
// happen at all is not also told to go through mod.ts.
function checkImport(
  path: string,
  place: string,
  layer: Layer,
  specifier: string,
): { rule: Rule; message: string } | undefined {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) {
    if (layer.packages.some((allowed) => isPackage(specifier, allowed))) return undefined;
    const allowed = layer.packages.length === 0 ? "no packages" : `only ${layer.packages.join(", ")}`;
    return { rule: "Package", message: `${place} may not import "${specifier}" (it may import ${allowed})` };
  }
  const target = resolve(path, specifier);
  const to = target === undefined ? "a path outside the repository" : placeOf(target);
  if (to === place) return undefined;
  const imports = `(imports "${specifier}")`;
  if (target === undefined || !layer.imports.includes(to)) {
    return { rule: "Layering", message: `${place} may not import ${to} ${imports}` };
  }
  const narrower = layer.files?.[path];
  if (narrower?.without.includes(to)) {
    return { rule: "Layering", message: `${path} may not import ${to}: ${narrower.because} ${imports}` };
  }
  if (target.slice(target.lastIndexOf("/") + 1).startsWith("_")) {
    return { rule: "Private file", message: `${target} is private to ${to} ${imports}` };
  }
  if (target !== `${to}/mod.ts` && LAYERS[to]?.surfaces?.[target] === undefined) {
    return { rule: "Public surface", message: `${place} must import ${to} through ${to}/mod.ts ${imports}` };
  }
  return undefined;
}

// `npm:foo` allows `npm:foo@1.2.3/bar`; `node:zlib` allows only itself and its subpaths.
function isPackage(specifier: string, allowed: string): boolean {
  return specifier === allowed || specifier.startsWith(`${allowed}/`) || specifier.startsWith(`${allowed}@`);
}

// The repository path a relative specifier names, or undefined when it leaves the repository.
function resolve(from: string, specifier: string): string | undefined {
  const parts = from.split("/").slice(0, -1);
  for (const part of specifier.replace(/[?#].*$/, "").split("/")) {
    if (part === "..") {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else if (part !== "." && part !== "") parts.push(part);
  }
  return parts.join("/");
}

function checkSansIo(path: string, place: string, text: string): Violation[] {
  const violations: Violation[] = [];
  viewSource(text).bare.split("\n").forEach((code, i) => {
    for (const [pattern, what] of SANS_IO_FORBIDDEN) {
      const match = code.match(pattern);
      if (match === null) continue;
      const uses = match[0].replace(/\s+/g, " ");
      violations.push({ path, line: i + 1, rule: "Sans-IO", message: `${place} may not ${what} (uses "${uses}")` });
    }
  });
  return violations;
}

// The source files under `dir`, sorted; none when it is missing. The tree may change while it is read.
async function walk(root: URL, dir: string): Promise<string[]> {
  const entries = await ifPresent(() => Array.fromAsync(Deno.readDir(new URL(dir, root)))) ?? [];
  const paths: string[] = [];
  for (const entry of entries) {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory) paths.push(...await walk(root, `${path}/`));
    else if (entry.isFile && SOURCE_FILE.test(entry.name)) paths.push(path);
  }
  return paths.sort();
}

async function ifPresent<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

if (import.meta.main) Deno.exit(await main());
