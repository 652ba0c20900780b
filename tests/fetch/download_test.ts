/**
 * The download loop on simulated links (tests/sim/streams.ts): one simulated HTTP server per connection, files in a
 * temporary directory. Redirects, retries that continue with a range, `-c` decisions and error statuses, without
 * root or a network.
 *
 * @module
 */

import assert from "node:assert/strict";
import { download, RangeMismatchError, RedirectError, ServerStatusError } from "../../src/fetch/mod.ts";
import { UrlError } from "../../src/http/mod.ts";
import { ConnectionError } from "../../src/transport/mod.ts";
import { withTempDir } from "../_support/files.ts";
import { body } from "../sim/prng.ts";
import { httpResponse, simulatedStreams } from "../sim/streams.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const headOf = (request: Uint8Array) => text(request).split("\r\n\r\n")[0];

const inTempDir = (f: (dir: string) => Promise<void>) => withTempDir("rhg-download-", f);

Deno.test("download() saves the body under the URL's name, renames NAME.part, and reports what it did", async () => {
  await inTempDir(async (dir) => {
    const data = body(150_000);
    const sim = simulatedStreams([{ peer: { respond: () => httpResponse("200 OK", {}, data) } }]);
    const result = await download("http://198.18.2.2/files/a.bin", { directory: dir, tries: 1 }, {}, sim.open);
    assert.equal(result.path, `${dir}/a.bin`);
    assert.equal(result.bytes, data.length);
    assert.equal(result.status, 200);
    assert.deepEqual(await Deno.readFile(`${dir}/a.bin`), data);
    assert.deepEqual(sim.endpoints, [{ host: "198.18.2.2", port: 80 }]);
    assert.match(headOf(new Uint8Array(sim.links[0].peer.request)), /^GET \/files\/a\.bin HTTP\/1\.1\r\n/);
    assert.equal(sim.closed, 1);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["a.bin"]);
  });
});

Deno.test("download() follows a redirect chain over a new connection per hop and names the file as given", async () => {
  await inTempDir(async (dir) => {
    const data = body(20_000);
    const notices: string[] = [];
    const sim = simulatedStreams([
      { peer: { respond: () => httpResponse("302 Found", { Location: "/b" }, "moved") } },
      { peer: { respond: () => httpResponse("301 Moved", { Location: "http://198.18.2.3:8080/c.bin" }) } },
      { peer: { respond: () => httpResponse("200 OK", {}, data) } },
    ]);
    const result = await download("http://198.18.2.2/a", { directory: dir, tries: 1 }, {
      notice: (m) => notices.push(m),
    }, sim.open);
    assert.equal(result.url, "http://198.18.2.3:8080/c.bin");
    assert.equal(result.path, `${dir}/a`); // the name of the URL given (CVE-2010-2252), not the server's
    assert.deepEqual(await Deno.readFile(`${dir}/a`), data);
    assert.deepEqual(sim.endpoints.map((e) => `${e.host}:${e.port}`), [
      "198.18.2.2:80",
      "198.18.2.2:80",
      "198.18.2.3:8080",
    ]);
    assert.deepEqual(notices, [
      "Redirected (302) to http://198.18.2.2/b",
      "Redirected (301) to http://198.18.2.3:8080/c.bin",
    ]);
    assert.equal(sim.closed, 3);
  });
});

