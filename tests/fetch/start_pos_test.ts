/**
 * The download loop on simulated links (tests/sim/streams.ts) with `--start-pos`, `-nc`, `--retry-connrefused` and
 * `-w`: what is asked, what is written where, and what is not sent at all.
 *
 * @module
 */

import assert from "node:assert/strict";
import { download, Pacing } from "../../src/fetch/mod.ts";
import { newStats } from "../../src/tcp/mod.ts";
import { ConnectionError, newFrameCounters, type OpenStream } from "../../src/transport/mod.ts";
import { withTempDir } from "../_support/files.ts";
import { body } from "../sim/prng.ts";
import { httpResponse, simulatedStreams } from "../sim/streams.ts";

const headOf = (request: number[]) => new TextDecoder().decode(new Uint8Array(request)).split("\r\n\r\n")[0];
const inTempDir = (f: (dir: string) => Promise<void>) => withTempDir("rhg-start-pos-", f);
const partial = (data: Uint8Array, from: number) =>
  httpResponse(
    "206 Partial Content",
    { "Content-Range": `bytes ${from}-${data.length - 1}/${data.length}` },
    data.subarray(from),
  );

Deno.test("startPos asks for a range and writes its bytes from the file's start; extent in server bytes", async () => {
  await inTempDir(async (dir) => {
    const data = body(20_000);
    const sim = simulatedStreams([{ peer: { respond: () => partial(data, 3000) } }]);
    const result = await download(
      "http://198.18.2.2/s.bin",
      { directory: dir, tries: 1, startPos: 3000 },
      {},
      sim.open,
    );
    assert.match(headOf(sim.links[0].peer.request), /\r\nRange: bytes=3000-/);
    assert.deepEqual(await Deno.readFile(`${dir}/s.bin`), data.subarray(3000));
    assert.deepEqual([result.bytes, result.extent, result.attempt], [17_000, { end: 20_000, size: 20_000 }, 1]);
  });
});

Deno.test("startPos with a server that ignores the range: the body's first bytes are skipped", async () => {
  await inTempDir(async (dir) => {
    const data = body(20_000);
    const sim = simulatedStreams([{ peer: { respond: () => httpResponse("200 OK", {}, data) } }]);
    const notices: string[] = [];
    const result = await download("http://198.18.2.2/s.bin", { directory: dir, tries: 1, startPos: 3000 }, {
      notice: (m) => notices.push(m),
    }, sim.open);
    assert.deepEqual(await Deno.readFile(`${dir}/s.bin`), data.subarray(3000));
    assert.deepEqual(result.extent, { end: 20_000, size: 20_000 });
    assert.deepEqual(notices, [
      "The server ignored the range and sent the whole file: its first 3000 bytes are skipped",
    ]);
  });
});

Deno.test("startPos at the end of the file: no file at all (wget's 'already fully retrieved')", async () => {
  await inTempDir(async (dir) => {
    const sim = simulatedStreams([{
      peer: { respond: () => httpResponse("416 Range Not Satisfiable", { "Content-Range": "bytes */5000" }) },
    }]);
    const result = await download(
      "http://198.18.2.2/s.bin",
      { directory: dir, tries: 1, startPos: 5000 },
      {},
      sim.open,
    );
    assert.deepEqual([result.saved, result.bytes, result.status], [false, 0, 416]);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("a retry of a startPos download continues after the file's bytes (wget appends it all again)", async () => {
  await inTempDir(async (dir) => {
    const data = body(50_000);
    const cut = httpResponse(
      "206 Partial Content",
      { "Content-Range": "bytes 1000-49999/50000", "Content-Length": "49000" },
      data.subarray(1000, 21_000),
    );
    const sim = simulatedStreams([{ peer: { respond: () => cut } }, {
      peer: { respond: () => partial(data, 21_000) },
    }]);
    const options = { directory: dir, tries: 2, startPos: 1000, retryDelayMs: () => 0 };
    const result = await download("http://198.18.2.2/s.bin", options, {}, sim.open);
    assert.match(headOf(sim.links[1].peer.request), /\r\nRange: bytes=21000-/);
    assert.deepEqual(await Deno.readFile(`${dir}/s.bin`), data.subarray(1000));
    assert.equal(result.attempt, 2);
  });
});

Deno.test("noClobber: a file that exists is not fetched again, and nothing is sent for it", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/n.bin`, "old\n");
    const sim = simulatedStreams([{ peer: { respond: () => httpResponse("200 OK", {}, "new\n") } }]);
    const notices: string[] = [];
    const result = await download("http://198.18.2.2/n.bin", { directory: dir, noClobber: true }, {
      notice: (m) => notices.push(m),
    }, sim.open);
    assert.deepEqual([result.saved, result.path, result.bytes, sim.links.length], [false, `${dir}/n.bin`, 4, 0]);
    assert.deepEqual(notices, [`File '${dir}/n.bin' already there; not retrieving`]);
    assert.equal(await Deno.readTextFile(`${dir}/n.bin`), "old\n");
    // A name that is free is fetched as usual (never NAME.1).
    const fresh = await download("http://198.18.2.2/m.bin", { directory: dir, noClobber: true }, {}, sim.open);
    assert.deepEqual([fresh.saved, fresh.path], [true, `${dir}/m.bin`]);
  });
});

Deno.test("retryConnRefused: a refused connection is retried after the pause; without it, it is final", async () => {
  await inTempDir(async (dir) => {
    const data = body(1000);
    const sim = simulatedStreams([{ peer: { respond: () => httpResponse("200 OK", {}, data) } }]);
    let refusals = 0;
    const open: OpenStream = (endpoint) => {
      if (refusals++ >= 2) return sim.open(endpoint);
      return Promise.resolve({
        run: (handler) => {
          handler.onClosed("refused");
          return Promise.resolve("refused" as const);
        },
        abort() {},
        tcpStats: newStats(),
        frameCounters: newFrameCounters(),
        lastIcmp: null,
        close: () => Promise.resolve(),
      });
    };
    const delays: number[] = [];
    const options = {
      directory: dir,
      tries: 3,
      retryConnRefused: true,
      retryDelayMs: (n: number) => (delays.push(n), 0),
    };
    const result = await download("http://198.18.2.2/c.bin", options, {}, open);
    assert.deepEqual([result.attempt, delays], [3, [1, 2]]);
    assert.deepEqual(await Deno.readFile(`${dir}/c.bin`), data);
    refusals = 0;
    await assert.rejects(
      download("http://198.18.2.2/c.bin", { directory: dir, tries: 3 }, {}, open),
      (e) => e instanceof ConnectionError && e.reason === "refused",
    );
    assert.equal(refusals, 1);
  });
});

Deno.test("pacing: a pause before each request but the run's first, redirects included", async () => {
  await inTempDir(async (dir) => {
    const sim = simulatedStreams([
      { peer: { respond: () => httpResponse("302 Found", { Location: "/b" }) } },
      { peer: { respond: () => httpResponse("200 OK", {}, "b\n") } },
    ]);
    const pacing = new Pacing({ wait: 0.15 });
    const started = performance.now();
    await download("http://198.18.2.2/a", { directory: dir, pacing }, {}, sim.open);
    const one = performance.now() - started;
    assert.ok(one >= 150 && one < 1500, `${one} ms`); // one pause: before the redirect's request
    const again = performance.now();
    await download("http://198.18.2.2/c", { directory: dir, pacing }, {}, sim.open);
    assert.ok(performance.now() - again >= 150); // the second URL's request pauses too
  });
});
