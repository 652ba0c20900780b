/**
 * The benchmark's `many-small` scenario: 200 files of 16 KiB from the testbed's nginx in one process, the URLs given
 * on one command line (`args`) and as an `-i` list (`list`), where persistent connections (HTTP/1.1 keep-alive)
 * matter more than throughput. Tools: rawhttpget (keep-alive, the default), rawhttpget `--no-http-keep-alive` (one
 * connection per file), wget, and curl (`--remote-name-all`; the list as a `-K` file of `url = …` lines), which reuse
 * their connection too. Measured: the whole process's wall time and CPU seconds (GNU `time -v`), as ratios to wget's
 * medians; every saved file is checked byte-exact. Targets: rawhttpget ≤ 1.2× wget's wall time, and ≤ 0.3× its own
 * wall time without reuse.
 *
 * @module
 */

import { makeOpenTempDir, sha256File } from "../_support/files.ts";
import { mainCommand } from "../_support/program.ts";
import type { RandomFile, Testbed } from "../testbed/testbed.ts";
import { GNU_TIME, parseGnuTime } from "./measure.ts";
import { median } from "./report.ts";

/** The scenario's name (the `--only` filter). */
export const MANY_SMALL = "many-small";

/** How many files, and how big each is. */
export const MANY_SMALL_FILES = { count: 200, size: 16 * 1024 } as const;

/** How the URLs are given: all on the command line, or in a list file (`-i`; curl `-K`). */
export type BatchMode = "args" | "list";

/** A downloader of the scenario. */
export type BatchTool = "rawhttpget" | "rawhttpget --no-http-keep-alive" | "wget" | "curl";

/** Every tool, in the order runs alternate. */
export const BATCH_TOOLS: readonly BatchTool[] = ["rawhttpget", "rawhttpget --no-http-keep-alive", "wget", "curl"];

/** The command line that saves every URL into `dir` (quietly): `list` is a file of URLs, one per line. */
export function batchCommand(
  tool: BatchTool,
  urls: readonly string[],
  list: string,
  mode: BatchMode,
  dir: string,
): string[] {
  const given = (each: string[]) => (mode === "args" ? [...urls] : each);
  switch (tool) {
    case "rawhttpget":
      return mainCommand(["-q", "-P", dir, ...given(["-i", list])]);
    case "rawhttpget --no-http-keep-alive":
      return mainCommand(["-q", "--no-http-keep-alive", "-P", dir, ...given(["-i", list])]);
    case "wget":
      return ["wget", "-q", "-P", dir, ...given(["-i", list])];
    case "curl":
      return ["curl", "-sS", "--fail", "--remote-name-all", "--output-dir", dir, ...given(["-K", `${list}.curl`])];
  }
}

/** One run of one tool. */
export interface BatchRun {
  /** Exit code 0 and every file byte-exact. */
  readonly ok: boolean;
  /** Why not. */
  readonly error?: string;
  /** Whole process, spawn to exit, seconds. */
  readonly wallS: number;
  /** User + system CPU seconds. */
  readonly cpuS: number;
  /** Peak RSS, MB. */
  readonly rssMB: number;
}

/** The medians of one tool in one mode, with ratios to wget's. */
export interface BatchRow {
  readonly mode: BatchMode;
  readonly tool: BatchTool;
  readonly okRuns: number;
  readonly runs: BatchRun[];
  readonly wallS: number;
  readonly cpuS: number;
  readonly rssMB: number;
  /** Median wall time / wget's (same mode). */
  readonly wallRatio: number;
  /** Median CPU seconds / wget's (same mode). */
  readonly cpuRatio: number;
}

