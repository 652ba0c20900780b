/**
 * Downloads over several connections on simulated links (tests/sim/streams.ts): a simulated HTTP server per
 * connection that answers ranges as a real one does, files in a temporary directory. The split, the fallback to one
 * connection, a part whose connection fails, a file that changes between parts, and a resume from the part map.
 *
 * @module
 */

import assert from "node:assert/strict";
import { download, FileChangedError } from "../../src/fetch/mod.ts";
import { partMapPath, writePartMap } from "../../src/save/mod.ts";
import { withTempDir } from "../_support/files.ts";
import { body } from "../sim/prng.ts";
import { httpResponse, simulatedStreams } from "../sim/streams.ts";
import type { SimPath } from "../sim/frame_link.ts";

const MIB = 1024 * 1024;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const inTempDir = (f: (dir: string) => Promise<void>) => withTempDir("rhg-parallel-", f);

/** What a file server answers: 200 with Accept-Ranges, or a 206 of the Range asked (If-Range checked). */
function rangeServer(data: Uint8Array, etag = '"v1"', extra: Record<string, string> = {}) {
  return (request: Uint8Array): Uint8Array => {
    const head = text(request);
    const range = /\r\nRange: bytes=(\d+)-(\d*)\r\n/i.exec(head);
    const ifRange = /\r\nIf-Range: (.*)\r\n/i.exec(head)?.[1] ?? null;
    const fields = { "Accept-Ranges": "bytes", ETag: etag, ...extra };
    if (range === null || (ifRange !== null && ifRange !== etag)) return httpResponse("200 OK", fields, data);
    const start = Number(range[1]);
    const last = range[2] === "" ? data.length - 1 : Math.min(Number(range[2]), data.length - 1);
    const part = data.subarray(start, last + 1);
    return httpResponse("206 Partial Content", {
      ...fields,
      "Content-Range": `bytes ${start}-${last}/${data.length}`,
    }, part);
  };
}

/** The Range field of each connection's request, in the order the connections were opened. */
function ranges(links: { peer: { request: number[] | Uint8Array } }[]): string[] {
  return links.map((l) => /\r\nRange: (bytes=\d+-\d*)\r\n/.exec(text(new Uint8Array(l.peer.request)))?.[1] ?? "none");
}

const server = (respond: (request: Uint8Array) => Uint8Array): SimPath => ({ peer: { respond } });

Deno.test("--connections 3: a 6 MiB file comes in three ranges over three connections, byte-exact", async () => {
  await inTempDir(async (dir) => {
    const data = body(6 * MIB);
    const sim = simulatedStreams([server(rangeServer(data))]);
    const result = await download(
      "http://198.18.2.2/big.bin",
      { directory: dir, tries: 1, parallelConnections: 3 },
      {},
      sim.open,
    );
    assert.deepEqual(await Deno.readFile(`${dir}/big.bin`), data);
    assert.equal(result.bytes, data.length);
    // The first connection asks for the whole file; the others for the second and third shares.
    assert.deepEqual(ranges(sim.links).slice(0, 3), [
      "none",
      `bytes=${2 * MIB}-${4 * MIB - 1}`,
      `bytes=${4 * MIB}-${6 * MIB - 1}`,
    ]);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["big.bin"]);
  });
});

Deno.test("--connections 3: a server that does not announce ranges is read over one connection", async () => {
  await inTempDir(async (dir) => {
    const data = body(4 * MIB);
    const sim = simulatedStreams([server(() => httpResponse("200 OK", { ETag: '"v1"' }, data))]);
    const logs: string[] = [];
    await download(
      "http://198.18.2.2/big.bin",
      { directory: dir, tries: 1, parallelConnections: 3, log: (m) => logs.push(m) },
      {},
      sim.open,
    );
    assert.deepEqual(await Deno.readFile(`${dir}/big.bin`), data);
    assert.equal(sim.links.length, 1);
    assert.ok(
      logs.some((m) => /One connection: the server does not say it serves byte ranges/.test(m)),
      logs.join("\n"),
    );
  });
});

Deno.test("--connections 2: a part whose server never answers is asked again over a new connection", async () => {
  await inTempDir(async (dir) => {
    const data = body(4 * MIB);
    const ok = server(rangeServer(data));
    const sim = simulatedStreams([ok, { peer: { silent: true } }, ok], 2_000);
    const notices: string[] = [];
    await download(
      "http://198.18.2.2/big.bin",
      { directory: dir, tries: 3, parallelConnections: 2, retryDelayMs: () => 10 },
      { notice: (m) => notices.push(m) },
      sim.open,
    );
    assert.deepEqual(await Deno.readFile(`${dir}/big.bin`), data);
    assert.ok(notices.some((m) => /A part failed .*retrying it/.test(m)), notices.join("\n"));
  });
});

