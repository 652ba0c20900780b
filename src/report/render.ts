/**
 * The report as text: JSON for `--report-json`, and one self-contained HTML page for `--report` (no request leaves
 * the page when it opens: uPlot, the styles, the page's script and the data are all inline).
 *
 * @module
 */

import { PAGE_CHARTS } from "./_page_charts.ts";
import { PAGE_STYLE } from "./_page_style.ts";
import { PAGE_ERRORS, PAGE_TABLES } from "./_page_tables.ts";
import { UPLOT_CSS, UPLOT_JS, UPLOT_LICENSE, UPLOT_VERSION } from "./_uplot.ts";
import type { Report } from "./model.ts";

/**
 * The report as JSON, on one line and without a final newline (the file gets one when it is written).
 *
 * @example
 * ```ts
 * JSON.parse(reportJson(recorder.report())).schema; // "rawhttpget-report/1"
 * ```
 */
export function reportJson(report: Report): string {
  return JSON.stringify(report);
}

/** Text made safe inside an element (the page's title and headings). */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The report as one HTML page. The data goes into a `<script type="application/json">` element with every `<`
 * escaped, so no string a server sent (a header, a URL) can end the element or the page. `json`: the report's
 * {@linkcode reportJson}, when the caller has it already (writing both files stringifies once).
 *
 * @example
 * ```ts
 * const html = renderReportHtml(recorder.report());
 * ```
 */
export function renderReportHtml(report: Report, json: string = reportJson(report)): string {
  // Only strings (a header, a URL) can hold "<": most reports have none, and are not copied again for nothing.
  const data = json.includes("<") ? json.replace(/</g, "\\u003c") : json;
  const title = `rawhttpget report: ${report.downloads.map((d) => d.url).join(", ") || "no download"}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${UPLOT_CSS}</style>
<style>${PAGE_STYLE}</style>
</head>
<body data-report-status="loading" data-errors="0">
<ul id="report-errors"></ul>
<script>${PAGE_ERRORS}</script>
<h1>What TCP did</h1>
<p class="meta">${escapeHtml(report.generator)}, started ${escapeHtml(report.startedAt)}; schema ${report.schema}.</p>
<main id="report"></main>
<footer>
<p>Charts drawn by uPlot ${UPLOT_VERSION}, inlined under its licence:</p>
<pre>${escapeHtml(UPLOT_LICENSE)}</pre>
</footer>
<script type="application/json" id="report-data">${data}</script>
<script>${UPLOT_JS}</script>
<script>${PAGE_TABLES}${PAGE_CHARTS}</script>
</body>
</html>
`;
}
