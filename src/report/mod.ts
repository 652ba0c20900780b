/**
 * `--report` and `--report-json`: a recorder that sees every frame and milestone of a run's connections at little
 * cost, and the report built from it at the end: versioned JSON for scripts, and one self-contained HTML page with a
 * time-sequence graph, throughput, RTT, bytes in flight, the receive buffer, a timeline and a summary per
 * connection (drawn by the vendored uPlot). Pure code: no `Deno.*`, no clock of its own, no files (the program
 * writes the text through the descriptors it opened at start-up).
 *
 * @example
 * ```ts
 * import { renderReportHtml, ReportRecorder } from "./mod.ts";
 * const recorder = new ReportRecorder({ clock: () => performance.now(), wallClock: () => "", generator: "rawhttpget" });
 * const html = renderReportHtml(recorder.report());
 * ```
 *
 * @module
 */

export { ConnectionRecorder } from "./connection_recorder.ts";
export { DEFAULT_BUDGET, type RecorderOptions, ReportRecorder } from "./recorder.ts";
export * from "./model.ts";
export { renderReportHtml, reportJson } from "./render.ts";
export { UPLOT_VERSION } from "./_uplot.ts";
