/**
 * The report page's script, second part: the charts of a connection (uPlot), zoom and pan, and the checks the page
 * writes into its own DOM once drawn: `data-pixels` (coloured pixels on each canvas, read back with `getImageData`),
 * `data-pixels-retransmission` and `data-pixels-data` (segments in order or out of order) on the time-sequence
 * graph, and `body[data-report-status]` ("ready" once every chart drew) with `data-render-ms`.
 *
 * The time-sequence graph draws each data segment as a vertical tick from its first to its last byte (tcptrace's
 * convention), coloured by how it arrived; the ACK line and the window's right edge are steps; SACK blocks are short
 * cyan ticks at the time we sent them; zero-window and window-update events are vertical lines.
 *
 * @module
 */

/** The chart code (runs after `PAGE_TABLES` and uPlot). */
export const PAGE_CHARTS = `
var COLORS = { inOrder: [31, 119, 180], ooo: [255, 127, 14], rtx: [214, 39, 40], reord: [148, 103, 189],
  ack: [44, 160, 44], win: [188, 189, 34], sack: [23, 190, 207], zero: [0, 0, 0], update: [140, 86, 75] };
function rgb(c) { return "rgb(" + c.join(",") + ")"; }
var pending = 0, started = performance.now();
function merge(a, b) {
  // Two sorted time columns into one x column; ia[i] / ib[j]: the row of each entry.
  var n = a.length + b.length, x = new Array(n), ia = new Array(a.length), ib = new Array(b.length), i = 0, j = 0;
  for (var r = 0; r < n; r++) {
    if (j >= b.length || (i < a.length && a[i] <= b[j])) { x[r] = a[i] / 1e6; ia[i++] = r; }
    else { x[r] = b[j] / 1e6; ib[j++] = r; }
  }
  return { x: x, ia: ia, ib: ib };
}
function column(n, idx, values, keep) {
  var out = new Array(n).fill(null);
  for (var i = 0; i < idx.length; i++) if (keep == null || keep(i)) out[idx[i]] = values[i];
  return out;
}
function inFlight(m, d, a) {
  // Bytes the server sent beyond our last ACK, at each data segment: the highest byte seen so far minus the ACK line
  // (over the rows kept: with sampling, the highest byte may lag a little).
  var out = new Array(m.x.length).fill(null), isData = new Array(m.x.length).fill(-1), isAck = new Array(m.x.length).fill(-1);
  m.ia.forEach(function (r, i) { isData[r] = i; });
  m.ib.forEach(function (r, i) { isAck[r] = i; });
  var maxEnd = 0, ack = 0;
  for (var r = 0; r < m.x.length; r++) {
    if (isAck[r] >= 0) ack = a.ack[isAck[r]];
    var i = isData[r];
    if (i < 0) continue;
    if (d.seq[i] + d.len[i] > maxEnd) maxEnd = d.seq[i] + d.len[i];
    out[r] = Math.max(0, maxEnd - ack);
  }
  return out;
}
function ticks(lens) {
  // A path builder: a vertical tick from seq to seq + len at each point.
  return function (u, si, i0, i1) {
    var p = new Path2D(), xs = u.data[0], ys = u.data[si], lastX = -1, lastY = -1;
    for (var i = i0; i <= i1; i++) {
      var y = ys[i];
      if (y == null) continue;
      var px = Math.round(u.valToPos(xs[i], "x", true)) + 0.5;
      var y0 = u.valToPos(y, "y", true), y1 = u.valToPos(y + lens[i], "y", true);
      if (px === lastX && Math.abs(y0 - lastY) < 1) continue;
      lastX = px; lastY = y0;
      // At least 5 pixels tall: at full scale a segment is far below one pixel.
      p.moveTo(px, y0 + 2); p.lineTo(px, Math.min(y1, y0 - 3));
    }
    var clip = new Path2D(); clip.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    return { stroke: p, fill: null, clip: clip, band: null, gaps: null, flags: 0 };
  };
}
function seqRange(lens) {
  // The y range of the visible data (segments and ACK line; the window edge may run off the top).
  return function (u, min, max) {
    var xs = u.data[0], x0 = u.scales.x.min, x1 = u.scales.x.max, lo = Infinity, hi = -Infinity;
    for (var i = 0; i < xs.length; i++) {
      if (x0 != null && (xs[i] < x0 || xs[i] > x1)) continue;
      for (var s = 1; s < u.data.length; s++) {
        var v = u.data[s][i];
        if (s === 2 || v == null) continue;
        if (v < lo) lo = v;
        var top = s >= 3 ? v + lens[i] : v;
        if (top > hi) hi = top;
      }
    }
    if (lo === Infinity) return [min, max];
    var pad = (hi - lo) * 0.03 || 1000;
    return [Math.max(0, lo - pad), hi + pad];
  };
}
function near(r, g, b, c) { return Math.abs(r - c[0]) < 40 && Math.abs(g - c[1]) < 40 && Math.abs(b - c[2]) < 40; }
function countPixels(u, holder) {
  // data-pixels: every coloured pixel; -data: those of data segments (in order or out of order); -retransmission.
  var ctx = u.ctx, w = ctx.canvas.width, h = ctx.canvas.height, px = ctx.getImageData(0, 0, w, h).data;
  var any = 0, rtx = 0, data = 0;
  for (var i = 0; i < px.length; i += 4) {
    if (px[i + 3] === 0) continue;
    any++;
    var r = px[i], g = px[i + 1], b = px[i + 2];
    if (near(r, g, b, COLORS.rtx)) rtx++;
    if (near(r, g, b, COLORS.inOrder) || near(r, g, b, COLORS.ooo)) data++;
  }
  holder.setAttribute("data-pixels", String(any));
  holder.setAttribute("data-pixels-retransmission", String(rtx));
  holder.setAttribute("data-pixels-data", String(data));
}
function chartDone() {
  if (--pending !== 0) return;
  document.body.setAttribute("data-render-ms", String(Math.round(performance.now() - started)));
  if (location.hash === "#measure") measureZoom();
  else document.body.setAttribute("data-report-status", "ready");
}
function measureZoom() {
  // With #measure in the address: the slowest of a few zooms of the first time-sequence graph, from setScale to the
  // end of its redraw, in ms (how responsive the page stays with this many points); "ready" comes after them.
  var u = (groups.c1 || [])[0], worst = 0, i = 0;
  var lo = u ? u.scales.x.min : 0, hi = u ? u.scales.x.max : 0, w = hi - lo;
  var steps = [[lo, lo + w / 2], [lo + w / 4, lo + w / 2], [lo + w * 0.4, lo + w * 0.41], [lo, hi]];
  function next() {
    if (!u || i === steps.length) {
      document.body.setAttribute("data-zoom-ms", String(Math.round(worst)));
      document.body.setAttribute("data-report-status", "ready");
      return;
    }
    var r = steps[i++], t = performance.now();
    u._afterDraw = function () { u._afterDraw = null; worst = Math.max(worst, performance.now() - t); setTimeout(next, 0); };
    u.setScale("x", { min: r[0], max: r[1] });
  }
  next();
}
var groups = {};
function zoomPan(u, group, both) {
  // Wheel: zoom around the cursor (x, and y on the time-sequence graph); shift + drag: pan; double click: reset.
  var over = u.over;
  over.addEventListener("wheel", function (e) {
    e.preventDefault();
    var f = e.deltaY < 0 ? 0.75 : 1 / 0.75, r = over.getBoundingClientRect();
    var axes = both ? ["x", "y"] : ["x"];
    axes.forEach(function (k) {
      var s = u.scales[k], at = k === "x" ? u.posToVal(e.clientX - r.left, "x") : u.posToVal(e.clientY - r.top, "y");
      u.setScale(k, { min: at - (at - s.min) * f, max: at + (s.max - at) * f });
    });
  }, { passive: false });
  u.root.addEventListener("mousedown", function (e) {
    if (!e.shiftKey) return;
    e.stopPropagation(); e.preventDefault();
    var x0 = e.clientX, y0 = e.clientY, sx = { min: u.scales.x.min, max: u.scales.x.max },
      sy = { min: u.scales.y.min, max: u.scales.y.max };
    function move(m) {
      var dx = (m.clientX - x0) / u.over.clientWidth * (sx.max - sx.min);
      u.setScale("x", { min: sx.min - dx, max: sx.max - dx });
      if (both) {
        var dy = (m.clientY - y0) / u.over.clientHeight * (sy.max - sy.min);
        u.setScale("y", { min: sy.min + dy, max: sy.max + dy });
      }
    }
    function up() { window.removeEventListener("mousemove", move); window.removeEventListener("mouseup", up); }
    window.addEventListener("mousemove", move); window.addEventListener("mouseup", up);
  }, true);
  (groups[group] = groups[group] || []).push(u);
}
function syncX(group) {
  return function (u, key) {
    if (key !== "x" || u._syncing) return;
    (groups[group] || []).forEach(function (o) {
      if (o === u || o._syncing) return;
      o._syncing = true; o.setScale("x", { min: u.scales.x.min, max: u.scales.x.max }); o._syncing = false;
    });
  };
}
function makeChart(holder, title, opts, data, extraDraw, both, group) {
  pending++;
  var first = true;
  opts.title = title;
  // Room for a scrollbar that appears only once the page is long: measured now, the width would not have it.
  var avail = Math.min(1150, document.getElementById("report").clientWidth - 20);
  opts.width = Math.max(300, Math.floor(opts.half ? (avail - 12) / 2 : avail));
  opts.height = opts.height || 220;
  opts.cursor = { drag: { x: true, y: !!both, uni: 20 }, sync: { key: group } };
  opts.hooks = {
    draw: [function (u) {
      if (extraDraw) extraDraw(u);
      if (first) { first = false; countPixels(u, holder); chartDone(); }
      else if (u._afterDraw) u._afterDraw();
    }],
    setScale: [syncX(group)]
  };
  var u = new uPlot(opts, data, holder);
  zoomPan(u, group, both);
  return u;
}
function drawMarks(u, rows, colorOf, fromOf, toOf) {
  var ctx = u.ctx;
  ctx.save();
  ctx.beginPath(); ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height); ctx.clip();
  rows.forEach(function (r) {
    ctx.strokeStyle = colorOf(r); ctx.lineWidth = 1;
    var x = Math.round(u.valToPos(r.t / 1e6, "x", true)) + 0.5;
    var y0 = fromOf(r), y1 = toOf(r);
    var p0 = y0 == null ? u.bbox.top + u.bbox.height : u.valToPos(y0, "y", true);
    var p1 = y1 == null ? u.bbox.top : Math.min(u.valToPos(y1, "y", true), p0 - 4);
    ctx.beginPath(); ctx.moveTo(x, p0); ctx.lineTo(x, p1); ctx.stroke();
  });
  ctx.restore();
}
function charts(c, holder) {
  var group = "c" + c.index, d = c.data, a = c.acks;
  var m = merge(d.t, a.t), n = m.x.length;
  var lens = column(n, m.ia, d.len);
  function kind(k) { return column(n, m.ia, d.seq, function (i) { return d.kind[i] === k; }); }
  // Lines first, segments last: a segment is drawn over the ACK line that covers it.
  var seqData = [m.x, column(n, m.ib, a.ack), column(n, m.ib, a.windowEdge), kind(0), kind(1), kind(2), kind(3)];
  var tick = ticks(lens);
  function seg(label, color) { return { label: label, stroke: rgb(color), width: 2, paths: tick, points: { show: false } }; }
  function step(label, color) {
    return { label: label, stroke: rgb(color), width: 1.5, spanGaps: true, paths: uPlot.paths.stepped({ align: 1 }),
      points: { show: false } };
  }
  var sacks = c.sack.t.map(function (t, i) { return { t: t, l: c.sack.left[i], r: c.sack.right[i] }; });
  var events = c.events.t.map(function (t, i) { return { t: t, k: c.events.kind[i] }; })
    .filter(function (e) { return e.k === "zero-window" || e.k === "window-update" || e.k === "peer-zero-window"; });
  var tsHolder = el("div", { className: "chart", "data-chart": "time-sequence" });
  holder.appendChild(tsHolder);
  holder.appendChild(el("div", { className: "key" }, [["in order", COLORS.inOrder], ["out of order", COLORS.ooo],
    ["retransmitted", COLORS.rtx], ["reordered", COLORS.reord], ["our ACK", COLORS.ack], ["window edge", COLORS.win],
    ["SACK block", COLORS.sack], ["zero window", COLORS.zero], ["window update", COLORS.update]].map(function (k) {
      var i = el("i"); i.style.background = rgb(k[1]); return el("span", null, [i, k[0]]);
    })));
  holder.appendChild(el("p", { className: "note", text: "Drag to zoom (both axes), wheel to zoom, shift + drag to pan, double click to reset." }));
  makeChart(tsHolder, "Time-sequence graph (bytes of the server's stream)", {
    height: 420,
    scales: { x: { time: false }, y: { range: seqRange(lens) } },
    axes: [{ label: "s" }, { label: "byte offset", size: 80, values: function (u, v) { return v.map(fmtBytes); } }],
    series: [{ label: "s" }, step("our ACK", COLORS.ack), step("window edge", COLORS.win), seg("in order", COLORS.inOrder),
      seg("out of order", COLORS.ooo), seg("retransmitted", COLORS.rtx), seg("reordered", COLORS.reord)]
  }, seqData, function (u) {
    drawMarks(u, sacks, function () { return "rgba(" + COLORS.sack.join(",") + ",0.6)"; }, function (r) { return r.l; }, function (r) { return r.r; });
    drawMarks(u, events, function (r) { return rgb(r.k === "window-update" ? COLORS.update : COLORS.zero); },
      function () { return null; }, function () { return null; });
  }, true, group);
  var row = el("div", { className: "charts-row" });
  holder.appendChild(row);
  // Throughput: what our ACK line advanced per bin (100 bins, none shorter than 10 ms: shorter is mostly noise).
  var t0 = a.t.length ? a.t[0] : 0, t1 = a.t.length ? a.t[a.t.length - 1] : 1;
  var width = Math.max((t1 - t0) / 100, 10000), bins = Math.max(1, Math.ceil((t1 - t0) / width)), bx = [], by = [];
  for (var b = 0; b < bins; b++) { bx.push((t0 + (b + 0.5) * width) / 1e6); by.push(0); }
  for (var i = 1; i < a.t.length; i++) {
    var bin = Math.min(bins - 1, Math.floor((a.t[i] - t0) / width));
    by[bin] += (a.ack[i] - a.ack[i - 1]) / (width / 1e6) / 1048576;
  }
  var thr = el("div", { className: "chart", "data-chart": "throughput" });
  row.appendChild(thr);
  makeChart(thr, "Throughput (MiB/s, from our ACKs)", { half: true, scales: { x: { time: false } },
    axes: [{ label: "s" }, { label: "MiB/s" }],
    series: [{ label: "s" }, { label: "MiB/s", stroke: rgb(COLORS.inOrder), fill: "rgba(31,119,180,0.15)", width: 1.5,
      points: { show: false } }]
  }, [bx, by], null, false, group);
  var rm = merge(c.rtt.t, a.t), rn = rm.x.length;
  var rtt = el("div", { className: "chart", "data-chart": "rtt" });
  row.appendChild(rtt);
  makeChart(rtt, "RTT (ms): samples from timestamps, SRTT and RTO of the engine", { half: true,
    // RTO on a scale of its own (right): its 200 ms floor would flatten RTTs of a few milliseconds.
    scales: { x: { time: false }, rto: { auto: true } },
    axes: [{ label: "s" }, { label: "RTT, SRTT ms" }, { label: "RTO ms", scale: "rto", side: 1, grid: { show: false } }],
    series: [{ label: "s" }, { label: "RTT sample", stroke: rgb(COLORS.rtx), paths: function () { return null; },
      points: { show: true, size: 5, fill: rgb(COLORS.rtx) } },
      { label: "SRTT", stroke: rgb(COLORS.ack), spanGaps: true, width: 1.5, dash: [6, 4] },
      { label: "RTO", stroke: rgb(COLORS.win), spanGaps: true, width: 1, scale: "rto" }]
  }, [rm.x, column(rn, rm.ia, c.rtt.ms), column(rn, rm.ib, a.srttMs), column(rn, rm.ib, a.rtoMs)], null, false, group);
  var buf = el("div", { className: "chart", "data-chart": "in-flight" });
  holder.appendChild(buf);
  makeChart(buf, "Bytes in flight (beyond our last ACK) and the receive buffer's fill", {
    scales: { x: { time: false } },
    axes: [{ label: "s" }, { label: "bytes", size: 80, values: function (u, v) { return v.map(fmtBytes); } }],
    series: [{ label: "s" }, { label: "in flight", stroke: rgb(COLORS.ooo), spanGaps: true, width: 1 },
      { label: "receive buffer", stroke: rgb(COLORS.reord), spanGaps: true, width: 1.5 }]
  }, [m.x, inFlight(m, d, a), column(n, m.ib, a.receiveBufferFill)], null, false, group);
}
function render() {
  var main = document.getElementById("report");
  if (location.hash === "#figure") document.body.classList.add("figure");
  R.downloads.forEach(function (d, di) {
    var sec = el("section", { "data-download": String(di + 1) });
    main.appendChild(sec);
    sec.appendChild(el("h2", { text: d.url }));
    if (d.summary) sec.appendChild(el("p", { className: "sentence", "data-sentence": "", text: d.summary.sentence }));
    d.connections.forEach(function (ci, k) {
      var c = R.connections[ci - 1], last = k === d.connections.length - 1;
      var cs = el("section", { "data-connection": String(c.index) });
      sec.appendChild(cs);
      cs.appendChild(el("h3", { text: "Connection " + c.index + ": " + c.url + " (" + (c.remote || "?") + ")" }));
      cs.appendChild(el("h3", { text: "Timeline" }));
      timeline(c).forEach(function (e) { cs.appendChild(e); });
      if (c.head) cs.appendChild(el("pre", { "data-head": "", text: c.head.join("\\n") }));
      cs.appendChild(el("h3", { text: "Summary" }));
      cs.appendChild(summary(c, last ? d : null));
      cs.appendChild(samplingNote(c));
      charts(c, cs);
    });
  });
  if (pending === 0) { pending = 1; chartDone(); }
}
render();
`;
