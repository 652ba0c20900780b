/**
 * The part map: its text round-trips, every kind of damage is rejected with one sentence that names the file and the
 * fault, and a write is atomic (no `.tmp` left behind).
 */

import assert from "node:assert/strict";
import {
  formatPartMap,
  parsePartMap,
  type PartMap,
  PartMapError,
  partMapPath,
  readPartMap,
  removePartMap,
  writePartMap,
} from "../../src/save/mod.ts";
import { fileInfo } from "../../ffi/mod.ts";
import { withTempDir } from "../_support/files.ts";

const MAP: PartMap = {
  size: 734003200,
  etag: '"5f3a-2bc00000"',
  lastModified: "Tue, 01 Jul 2025 10:00:00 GMT",
  url: "http://example.com/big.iso",
  have: [{ start: 0, end: 183500800 }, { start: 367001600, end: 400000000 }],
};

Deno.test("partMapPath() puts the map beside the part file", () => {
  assert.equal(partMapPath("d/big.iso.part"), "d/big.iso.part.map");
});

Deno.test("formatPartMap() writes readable versioned JSON that parsePartMap() reads back", () => {
  const text = formatPartMap(MAP);
  assert.match(text, /^\{\n {2}"version": 1,\n/);
  assert.match(text, /\n {4}\[0, 183500800\],\n {4}\[367001600, 400000000\]\n/);
  assert.deepEqual(parsePartMap(text), MAP);
  const bare = { ...MAP, etag: null, lastModified: null, have: [] };
  assert.deepEqual(parsePartMap(formatPartMap(bare)), bare);
});

/** The map's JSON with `change` applied to its fields. */
function edited(change: (o: Record<string, unknown>) => void): string {
  const o = JSON.parse(formatPartMap(MAP));
  change(o);
  return JSON.stringify(o);
}

const BAD: Array<[string, string, RegExp]> = [
  ["not JSON", "{version: 1", /it is not JSON$/],
  ["a list", "[1, 2]", /it is not a JSON object$/],
  ["another version", edited((o) => o.version = 2), /version 2 is not 1$/],
  ["no version", edited((o) => delete o.version), /version undefined is not 1$/],
  ["an unknown field", edited((o) => o.chunks = []), /field "chunks" is unknown$/],
  ["an empty url", edited((o) => o.url = ""), /url "" is not a URL$/],
  ["a negative size", edited((o) => o.size = -1), /size -1 is not a byte count$/],
  ["a fractional size", edited((o) => o.size = 1.5), /size 1.5 is not a byte count$/],
  ["a numeric etag", edited((o) => o.etag = 5), /etag 5 is not a string$/],
  ["have as an object", edited((o) => o.have = {}), /have \{\} is not a list of ranges$/],
  ["a range of three", edited((o) => o.have = [[0, 1, 2]]), /range \[0,1,2\] is not a pair of byte offsets$/],
  ["a negative start", edited((o) => o.have = [[-5, 1]]), /range \[-5,1\] is not a pair of byte offsets$/],
  ["a fractional end", edited((o) => o.have = [[0, 1.5]]), /range \[0,1.5\] is not a pair of byte offsets$/],
  ["a string offset", edited((o) => o.have = [["0", 1]]), /range \["0",1\] is not a pair of byte offsets$/],
  ["an empty range", edited((o) => o.have = [[7, 7]]), /range \[7,7\] is empty$/],
  ["a range past the size", edited((o) => o.have = [[0, 734003201]]), /ends past the size 734003200$/],
  ["overlapping ranges", edited((o) => o.have = [[0, 10], [5, 20]]), /range \[5,20\] overlaps or precedes \[0,10\]$/],
  ["unsorted ranges", edited((o) => o.have = [[50, 60], [0, 10]]), /range \[0,10\] overlaps or precedes \[50,60\]$/],
];

for (const [what, text, reason] of BAD) {
  Deno.test(`parsePartMap() rejects ${what} with one sentence`, () => {
    let message = "";
    try {
      parsePartMap(text, 'the part map "x.part.map"');
    } catch (e) {
      assert.ok(e instanceof PartMapError);
      message = e.message;
    }
    assert.match(message, /^Cannot use the part map "x\.part\.map": /);
    assert.match(message, reason);
    assert.ok(!message.includes("\n"), "one line");
  });
}

Deno.test("writePartMap() and readPartMap() round-trip atomically; removePartMap() removes", async () => {
  await withTempDir("rhg-part-map-", (dir) => {
    const path = partMapPath(`${dir}/big.iso.part`);
    assert.equal(readPartMap(path), null, "no map yet");
    writePartMap(path, MAP);
    assert.equal(fileInfo(`${path}.tmp`), null, "the temporary file was renamed");
    assert.deepEqual(readPartMap(path), MAP);
    const more = { ...MAP, have: [{ start: 0, end: MAP.size }] };
    writePartMap(path, more);
    assert.deepEqual(readPartMap(path), more, "a second write replaces the first");
    removePartMap(path);
    assert.equal(fileInfo(path), null);
    removePartMap(path); // absent: fine
  });
});

Deno.test("readPartMap() names the file of a damaged or unreadable map", async () => {
  await withTempDir("rhg-part-map-", async (dir) => {
    const path = `${dir}/a.part.map`;
    await Deno.writeTextFile(path, "{");
    assert.throws(() => readPartMap(path), new PartMapError(`Cannot use the part map "${path}": it is not JSON`));
    await Deno.writeFile(path, new Uint8Array([0xff, 0xfe]));
    assert.throws(() => readPartMap(path), /it is not UTF-8 text$/);
    await Deno.mkdir(`${dir}/d.part.map`);
    assert.throws(() => readPartMap(`${dir}/d.part.map`), /^PartMapError: Cannot read the part map ".*d\.part\.map": /);
  });
});

Deno.test("writePartMap() leaves no temporary file when it cannot write", async () => {
  await withTempDir("rhg-part-map-", async (dir) => {
    const path = `${dir}/x.part.map`;
    await Deno.mkdir(path); // rename of a file over a directory fails (EISDIR)
    assert.throws(() => writePartMap(path, MAP), /EISDIR/);
    assert.equal(fileInfo(`${path}.tmp`), null);
  });
});
