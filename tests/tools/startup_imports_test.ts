/**
 * What a run loads before its first byte: the modules `main.ts` reaches through static imports once it has loaded
 * src/program/mod.ts. TLS (`node:tls`, `node:crypto`, `node:stream`, `node:buffer`) comes with the first https hop
 * (src/fetch/secure.ts), `node:zlib` with the first coded body (src/http/decode.ts), `node:crypto` for Digest with
 * the first 401, src/report with `--report`: together about 50 ms of a plain download's start-up. A static import of any of them from the start-up
 * graph would bring that cost back unnoticed; this test notices.
 *
 * @module
 */

import assert from "node:assert/strict";
import { REPO_ROOT } from "../_support/program.ts";

/** Modules only a download that needs them loads. */
const LOADED_LATER = ["node:tls", "node:crypto", "node:stream", "node:buffer", "node:zlib"];

interface InfoModule {
  readonly specifier: string;
  readonly dependencies?: ReadonlyArray<
    { readonly code?: { readonly specifier?: string }; readonly isDynamic?: boolean }
  >;
}

/** The modules reached from `entry` by static runtime imports (type-only and dynamic imports are not followed). */
async function staticGraph(entry: string): Promise<Map<string, string | null>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const modules = new Map<string, InfoModule>();
  for (const m of JSON.parse(new TextDecoder().decode(out.stdout)).modules as InfoModule[]) modules.set(m.specifier, m);
  const root = [...modules.keys()].find((s) => s.endsWith(entry.replace(/^\.\//, "")))!;
  const reached = new Map<string, string | null>([[root, null]]); // module → the module that imported it
  const queue = [root];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const dep of modules.get(from)?.dependencies ?? []) {
      const to = dep.code?.specifier;
      if (to === undefined || dep.isDynamic || reached.has(to)) continue;
      reached.set(to, from);
      queue.push(to);
    }
  }
  return reached;
}

Deno.test("a run's start-up loads no TLS, no zlib and no node:crypto: they come with the first download that needs them", async () => {
  const graph = await staticGraph("src/program/mod.ts");
  assert.ok(graph.size > 50, `only ${graph.size} modules: the graph was not read`);
  const found = LOADED_LATER.filter((m) => graph.has(m));
  const chain = (m: string) => {
    const path = [m];
    for (let at = graph.get(m); at !== null && at !== undefined; at = graph.get(at)) path.push(at);
    return path.map((p) => p.replace(`file://${REPO_ROOT}/`, "")).join(" ← ");
  };
  assert.deepEqual(found, [], found.map(chain).join("\n"));
  // --report's recorder and page (the vendored uPlot among them) come with the option.
  const report = [...graph.keys()].filter((m) => m.includes("/src/report/"));
  assert.deepEqual(report, [], report.map(chain).join("\n"));
  // And the lazy paths are real: each module is still reachable through a dynamic import.
  const all = await staticGraph("src/fetch/secure.ts");
  assert.ok(all.has("node:tls") && all.has("node:crypto"), "secure.ts no longer brings TLS");
});
