import assert from "node:assert/strict";
import zlib from "node:zlib";
import {
  type ContentDecoder,
  contentDecoderReady,
  createContentDecoder,
  GzipDecoder,
  HttpError,
  loadContentDecoders,
} from "../../src/http/mod.ts";

Deno.test("the gzip decoder needs node:zlib loaded first; no coding needs nothing", async () => {
  // This test runs first in its file, before anything below loads the module.
  assert.equal(contentDecoderReady(null), true);
  assert.equal(contentDecoderReady("identity"), true);
  assert.equal(contentDecoderReady("gzip"), false);
  assert.throws(() => new GzipDecoder(), /before loadContentDecoders/);
  await loadContentDecoders();
  assert.equal(contentDecoderReady("gzip"), true);
});
import { mulberry32 as rng } from "../sim/prng.ts";
import { concatBytes as concat } from "../wire/_helpers.ts";

const enc = new TextEncoder();

function decodeIn(d: ContentDecoder, pieces: Uint8Array[]): Uint8Array {
  const out: Uint8Array[] = [];
  for (const p of pieces) out.push(...d.push(p));
  out.push(...d.finish());
  return concat(out);
}

function decode(data: Uint8Array, step = data.length || 1): Uint8Array {
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += step) pieces.push(data.slice(i, i + step));
  return decodeIn(createContentDecoder("gzip"), pieces);
}

function reason(fn: () => unknown): string {
  try {
    fn();
    return "none";
  } catch (e) {
    if (e instanceof HttpError) return e.reason;
    throw e;
  }
}

const A = enc.encode("The quick brown fox jumps over the lazy dog. ".repeat(3));
const B = enc.encode("Pack my box with five dozen liquor jugs!");
const GZ_A = new Uint8Array(zlib.gzipSync(A));
const GZ_B = new Uint8Array(zlib.gzipSync(B));
const MULTI = concat([GZ_A, GZ_B]);
const AB = concat([A, B]);

Deno.test("createContentDecoder passes identity bodies through untouched", () => {
  for (const label of [null, "", "identity", " Identity "]) {
    const d = createContentDecoder(label);
    assert.equal(d.coding, "identity");
    assert.equal(d.push(A)[0], A);
    assert.deepEqual(d.finish(), []);
  }
});

Deno.test("createContentDecoder accepts gzip, x-gzip and gzip listed with identity", () => {
  for (const label of ["gzip", "X-GZIP", "identity, gzip"]) assert.equal(createContentDecoder(label).coding, "gzip");
});

Deno.test("createContentDecoder refuses codings it did not ask for", () => {
  for (const label of ["br", "deflate", "compress", "gzip, gzip", "gzip, br"]) {
    assert.equal(reason(() => createContentDecoder(label)), "unsupported-encoding", label);
  }
  assert.throws(() => createContentDecoder("br"), { message: `Cannot decode Content-Encoding "br"` });
});

Deno.test("GzipDecoder decodes a single member fed whole and byte by byte", () => {
  assert.deepEqual(decode(GZ_A), A);
  assert.deepEqual(decode(GZ_A, 1), A);
});

Deno.test("GzipDecoder decodes a multi-member stream", () => {
  assert.deepEqual(decode(MULTI), AB);
  assert.deepEqual(decode(MULTI, 1), AB);
});

Deno.test("GzipDecoder decodes a multi-member stream split at every byte boundary", () => {
  for (let i = 0; i <= MULTI.length; i++) {
    const d = createContentDecoder("gzip");
    assert.deepEqual(decodeIn(d, [MULTI.slice(0, i), MULTI.slice(i)]), AB, `split at ${i}`);
  }
});

Deno.test("GzipDecoder streams 4 MiB of random data in 1400-byte segments", () => {
  const next = rng(7);
  const data = Uint8Array.from({ length: 4 << 20 }, () => (next() * 256) | 0);
  assert.deepEqual(decode(new Uint8Array(zlib.gzipSync(data)), 1400), data);
});

Deno.test("GzipDecoder decodes an empty body to nothing", () => {
  assert.deepEqual(decode(new Uint8Array(0)), new Uint8Array(0));
});

