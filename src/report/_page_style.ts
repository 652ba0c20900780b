/**
 * The report page's stylesheet (after uPlot's own).
 *
 * @module
 */

/** CSS of the report page. */
export const PAGE_STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 auto; padding: 16px 24px; max-width: 1200px; color: #222; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 4px; border-top: 2px solid #ccc; padding-top: 12px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta, .note { color: #555; }
.note { font-size: 12px; }
table { border-collapse: collapse; margin: 6px 0; }
td, th { border: 1px solid #ddd; padding: 2px 8px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f6f6f6; padding: 6px 8px; overflow-x: auto; font-size: 12px; margin: 4px 0; }
.sentence { font-family: ui-monospace, monospace; background: #eef5ee; padding: 4px 8px; }
.timeline { position: relative; height: 26px; background: #f3f3f3; margin: 6px 0 2px; }
.timeline div { position: absolute; top: 0; height: 26px; min-width: 2px; font-size: 11px; color: #fff;
  overflow: hidden; white-space: nowrap; box-sizing: border-box; padding: 5px 3px; }
.chart { margin: 6px 0 14px; }
.charts-row { display: flex; flex-wrap: wrap; gap: 8px; }
.key span { display: inline-block; margin-right: 14px; font-size: 12px; }
.key i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -2px; }
#report-errors { color: #b00; }
footer { margin-top: 40px; font-size: 12px; color: #666; }
/* #figure in the address: the graphs of the first connection alone (the README's picture). */
body.figure table, body.figure pre, body.figure footer, body.figure .timeline, body.figure h3, body.figure .note,
body.figure .meta, body.figure .u-legend, body.figure section[data-connection] ~ section { display: none; }
`;
