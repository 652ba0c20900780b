/**
 * `deno task bench`: brings up the testbed (client, router, server namespaces; nginx), then for each scenario and
 * file size downloads the same file with rawhttpget, curl and wget, alternating them, and prints one table (see
 * report.ts) with the project's performance targets checked underneath. Every file is checked byte-exact. Then (full
 * mode, or `--only many-small`) the `many-small` scenario of many_small.ts: 200 files of 16 KiB in one process, with
 * and without keep-alive, against wget and curl, in a table of its own.
 *
 * Usage: `deno run --allow-all tests/bench/bench.ts [--short] [--runs N] [--only NAME,…] [--json PATH]`
 * - `--short`: small files, one run, the scenarios that have short sizes (the CI mode; no targets).
 * - `--json PATH`: writes every run and the summary rows, so a run can be compared with the next one.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type RandomFile, Testbed } from "../testbed/testbed.ts";
import { type HttpsServer, startHttpsServer } from "../testbed/tls.ts";
import { measureRun, type RunResult } from "./measure.ts";
import { type Cell, checkTargets, formatTable, type Row, summarize } from "./report.ts";
import { applyScenario, formatSize, type Scenario, SCENARIOS } from "./scenarios.ts";
import { REPORT_TOOL, TOOLS } from "./tools.ts";
import { type BatchRow, checkManySmallTargets, formatManySmall, MANY_SMALL, runManySmall } from "./many_small.ts";

/** Options of {@linkcode runBench}. */
export interface BenchOptions {
  /** Short (CI) mode: small files, one run, no targets. */
  readonly short?: boolean;
  /** Runs per tool and size (default 3, short mode 1). */
  readonly runs?: number;
  /** Scenario names to run (default all). */
  readonly only?: readonly string[];
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
}

/** What a benchmark produced. */
export interface BenchResult {
  /** Every run. */
  readonly cells: Cell[];
  /** One summary row per scenario, size and tool. */
  readonly rows: Row[];
  /** The table. */
  readonly table: string;
  /** Target lines (full mode). */
  readonly targets: string[];
  /** The `many-small` rows (null when it did not run: short mode, or left out by `only`). */
  readonly manySmall: BatchRow[] | null;
  /** Every run of every tool saved a byte-exact file. */
  readonly allExact: boolean;
  /** Load average at the start and end, and the CPU count: the conditions of the numbers. */
  readonly conditions: { readonly cpus: number; readonly loadStart: number[]; readonly loadEnd: number[] };
}

/** Seconds a run may take: generous, so that only a hang is cut (≥ 4 MiB/s). */
function timeoutFor(size: number): number {
  return 30_000 + size / (4 * 1024 * 1024) * 1000;
}