Deno.test("GzipDecoder ignores and counts zero padding after the last member", () => {
  const d = createContentDecoder("gzip");
  assert.deepEqual(decodeIn(d, [GZ_A, new Uint8Array(4)]), A);
  assert.equal(d.trailingBytes, 4);
});

Deno.test("GzipDecoder reports bad-encoding for a corrupt CRC", () => {
  const bad = GZ_A.slice();
  bad[bad.length - 8] ^= 1;
  assert.equal(reason(() => decode(bad)), "bad-encoding");
  assert.throws(() => decode(bad), { message: "Cannot decode gzip body: incorrect data check" });
});

Deno.test("GzipDecoder reports bad-encoding for a wrong ISIZE", () => {
  const bad = GZ_A.slice();
  bad[bad.length - 1] ^= 1;
  assert.equal(reason(() => decode(bad)), "bad-encoding");
});

Deno.test("GzipDecoder reports bad-encoding for a stream truncated anywhere", () => {
  for (let cut = 1; cut < MULTI.length; cut++) {
    if (cut === GZ_A.length) continue; // a whole first member is a complete stream
    assert.equal(reason(() => decode(MULTI.slice(0, cut))), "bad-encoding", `cut at ${cut}`);
  }
});

Deno.test("GzipDecoder reports bad-encoding for a bad magic, a corrupt block and trailing junk", () => {
  const magic = GZ_A.slice();
  magic[0] = 0x1e;
  assert.equal(reason(() => decode(magic)), "bad-encoding");
  const block = GZ_A.slice();
  block[10] = 0xff; // BTYPE 11 is reserved
  assert.equal(reason(() => decode(block)), "bad-encoding");
  assert.equal(reason(() => decode(concat([GZ_A, enc.encode("junk")]))), "bad-encoding");
});

Deno.test("GzipDecoder repeats its error on every later call", () => {
  const d = createContentDecoder("gzip");
  const bad = GZ_A.slice();
  bad[0] = 0;
  assert.throws(() => d.push(bad), HttpError);
  assert.throws(() => d.push(GZ_A), HttpError);
  assert.throws(() => d.finish(), HttpError);
});

Deno.test("GzipDecoder rejects a 100 MiB bomb fast with bounded memory", () => {
  const bomb = new Uint8Array(zlib.gzipSync(new Uint8Array(100 << 20), { level: 9 }));
  const d = new GzipDecoder();
  const t0 = performance.now();
  let decoded = 0;
  let largestPush = 0;
  assert.throws(() => {
    for (let i = 0; i < bomb.length; i += 1400) {
      const pieces = d.push(bomb.subarray(i, i + 1400));
      const n = pieces.reduce((s, p) => s + p.length, 0);
      largestPush = Math.max(largestPush, n);
      decoded += n;
    }
    d.finish();
  }, (e: unknown) => e instanceof HttpError && e.reason === "decompression-limit");
  assert.ok(decoded < 4 << 20, `decoded ${decoded} bytes before stopping`);
  assert.ok(largestPush <= 1400 * 1000 + 65536, `one push returned ${largestPush} bytes`);
  assert.ok(performance.now() - t0 < 2000);
});

Deno.test("GzipDecoder enforces maxOutputBytes exactly past the limit", () => {
  const gz = new Uint8Array(zlib.gzipSync(new Uint8Array(200_000).fill(65)));
  assert.equal(decodeIn(new GzipDecoder({ maxOutputBytes: 200_000 }), [gz]).length, 200_000);
  assert.equal(reason(() => decodeIn(new GzipDecoder({ maxOutputBytes: 199_999 }), [gz])), "decompression-limit");
});

Deno.test("GzipDecoder allows compressible text below the ratio limit", () => {
  const text = enc.encode(Array.from({ length: 200_000 }, (_, i) => `line ${i}\n`).join(""));
  assert.deepEqual(decode(new Uint8Array(zlib.gzipSync(text)), 1400), text);
});

Deno.test("GzipDecoder close releases an abandoned decoder and refuses later pushes", () => {
  const d = createContentDecoder("gzip");
  d.push(GZ_A.subarray(0, 10));
  d.close();
  d.close();
  assert.throws(() => d.push(GZ_A), TypeError);
});
