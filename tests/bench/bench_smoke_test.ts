/**
 * The benchmark's CI mode: `runBench({ short: true })` (1 MiB files, one run of each tool per scenario, no
 * thresholds). It asserts only that every download was byte-exact and that the table prints; speed is never judged
 * here (the machine is shared and timings are noisy).
 */

import assert from "node:assert/strict";
import { leftovers } from "../_support/namespaces.ts";
import { skipNetworkTests } from "../_support/root.ts";
import { runBench } from "./bench.ts";
import { formatSize, SCENARIOS } from "./scenarios.ts";
import { TOOLS } from "./tools.ts";

Deno.test({
  name: "bench --short: every tool's download is byte-exact in every short scenario, and the table prints",
  ignore: skipNetworkTests(),
  sanitizeResources: false, // child processes' pipes are released by the testbed
  fn: async () => {
    const result = await runBench({ short: true });
    const failures = result.cells.flatMap((c) =>
      c.runs.filter((r) => !r.ok).map((r) => `${c.scenario} ${formatSize(c.size)} ${c.tool}: ${r.error}`)
    );
    assert.deepEqual(failures, []);
    assert.ok(result.allExact);
    // A scenario that measures --report has one more row per size (rawhttpget+report).
    const expected = SCENARIOS.reduce((n, s) => n + s.shortSizes.length * (TOOLS.length + (s.report ? 1 : 0)), 0);
    assert.deepEqual(result.rows.length, expected);
    assert.ok(result.table.includes("| scenario"));
    for (const s of SCENARIOS.filter((s) => s.shortSizes.length > 0)) {
      assert.ok(result.table.includes(`| ${s.name}`), `the table has no row of ${s.name}`);
    }
    assert.deepEqual(result.table.split("\n").length, expected + 2);
    assert.deepEqual(await leftovers("mine"), []);
  },
});