Deno.test("download() stops a redirect loop at once and --max-redirect at its limit", async () => {
  await inTempDir(async (dir) => {
    const loop = simulatedStreams([
      { peer: { respond: () => httpResponse("302 Found", { Location: "/b" }) } },
      { peer: { respond: () => httpResponse("302 Found", { Location: "/a" }) } },
    ]);
    await assert.rejects(
      download("http://198.18.2.2/a", { directory: dir, tries: 3 }, {}, loop.open),
      (e) => e instanceof RedirectError && e.reason === "loop",
    );
    assert.equal(loop.links.length, 2); // not retried: a redirect error is final
    const limited = simulatedStreams([{ peer: { respond: () => httpResponse("302 Found", { Location: "/b" }) } }]);
    await assert.rejects(
      download("http://198.18.2.2/a", { directory: dir, maxRedirects: 0 }, {}, limited.open),
      (e) => e instanceof RedirectError && e.reason === "limit",
    );
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("download() retries a body cut short with a range that continues the saved part", async () => {
  await inTempDir(async (dir) => {
    const data = body(100_000);
    const cut = httpResponse("200 OK", { "Content-Length": String(data.length) }, data.subarray(0, 40_000));
    const rest = httpResponse(
      "206 Partial Content",
      { "Content-Range": `bytes 40000-99999/100000` },
      data.subarray(40_000),
    );
    const sim = simulatedStreams([{ peer: { respond: () => cut } }, { peer: { respond: () => rest } }]);
    const notices: string[] = [];
    const result = await download("http://198.18.2.2/r.bin", { directory: dir, tries: 2, retryDelayMs: () => 0 }, {
      notice: (m) => notices.push(m),
    }, sim.open);
    assert.equal(result.status, 206);
    assert.deepEqual(await Deno.readFile(`${dir}/r.bin`), data);
    assert.match(headOf(new Uint8Array(sim.links[1].peer.request)), /\r\nRange: bytes=40000-/);
    assert.equal(notices.length, 1);
    assert.match(notices[0], /retrying in 0 s \(attempt 2 of 2\)$/);
  });
});

Deno.test("download() with resume: a 416 for a complete NAME.part means nothing to do, and it becomes NAME", async () => {
  await inTempDir(async (dir) => {
    const data = body(5000);
    await Deno.writeFile(`${dir}/done.bin.part`, data);
    const sim = simulatedStreams([{
      peer: { respond: () => httpResponse("416 Range Not Satisfiable", { "Content-Range": "bytes */5000" }) },
    }]);
    const notices: string[] = [];
    const result = await download("http://198.18.2.2/done.bin", { directory: dir, resume: true }, {
      notice: (m) => notices.push(m),
    }, sim.open);
    assert.equal(result.status, 416);
    assert.equal(result.bytes, 5000);
    assert.match(headOf(new Uint8Array(sim.links[0].peer.request)), /\r\nRange: bytes=5000-/);
    assert.deepEqual(await Deno.readFile(`${dir}/done.bin`), data);
    assert.deepEqual(notices, ["The file is already fully retrieved; nothing to do"]);
  });
});

Deno.test("download() turns a 404 into a ServerStatusError and creates no file", async () => {
  await inTempDir(async (dir) => {
    const sim = simulatedStreams([{ peer: { respond: () => httpResponse("404 Not Found", {}, "no such file") } }]);
    await assert.rejects(
      download("http://198.18.2.2/missing", { directory: dir, tries: 3 }, {}, sim.open),
      (e) => e instanceof ServerStatusError && e.status === 404,
    );
    assert.equal(sim.links.length, 1);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("download() gives a silent server every try, then fails with the timeout", async () => {
  await inTempDir(async (dir) => {
    const sim = simulatedStreams([{ peer: { silent: true } }], 3000);
    await assert.rejects(
      download("http://198.18.2.2/x", { directory: dir, tries: 2, retryDelayMs: () => 0 }, {}, sim.open),
      (e) => e instanceof ConnectionError && e.reason === "timeout",
    );
    assert.equal(sim.links.length, 2);
    assert.equal(sim.closed, 2);
  });
});

Deno.test("download() with resume: a 200 that ignores the range keeps the partial NAME and appends the rest", async () => {
  await inTempDir(async (dir) => {
    const data = body(60_000);
    const mine = new Uint8Array(25_000).fill(0x55); // not the server's bytes: still never overwritten
    await Deno.writeFile(`${dir}/p.bin`, mine);
    const sim = simulatedStreams([{ peer: { respond: () => httpResponse("200 OK", {}, data) } }]);
    const notices: string[] = [];
    const result = await download("http://198.18.2.2/p.bin", { directory: dir, resume: true, tries: 1 }, {
      notice: (m) => notices.push(m),
    }, sim.open);
    assert.match(headOf(new Uint8Array(sim.links[0].peer.request)), /\r\nRange: bytes=25000-/);
    assert.equal(result.bytes, 60_000);
    assert.deepEqual(await Deno.readFile(`${dir}/p.bin`), new Uint8Array([...mine, ...data.subarray(25_000)]));
    assert.deepEqual(notices, [
      `The server ignored the range and sent the whole file: its first 25000 bytes, already in ${dir}/p.bin, are skipped`,
    ]);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["p.bin"]);
  });
});

Deno.test("download() with resume: a 200 no longer than NAME.part means nothing to do, the part untouched", async () => {
  await inTempDir(async (dir) => {
    const mine = body(5000);
    await Deno.writeFile(`${dir}/s.bin.part`, mine);
    const sim = simulatedStreams([{ peer: { respond: () => httpResponse("200 OK", {}, body(3000)) } }]);
    const notices: string[] = [];
    const result = await download("http://198.18.2.2/s.bin", { directory: dir, resume: true }, {
      notice: (m) => notices.push(m),
    }, sim.open);
    assert.deepEqual([result.status, result.bytes, result.received], [200, 5000, 0]);
    assert.deepEqual(await Deno.readFile(`${dir}/s.bin`), mine);
    assert.deepEqual(notices, ["The file is already fully retrieved; nothing to do"]);
  });
});

Deno.test("download() continues a retry that gets a 200 after what the failed attempt saved", async () => {
  await inTempDir(async (dir) => {
    const data = body(100_000);
    const cut = httpResponse("200 OK", { "Content-Length": String(data.length) }, data.subarray(0, 40_000));
    const sim = simulatedStreams([
      { peer: { respond: () => cut } },
      { peer: { respond: () => httpResponse("200 OK", {}, data) } },
    ]);
    const notices: string[] = [];
    const result = await download("http://198.18.2.2/t.bin", { directory: dir, tries: 2, retryDelayMs: () => 0 }, {
      notice: (m) => notices.push(m),
    }, sim.open);
    assert.equal(result.bytes, data.length);
    assert.deepEqual(await Deno.readFile(`${dir}/t.bin`), data);
    assert.match(headOf(new Uint8Array(sim.links[1].peer.request)), /\r\nRange: bytes=40000-/);
    assert.match(notices[1], /first 40000 bytes, already in .*t\.bin\.part, are skipped$/);
  });
});

Deno.test("download() retries a 206 for the wrong range, then fails with the file as it was", async () => {
  await inTempDir(async (dir) => {
    const mine = body(30_000);
    await Deno.writeFile(`${dir}/w.bin`, mine);
    const wrong = httpResponse("206 Partial Content", { "Content-Range": "bytes 0-99/100" }, body(100));
    const sim = simulatedStreams([{ peer: { respond: () => wrong } }]);
    await assert.rejects(
      download(
        "http://198.18.2.2/w.bin",
        { directory: dir, resume: true, tries: 2, retryDelayMs: () => 0 },
        {},
        sim.open,
      ),
      RangeMismatchError,
    );
    assert.equal(sim.links.length, 2);
    assert.deepEqual(await Deno.readFile(`${dir}/w.bin`), mine);
  });
});

Deno.test("download() retries a 504 Gateway Timeout but not a 500, 502 or 503", async () => {
  await inTempDir(async (dir) => {
    const sim = simulatedStreams([{ peer: { respond: () => httpResponse("504 Gateway Timeout", {}, "later") } }]);
    await assert.rejects(
      download("http://198.18.2.2/g", { directory: dir, tries: 3, retryDelayMs: () => 0 }, {}, sim.open),
      (e) => e instanceof ServerStatusError && e.status === 504 && e.transient,
    );
    assert.equal(sim.links.length, 3);
    for (const status of ["500 Internal Server Error", "502 Bad Gateway", "503 Service Unavailable"]) {
      const once = simulatedStreams([{ peer: { respond: () => httpResponse(status, {}, "no") } }]);
      await assert.rejects(
        download("http://198.18.2.2/g", { directory: dir, tries: 3, retryDelayMs: () => 0 }, {}, once.open),
        (e) => e instanceof ServerStatusError && !e.transient,
      );
      assert.equal(once.links.length, 1, status);
    }
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("download() saves no file for a 204 No Content and says so", async () => {
  await inTempDir(async (dir) => {
    const sim = simulatedStreams([{ peer: { respond: () => httpResponse("204 No Content") } }]);
    const notices: string[] = [];
    const result = await download("http://198.18.2.2/empty", { directory: dir }, {
      notice: (m) => notices.push(m),
    }, sim.open);
    assert.deepEqual([result.status, result.saved, result.bytes], [204, false, 0]);
    assert.deepEqual(notices, ["The server answered 204 No Content: there is nothing to save"]);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("download() refuses a path without scheme and host before connecting", async () => {
  await inTempDir(async (dir) => {
    const sim = simulatedStreams([{ peer: { respond: () => httpResponse("200 OK", {}, "x") } }]);
    for (const given of ["/foo/bar", "//foo/bar", ":8080/x"]) {
      await assert.rejects(
        download(given, { directory: dir }, {}, sim.open),
        (e) => e instanceof UrlError && e.reason === "missing-scheme",
      );
    }
    assert.equal(sim.links.length, 0);
  });
});
