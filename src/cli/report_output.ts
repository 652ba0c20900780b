/**
 * `--report FILE.html` and `--report-json FILE`: the files are opened when the run starts, before any network
 * activity and before the program gives up root (a file opened later might no longer be writable), and written
 * through those descriptors when the run ends. A path that cannot be opened stops the run before it downloads
 * anything ({@linkcode ReportFileError}, wget's exit code 3 for file errors); an existing file is emptied only when
 * the report is written, so a run refused at the start leaves it as it was.
 *
 * @module
 */

import { type File, fileInfo, openFile, OsError, removeFile, strerror } from "../../ffi/mod.ts";
import type { DownloadResult } from "../fetch/mod.ts";
import type { DownloadSummary, ReportRecorder } from "../report/mod.ts";
import { formatSummary, type SummaryState } from "./progress.ts";

/** A report file that cannot be opened; the message is the sentence the user sees. */
export class ReportFileError extends Error {
  /** Builds the error with the sentence. */
  constructor(message: string) {
    super(message);
    this.name = "ReportFileError";
  }
}

/** The report of a run: its recorder (segment and connection watch for the downloads) and the files it goes to. */
export interface ReportOutput {
  /** Give it to the downloads as `segments` and `watch`. */
  readonly recorder: ReportRecorder;
  /** Writes the report(s) and closes the files; a write that fails is said through `warn`. */
  finish(warn: (line: string) => void): void;
}

const encoder = new TextEncoder();
const NEWLINE = encoder.encode("\n");

/**
 * Opens the files of `--report` and `--report-json` (null when neither is asked), then loads the recorder and the
 * page (src/report, with the vendored uPlot: about 9 ms of start-up a run without a report does without). Rejects
 * with {@linkcode ReportFileError} when a file cannot be opened, after closing (and removing, if it created them)
 * those it opened.
 *
 * @example
 * ```ts
 * const report = await openReportOutput({ html: "run.html" }, "rawhttpget 0.2.0", { owner: null });
 * ```
 */
export async function openReportOutput(
  paths: { readonly html?: string; readonly json?: string },
  generator: string,
  options: { readonly owner: { uid: number; gid: number } | null; readonly budget?: number },
): Promise<ReportOutput | null> {
  const wanted = [paths.html, paths.json].filter((p): p is string => p !== undefined);
  if (wanted.length === 0) return null;
  const opened: Array<{ file: File; created: boolean }> = [];
  try {
    for (const path of wanted) {
      const created = fileInfo(path) === null;
      const file = openFile(path, { create: true, write: true });
      opened.push({ file, created });
      if (options.owner !== null) file.chown(options.owner.uid, options.owner.gid);
    }
  } catch (e) {
    for (const { file, created } of opened) {
      file.close();
      if (created) removeFile(file.path);
    }
    const path = wanted[opened.length];
    const why = e instanceof OsError ? strerror(e.errno) : (e as Error).message;
    throw new ReportFileError(`Cannot write the report to '${path}': ${why}`);
  }
  const { ReportRecorder, renderReportHtml, reportJson } = await import("../report/mod.ts");
  const recorder = new ReportRecorder({
    clock: () => performance.now(),
    wallClock: () => new Date().toISOString(),
    generator,
    budget: options.budget,
  });
  const files = opened.map((o) => o.file);
  return {
    recorder,
    finish(warn) {
      const report = recorder.report();
      const json = reportJson(report);
      const texts = wanted.map((path) => path === paths.html ? renderReportHtml(report, json) : json);
      files.forEach((file, i) => {
        try {
          // Written over what the file held, then cut to length: cutting a file to 0 first makes ext4 wait for its
          // journal to write back the data just written (40 ms after a 100 MiB download, measured); this costs none.
          const text = encoder.encode(texts[i]);
          file.write(text);
          if (texts[i] === json) file.write(NEWLINE);
          file.truncate(text.length + (texts[i] === json ? 1 : 0));
        } catch (e) {
          const why = e instanceof OsError ? strerror(e.errno) : (e as Error).message;
          warn(`rawhttpget: Cannot write the report to '${file.path}': ${why}`);
        } finally {
          file.close();
        }
      });
    },
  };
}

/**
 * The numbers of a download's summary sentence (`formatSummary`), as the program prints them.
 *
 * @example
 * ```ts
 * formatSummary(summaryState(result));
 * ```
 */
export function summaryState(result: DownloadResult): SummaryState {
  return {
    path: result.path,
    bytes: result.bytes,
    received: result.received,
    seconds: result.elapsedMs / 1000,
    retransmissions: result.tcp.retransmissions,
    outOfOrder: result.tcp.outOfOrderSegments,
    badChecksums: result.frames.badChecksum,
    pathMtu: result.tcp.pathMtu,
    pathMtuByTimeouts: result.tcp.blackHoleSteps > 0,
    ...(result.connections === undefined ? {} : { connections: result.connections }),
  };
}

/**
 * What the report keeps of a download that ended: the sentence and its numbers, or the error sentence.
 *
 * @example
 * ```ts
 * report.recorder.endDownload(downloadSummary(result, null));
 * ```
 */
export function downloadSummary(result: DownloadResult | null, error: string | null): DownloadSummary {
  if (result === null) {
    return { sentence: error ?? "", ok: false, bytes: 0, received: 0, seconds: 0, engine: {}, frames: {} };
  }
  const state = summaryState(result);
  return {
    sentence: formatSummary(state),
    ok: true,
    bytes: state.bytes,
    received: state.received,
    seconds: state.seconds,
    engine: { ...result.tcp },
    frames: { ...result.frames },
  };
}
