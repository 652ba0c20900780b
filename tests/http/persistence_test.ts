/**
 * When a connection may carry the next request (RFC 9112 §9.3): the table of `persistenceOf`, row by row, on heads
 * parsed from the wire.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type HeadEvent, persistenceOf, ResponseParser } from "../../src/http/mod.ts";

function head(wire: string, options: { head?: boolean } = {}): HeadEvent {
  const parser = new ResponseParser(options);
  parser.receiveData(new TextEncoder().encode(wire));
  const ev = parser.nextEvent();
  assert.equal(ev?.type, "head");
  return ev as HeadEvent;
}

Deno.test("persistenceOf(): HTTP/1.1 persists unless either side says close or the body runs to the close", () => {
  const cases: [string, boolean, ReturnType<typeof persistenceOf>][] = [
    ["HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", true, null],
    ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", true, null],
    ["HTTP/1.1 304 Not Modified\r\n\r\n", true, null],
    ["HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", false, "we-asked-close"],
    ["HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\n", true, "server-closes"],
    ["HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: Upgrade, CLOSE\r\n\r\n", true, "server-closes"],
    ["HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: x\r\nConnection: close\r\n\r\n", true, "server-closes"],
    ["HTTP/1.1 200 OK\r\n\r\n", true, "body-until-close"],
    ["HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\n", true, "http-1.0"],
    ["HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: Keep-Alive\r\n\r\n", true, null],
    ["HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n", true, "body-until-close"],
  ];
  for (const [wire, asked, verdict] of cases) assert.equal(persistenceOf(head(wire), asked), verdict, wire);
});

Deno.test("persistenceOf(): the response to a HEAD ends at its head, whatever its length says", () => {
  assert.equal(persistenceOf(head("HTTP/1.1 200 OK\r\n\r\n", { head: true }), true), null);
});
