import assert from "node:assert/strict";
import {
  formatEta,
  formatProgress,
  formatRate,
  formatSize,
  formatSummary,
  ProgressBar,
  REDRAW_INTERVAL_MS,
} from "../../src/cli/progress.ts";

Deno.test("formatSize() writes bytes as wget does, in powers of 1024", () => {
  assert.equal(formatSize(999), "999");
  assert.equal(formatSize(1536), "1.50K");
  assert.equal(formatSize(45 * 1024 * 1024), "45.00M");
  assert.equal(formatSize(2.5 * 2 ** 30), "2.50G");
  assert.equal(formatRate(1.5 * 2 ** 20), "1.50MB/s");
  assert.equal(formatRate(0), "0B/s");
});

Deno.test("formatEta() writes seconds, minutes and hours", () => {
  assert.equal(formatEta(0.2), "1s");
  assert.equal(formatEta(42), "42s");
  assert.equal(formatEta(185), "3m 5s");
  assert.equal(formatEta(7800), "2h 10m");
});

Deno.test("formatProgress() shows name, percent, bar, size, rate and ETA in width - 1 columns", () => {
  const line = formatProgress({
    name: "big.bin",
    bytes: 512 * 1024,
    total: 1024 * 1024,
    rate: 256 * 1024,
    elapsedMs: 2000,
    width: 80,
  });
  assert.equal(line.length, 79);
  assert.match(line, /^big\.bin +50%\[=+> +\] +512\.00K +256\.00KB\/s +eta 2s +$/);
  const done = formatProgress({ name: "big.bin", bytes: 1024, total: 1024, rate: 1024, elapsedMs: 1000, width: 80 });
  assert.match(done, /100%\[=+\]/);
  assert.doesNotMatch(done, /eta/);
});

Deno.test("formatProgress() moves a <=> back and forth when the total is unknown", () => {
  const at = (ms: number) => formatProgress({ name: "s", bytes: 100, total: null, rate: 0, elapsedMs: ms, width: 80 });
  assert.match(at(0), /^s +\[<=> +\]/);
  assert.notEqual(at(0), at(500));
  assert.doesNotMatch(at(500), /%|eta/);
  assert.equal(at(500).length, 79);
});

Deno.test("formatProgress() cuts a long name and never exceeds a narrow terminal", () => {
  const line = formatProgress({ name: "x".repeat(200), bytes: 1, total: 2, rate: 1, elapsedMs: 1, width: 20 });
  assert.equal(line.length, 39); // 40 columns at least
  assert.match(line, /x…/);
});

Deno.test("formatSummary() names the file, size, time, rate and the engine's counters", () => {
  const s = formatSummary({
    path: "a.bin",
    bytes: 2097152,
    received: 1048576,
    seconds: 0.5,
    retransmissions: 3,
    outOfOrder: 2,
    badChecksums: 0,
  });
  assert.equal(
    s,
    "Saved 'a.bin' (2097152 bytes, 1048576 received) in 0.50 s, 2.0 MiB/s; 3 retransmitted, 2 out of order, 0 bad checksums",
  );
  assert.match(
    formatSummary({ path: "-", bytes: 0, received: 0, seconds: 0, retransmissions: 0, outOfOrder: 0, badChecksums: 0 }),
    /^Saved standard output \(0 bytes\)/,
  );
});

Deno.test("ProgressBar redraws at most every 100 ms, always at 100 %, and clears its line", () => {
  let now = 0;
  const out: string[] = [];
  const bar = new ProgressBar((t) => out.push(t), 60, () => now);
  bar.start("dir/f.bin", 0);
  bar.update(10, 100);
  now += REDRAW_INTERVAL_MS / 2;
  bar.update(20, 100); // too soon: skipped
  now += REDRAW_INTERVAL_MS;
  bar.update(30, 100);
  now += 1;
  bar.update(100, 100); // complete: drawn at once
  assert.equal(out.length, 3);
  assert.ok(out.every((t) => t.startsWith("\rf.bin")));
  assert.match(out[2], /100%/);
  bar.clear();
  assert.equal(out[3], `\r${" ".repeat(59)}\r`);
  bar.clear(); // nothing drawn since: nothing to clear
  assert.equal(out.length, 4);
});

Deno.test("formatProgress() drops the ETA, then the rate, on a narrow terminal", () => {
  const line = (width: number) =>
    formatProgress({ name: "f.bin", bytes: 500, total: 1000, rate: 100, elapsedMs: 1000, width });
  assert.match(line(80), /eta 5s/);
  assert.doesNotMatch(line(55), /eta/);
  assert.match(line(55), /B\/s/);
  assert.doesNotMatch(line(40), /B\/s/);
  assert.match(line(40), /^f\.bin +50%\[=+> *\] +500 *$/);
});

Deno.test("formatProgress() shows the connections a file comes over when there are several", () => {
  const p = { name: "big.iso", bytes: 512, total: 1024, rate: 1024, elapsedMs: 500, width: 80 };
  assert.match(formatProgress({ ...p, connections: 4 }), /^big\.iso ×4\s+50%\[/);
  assert.doesNotMatch(formatProgress({ ...p, connections: 1 }), /×/);
  assert.equal(formatProgress({ ...p, connections: 4 }).length, formatProgress(p).length);
});

Deno.test("formatSummary() says how many connections a file came over when there were several", () => {
  const s = { path: "a.bin", bytes: 1048576, received: 1048576, seconds: 0.5, retransmissions: 3, outOfOrder: 2 };
  assert.equal(
    formatSummary({ ...s, badChecksums: 0, connections: 4 }),
    "Saved 'a.bin' (1048576 bytes) in 0.50 s, 2.0 MiB/s; 3 retransmitted, 2 out of order, 0 bad checksums; over 4 " +
      "connections",
  );
  assert.doesNotMatch(formatSummary({ ...s, badChecksums: 0, connections: 1 }), /connections/);
});

Deno.test("formatProgress() of a crawl puts files done/known and the bytes so far before the name", () => {
  const crawl = { done: 12, known: 340, bytes: 1024 * 1024 };
  const line = formatProgress({
    name: "index.html",
    bytes: 1024,
    total: 2048,
    rate: 0,
    elapsedMs: 0,
    width: 100,
    crawl,
  });
  assert.ok(line.startsWith("[12/340 1.00M] "), line);
  assert.equal(line.length, 99);
  // A narrow terminal keeps the count and cuts the name.
  const narrow = formatProgress({
    name: "a-long-page-name.html",
    bytes: 0,
    total: null,
    rate: 0,
    elapsedMs: 0,
    width: 40,
    crawl,
  });
  assert.ok(narrow.startsWith("[12/340 1.00M] "), narrow);
  assert.equal(narrow.length, 39);
});
