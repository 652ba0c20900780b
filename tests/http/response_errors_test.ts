import assert from "node:assert/strict";
import {
  HttpError,
  MAX_CHUNK_LINE_BYTES,
  MAX_HEAD_BYTES,
  MAX_HEADER_FIELDS,
  MAX_STATUS_LINE_BYTES,
  ResponseParser,
} from "../../src/http/mod.ts";
import { byteByByte, bytes, reasonOf, run } from "./_helpers.ts";

const CL0 = "Content-Length: 0\r\n";
const ERRORS: Array<[string, string, string]> = [
  ["bad-status-line", "an HTTP/2 version", "HTTP/2 200 OK\r\n\r\n"],
  ["bad-status-line", "a two-digit status", "HTTP/1.1 20 OK\r\n\r\n"],
  ["bad-status-line", "a missing space before the reason", "HTTP/1.1 200OK\r\n\r\n"],
  ["bad-status-line", "a double space before the status", "HTTP/1.1  200 OK\r\n\r\n"],
  ["bad-status-line", "a lower-case protocol name", "http/1.1 200 OK\r\n\r\n"],
  ["bad-status-line", "a status below 100", "HTTP/1.1 099 Odd\r\n\r\n"],
  ["bad-status-line", "a status above 599", "HTTP/1.1 600 Odd\r\n\r\n"],
  ["bad-status-line", "an ICY (SHOUTcast) status line", "ICY 200 OK\r\n\r\n"],
  ["bad-status-line", "an HTTP/0.9 body with no head", "<html>hello</html>\n"],
  ["bad-status-line", "a bare CR in the status line", "HTTP/1.1 200 O\rK\r\n\r\n"],
  ["bad-status-line", "a NUL in the reason", "HTTP/1.1 200 O\0K\r\n\r\n"],
  ["bad-status-line", "a DEL in the reason", "HTTP/1.1 200 O\x7fK\r\n\r\n"],
  ["bad-status-line", "an empty line instead of a status line", "\r\nHTTP/1.1 200 OK\r\n\r\n"],
  ["bad-header", "a field line without a colon", "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n"],
  ["bad-header", "whitespace before the colon", "HTTP/1.1 200 OK\r\nName : v\r\n\r\n"],
  ["bad-header", "an empty field name", "HTTP/1.1 200 OK\r\n: v\r\n\r\n"],
  ["bad-header", "a NUL in a value", "HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n"],
  ["bad-header", "a bare CR in a value", "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n"],
  ["bad-header", "a control character in a value", "HTTP/1.1 200 OK\r\nX: a\x01b\r\n\r\n"],
  ["bad-header", "a fold before any field", "HTTP/1.1 200 OK\r\n folded\r\n\r\n"],
  ["bad-header", "a non-token name", "HTTP/1.1 200 OK\r\nX(y): 1\r\n\r\n"],
  ["bad-content-length", "a non-numeric Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n"],
  ["bad-content-length", "a negative Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"],
  ["bad-content-length", "a signed Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n"],
  ["bad-content-length", "an empty Content-Length", "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n"],
  ["bad-content-length", "an exponent Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n"],
  ["bad-content-length", "a Content-Length past 2^53", "HTTP/1.1 200 OK\r\nContent-Length: 9007199254740992\r\n\r\n"],
  [
    "conflicting-length",
    "two different Content-Lengths",
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
  ],
  ["conflicting-length", "a Content-Length list that disagrees", "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n"],
  [
    "conflicting-length",
    "Transfer-Encoding with Content-Length",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
  ],
  ["bad-transfer-encoding", "chunked in an HTTP/1.0 response", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"],
  ["bad-transfer-encoding", "gzip transfer coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"],
  [
    "bad-transfer-encoding",
    "chunked twice",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
  ],
  ["bad-transfer-encoding", "identity transfer coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\n"],
  ["truncated-head", "EOF before any byte", ""],
  ["truncated-head", "EOF inside the status line", "HTTP/1.1 200"],
  ["truncated-head", "EOF before the empty line", "HTTP/1.1 200 OK\r\nServer: x\r\n"],
  ["truncated-head", "EOF inside a field line", "HTTP/1.1 200 OK\r\nServ"],
  ["truncated-body", "EOF before Content-Length bytes", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello"],
  ["truncated-body", "EOF inside a chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"],
  [
    "truncated-body",
    "EOF before the last chunk",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
  ],
  ["truncated-body", "EOF inside the trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n"],
  ["bad-chunk", "a non-hex chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"],
  ["bad-chunk", "a negative chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n"],
  ["bad-chunk", "junk after the chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\n"],
  ["bad-chunk", "an empty chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n"],
  [
    "bad-chunk",
    "a chunk size of 14 hex digits",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000\r\n",
  ],
  [
    "bad-chunk",
    "chunk data longer than announced",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
  ],
  ["bad-chunk", "a malformed trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nno colon\r\n\r\n"],
  ["unexpected-upgrade", "101 Switching Protocols", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"],
];

for (const [reason, what, wire] of ERRORS) {
  Deno.test(`ResponseParser reports ${reason} for ${what}`, () => {
    assert.equal(reasonOf(() => run([bytes(wire)])), reason);
    assert.equal(reasonOf(() => run(byteByByte(bytes(wire)))), reason, "fed byte by byte");
  });
}

Deno.test("ResponseParser error messages are one sentence quoting the value", () => {
  assert.throws(
    () => run([bytes("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n")]),
    (e: unknown) => e instanceof HttpError && e.message === `Cannot parse Content-Length "abc"`,
  );
});

Deno.test("ResponseParser repeats the same error on every later call", () => {
  const p = new ResponseParser();
  p.receiveData(bytes("HTTP/9 200 OK\r\n\r\n"));
  let first: unknown;
  try {
    p.nextEvent();
  } catch (e) {
    first = e;
  }
  assert.ok(first instanceof HttpError);
  assert.throws(() => p.nextEvent(), (e: unknown) => e === first);
});

Deno.test("ResponseParser rejects a missing end of headers only at EOF", () => {
  const p = new ResponseParser();
  p.receiveData(bytes("HTTP/1.1 200 OK\r\nX: 1\r\n"));
  assert.equal(p.nextEvent(), null);
  p.receiveEof();
  assert.throws(() => p.nextEvent(), (e: unknown) => e instanceof HttpError && e.reason === "truncated-head");
});

/** A response whose head is exactly `size` bytes (status line, one padding field, Content-Length: 0, empty line). */
function headOfSize(size: number): string {
  const fixed = "HTTP/1.1 200 OK\r\n" + "X: \r\n" + CL0 + "\r\n";
  return "HTTP/1.1 200 OK\r\nX: " + "a".repeat(size - fixed.length) + "\r\n" + CL0 + "\r\n";
}

Deno.test("ResponseParser accepts a head of exactly MAX_HEAD_BYTES and rejects one byte more", () => {
  assert.equal(headOfSize(MAX_HEAD_BYTES).length, MAX_HEAD_BYTES);
  assert.equal(run([bytes(headOfSize(MAX_HEAD_BYTES))]).ended, true);
  assert.equal(reasonOf(() => run([bytes(headOfSize(MAX_HEAD_BYTES + 1))])), "header-too-large");
  // Without EOF too: the limit trips before the end of the head arrives.
  const endless = "HTTP/1.1 200 OK\r\nX: " + "a".repeat(MAX_HEAD_BYTES);
  assert.equal(reasonOf(() => run([bytes(endless)], false)), "header-too-large");
});

Deno.test("ResponseParser accepts a status line of exactly MAX_STATUS_LINE_BYTES and rejects one byte more", () => {
  const line = (n: number) => "HTTP/1.1 200 " + "r".repeat(n - 15) + "\r\n";
  assert.equal(line(MAX_STATUS_LINE_BYTES).length, MAX_STATUS_LINE_BYTES);
  assert.equal(run([bytes(line(MAX_STATUS_LINE_BYTES) + CL0 + "\r\n")]).head?.status, 200);
  assert.equal(reasonOf(() => run([bytes(line(MAX_STATUS_LINE_BYTES + 1) + CL0 + "\r\n")])), "bad-status-line");
  assert.equal(reasonOf(() => run([bytes("x".repeat(MAX_STATUS_LINE_BYTES + 1))], false)), "bad-status-line");
});

Deno.test("ResponseParser accepts MAX_HEADER_FIELDS fields and rejects one more", () => {
  const head = (n: number) => "HTTP/1.1 200 OK\r\n" + "X: 1\r\n".repeat(n - 1) + CL0 + "\r\n";
  assert.equal(run([bytes(head(MAX_HEADER_FIELDS))]).fields.length, MAX_HEADER_FIELDS);
  assert.equal(reasonOf(() => run([bytes(head(MAX_HEADER_FIELDS + 1))])), "too-many-headers");
});

Deno.test("ResponseParser accepts a chunk-size line of MAX_CHUNK_LINE_BYTES and rejects one byte more", () => {
  const body = (n: number) => "1;" + "e".repeat(n - 4) + "\r\nx\r\n0\r\n\r\n";
  const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  assert.equal(run([bytes(head + body(MAX_CHUNK_LINE_BYTES))]).body, "x");
  assert.equal(reasonOf(() => run([bytes(head + body(MAX_CHUNK_LINE_BYTES + 1))])), "bad-chunk");
});

Deno.test("ResponseParser accepts the largest safe Content-Length", () => {
  const s = run([bytes("HTTP/1.1 200 OK\r\nContent-Length: 9007199254740991\r\n\r\n")], false);
  assert.equal(s.head?.contentLength, Number.MAX_SAFE_INTEGER);
});

Deno.test("ResponseParser accepts a chunk size of 13 hex digits", () => {
  const s = run([bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n000000000000A\r\n0123456789")], false);
  assert.equal(s.body, "0123456789");
});