/** Runs the benchmark on a testbed of its own, which it always takes down. */
export async function runBench(opts: BenchOptions = {}): Promise<BenchResult> {
  const short = opts.short ?? false;
  const runs = opts.runs ?? (short ? 1 : 3);
  const log = opts.log ?? (() => {});
  const scenarios = SCENARIOS.filter((s) =>
    (opts.only === undefined || opts.only.includes(s.name)) && (short ? s.shortSizes : s.sizes).length > 0
  );
  const loadStart = Deno.loadavg();
  const cells: Cell[] = [];
  // Not in short mode: 200 files × 4 tools × 2 ways of giving the URLs take well over 10 s.
  const withManySmall = opts.only === undefined ? !short : opts.only.includes(MANY_SMALL);
  let manySmall: BatchRow[] | null = null;
  const tb = await Testbed.up({ servers: ["nginx"] });
  let https: HttpsServer | null = null; // started by the first https scenario
  try {
    const files = new Map<number, RandomFile>();
    const fileOf = async (size: number) => {
      let file = files.get(size);
      if (file === undefined) files.set(size, file = await tb.randomFile(`bench-${size}.bin`, size, size));
      return file;
    };
    const warm = await fileOf(1024 * 1024); // one unmeasured run each: Deno's module cache, page cache
    for (const tool of TOOLS) {
      await measureRun(tb, tool, tb.url("nginx", `/bench-${warm.size}.bin`), warm.sha256, 60_000);
    }
    for (const s of scenarios) {
      await applyScenario(tb, s);
      if (s.https && https === null) https = await startHttpsServer(tb);
      const caCert = s.https ? https!.pki.caCert : undefined;
      for (const size of short ? s.shortSizes : s.sizes) {
        const file = await fileOf(size);
        const path = `/bench-${size}.bin`;
        const url = s.https ? https!.url(path) : tb.url("nginx", path);
        const base = s.tools ?? TOOLS;
        const tools = s.report ? [...base, REPORT_TOOL] : base;
        const byTool = new Map(tools.map((t) => [t, [] as RunResult[]]));
        for (let i = 0; i < runs; i++) {
          for (let k = 0; k < tools.length; k++) {
            const tool = tools[(i + k) % tools.length]; // rotate who goes first
            const r = await measureRun(tb, tool, url, file.sha256, timeoutFor(size), caCert);
            byTool.get(tool)!.push(r);
            log(
              `${s.name} ${formatSize(size)} ${tool} #${i + 1}: ` +
                (r.ok ? `${r.mibps?.toFixed(1)} MiB/s, ${r.rssMB.toFixed(0)} MB` : `FAILED (${r.error})`),
            );
          }
        }
        for (const tool of tools) cells.push({ scenario: s.name, size, tool, runs: byTool.get(tool)! });
      }
    }
    if (withManySmall) {
      await applyScenario(tb, { name: MANY_SMALL, description: "", sizes: [], shortSizes: [], targets: [], net: {} });
      manySmall = await runManySmall(tb, runs, log);
    }
  } finally {
    try {
      await https?.stop();
    } finally {
      await tb.down();
    }
  }
  const rows = summarize(cells);
  const manySmallTable = manySmall === null ? "" : formatManySmall(manySmall);
  return {
    cells,
    rows,
    manySmall,
    table: [rows.length > 0 || manySmall === null ? formatTable(rows) : "", manySmallTable].filter((x) => x !== "")
      .join("\n\n"),
    targets: short ? [] : [...checkTargets(scenarios as Scenario[], rows), ...checkManySmallTargets(manySmall ?? [])],
    allExact: cells.every((c) => c.runs.every((r) => r.ok)) &&
      (manySmall ?? []).every((row) => row.runs.every((r) => r.ok)),
    conditions: { cpus: navigator.hardwareConcurrency, loadStart, loadEnd: Deno.loadavg() },
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      short: { type: "boolean" },
      runs: { type: "string" },
      only: { type: "string" },
      json: { type: "string" },
    },
  });
  const result = await runBench({
    short: values.short,
    runs: values.runs === undefined ? undefined : Number(values.runs),
    only: values.only?.split(","),
    log: (line) => console.error(line),
  });
  const c = result.conditions;
  console.log(
    `\n${c.cpus} CPUs; load average ${c.loadStart.map((x) => x.toFixed(2)).join(" ")} at the start, ` +
      `${c.loadEnd.map((x) => x.toFixed(2)).join(" ")} at the end. MiB/s by each tool's own clock; wall, CPU and ` +
      `RSS of the whole process (median).\n`,
  );
  console.log(result.table);
  if (result.targets.length > 0) console.log(`\n${result.targets.join("\n")}`);
  if (values.json !== undefined) {
    await Deno.writeTextFile(values.json, JSON.stringify({ date: new Date().toISOString(), ...result }, null, 2));
    console.log(`\nRaw results: ${values.json}`);
  }
  if (!result.allExact) {
    console.error("bench: some downloads failed or were not byte-exact (see the table's ok column)");
    Deno.exit(1);
  }
}
