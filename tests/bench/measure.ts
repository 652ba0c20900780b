/**
 * One measured download: the tool runs in the client namespace under GNU `time -v` (CPU seconds, peak RSS, wall
 * time from the kernel's rusage of the whole process), its own report gives the transfer rate, and the saved file is
 * compared with the served one by SHA-256.
 *
 * @module
 */

import { type Testbed } from "../testbed/testbed.ts";
import { sha256File } from "../_support/files.ts";
import { commandFor, parseReport, type ToolName } from "./tools.ts";

/** GNU time, from Debian's `time` package (the shell keyword cannot report memory). */
export const GNU_TIME = "/usr/bin/time";

/** The result of one run. */
export interface RunResult {
  /** The tool. */
  readonly tool: ToolName;
  /** Exit code 0 and the saved file is byte-exact. */
  readonly ok: boolean;
  /** Why the run failed (exit code, digest mismatch, missing report). */
  readonly error?: string;
  /** Transfer rate by the tool's own clock, MiB/s (null when it did not report one). */
  readonly mibps: number | null;
  /** Whole process, spawn to exit, in seconds (startup included). */
  readonly wallS: number;
  /** User + system CPU seconds of the process. */
  readonly cpuS: number;
  /** Peak resident set size in MB (10^6 bytes). */
  readonly rssMB: number;
  /** rawhttpget: segments sent again. */
  readonly retransmissions?: number;
  /** rawhttpget: data segments that arrived out of order. */
  readonly outOfOrder?: number;
  /** rawhttpget+report: the size of the HTML report it wrote. */
  readonly reportBytes?: number;
}

/** Reads the fields of GNU `time -v` output the benchmark needs (NaN for a field it did not print). */
export function parseGnuTime(text: string): { wallS: number; cpuS: number; rssMB: number } {
  const num = (label: string): number => {
    const m = text.match(new RegExp(`${label}: ([\\d.:]+)`));
    if (m === null) return NaN; // killed before GNU time could report
    return m[1].split(":").reduce((acc, part) => acc * 60 + Number(part), 0);
  };
  return {
    wallS: num("Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)"),
    cpuS: num("User time \\(seconds\\)") + num("System time \\(seconds\\)"),
    rssMB: num("Maximum resident set size \\(kbytes\\)") * 1024 / 1e6,
  };
}

/**
 * Downloads `url` once with `tool` inside the testbed's client namespace and checks it against `sha256`; `caCert`:
 * the CA file an https URL is verified with.
 */
export async function measureRun(
  tb: Testbed,
  tool: ToolName,
  url: string,
  sha256: string,
  timeoutMs: number,
  caCert?: string,
): Promise<RunResult> {
  const out = `${tb.tempDir}/bench-out-${tool}.bin`;
  const timeFile = `${tb.tempDir}/bench-time-${tool}.txt`;
  await Deno.remove(out).catch(() => {});
  const r = await tb.execClient([GNU_TIME, "-v", "-o", timeFile, ...commandFor(tool, url, out, caCert)], { timeoutMs });
  const rusage = parseGnuTime(await Deno.readTextFile(timeFile).catch(() => ""));
  const parsed = parseReport(tool, r.stdout, r.stderr);
  // A tool that reports no rate (aria2) is timed by its whole process: the file's size over the wall time.
  const size = (await Deno.stat(out).catch(() => null))?.size ?? 0;
  const report = parsed.mibps === null && tool === "aria2c-x4" && rusage.wallS > 0
    ? { ...parsed, mibps: size / rusage.wallS / (1024 * 1024) }
    : parsed;
  let error: string | undefined;
  if (r.timedOut) error = `timed out after ${timeoutMs} ms`;
  else if (r.code !== 0) error = `exit code ${r.code}: ${r.stderr.trim().split("\n").slice(-2).join(" / ")}`;
  else if ((await sha256File(out).catch(() => "missing")) !== sha256) {
    error = "the saved file differs from the served one";
  } else if (report.mibps === null) error = "the tool printed no transfer rate";
  await Deno.remove(out).catch(() => {});
  const reportBytes = tool === "rawhttpget+report"
    ? (await Deno.stat(`${out}.html`).catch(() => null))?.size
    : undefined;
  await Deno.remove(`${out}.html`).catch(() => {});
  return { tool, ok: error === undefined, error, ...rusage, ...report, reportBytes };
}
