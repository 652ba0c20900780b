/**
 * Turns runs into one row per scenario, size and tool (median and range of the rate, medians of wall time, CPU and
 * peak RSS, rawhttpget's ratio to curl, rawhttpget+report's ratio to plain rawhttpget) and prints them as one table,
 * with the targets checked underneath.
 *
 * @module
 */

import type { RunResult } from "./measure.ts";
import { formatSize, type Scenario } from "./scenarios.ts";
import type { ToolName } from "./tools.ts";

/** Every run of one tool on one scenario and size. */
export interface Cell {
  /** Scenario name. */
  readonly scenario: string;
  /** File size in bytes. */
  readonly size: number;
  /** The tool. */
  readonly tool: ToolName;
  /** Its runs, in order. */
  readonly runs: RunResult[];
}

/** The summary of a cell. */
export interface Row {
  /** Scenario name. */
  readonly scenario: string;
  /** File size in bytes. */
  readonly size: number;
  /** The tool. */
  readonly tool: ToolName;
  /** Byte-exact runs / runs. */
  readonly okRuns: number;
  /** Runs. */
  readonly runs: number;
  /** Median, minimum and maximum MiB/s over the byte-exact runs (NaN when none). */
  readonly mibps: { readonly median: number; readonly min: number; readonly max: number };
  /** Median wall seconds, CPU seconds, peak RSS (MB). */
  readonly wallS: number;
  /** Median user + system CPU seconds. */
  readonly cpuS: number;
  /** Median peak RSS, MB. */
  readonly rssMB: number;
  /**
   * rawhttpget: its median rate / curl's in the same scenario and size; rawhttpget+report: its median rate / plain
   * rawhttpget's (what `--report` costs).
   */
  readonly ratio?: number;
  /** rawhttpget+report: its median CPU seconds / plain rawhttpget's, and the report's median size in bytes. */
  readonly cpuRatio?: number;
  readonly reportBytes?: number;
  /** rawhttpget: median retransmissions and out-of-order segments. */
  readonly retransmissions?: number;
  /** rawhttpget: median out-of-order segments. */
  readonly outOfOrder?: number;
}

/** Median of numbers (NaN for none). */
export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Summarises every cell; rawhttpget rows get their ratio to curl's row of the same scenario and size. */
export function summarize(cells: readonly Cell[]): Row[] {
  const rows = cells.map((c): Row => {
    const good = c.runs.filter((r) => r.ok);
    const rates = good.map((r) => r.mibps ?? NaN);
    const counters = c.tool.startsWith("rawhttpget")
      ? {
        retransmissions: median(c.runs.map((r) => r.retransmissions ?? NaN)),
        outOfOrder: median(c.runs.map((r) => r.outOfOrder ?? NaN)),
      }
      : {};
    if (c.tool === "rawhttpget+report") {
      Object.assign(counters, { reportBytes: median(c.runs.map((r) => r.reportBytes ?? NaN)) });
    }
    return {
      scenario: c.scenario,
      size: c.size,
      tool: c.tool,
      okRuns: good.length,
      runs: c.runs.length,
      mibps: { median: median(rates), min: Math.min(...rates), max: Math.max(...rates) },
      wallS: median(c.runs.map((r) => r.wallS)),
      cpuS: median(c.runs.map((r) => r.cpuS)),
      rssMB: median(c.runs.map((r) => r.rssMB)),
      ...counters,
    };
  });
  return rows.map((r) => {
    if (r.tool === "rawhttpget+report") {
      const plain = rows.find((c) => c.tool === "rawhttpget" && c.scenario === r.scenario && c.size === r.size);
      if (plain === undefined) return r;
      return { ...r, ratio: r.mibps.median / plain.mibps.median, cpuRatio: r.cpuS / plain.cpuS };
    }
    if (r.tool !== "rawhttpget" && r.tool !== "rawhttpget-x4") return r;
    const curl = rows.find((c) => c.tool === "curl" && c.scenario === r.scenario && c.size === r.size);
    return curl === undefined ? r : { ...r, ratio: r.mibps.median / curl.mibps.median };
  });
}

