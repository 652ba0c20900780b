/**
 * Hostile HTTP responses over the real stack, played by the raw peer: a representative few of the cases that
 * tests/http/response_errors_test.ts, decode_test.ts and fuzz_test.ts cover exhaustively on the parser alone. Each is
 * refused with a clear message and exit 7, and leaves no final file.
 */

import assert from "node:assert/strict";
import zlib from "node:zlib";
import { Buffer } from "node:buffer";
import { MAX_HEAD_BYTES } from "../../src/http/response_parser.ts";
import { peerTest, runCase } from "./_harness.ts";

const CASES: Array<[string, string, RegExp]> = [
  ["a malformed status line", "ICY 200 OK\r\n\r\n", /status line/i],
  ["a bare CR in the status line", "HTTP/1.1 200 O\rK\r\n\r\n", /status line/i],
  ["a non-numeric Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 12ab\r\n\r\n", /Content-Length/],
  [
    "conflicting Content-Length fields",
    "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Length: 200\r\n\r\n",
    /Content-Length/,
  ],
  [
    "Transfer-Encoding with Content-Length",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 100\r\n\r\n",
    /Transfer-Encoding/,
  ],
  [
    `a header section over ${MAX_HEAD_BYTES} bytes`,
    "HTTP/1.1 200 OK\r\n" + `${"X-Filler: ".padEnd(1000, "a")}\r\n`.repeat(70) + "Content-Length: 100\r\n\r\n",
    /head is larger than 65536 bytes/,
  ],
];

peerTest(
  "hostile HTTP responses over the real stack are refused with exit 7 and no file",
  async (t, tb) => {
    for (const [name, head, message] of CASES) {
      await t.step(name, async () => {
        const r = await runCase(tb, {
          head,
          bodyLength: 100,
          steps: [{ accept: {} }, { awaitRequest: {} }, { stream: {} }, { sleep: 200 }],
        });
        assert.equal(r.code, 7, r.stderr);
        assert.match(r.stderr, message);
        assert.equal(r.file, null);
      });
    }

    const gzipHead = (n: number) =>
      `HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${n}\r\nConnection: close\r\n\r\n`;
    await t.step("a corrupt gzip body", async () => {
      const good = new Uint8Array(zlib.gzipSync(new TextEncoder().encode("hello ".repeat(5000))));
      good.fill(0x41, 40, 80); // the deflate stream, mid-way
      const r = await runCase(tb, {
        head: gzipHead(good.length),
        bodyLength: good.length,
        bodyBase64: Buffer.from(good).toString("base64"),
        steps: [{ accept: {} }, { awaitRequest: {} }, { stream: {} }, { sleep: 200 }],
      });
      assert.equal(r.code, 7, r.stderr);
      assert.match(r.stderr, /gzip|deflate|decod/i);
      assert.equal(r.file, null);
    });

    await t.step("a gzip bomb (100 MiB of zeros) trips the ratio limit of 1000 after 1 MiB", async () => {
      const bomb = new Uint8Array(zlib.gzipSync(new Uint8Array(100 << 20), { level: 9 }));
      const r = await runCase(tb, {
        head: gzipHead(bomb.length),
        bodyLength: bomb.length,
        bodyBase64: Buffer.from(bomb).toString("base64"),
        steps: [{ accept: {} }, { awaitRequest: {} }, { stream: {} }, { sleep: 200 }],
      });
      assert.equal(r.code, 7, r.stderr);
      assert.match(r.stderr, /over 1000:1/);
      assert.equal(r.file, null);
    });
  },
);
