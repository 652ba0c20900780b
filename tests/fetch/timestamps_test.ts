/**
 * Timestamping decisions (`-N`) and the server's time, as pure functions of a response head and the local file; the
 * hop's request fields and verdicts built from them. The cases are the ones GNU wget 1.21 was run against.
 *
 * @module
 */

import assert from "node:assert/strict";
import { HopTimestamps, judgeTimestamp, type LocalFile, serverTime, type StampedHead } from "../../src/fetch/mod.ts";
import { HttpHeaders } from "../../src/http/mod.ts";
import { withTempDir } from "../_support/files.ts";

const SERVER_TIME = 1577934245; // Thu, 02 Jan 2020 03:04:05 GMT
const LAST_MODIFIED = "Thu, 02 Jan 2020 03:04:05 GMT";

function head(status: number, fields: Record<string, string> = {}, contentLength: number | null = 5000): StampedHead {
  return {
    status,
    headers: new HttpHeaders(Object.entries(fields).map(([name, value]) => ({ name, value }))),
    contentLength,
  };
}

const local = (size: number, mtime: number): LocalFile => ({ path: "a.bin", size, mtime });
const dated = { "Last-Modified": LAST_MODIFIED };

Deno.test("judgeTimestamp() keeps the local file on a 304 to If-Modified-Since", () => {
  assert.deepEqual(judgeTimestamp(head(304, dated, null), local(5000, SERVER_TIME), "if-modified-since"), {
    fetch: false,
    note: "File 'a.bin' not modified on server; omitting download",
  });
  // The size is not compared: the server said the file did not change.
  assert.equal(judgeTimestamp(head(304, {}, null), local(1, SERVER_TIME), "if-modified-since").fetch, false);
});

Deno.test("judgeTimestamp() keeps the local file when a 200 ignored If-Modified-Since for the same file", () => {
  const verdict = judgeTimestamp(head(200, dated), local(5000, SERVER_TIME + 10), "if-modified-since");
  assert.equal(verdict.fetch, false);
  assert.match(verdict.note!, /^Server ignored If-Modified-Since header for file 'a\.bin'; not retrieving/);
  // Same time, no length: nothing says it differs.
  assert.equal(judgeTimestamp(head(200, dated, null), local(7, SERVER_TIME), "if-modified-since").fetch, false);
});

Deno.test("judgeTimestamp() fetches on a 200 that is newer, of another size, undated, or not a plain 200", () => {
  const ims = (h: StampedHead, l: LocalFile) => judgeTimestamp(h, l, "if-modified-since");
  assert.deepEqual(ims(head(200, dated), local(5000, SERVER_TIME - 1)), { fetch: true, note: null });
  assert.deepEqual(ims(head(200, dated), local(100, SERVER_TIME + 10)), { fetch: true, note: null });
  assert.deepEqual(ims(head(200), local(5000, SERVER_TIME)), { fetch: true, note: null });
  assert.deepEqual(ims(head(200, { "Last-Modified": "soon" }), local(5000, SERVER_TIME)), { fetch: true, note: null });
  assert.deepEqual(ims(head(206, dated), local(5000, SERVER_TIME)), { fetch: true, note: null });
});

Deno.test("judgeTimestamp() after a HEAD: no newer and same size keeps, else fetches and says why", () => {
  const after = (h: StampedHead, l: LocalFile) => judgeTimestamp(h, l, "head");
  assert.deepEqual(after(head(200, dated), local(5000, SERVER_TIME)), {
    fetch: false,
    note: "Server file no newer than local file 'a.bin'; not retrieving",
  });
  assert.equal(after(head(200, dated, null), local(3, SERVER_TIME + 5)).fetch, false);
  assert.deepEqual(after(head(200, dated), local(100, SERVER_TIME + 5)), {
    fetch: true,
    note: "The sizes do not match (local 100); retrieving",
  });
  assert.deepEqual(after(head(200, dated), local(5000, SERVER_TIME - 1)), {
    fetch: true,
    note: "Remote file is newer; retrieving",
  });
  assert.deepEqual(after(head(200), local(5000, SERVER_TIME)), { fetch: true, note: null });
});

Deno.test("serverTime() reads Last-Modified; a missing one is news only with -N, an invalid one always", () => {
  assert.deepEqual(serverTime(head(200, dated), true), { time: SERVER_TIME, note: null });
  assert.deepEqual(serverTime(head(200), false), { time: null, note: null });
  assert.deepEqual(serverTime(head(200), true), {
    time: null,
    note: "Last-modified header missing; time-stamps turned off",
  });
  assert.deepEqual(serverTime(head(200, { "Last-Modified": "0" }), false), {
    time: null,
    note: "Last-modified header invalid; time-stamp ignored",
  });
});

Deno.test("HopTimestamps: -N sends If-Modified-Since with the local file's time, HEAD first without it", async () => {
  await withTempDir("rhg-stamps-", async (dir) => {
    const path = `${dir}/a.bin`;
    await Deno.writeFile(path, new Uint8Array(5000));
    await Deno.utime(path, SERVER_TIME, SERVER_TIME);
    const ims = new HopTimestamps({ timestamping: true }, path, false);
    assert.equal(ims.method, "GET");
    assert.deepEqual(ims.local, { path, size: 5000, mtime: SERVER_TIME });
    assert.deepEqual(ims.requestFields(), [["If-Modified-Since", LAST_MODIFIED]]);
    assert.equal(ims.beforePolicy(head(304, dated, null))?.fetch, false);
    assert.equal(ims.beforePolicy(head(404)), null);

    const headFirst = new HopTimestamps({ timestamping: true, ifModifiedSince: false }, path, false);
    assert.equal(headFirst.method, "HEAD");
    assert.deepEqual(headFirst.requestFields(), []);
    assert.equal(headFirst.beforePolicy(head(304, dated, null)), null); // no condition asked: the head policy judges
    assert.equal(headFirst.onSuccess(head(200, dated)).fetch, false);
    const get = new HopTimestamps({ timestamping: true, ifModifiedSince: false }, path, true);
    assert.equal(get.method, "GET");
    assert.equal(get.onSuccess(head(200, dated)).fetch, true);
    assert.equal(get.dateNote(head(200)), null); // said once, after the HEAD
  });
});

Deno.test("HopTimestamps: without a local file, or with -O, -N asks nothing; the mtime follows the option", async () => {
  await withTempDir("rhg-stamps-", (dir) => {
    const none = new HopTimestamps({ timestamping: true, ifModifiedSince: false }, `${dir}/missing.bin`, false);
    assert.equal(none.method, "GET");
    assert.equal(none.local, null);
    assert.deepEqual(none.requestFields(), []);
    assert.equal(none.dateNote(head(200)), "Last-modified header missing; time-stamps turned off");
    const output = new HopTimestamps({ timestamping: true }, null, false);
    assert.equal(output.timestamping, false);
    assert.equal(output.dateNote(head(200)), null);
    assert.equal(output.mtime(head(200, dated)), SERVER_TIME);
    assert.equal(new HopTimestamps({ useServerTimestamps: false }, null, false).mtime(head(200, dated)), null);
  });
});
