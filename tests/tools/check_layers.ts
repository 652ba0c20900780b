/**
 * Enforces the layering rule: the protocol core (`src/wire`, `src/tcp`, `src/http`) is sans-IO.
 *
 * It may not touch `Deno.*`, read a clock, set timers, or import `ffi/` or `src/net/`. Run by `deno task check`.
 *
 * @module
 */

const CORE_DIRS = ["src/wire", "src/tcp", "src/http"];
const FORBIDDEN: ReadonlyArray<[RegExp, string]> = [
  [/\bDeno\./, "uses Deno.*"],
  [/\bperformance\.now\b/, "reads the clock"],
  [/\bDate\.now\b/, "reads the clock"],
  [/\bnew Date\(/, "reads the clock"],
  [/\bset(Timeout|Interval)\b/, "sets a timer"],
  [/from\s+"(\.\.\/)+ffi\//, "imports ffi/"],
  [/from\s+"(\.\.\/)+net\//, "imports src/net/"],
  [/from\s+"(\.\.\/)+cli\//, "imports src/cli/"],
];

/** Lists the offending lines of one source file. */
export function findViolations(path: string, text: string): string[] {
  const out: string[] = [];
  text.split("\n").forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, "");
    if (/^\s*(\*|\/\*\*)/.test(line)) return; // JSDoc prose may name these words
    for (const [pattern, what] of FORBIDDEN) {
      if (pattern.test(code)) out.push(`${path}:${i + 1}: ${what}: ${line.trim()}`);
    }
  });
  return out;
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* walk(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

if (import.meta.main) {
  const problems: string[] = [];
  for (const dir of CORE_DIRS) {
    try {
      for await (const path of walk(dir)) problems.push(...findViolations(path, await Deno.readTextFile(path)));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  if (problems.length > 0) {
    console.error(`The sans-IO core reaches for I/O:\n${problems.join("\n")}`);
    Deno.exit(1);
  }
  console.log(`Layers are clean: ${CORE_DIRS.join(", ")} use no I/O, clock or ffi.`);
}
