/**
 * When a file is split over several connections, and what the response to one part means (parallel_policy.ts).
 *
 * @module
 */

import assert from "node:assert/strict";
import { FileChangedError, RangeMismatchError, ServerStatusError } from "../../src/fetch/mod.ts";
import { ifRangeOf, judgeParallel, judgePart, MIN_PART } from "../../src/fetch/parallel_policy.ts";
import type { HeadEvent } from "../../src/http/response_parser.ts";
import { head } from "./_heads.ts";

const MIB = 1024 * 1024;

const RANGES = { "Accept-Ranges": "bytes", ETag: '"5f-1a"', "Last-Modified": "Tue, 01 Dec 2026 10:00:00 GMT" };
const VERSION = { size: 10 * MIB, etag: '"5f-1a"', lastModified: "Tue, 01 Dec 2026 10:00:00 GMT" };

Deno.test("judgeParallel() splits a 200 with Accept-Ranges, a length and a version; a 206 with its complete length", () => {
  assert.deepEqual(judgeParallel(head(200, RANGES, 10 * MIB)), { kind: "parallel", version: VERSION });
  const resumed = head(206, { ...RANGES, "Content-Range": `bytes ${MIB}-${10 * MIB - 1}/${10 * MIB}` }, 9 * MIB);
  assert.deepEqual(judgeParallel(resumed), { kind: "parallel", version: VERSION });
  // Accept-Ranges may list other units beside bytes (RFC 9110 §14.3).
  assert.equal(judgeParallel(head(200, { ...RANGES, "Accept-Ranges": "none, Bytes" }, 10 * MIB)).kind, "parallel");
});

Deno.test("judgeParallel() keeps one connection, and says why, when a part could not be checked or is not worth it", () => {
  const cases: Array<[HeadEvent, RegExp]> = [
    [head(200, { ETag: '"a"' }, 10 * MIB), /does not say it serves byte ranges/],
    [head(200, { ...RANGES, "Accept-Ranges": "none" }, 10 * MIB), /does not say it serves byte ranges/],
    [head(200, RANGES, null), /does not say how long the file is/],
    [head(200, { ...RANGES, "Content-Encoding": "gzip" }, 10 * MIB), /gzip-coded/],
    [head(200, { "Accept-Ranges": "bytes", ETag: 'W/"weak"' }, 10 * MIB), /names no version/],
    [head(200, RANGES, 2 * MIN_PART - 1), /smaller than two parts/],
    [head(206, { ...RANGES, "Content-Range": "bytes 0-9/*" }, 10), /does not say how long/],
    [head(203, RANGES, 10 * MIB), /the response is a 203/],
  ];
  for (const [h, why] of cases) {
    const verdict = judgeParallel(h);
    assert.equal(verdict.kind, "single");
    assert.match((verdict as { reason: string }).reason, why);
  }
});

Deno.test("ifRangeOf() sends the strong ETag, else the date; a weak ETag is left out of the version", () => {
  assert.equal(ifRangeOf(VERSION), '"5f-1a"');
  assert.equal(ifRangeOf({ ...VERSION, etag: null }), VERSION.lastModified);
  const weak = judgeParallel(head(200, { ...RANGES, ETag: 'W/"x"' }, 10 * MIB));
  assert.deepEqual(weak, { kind: "parallel", version: { ...VERSION, etag: null } });
});

Deno.test("judgePart() takes a 206 of the range asked, of the same file", () => {
  const h = head(206, { ETag: '"5f-1a"', "Content-Range": `bytes ${MIB}-${2 * MIB - 1}/${10 * MIB}` }, MIB);
  assert.equal(judgePart(h, MIB, 2 * MIB - 1, VERSION), 0);
  // A shorter range than asked is a part too: the worker asks again for the rest.
  const shorter = head(206, { "Content-Range": `bytes ${MIB}-${MIB + 99}/${10 * MIB}` }, 100);
  assert.equal(judgePart(shorter, MIB, 2 * MIB - 1, VERSION), 0);
});

Deno.test("judgePart() refuses what would mix two versions or two places of the file", () => {
  const range = (r: string, etag = '"5f-1a"') => head(206, { ETag: etag, "Content-Range": r }, MIB);
  assert.throws(
    () => judgePart(range(`bytes 0-${MIB - 1}/${10 * MIB}`), MIB, 2 * MIB - 1, VERSION),
    RangeMismatchError,
  );
  assert.throws(
    () => judgePart(range(`bytes ${MIB}-${3 * MIB}/${10 * MIB}`), MIB, 2 * MIB - 1, VERSION),
    RangeMismatchError,
  );
  assert.throws(
    () => judgePart(range(`bytes ${MIB}-${2 * MIB - 1}/${11 * MIB}`), MIB, 2 * MIB - 1, VERSION),
    FileChangedError,
  );
  assert.throws(
    () => judgePart(range(`bytes ${MIB}-${2 * MIB - 1}/${10 * MIB}`, '"new"'), MIB, 2 * MIB - 1, VERSION),
    FileChangedError,
  );
  // If-Range failed: the whole file of another version.
  assert.throws(() => judgePart(head(200, { ETag: '"new"' }, 10 * MIB), MIB, 2 * MIB - 1, VERSION), FileChangedError);
  assert.throws(() => judgePart(head(200, { ETag: '"5f-1a"' }, 11 * MIB), MIB, 2 * MIB - 1, VERSION), FileChangedError);
  assert.throws(() => judgePart(head(416, {}, 0), MIB, 2 * MIB - 1, VERSION), FileChangedError);
  assert.throws(() => judgePart(head(503, {}, 0), MIB, 2 * MIB - 1, VERSION), ServerStatusError);
});

Deno.test("judgePart() reads a 200 of the same version from a server that ignored the range: its first bytes are dropped", () => {
  assert.equal(judgePart(head(200, { ETag: '"5f-1a"' }, 10 * MIB), 3 * MIB, 4 * MIB - 1, VERSION), 3 * MIB);
  const byDate = { ...VERSION, etag: null };
  const h = head(200, { "Last-Modified": VERSION.lastModified }, 10 * MIB);
  assert.equal(judgePart(h, 3 * MIB, 4 * MIB - 1, byDate), 3 * MIB);
});
