/**
 * The three downloaders the benchmark compares, how each is started, and how its own report of the transfer is read:
 * rawhttpget's summary line (time from the first SYN to the end, retransmissions, out-of-order segments), curl's
 * `--write-out` (`time_total`), wget's final line (`(341 MB/s)`, 1024-based units).
 *
 * @module
 */

import { mainCommand } from "../_support/program.ts";

/**
 * A downloader in the comparison (`rawhttpget+report`: rawhttpget writing `--report`, to measure what it costs;
 * `rawhttpget-x4`: rawhttpget with `--connections 4`; `aria2c-x4`: aria2 with four connections to the file).
 */
export type ToolName = "rawhttpget" | "rawhttpget+report" | "rawhttpget-x4" | "curl" | "wget" | "aria2c-x4";

/** rawhttpget with `--report FILE.html`: run next to plain rawhttpget in the scenarios that ask for it. */
export const REPORT_TOOL: ToolName = "rawhttpget+report";

/** Every tool, in the order runs alternate. */
export const TOOLS: readonly ToolName[] = ["rawhttpget", "curl", "wget"];

/** What a tool said about its own transfer. */
export interface ToolReport {
  /** Transfer rate in MiB/s by the tool's own clock (connection to end), or null when it did not say. */
  readonly mibps: number | null;
  /** rawhttpget only: segments sent again. */
  readonly retransmissions?: number;
  /** rawhttpget only: data segments that arrived beyond RCV.NXT. */
  readonly outOfOrder?: number;
}

/** The command line that downloads `url` into `out` with `tool`; `caCert`: the CA file an https URL is checked with. */
export function commandFor(tool: ToolName, url: string, out: string, caCert?: string): string[] {
  switch (tool) {
    case "rawhttpget": {
      const ca = caCert === undefined ? [] : ["--ca-certificate", caCert];
      return mainCommand(["-O", out, ...ca, url]);
    }
    case "rawhttpget-x4": {
      const ca = caCert === undefined ? [] : ["--ca-certificate", caCert];
      return mainCommand(["-O", out, "--connections", "4", ...ca, url]);
    }
    case "rawhttpget+report": {
      const ca = caCert === undefined ? [] : ["--ca-certificate", caCert];
      return mainCommand(["-O", out, "--report", `${out}.html`, ...ca, url]);
    }
    case "curl": {
      const ca = caCert === undefined ? [] : ["--cacert", caCert];
      return ["curl", "-sS", ...ca, "-o", out, "-w", "bench %{size_download} %{time_total}\n", url];
    }
    case "wget": {
      const ca = caCert === undefined ? [] : [`--ca-certificate=${caCert}`];
      return ["wget", "--progress=dot:giga", ...ca, "-O", out, url];
    }
    case "aria2c-x4": {
      // -x4 -s4: four connections, the file in four pieces (its default min-split-size, 20 MiB, leaves a 100 MiB
      // file four); no control file, no pre-allocation, nothing on the console but errors.
      const ca = caCert === undefined ? [] : [`--ca-certificate=${caCert}`];
      const slash = out.lastIndexOf("/");
      return [
        "aria2c",
        "-x4",
        "-s4",
        "--file-allocation=none",
        "--allow-overwrite=true",
        "--auto-file-renaming=false",
        "--summary-interval=0",
        "--console-log-level=error",
        "--download-result=hide",
        ...ca,
        "-d",
        out.slice(0, slash),
        "-o",
        out.slice(slash + 1),
        url,
      ];
    }
  }
}

const MIB = 1024 * 1024;
const WGET_UNITS: Record<string, number> = { "B/s": 1 / MIB, "KB/s": 1 / 1024, "MB/s": 1, "GB/s": 1024 };

/** Reads a tool's report from its output; fields it did not print are null. */
export function parseReport(tool: ToolName, stdout: string, stderr: string): ToolReport {
  switch (tool) {
    case "rawhttpget":
    case "rawhttpget-x4":
    case "rawhttpget+report": {
      const m = stderr.match(
        /\((\d+) bytes\) in ([\d.]+) s, ([\d.]+) MiB\/s; (\d+) retransmitted, (\d+) out of order/,
      );
      if (m === null) return { mibps: null };
      return {
        mibps: Number(m[3]) > 0 ? Number(m[3]) : null,
        retransmissions: Number(m[4]),
        outOfOrder: Number(m[5]),
      };
    }
    case "curl": {
      const m = stdout.match(/bench (\d+) ([\d.]+)/);
      if (m === null || Number(m[2]) <= 0) return { mibps: null };
      return { mibps: Number(m[1]) / Number(m[2]) / MIB };
    }
    case "aria2c-x4":
      // aria2 prints no rate of its own worth parsing here: the whole process's wall time stands for it.
      return { mibps: null };
    case "wget": {
      const m = stderr.match(/\(([\d.]+) ([KMG]?B\/s)\) - /);
      if (m === null) return { mibps: null };
      return { mibps: Number(m[1]) * WGET_UNITS[m[2]] };
    }
  }
}