Deno.test("--connections 2: a file that changed before its second part came ends the download and keeps nothing", async () => {
  await inTempDir(async (dir) => {
    const data = body(4 * MIB);
    const changed = data.map((b) => b ^ 0x5a);
    const sim = simulatedStreams([server(rangeServer(data)), server(rangeServer(changed, '"v2"'))]);
    await assert.rejects(
      download("http://198.18.2.2/big.bin", { directory: dir, tries: 3, parallelConnections: 2 }, {}, sim.open),
      (e: unknown) => {
        assert.ok(e instanceof FileChangedError, String(e));
        assert.match(
          e.message,
          /^The file changed on the server during the download: the server answered a request for a part with the whole file.*big\.bin\.part was removed/,
        );
        return true;
      },
    );
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("-c continues a part file from its map: only the missing ranges are asked, with If-Range", async () => {
  await inTempDir(async (dir) => {
    const data = body(4 * MIB);
    // Bytes [0, 1 MiB) and [2 MiB, 3 MiB) are on disk; the rest of the part file is a hole.
    const part = new Uint8Array(3 * MIB);
    part.set(data.subarray(0, MIB));
    part.set(data.subarray(2 * MIB, 3 * MIB), 2 * MIB);
    await Deno.writeFile(`${dir}/big.bin.part`, part);
    const have = [{ start: 0, end: MIB }, { start: 2 * MIB, end: 3 * MIB }];
    writePartMap(partMapPath(`${dir}/big.bin.part`), {
      size: data.length,
      etag: '"v1"',
      lastModified: null,
      url: "http://198.18.2.2/big.bin",
      have,
    });
    const sim = simulatedStreams([server(rangeServer(data))]);
    const result = await download(
      "http://198.18.2.2/big.bin",
      { directory: dir, tries: 1, resume: true },
      {},
      sim.open,
    );
    assert.deepEqual(await Deno.readFile(`${dir}/big.bin`), data);
    assert.equal(result.received, 2 * MIB);
    const first = text(new Uint8Array(sim.links[0].peer.request));
    assert.match(first, /\r\nRange: bytes=1048576-\r\n/);
    assert.match(first, /\r\nIf-Range: "v1"\r\n/);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["big.bin"]);
  });
});

Deno.test("--connections 2: a server that announces ranges but sends the whole file to a part still gives the file", async () => {
  await inTempDir(async (dir) => {
    const data = body(4 * MIB);
    const ignores = server(() => httpResponse("200 OK", { "Accept-Ranges": "bytes", ETag: '"v1"' }, data));
    const sim = simulatedStreams([ignores]);
    await download(
      "http://198.18.2.2/big.bin",
      { directory: dir, tries: 1, parallelConnections: 2 },
      {},
      sim.open,
    );
    assert.deepEqual(await Deno.readFile(`${dir}/big.bin`), data);
    assert.equal(ranges(sim.links)[1], `bytes=${2 * MIB}-${4 * MIB - 1}`);
  });
});

Deno.test("-c --connections 2 continues a part file one connection saved: its bytes are kept, the rest comes in parts", async () => {
  await inTempDir(async (dir) => {
    const data = body(6 * MIB);
    await Deno.writeFile(`${dir}/big.bin.part`, data.subarray(0, MIB + 123));
    const sim = simulatedStreams([server(rangeServer(data))]);
    const result = await download(
      "http://198.18.2.2/big.bin",
      { directory: dir, tries: 1, resume: true, parallelConnections: 2 },
      {},
      sim.open,
    );
    assert.deepEqual(await Deno.readFile(`${dir}/big.bin`), data);
    assert.equal(result.received, data.length - MIB - 123);
    assert.equal(ranges(sim.links)[0], `bytes=${MIB + 123}-`);
    assert.ok(sim.links.length >= 2);
  });
});

Deno.test("--start-pos with --connections is one connection: the file holds the server's bytes from the offset", async () => {
  await inTempDir(async (dir) => {
    const data = body(4 * MIB);
    const sim = simulatedStreams([server(rangeServer(data))]);
    await download(
      "http://198.18.2.2/big.bin",
      { directory: dir, tries: 1, startPos: 1000, parallelConnections: 4 },
      {},
      sim.open,
    );
    assert.deepEqual(await Deno.readFile(`${dir}/big.bin`), data.subarray(1000));
    assert.equal(sim.links.length, 1);
  });
});

Deno.test("--connections 4 to a server 2 ms away is one connection: there one goes as fast as several", async () => {
  await inTempDir(async (dir) => {
    const data = body(4 * MIB);
    const near = { ...server(rangeServer(data)), up: { delayMs: 1 }, down: { delayMs: 1 } };
    const sim = simulatedStreams([near]);
    const logs: string[] = [];
    await download(
      "http://198.18.2.2/big.bin",
      { directory: dir, tries: 1, parallelConnections: 4, log: (m) => logs.push(m) },
      {},
      sim.open,
    );
    assert.deepEqual(await Deno.readFile(`${dir}/big.bin`), data);
    assert.equal(sim.links.length, 1);
    assert.ok(logs.some((m) => /^One connection: the server is 2\.0 ms away/.test(m)), logs.join("\n"));
  });
});
