import assert from "node:assert/strict";
import { findImports, lineAt, viewSource } from "./_source.ts";

Deno.test("viewSource() blanks line and block comments but keeps // inside strings", () => {
  const text = 'const u = "http://x"; // Date.now()\n/* a\n b */ f();';
  const { code, bare } = viewSource(text);
  assert.equal(code, 'const u = "http://x";              \n    \n      f();');
  assert.equal(bare, 'const u = "        ";              \n    \n      f();');
});

Deno.test("viewSource() keeps every offset and newline of its input", () => {
  const text = "#!/usr/bin/env -S deno run\nconst t = `a\n${b /* c */}d`; // e\nconst r = /\\/\\*[/]/g;\n";
  const { code, bare } = viewSource(text);
  assert.equal(code.length, text.length);
  assert.equal(bare.length, text.length);
  assert.deepEqual([...code].map((c, i) => c === "\n" ? i : -1), [...text].map((c, i) => c === "\n" ? i : -1));
});

Deno.test("viewSource() keeps the code of template substitutions and blanks their text", () => {
  const { bare } = viewSource("const s = `Date.now ${Date.now()} ${`x${{ a: 1 }.a}`}`;");
  assert.equal(bare, "const s = `         ${Date.now()} ${` ${{ a: 1 }.a}`}`;");
});

Deno.test("viewSource() reads a regular expression with // or quotes as a literal, and a division as code", () => {
  assert.equal(viewSource('const r = /"\\/\\/[/]"/; f(); // x').bare, "const r = /         /; f();     ");
  assert.equal(viewSource("const q = a / b; // c /").bare, "const q = a / b;       ");
  assert.equal(viewSource("return /Deno./.test(s);").bare, "return /     /.test(s);");
});

Deno.test("viewSource() skips escaped quotes inside strings", () => {
  assert.equal(viewSource(`const s = "a\\"b // c"; d();`).code, `const s = "a\\"b // c"; d();`);
  assert.equal(viewSource(`const s = 'it\\'s'; // e`).bare, `const s = '     ';     `);
});

Deno.test("findImports() finds every form of import and re-export with the line of its specifier", () => {
  const text = [
    'import a from "./a.ts";',
    "import type { B } from './b.ts';",
    "import {",
    "  c,",
    "  type D,",
    '} from "./c.ts";',
    'import "./side_effect.ts";',
    'import * as e from "./e.ts";',
    'export { f } from "./f.ts";',
    'export * from "./g.ts";',
    'export type { H } from "./h.ts";',
    'const i = await import("./i.ts", { with: { type: "json" } });',
    "const j = await import(`./j.ts`);",
    "const k = await import(`./${name}.ts`);",
    "export const from = 1;",
    "if (import.meta.main) main();",
  ].join("\n");
  assert.deepEqual(findImports(text), [
    { specifier: "./a.ts", line: 1 },
    { specifier: "./b.ts", line: 2 },
    { specifier: "./c.ts", line: 6 },
    { specifier: "./side_effect.ts", line: 7 },
    { specifier: "./e.ts", line: 8 },
    { specifier: "./f.ts", line: 9 },
    { specifier: "./g.ts", line: 10 },
    { specifier: "./h.ts", line: 11 },
    { specifier: "./i.ts", line: 12 },
    { specifier: "./j.ts", line: 13 },
  ]);
});

Deno.test("findImports() ignores imports named in comments and strings", () => {
  const text = [
    '// import { x } from "./x.ts";',
    "/**",
    ' * import { y } from "./y.ts";',
    " */",
    "const s = 'import \"./z.ts\"';",
    'const t = `export * from "./t.ts"`;',
  ].join("\n");
  assert.deepEqual(findImports(text), []);
});

Deno.test("lineAt() counts the line of an offset from 1", () => {
  assert.equal(lineAt("a\nb\nc", 0), 1);
  assert.equal(lineAt("a\nb\nc", 1), 1);
  assert.equal(lineAt("a\nb\nc", 2), 2);
  assert.equal(lineAt("a\nb\nc", 4), 3);
});