const f = (x: number | undefined, digits: number): string =>
  x === undefined || Number.isNaN(x) || !Number.isFinite(x) ? "-" : x.toFixed(digits);

/** The table as Markdown (one header, one line per row). */
export function formatTable(rows: readonly Row[]): string {
  const head = [
    "scenario",
    "size",
    "tool",
    "ok",
    "MiB/s median",
    "min–max",
    "wall s",
    "CPU s",
    "RSS MB",
    "ratio",
    "retx/ooo",
  ];
  const lines = rows.map((r) => [
    r.scenario,
    formatSize(r.size),
    r.tool,
    `${r.okRuns}/${r.runs}`,
    f(r.mibps.median, 1),
    `${f(r.mibps.min, 0)}–${f(r.mibps.max, 0)}`,
    f(r.wallS, 2),
    f(r.cpuS, 2),
    f(r.rssMB, 0),
    r.ratio === undefined ? "" : f(r.ratio, 2),
    r.tool.startsWith("rawhttpget") ? `${f(r.retransmissions, 0)}/${f(r.outOfOrder, 0)}` : "",
  ]);
  const all = [head, ...lines];
  const widths = head.map((_, i) => Math.max(...all.map((l) => l[i].length)));
  const fmt = (l: string[]) => `| ${l.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [fmt(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...lines.map(fmt)].join("\n");
}

/** One line per target: met or not, with the measured value. */
export function checkTargets(scenarios: readonly Scenario[], rows: readonly Row[]): string[] {
  const out: string[] = [];
  const find = (s: string, size: number, tool: ToolName) =>
    rows.find((r) => r.scenario === s && r.size === size && r.tool === tool);
  for (const s of scenarios) {
    for (const t of s.targets) {
      const ours = find(s.name, t.size, "rawhttpget");
      const curl = find(s.name, t.size, "curl");
      if (ours === undefined) continue;
      const where = `${s.name} ${formatSize(t.size)}`;
      if (t.kind === "speed-ratio") {
        const tool = find(s.name, t.size, t.tool);
        const against = find(s.name, t.size, t.against);
        if (tool === undefined || against === undefined) continue;
        const speed = against.wallS / tool.wallS;
        const ok = speed >= t.min && tool.okRuns === tool.runs;
        out.push(
          `${ok ? "met    " : "NOT MET"} ${where}: ${t.tool} ${f(tool.wallS, 2)} s, ${t.against} ` +
            `${f(against.wallS, 2)} s wall: ${f(speed, 2)}× as fast (target ≥ ${t.min}×)`,
        );
      } else if (t.kind === "ratio") {
        const ok = (ours.ratio ?? 0) >= t.min && ours.okRuns === ours.runs;
        out.push(`${ok ? "met    " : "NOT MET"} ${where}: rawhttpget/curl ${f(ours.ratio, 2)} (target ≥ ${t.min})`);
      } else if (t.kind === "report-cost") {
        const withReport = find(s.name, t.size, "rawhttpget+report");
        if (withReport === undefined) continue;
        const cost = 1 - (withReport.ratio ?? 0);
        const ok = cost <= t.maxCost && withReport.okRuns === withReport.runs;
        out.push(
          `${ok ? "met    " : "NOT MET"} ${where}: --report costs ${f(cost * 100, 1)} % of the rate, CPU × ` +
            `${f(withReport.cpuRatio, 3)}, report ${f((withReport.reportBytes ?? NaN) / 1e6, 1)} MB ` +
            `(target ≤ ${t.maxCost * 100} %)`,
        );
      } else if (t.kind === "rss") {
        const ok = ours.rssMB <= t.maxMB;
        out.push(`${ok ? "met    " : "NOT MET"} ${where}: peak RSS ${f(ours.rssMB, 0)} MB (target ≤ ${t.maxMB} MB)`);
      } else if (curl !== undefined) {
        const delta = ours.wallS - curl.wallS;
        const ok = delta <= t.maxS;
        out.push(
          `${ok ? "met    " : "NOT MET"} ${where}: wall time ${f(delta * 1000, 0)} ms over curl's ` +
            `(target ≤ ${t.maxS * 1000} ms)`,
        );
      }
    }
  }
  return out;
}
