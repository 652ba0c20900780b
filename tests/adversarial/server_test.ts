/**
 * Servers that stall, shrink their window, stop, or break the response framing, played by the raw peer against our
 * real program: each ends with its own clear message and exit code, and never with a final file it should not have.
 */

import assert from "node:assert/strict";
import { bodyBytes } from "./_frame_builder.ts";
import { FINISH, okHead, peerTest, runCase, upTo } from "./_harness.ts";

const BODY = 30_000;
const HEAD = okHead(BODY);
const H = new TextEncoder().encode(HEAD).length;
const MID = H + 10_000;
const H5 = new TextEncoder().encode(okHead(5000)).length;

peerTest(
  "servers that stall, shrink their window, stop or overrun: clear errors, exit codes, no bad file",
  async (t, tb) => {
    const expected = bodyBytes(BODY);

    await t.step("a zero window forever: the request cannot be sent; exit 4 after the timeout", async () => {
      const r = await runCase(tb, {
        head: HEAD,
        bodyLength: BODY,
        steps: [{ accept: { window: 0 } }, { sleep: 4000 }],
      }, { timeoutS: 2 });
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /stopped answering before the response headers arrived/);
      assert.equal(r.file, null);
      assert.ok(r.sent.every((s) => s.payload.length <= 1), "only zero-window probes of at most 1 byte");
    });

    await t.step("a window the peer shrinks, then reopens: the request gets through, the file is exact", async () => {
      const r = await runCase(tb, {
        head: HEAD,
        bodyLength: BODY,
        steps: [
          { accept: { window: 100 } },
          { set: { autoAck: false } },
          { sleep: 300 },
          { send: { ackDelta: -100, window: 10 } }, // right edge from 100 back to 11
          { sleep: 300 },
          { set: { window: 65535, autoAck: true } },
          { send: {} },
          { awaitRequest: {} },
          ...FINISH,
        ],
      });
      assert.equal(r.code, 0, r.stderr + r.peerStderr);
      assert.deepEqual(r.file, expected);
    });

    await t.step("a SYN-ACK and then nothing: exit 4, no file, no .part", async () => {
      const r = await runCase(tb, {
        head: HEAD,
        bodyLength: BODY,
        steps: [{ accept: {} }, { set: { autoAck: false } }, { sleep: 4000 }],
      }, { timeoutS: 2 });
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /stopped answering before the response headers arrived/);
      assert.equal(r.file, null);
      assert.equal(r.part, false);
    });

    await t.step("a server that stops mid-body: exit 4, the .part kept, no final file", async () => {
      const r = await runCase(tb, {
        head: HEAD,
        bodyLength: BODY,
        steps: [...upTo(MID), { sleep: 4000 }],
      }, { timeoutS: 2 });
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /stopped answering after 10000 bytes \(kept in .*out\.bin\.part\)/);
      assert.equal(r.file, null);
      assert.ok(r.part);
    });

    const closes: Array<[string, number, RegExp, boolean]> = [
      ["mid-body", MID, /Connection closed with 20000 body bytes still expected/, true],
      ["before the headers end", 20, /Connection closed before the end of the response header section/, false],
    ];
    for (const [when, at, message, part] of closes) {
      await t.step(`a server that closes ${when}: exit 7, no final file, .part ${part ? "kept" : "none"}`, async () => {
        const r = await runCase(tb, {
          head: HEAD,
          bodyLength: BODY,
          steps: [
            ...upTo(at),
            { send: { flags: "FA", seqAt: at } },
            { awaitEnd: {} },
          ],
        });
        assert.equal(r.code, 7, r.stderr);
        assert.match(r.stderr, message);
        assert.equal(r.file, null);
        assert.equal(r.part, part);
      });
    }

    await t.step("a server that sends past Content-Length: a protocol error (exit 7), no final file", async () => {
      // RFC 9112 §6.3 would allow discarding the extra bytes; we refuse them: server and client disagree about
      // where the body ends, so the file cannot be trusted.
      const r = await runCase(tb, {
        head: okHead(5000),
        bodyLength: 8000,
        steps: [
          ...upTo(H5 + 4000),
          { send: { from: H5 + 4000, to: H5 + 5400 } }, // the last 1000 body bytes and 400 more in one segment
          { sleep: 3000 },
        ],
      }, { timeoutS: 2 });
      assert.equal(r.code, 7, r.stderr + r.peerStderr);
      assert.match(r.stderr, /The server sent 400 bytes past its Content-Length of 5000/);
      assert.equal(r.file, null);
    });

    await t.step(
      "a server that completes the body but never closes: saved after a short grace, no timeout",
      async () => {
        const r = await runCase(tb, {
          head: okHead(5000),
          bodyLength: 5000,
          steps: [...upTo(H5 + 5000), { sleep: 8000 }],
        }, { timeoutS: 6 });
        const seconds = r.clientMs / 1000;
        assert.equal(r.code, 0, r.stderr + r.peerStderr);
        assert.deepEqual(r.file, bodyBytes(5000));
        assert.ok(seconds < 6, `the download waited ${seconds.toFixed(1)} s for a FIN that never came`);
      },
    );
  },
);
