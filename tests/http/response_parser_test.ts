import assert from "node:assert/strict";
import { ResponseParser } from "../../src/http/mod.ts";
import { byteByByte, bytes, run, splitAt } from "./_helpers.ts";
import { VALID } from "./_corpus.ts";

for (const c of VALID) {
  const data = bytes(c.wire);
  Deno.test(`ResponseParser parses ${c.name} fed whole`, () => {
    assert.deepEqual(run([data]), { ...c.expect, trailing: 0 });
  });
  Deno.test(`ResponseParser parses ${c.name} fed byte by byte`, () => {
    assert.deepEqual(run(byteByByte(data)), { ...c.expect, trailing: 0 });
  });
  Deno.test(`ResponseParser parses ${c.name} split at every position`, () => {
    for (let i = 0; i <= data.length; i++) {
      for (const j of [i, Math.min(data.length, i + 1), Math.min(data.length, i + 7)]) {
        assert.deepEqual(run(splitAt(data, [i, j])), { ...c.expect, trailing: 0 }, `split at ${i}, ${j}`);
      }
    }
  });
  if (c.delimited) {
    Deno.test(`ResponseParser drops and counts trailing data after ${c.name}`, () => {
      const more = bytes(c.wire + "HTTP/1.1 200 OK\r\n\r\nextra");
      const tail = more.length - data.length;
      assert.deepEqual(run([more]), { ...c.expect, trailing: tail });
      assert.deepEqual(run(byteByByte(more)), { ...c.expect, trailing: tail });
    });
    Deno.test(`ResponseParser ends ${c.name} before EOF arrives`, () => {
      assert.deepEqual(run([data], false), { ...c.expect, trailing: 0 });
    });
  }
}

Deno.test("ResponseParser returns body views into the received bytes without copying", () => {
  const data = bytes("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n");
  const body = bytes("abcd");
  const p = new ResponseParser();
  p.receiveData(data);
  p.receiveData(body);
  assert.equal(p.nextEvent()?.type, "head");
  const e = p.nextEvent();
  assert.ok(e?.type === "body");
  assert.equal(e.bytes.buffer, body.buffer);
  assert.deepEqual(p.nextEvent(), { type: "end" });
  assert.equal(p.done, true);
  assert.equal(p.nextEvent(), null);
});

Deno.test("ResponseParser waits for more data instead of guessing", () => {
  const p = new ResponseParser();
  p.receiveData(bytes("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n"));
  assert.equal(p.nextEvent(), null);
  p.receiveData(bytes("\r\nab"));
  assert.equal(p.nextEvent()?.type, "head");
  assert.equal(p.nextEvent()?.type, "body");
  assert.equal(p.nextEvent(), null);
});

Deno.test("ResponseParser headers are case-insensitive and keep duplicates", () => {
  const p = new ResponseParser();
  p.receiveData(bytes("HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nContent-Length: 0\r\n\r\n"));
  const e = p.nextEvent();
  assert.ok(e?.type === "head");
  assert.equal(e.headers.get("SET-COOKIE"), "a=1, b=2");
  assert.deepEqual(e.headers.getAll("Set-Cookie"), ["a=1", "b=2"]);
  assert.equal(e.headers.has("content-length"), true);
  assert.equal(e.headers.get("location"), null);
  assert.deepEqual(e.headers.getAll("location"), []);
  assert.equal(e.headers.size, 3);
});

Deno.test("ResponseParser refuses data after receiveEof as local misuse", () => {
  const p = new ResponseParser();
  p.receiveEof();
  assert.throws(() => p.receiveData(bytes("x")), TypeError);
});

Deno.test("ResponseParser streams a large Content-Length body in received pieces", () => {
  const p = new ResponseParser();
  p.receiveData(bytes("HTTP/1.1 200 OK\r\nContent-Length: 3000000\r\n\r\n"));
  assert.equal(p.nextEvent()?.type, "head");
  const piece = new Uint8Array(1000);
  let total = 0;
  for (let i = 0; i < 3000; i++) {
    p.receiveData(piece);
    for (let e = p.nextEvent(); e !== null; e = p.nextEvent()) if (e.type === "body") total += e.bytes.length;
  }
  assert.equal(total, 3000000);
  assert.equal(p.done, true);
});

Deno.test("ResponseParser holds no received array once nextEvent returns null", () => {
  // The driver passes the TCP engine's reusable read buffer: overwriting it after draining must not change anything.
  const wire = bytes(VALID[3].wire);
  const buffer = new Uint8Array(7);
  const p = new ResponseParser();
  let body = "";
  for (let i = 0; i < wire.length; i += 7) {
    const piece = wire.subarray(i, i + 7);
    buffer.set(piece);
    p.receiveData(buffer.subarray(0, piece.length));
    for (let e = p.nextEvent(); e !== null; e = p.nextEvent()) {
      if (e.type === "body") body += String.fromCharCode(...e.bytes);
    }
    buffer.fill(0x21);
  }
  assert.equal(body, VALID[3].expect.body);
  assert.equal(p.done, true);
});

Deno.test("ResponseParser parses a chunked body of 50000 one-byte chunks with trailers", () => {
  const wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + "1\r\nx\r\n".repeat(50_000) +
    "0\r\nT: 1\r\n\r\n";
  const s = run([bytes(wire)]);
  assert.equal(s.body.length, 50_000);
  assert.equal(s.ended, true);
});

Deno.test("ResponseParser processes a higher HTTP/1.x minor version as 1.1", () => {
  assert.equal(run([bytes("HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n")]).head?.version, "1.1");
});
