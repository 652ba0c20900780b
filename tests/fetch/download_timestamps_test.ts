/**
 * The download loop's server timestamps and `-N`, on simulated servers (tests/sim/streams.ts): the mtime set from
 * Last-Modified, the If-Modified-Since request and its 304, the HEAD that `--no-if-modified-since` sends first, and
 * the local file replaced in place. The same cases run against GNU wget in tests/cli/timestamps_test.ts.
 *
 * @module
 */

import assert from "node:assert/strict";
import { download } from "../../src/fetch/mod.ts";
import { withTempDir } from "../_support/files.ts";
import { httpResponse, simulatedStreams } from "../sim/streams.ts";

const SERVER_TIME = 1577934245;
const LAST_MODIFIED = "Thu, 02 Jan 2020 03:04:05 GMT";
const URL = "http://198.18.2.2/a.bin";

const headOf = (request: number[]) => new TextDecoder().decode(new Uint8Array(request)).split("\r\n\r\n")[0];
const mtimeOf = (path: string) => Math.floor(Deno.statSync(path).mtime!.getTime() / 1000);
/** `size` bytes that differ with `seed`. */
const bytes = (size: number, seed = 0) => new Uint8Array(size).map((_, i) => (i * 31 + seed * 7) & 0xff);
const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

async function localFile(dir: string, data: Uint8Array, mtime: number): Promise<string> {
  const path = `${dir}/a.bin`;
  await Deno.writeFile(path, data);
  await Deno.utime(path, mtime, mtime);
  return path;
}

Deno.test("download() gives the file the server's Last-Modified, unless useServerTimestamps is false", async () => {
  await withTempDir("rhg-stamps-", async (dir) => {
    const data = bytes(20_000);
    const ok = () => httpResponse("200 OK", { "Last-Modified": LAST_MODIFIED }, data);
    const sim = simulatedStreams([{ peer: { respond: ok } }]);
    const result = await download(URL, { directory: dir, tries: 1 }, {}, sim.open);
    assert.equal(mtimeOf(result.path), SERVER_TIME);
    assert.doesNotMatch(headOf(sim.links[0].peer.request), /If-Modified-Since/i);

    const before = Math.floor(Date.now() / 1000);
    const off = await download(URL, { output: `${dir}/b.bin`, useServerTimestamps: false }, {}, sim.open);
    assert.ok(mtimeOf(off.path) >= before, "the time the file was written");
    assert.deepEqual(await Deno.readFile(`${dir}/b.bin`), data);
  });
});

Deno.test("download() with -N asks If-Modified-Since and keeps the local file on 304", async () => {
  await withTempDir("rhg-stamps-", async (dir) => {
    const old = bytes(5000, 7);
    const path = await localFile(dir, old, SERVER_TIME);
    const sim = simulatedStreams([{
      peer: { respond: () => httpResponse("304 Not Modified", { "Last-Modified": LAST_MODIFIED }) },
    }]);
    const notices: string[] = [];
    const result = await download(URL, { directory: dir, timestamping: true }, {
      notice: (m) => notices.push(m),
    }, sim.open);
    const request = headOf(sim.links[0].peer.request);
    assert.match(request, /^GET \/a\.bin HTTP\/1\.1\r\n/);
    assert.match(request, /\r\nIf-Modified-Since: Thu, 02 Jan 2020 03:04:05 GMT(\r\n|$)/);
    assert.match(request, /\r\nAccept-Encoding: identity\r\n/); // sizes compare with the file's
    assert.doesNotMatch(request, /\r\nRange:/);
    assert.deepEqual(notices, [`File '${path}' not modified on server; omitting download`]);
    assert.deepEqual([result.status, result.saved, result.bytes, result.received], [304, false, 5000, 0]);
    assert.deepEqual(await Deno.readFile(path), old);
    assert.equal(mtimeOf(path), SERVER_TIME);
    assert.deepEqual(names(dir), ["a.bin"]);
  });
});

Deno.test("download() with -N replaces an older local file in place and takes the server's time", async () => {
  await withTempDir("rhg-stamps-", async (dir) => {
    const path = await localFile(dir, bytes(100, 3), SERVER_TIME - 86400);
    const data = bytes(5000, 9);
    const sim = simulatedStreams([{
      peer: { respond: () => httpResponse("200 OK", { "Last-Modified": LAST_MODIFIED }, data) },
    }]);
    const result = await download(URL, { directory: dir, timestamping: true }, {}, sim.open);
    assert.match(headOf(sim.links[0].peer.request), /\r\nIf-Modified-Since: Wed, 01 Jan 2020 03:04:05 GMT/);
    assert.deepEqual([result.path, result.saved], [path, true]);
    assert.deepEqual(await Deno.readFile(path), data);
    assert.equal(mtimeOf(path), SERVER_TIME);
    assert.deepEqual(names(dir), ["a.bin"]); // not a.bin.1
  });
});

