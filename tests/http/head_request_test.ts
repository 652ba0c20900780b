/**
 * The HEAD request that `-N --no-if-modified-since` sends first, and its response: a head with no body whatever its
 * Content-Length says (RFC 9112 §6.3), whose length is still reported.
 *
 * @module
 */

import assert from "node:assert/strict";
import { buildGetRequest, type HttpEvent, ResponseParser } from "../../src/http/mod.ts";

const BASE = { host: "a.test", port: 80, defaultPort: 80, path: "/a.bin", userAgent: "t", version: "1.0" } as const;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function events(parser: ResponseParser, wire: string): HttpEvent[] {
  parser.receiveData(new TextEncoder().encode(wire));
  const out: HttpEvent[] = [];
  for (let ev = parser.nextEvent(); ev !== null; ev = parser.nextEvent()) out.push(ev);
  return out;
}

Deno.test("buildGetRequest() writes a HEAD request line and can ask for the identity coding", () => {
  const head = text(buildGetRequest({ ...BASE, method: "HEAD", identity: true }));
  assert.ok(head.startsWith("HEAD /a.bin HTTP/1.0\r\nHost: a.test\r\n"), head);
  assert.match(head, /\r\nAccept-Encoding: identity\r\n/);
  const get = text(
    buildGetRequest({ ...BASE, extraHeaders: [["If-Modified-Since", "Thu, 02 Jan 2020 03:04:05 GMT"]] }),
  );
  assert.ok(get.startsWith("GET /a.bin HTTP/1.0\r\n"), get);
  assert.match(get, /\r\nAccept-Encoding: gzip\r\n/);
  assert.ok(get.endsWith("\r\nIf-Modified-Since: Thu, 02 Jan 2020 03:04:05 GMT\r\n\r\n"), get);
});

Deno.test("ResponseParser({ head: true }) ends the response at the head and reports its Content-Length", () => {
  const wire = "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nLast-Modified: Thu, 02 Jan 2020 03:04:05 GMT\r\n\r\n";
  const parser = new ResponseParser({ head: true });
  const evs = events(parser, wire);
  assert.deepEqual(evs.map((e) => e.type), ["head", "end"]);
  assert.equal(evs[0].type === "head" && evs[0].contentLength, 5000);
  assert.equal(parser.done, true);
  // The same bytes answering a GET announce a body that has not come.
  assert.deepEqual(events(new ResponseParser(), wire).map((e) => e.type), ["head"]);
});

Deno.test("ResponseParser({ head: true }) ignores chunked framing and still refuses a bad Content-Length", () => {
  const chunked = events(new ResponseParser({ head: true }), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  assert.deepEqual(chunked.map((e) => e.type), ["head", "end"]);
  assert.equal(chunked[0].type === "head" && chunked[0].contentLength, null);
  const bad = new ResponseParser({ head: true });
  assert.throws(() => events(bad, "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"), /Cannot parse Content-Length/);
});
