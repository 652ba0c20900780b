import assert from "node:assert/strict";
import { finishedBlock, humanSize, humanTime, nonVerboseLine, wgetRate, wgetTime } from "../../src/cli/nv_log.ts";

const at = new Date(2026, 11, 2, 4, 3, 1);

Deno.test("nonVerboseLine() is wget's -nv line, with and without the size", () => {
  assert.equal(
    nonVerboseLine({ at, url: "http://198.18.2.2:8080/b.bin", end: 5000, size: 5000, path: "b.bin", attempt: 1 }),
    '2026-12-02 04:03:01 URL:http://198.18.2.2:8080/b.bin [5000/5000] -> "b.bin" [1]',
  );
  assert.equal(
    nonVerboseLine({ at, url: "http://h/status/204", end: 0, size: null, path: "204", attempt: 2 }),
    '2026-12-02 04:03:01 URL:http://h/status/204 [0] -> "204" [2]',
  );
  assert.equal(wgetTime(new Date(2024, 0, 9, 7, 5, 3)), "2024-01-09 07:05:03");
});

Deno.test("humanSize(), humanTime() and wgetRate() print what wget printed in the same runs", () => {
  // From wget 1.21.3's FINISHED blocks on the testbed: 5000 → 4.9K, 100000 → 98K, 105000 → 103K, 15000 → 15K.
  assert.deepEqual([999, 1024, 5000, 15000, 100000, 105000, 2 ** 20 * 3.5].map(humanSize), [
    "999",
    "1.0K",
    "4.9K",
    "15K",
    "98K",
    "103K",
    "3.5M",
  ]);
  // wget: "0.009s", "0.5s", "3.4s", "0.001s", "0s" and minutes past 59.5 s.
  assert.deepEqual([0.009, 0.5, 3.397, 0.001, 0, 0.0006, 12.4, 59.6, 185, 3725, 90061].map(humanTime), [
    "0.009s",
    "0.5s",
    "3.4s",
    "0.001s",
    "0s",
    "0.001s",
    "12s",
    "1m 0s",
    "3m 5s",
    "1h 2m 5s",
    "1d 1h 1m 1s",
  ]);
  assert.deepEqual([wgetRate(500, 1), wgetRate(105000, 0.01), wgetRate(20 * 2 ** 20, 0.1), wgetRate(1, 0)], [
    "500 B/s",
    "10.0 MB/s",
    "200 MB/s",
    "1.86 GB/s",
  ]);
});

Deno.test("finishedBlock() is wget's summary of a run", () => {
  assert.equal(
    finishedBlock({ at, wallSeconds: 0.5, files: 2, bytes: 5000, seconds: 0.001 }),
    "FINISHED --2026-12-02 04:03:01--\nTotal wall clock time: 0.5s\nDownloaded: 2 files, 4.9K in 0.001s (4.77 MB/s)",
  );
});
