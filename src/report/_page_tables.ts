/**
 * The report page's script, first part: helpers, the error catcher, and the tables and timeline of a connection
 * (plain DOM). Kept as JavaScript text (no template literals inside) and inlined by `render.ts`; the charts are in
 * `_page_charts.ts`.
 *
 * Error catching is installed before anything else runs: every uncaught error or `console.error` becomes an item of
 * `#report-errors` and counts in `body[data-errors]`, which a test (or a reader) can see.
 *
 * @module
 */

/** The first script of the page, run before uPlot loads. */
export const PAGE_ERRORS = `
(function () {
  var count = 0;
  function note(text) {
    count++;
    document.body.setAttribute("data-errors", String(count));
    var list = document.getElementById("report-errors");
    var li = document.createElement("li");
    li.textContent = String(text);
    list.appendChild(li);
  }
  window.addEventListener("error", function (e) { note(e.message + " (" + e.filename + ":" + e.lineno + ")"); });
  window.addEventListener("unhandledrejection", function (e) { note("Unhandled rejection: " + e.reason); });
  var original = console.error;
  console.error = function () { note(Array.prototype.join.call(arguments, " ")); original.apply(console, arguments); };
})();
`;

/** Helpers and the tables of a connection. */
export const PAGE_TABLES = `
var R = JSON.parse(document.getElementById("report-data").textContent);
function el(tag, attrs, children) {
  var e = document.createElement(tag);
  if (attrs) for (var k in attrs) {
    if (k === "text") e.textContent = attrs[k]; else if (k === "className") e.className = attrs[k];
    else e.setAttribute(k, attrs[k]);
  }
  (children || []).forEach(function (c) { if (c != null) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
  return e;
}
function fmtBytes(n) {
  if (n == null) return "-";
  if (n >= 1048576) return (n / 1048576).toFixed(1) + " MiB";
  if (n >= 1024) return (n / 1024).toFixed(1) + " KiB";
  return n + " B";
}
function fmtMs(ms) { return ms == null ? "-" : ms.toFixed(ms < 10 ? 2 : 1) + " ms"; }
function pct(a, b) { return b > 0 ? (100 * a / b).toFixed(2) + " %" : "-"; }
function table(rows, field) {
  return el("table", null, rows.map(function (r) {
    var td = el("td", { className: typeof r[1] === "number" ? "num" : "", text: String(r[1]) });
    if (r[2]) td.setAttribute(field, r[2]);
    return el("tr", null, [el("th", { text: r[0] }), td]);
  }));
}
function offerText(o) {
  if (o == null) return "-";
  var parts = [];
  parts.push("MSS " + (o.mss == null ? "none" : o.mss));
  parts.push("window scale " + (o.windowScale == null ? "none" : o.windowScale));
  parts.push(o.sackPermitted ? "SACK" : "no SACK");
  parts.push(o.timestamps ? "timestamps" : "no timestamps");
  parts.push(o.ecn ? "ECN" : "no ECN");
  parts.push("window " + o.window);
  return parts.join(", ");
}
var PHASES = [
  ["name resolution", null, "resolved", "#7f7f7f"],
  ["sockets and firewall", "resolved", "opened", "#bcbd22"],
  ["handshake", "synSent", "connected", "#1f77b4"],
  ["TLS handshake", "connected", "request", "#9467bd"],
  ["waiting for the response", "request", "firstByte", "#ff7f0e"],
  ["response", "firstByte", "lastByte", "#2ca02c"],
  ["teardown", "teardown", "closed", "#d62728"]
];
function timeline(c) {
  // Phases are in microseconds; shown in ms.
  var p = {}, end = 0;
  for (var k in c.phases) p[k] = c.phases[k] == null ? null : c.phases[k] / 1000;
  for (var k2 in p) if (p[k2] != null && p[k2] > end) end = p[k2];
  var bar = el("div", { className: "timeline" });
  var rows = [];
  PHASES.forEach(function (ph) {
    if (ph[0] === "TLS handshake" && !c.secure) return;
    var from = ph[1] === null ? 0 : p[ph[1]], to = p[ph[2]];
    if (from == null || to == null) return;
    rows.push([ph[0], fmtMs(from) + " → " + fmtMs(to) + " (" + fmtMs(to - from) + ")"]);
    if (end <= 0) return;
    var d = el("div", { title: ph[0], text: ph[0] });
    d.style.left = (100 * from / end) + "%";
    d.style.width = (100 * Math.max(0, to - from) / end) + "%";
    d.style.background = ph[3];
    bar.appendChild(d);
  });
  return [bar, table(rows)];
}
function summary(c, d) {
  var t = c.tally, s = d && d.summary, e = s ? s.engine : {}, f = s ? s.frames : {};
  var rows = [];
  if (s) {
    rows.push(["bytes saved", s.bytes, "bytes"]);
    rows.push(["bytes received", s.received, "received"]);
    rows.push(["seconds", s.seconds.toFixed(2), "seconds"]);
    rows.push(["throughput", (s.seconds > 0 ? s.received / s.seconds / 1048576 : 0).toFixed(1) + " MiB/s", "rate"]);
    rows.push(["segments we retransmitted (engine)", e.retransmissions, "retransmissions"]);
    rows.push(["segments out of order (engine)", e.outOfOrderSegments, "outOfOrder"]);
    rows.push(["bad checksums", f.badChecksum, "badChecksums"]);
    rows.push(["SACK blocks sent (engine)", e.sackBlocksSent, "sackBlocksSent"]);
    rows.push(["SRTT / RTO at the end (engine)", fmtMs(e.srttMs) + " / " + fmtMs(e.rtoMs)]);
  }
  rows.push(["segments in / out (wire)", t.segmentsIn + " / " + t.segmentsOut]);
  rows.push(["data segments in", t.dataSegmentsIn, "dataSegmentsIn"]);
  rows.push(["retransmitted by the server", t.retransmittedIn, "retransmittedIn"]);
  rows.push(["loss rate (retransmitted / data segments)", pct(t.retransmittedIn, t.dataSegmentsIn), "lossRate"]);
  rows.push(["out of order (beyond a hole)", t.outOfOrderIn, "outOfOrderIn"]);
  rows.push(["reordered on the path", t.reorderedIn, "reorderedIn"]);
  rows.push(["reordering rate", pct(t.reorderedIn, t.dataSegmentsIn), "reorderRate"]);
  rows.push(["duplicate data segments", t.duplicateIn]);
  rows.push(["ACKs sent / SACK blocks in them", t.acksOut + " / " + t.sackBlocksOut]);
  rows.push(["zero windows we advertised / window updates", t.zeroWindowsOut + " / " + t.windowUpdatesOut]);
  rows.push(["zero windows the server advertised", t.zeroWindowsIn]);
  rows.push(["RTT samples (timestamps)", t.rttSamples]);
  rows.push(["server's SYN-ACK", offerText(c.server)]);
  rows.push(["our SYN", offerText(c.ours)]);
  rows.push(["path MTU / our MSS", (c.mtu == null ? "-" : c.mtu) + " / " + (c.mss == null ? "-" : c.mss)]);
  rows.push(["address family", c.family || "-"]);
  rows.push(["local → remote", (c.local || "-") + " → " + (c.remote || "-")]);
  return table(rows, "data-summary");
}
function samplingNote(c) {
  var s = c.sampling.data, r = c.sampling.repairs, a = c.sampling.acks;
  var text = s.stride === 1 && r.stride === 1 && a.stride === 1 ? "Every segment is drawn." :
    "Sampled beyond a budget of " + R.budget + " rows: " + s.kept + " of " + s.offered +
      " data segments in order or out of order drawn (one in " + s.stride + "), " + r.kept + " of " + r.offered +
      " retransmitted or reordered (one in " + r.stride + "), " + a.kept + " of " + a.offered + " ACKs (one in " +
      a.stride + "). Counters count every segment.";
  return el("p", { className: "note", "data-sampling": String(s.stride), text: text });
}
`;