async function measureBatch(
  tb: Testbed,
  tool: BatchTool,
  mode: BatchMode,
  urls: readonly string[],
  list: string,
  files: readonly RandomFile[],
): Promise<BatchRun> {
  // Open to all: rawhttpget run as root drops to nobody and writes here.
  const dir = await makeOpenTempDir({ dir: tb.tempDir, prefix: "many-small-" });
  const timeFile = `${dir}.time`;
  const cmd = [GNU_TIME, "-v", "-o", timeFile, ...batchCommand(tool, urls, list, mode, dir)];
  const r = await tb.execClient(cmd, { timeoutMs: 300_000 });
  const rusage = parseGnuTime(await Deno.readTextFile(timeFile).catch(() => ""));
  let error: string | undefined;
  if (r.timedOut) error = "timed out after 300 s";
  else if (r.code !== 0) error = `exit code ${r.code}: ${r.stderr.trim().split("\n").slice(-2).join(" / ")}`;
  else {
    for (const f of files) {
      const name = f.path.slice(f.path.lastIndexOf("/") + 1);
      if ((await sha256File(`${dir}/${name}`).catch(() => "missing")) !== f.sha256) {
        error = `${name} differs from the served file (or is missing)`;
        break;
      }
    }
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.remove(timeFile).catch(() => {});
  return { ok: error === undefined, error, ...rusage };
}

/** Writes the files, then runs every tool `runs` times in both modes, alternating who goes first. */
export async function runManySmall(tb: Testbed, runs: number, log: (line: string) => void): Promise<BatchRow[]> {
  const files: RandomFile[] = [];
  for (let i = 0; i < MANY_SMALL_FILES.count; i++) {
    files.push(await tb.randomFile(`many-small/s${String(i).padStart(3, "0")}.bin`, MANY_SMALL_FILES.size, `s${i}`));
  }
  const urls = files.map((f) => tb.url("nginx", f.path.slice(tb.wwwDir.length)));
  const list = `${tb.tempDir}/many-small.list`;
  await Deno.writeTextFile(list, urls.join("\n") + "\n", { mode: 0o644 });
  await Deno.writeTextFile(`${list}.curl`, urls.map((u) => `url = "${u}"\n`).join(""), { mode: 0o644 });
  const rows: BatchRow[] = [];
  for (const mode of ["args", "list"] as const) {
    const byTool = new Map(BATCH_TOOLS.map((t) => [t, [] as BatchRun[]]));
    for (let i = 0; i < runs; i++) {
      for (let k = 0; k < BATCH_TOOLS.length; k++) {
        const tool = BATCH_TOOLS[(i + k) % BATCH_TOOLS.length];
        const r = await measureBatch(tb, tool, mode, urls, list, files);
        byTool.get(tool)!.push(r);
        log(`${MANY_SMALL} ${mode} ${tool} #${i + 1}: ${r.ok ? `${r.wallS.toFixed(2)} s` : `FAILED (${r.error})`}`);
      }
    }
    const wget = byTool.get("wget")!;
    const wgetWall = median(wget.map((r) => r.wallS));
    const wgetCpu = median(wget.map((r) => r.cpuS));
    for (const tool of BATCH_TOOLS) {
      const rs = byTool.get(tool)!;
      const wallS = median(rs.map((r) => r.wallS));
      const cpuS = median(rs.map((r) => r.cpuS));
      rows.push({
        mode,
        tool,
        okRuns: rs.filter((r) => r.ok).length,
        runs: rs,
        wallS,
        cpuS,
        rssMB: median(rs.map((r) => r.rssMB)),
        wallRatio: wallS / wgetWall,
        cpuRatio: cpuS / wgetCpu,
      });
    }
  }
  return rows;
}

const f = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : "-");

/** The rows as a Markdown table. */
export function formatManySmall(rows: readonly BatchRow[]): string {
  const head = ["scenario", "URLs", "tool", "ok", "wall s", "CPU s", "RSS MB", "wall × wget", "CPU × wget"];
  const lines = rows.map((r) => [
    `${MANY_SMALL} ${MANY_SMALL_FILES.count}×16 KiB`,
    r.mode === "args" ? "command line" : "-i list",
    r.tool,
    `${r.okRuns}/${r.runs.length}`,
    f(r.wallS, 2),
    f(r.cpuS, 2),
    f(r.rssMB, 0),
    f(r.wallRatio, 2),
    f(r.cpuRatio, 2),
  ]);
  const all = [head, ...lines];
  const widths = head.map((_, i) => Math.max(...all.map((l) => l[i].length)));
  const fmt = (l: string[]) => `| ${l.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [fmt(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...lines.map(fmt)].join("\n");
}

/** The targets: rawhttpget's wall time ≤ 1.2× wget's, and ≤ 0.3× its own without reuse, in each mode. */
export function checkManySmallTargets(rows: readonly BatchRow[]): string[] {
  return (["args", "list"] as const).flatMap((mode) => {
    const find = (tool: BatchTool) => rows.find((r) => r.mode === mode && r.tool === tool);
    const ours = find("rawhttpget");
    const noReuse = find("rawhttpget --no-http-keep-alive");
    if (ours === undefined || noReuse === undefined) return [];
    const allOk = ours.okRuns === ours.runs.length;
    const vsNoReuse = ours.wallS / noReuse.wallS;
    const where = `${MANY_SMALL} (${mode === "args" ? "command line" : "-i list"})`;
    return [
      `${allOk && ours.wallRatio <= 1.2 ? "met    " : "NOT MET"} ${where}: wall time ${f(ours.wallRatio, 2)}× wget's ` +
      `(target ≤ 1.2)`,
      `${allOk && vsNoReuse <= 0.3 ? "met    " : "NOT MET"} ${where}: wall time ${f(vsNoReuse, 2)}× without ` +
      `keep-alive (target ≤ 0.3)`,
    ];
  });
}