Deno.test("download() with -N keeps a file a server sent again despite If-Modified-Since, if it is the same", async () => {
  await withTempDir("rhg-stamps-", async (dir) => {
    const old = bytes(5000, 7);
    const path = await localFile(dir, old, SERVER_TIME + 3600);
    const same = () => httpResponse("200 OK", { "Last-Modified": LAST_MODIFIED }, bytes(5000, 8));
    const notices: string[] = [];
    const sim = simulatedStreams([{ peer: { respond: same } }]);
    const result = await download(URL, { directory: dir, timestamping: true }, {
      notice: (m) => notices.push(m),
    }, sim.open);
    assert.equal(result.saved, false);
    assert.match(notices[0], /^Server ignored If-Modified-Since header for file '.*a\.bin'; not retrieving/);
    assert.deepEqual(await Deno.readFile(path), old);
    // The same answer for a local file of another size: it is fetched.
    await Deno.writeFile(path, new Uint8Array(10));
    await Deno.utime(path, SERVER_TIME + 3600, SERVER_TIME + 3600);
    const again = await download(URL, { directory: dir, timestamping: true }, {}, sim.open);
    assert.equal(again.saved, true);
    assert.deepEqual(await Deno.readFile(path), bytes(5000, 8));
    assert.equal(mtimeOf(path), SERVER_TIME);
  });
});

Deno.test("download() with -N and no Last-Modified says time-stamps are off and replaces the file", async () => {
  await withTempDir("rhg-stamps-", async (dir) => {
    const path = await localFile(dir, bytes(5000, 7), SERVER_TIME);
    const data = bytes(5000, 9);
    const notices: string[] = [];
    const sim = simulatedStreams([{ peer: { respond: () => httpResponse("200 OK", {}, data) } }]);
    const before = Math.floor(Date.now() / 1000);
    await download(URL, { directory: dir, timestamping: true }, { notice: (m) => notices.push(m) }, sim.open);
    assert.deepEqual(notices, ["Last-modified header missing; time-stamps turned off"]);
    assert.deepEqual(await Deno.readFile(path), data);
    assert.ok(mtimeOf(path) >= before);
    assert.deepEqual(names(dir), ["a.bin"]);
  });
});

Deno.test("download() with -N --no-if-modified-since sends HEAD, and no GET for an up-to-date file", async () => {
  await withTempDir("rhg-stamps-", async (dir) => {
    const old = bytes(5000, 7);
    const path = await localFile(dir, old, SERVER_TIME);
    const head = httpResponse("200 OK", { "Last-Modified": LAST_MODIFIED, "Content-Length": "5000" });
    const sim = simulatedStreams([{ peer: { respond: () => head } }]);
    const notices: string[] = [];
    const options = { directory: dir, timestamping: true, ifModifiedSince: false };
    const result = await download(URL, options, { notice: (m) => notices.push(m) }, sim.open);
    assert.equal(sim.links.length, 1);
    const request = headOf(sim.links[0].peer.request);
    assert.match(request, /^HEAD \/a\.bin HTTP\/1\.1\r\n/);
    assert.doesNotMatch(request, /If-Modified-Since/i);
    assert.deepEqual(notices, [`Server file no newer than local file '${path}'; not retrieving`]);
    assert.deepEqual([result.saved, result.status], [false, 200]);
    assert.deepEqual(await Deno.readFile(path), old);
  });
});

Deno.test("download() with -N --no-if-modified-since GETs after a HEAD that shows another size", async () => {
  await withTempDir("rhg-stamps-", async (dir) => {
    const path = await localFile(dir, bytes(100, 7), SERVER_TIME + 60);
    const data = bytes(5000, 9);
    const dated = { "Last-Modified": LAST_MODIFIED };
    const sim = simulatedStreams([
      { peer: { respond: () => httpResponse("200 OK", { ...dated, "Content-Length": "5000" }) } },
      { peer: { respond: () => httpResponse("200 OK", dated, data) } },
    ]);
    const notices: string[] = [];
    const options = { directory: dir, timestamping: true, ifModifiedSince: false };
    const result = await download(URL, options, { notice: (m) => notices.push(m) }, sim.open);
    assert.deepEqual(sim.links.map((l) => headOf(l.peer.request).split("\r\n")[0]), [
      "HEAD /a.bin HTTP/1.1",
      "GET /a.bin HTTP/1.1",
    ]);
    assert.doesNotMatch(headOf(sim.links[1].peer.request), /If-Modified-Since/i);
    assert.deepEqual(notices, ["The sizes do not match (local 100); retrieving"]);
    assert.deepEqual([result.saved, result.status, result.bytes], [true, 200, 5000]);
    assert.deepEqual(await Deno.readFile(path), data);
    assert.equal(mtimeOf(path), SERVER_TIME);
    assert.deepEqual(names(dir), ["a.bin"]);
  });
});

Deno.test("download() with -N --no-if-modified-since sends a HEAD again to where a HEAD was redirected", async () => {
  await withTempDir("rhg-stamps-", async (dir) => {
    await localFile(dir, bytes(5000, 7), SERVER_TIME - 60);
    const data = bytes(5000, 9);
    const dated = { "Last-Modified": LAST_MODIFIED };
    const sim = simulatedStreams([
      { peer: { respond: () => httpResponse("302 Found", { Location: "/b.bin" }) } },
      { peer: { respond: () => httpResponse("200 OK", { ...dated, "Content-Length": "5000" }) } },
      { peer: { respond: () => httpResponse("200 OK", dated, data) } },
    ]);
    const options = { directory: dir, timestamping: true, ifModifiedSince: false, maxRedirects: 1 };
    const result = await download(URL, options, {}, sim.open);
    assert.deepEqual(sim.links.map((l) => headOf(l.peer.request).split("\r\n")[0]), [
      "HEAD /a.bin HTTP/1.1",
      "HEAD /b.bin HTTP/1.1",
      "GET /b.bin HTTP/1.1",
    ]);
    assert.equal(result.url, "http://198.18.2.2/b.bin");
    assert.deepEqual(await Deno.readFile(`${dir}/a.bin`), data);
  });
});
