/**
 * Valid responses with their expected summaries: the parser's table tests and the fuzz test's seed corpus.
 *
 * @module
 */

import type { Summary } from "./_helpers.ts";

/** One valid response and what a parser must make of it. */
export interface Case {
  name: string;
  wire: string;
  expect: Omit<Summary, "trailing">;
  /** Whether bytes appended after the response are dropped (false when the body runs to EOF). */
  delimited: boolean;
}

const ok = (status: number, extra: Partial<Summary["head"]> = {}) => ({
  version: "1.1" as const,
  status,
  reason: "OK",
  contentLength: null,
  chunked: false,
  untilClose: false,
  ...extra,
});

/** Valid responses, shared with the fuzz test as its corpus. */
export const VALID: Case[] = [
  {
    name: "a Content-Length body",
    wire: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
    expect: {
      head: ok(200, { contentLength: 5 }),
      fields: [["Content-Length", "5"], ["Content-Type", "text/plain"]],
      body: "hello",
      ended: true,
    },
    delimited: true,
  },
  {
    name: "a zero Content-Length",
    wire: "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
    expect: {
      head: ok(200, { version: "1.0", contentLength: 0 }),
      fields: [["Content-Length", "0"]],
      body: "",
      ended: true,
    },
    delimited: true,
  },
  {
    name: "a body read until EOF",
    wire: "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nall the rest\r\n\r\nis body",
    expect: {
      head: ok(200, { version: "1.0", untilClose: true }),
      fields: [["Server", "x"]],
      body: "all the rest\r\n\r\nis body",
      ended: true,
    },
    delimited: false,
  },
  {
    name: "a chunked body with extensions and trailers",
    wire: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "5;name=val\r\nhello\r\n1\t ; x\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n",
    expect: {
      head: ok(200, { chunked: true }),
      fields: [["Transfer-Encoding", "chunked"]],
      body: "hello 0123456789",
      ended: true,
    },
    delimited: true,
  },
  {
    name: "interim 100 and 103 responses before the final one",
    wire: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n" +
      "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnop",
    expect: {
      head: ok(404, { reason: "Not Found", contentLength: 3 }),
      fields: [["Content-Length", "3"]],
      body: "nop",
      ended: true,
    },
    delimited: true,
  },
  {
    name: "a 304 with no body despite Content-Length",
    wire: "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
    expect: { head: ok(304, { reason: "Not Modified" }), fields: [["Content-Length", "10"]], body: "", ended: true },
    delimited: true,
  },
  {
    name: "a 204 with no body despite Content-Length",
    wire: "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",
    expect: { head: ok(204, { reason: "No Content" }), fields: [["Content-Length", "10"]], body: "", ended: true },
    delimited: true,
  },
  {
    name: "bare LF line endings, an obs-fold, duplicates and an empty reason",
    wire: "HTTP/1.1 200\nX-A: 1\nx-a:2 \nX-Long: first\n \t second\nContent-Length: 2, 2\nContent-Length: 2\n\nhi",
    expect: {
      head: ok(200, { reason: "", contentLength: 2 }),
      fields: [["X-A", "1"], ["x-a", "2"], ["X-Long", "first second"], ["Content-Length", "2, 2"], [
        "Content-Length",
        "2",
      ]],
      body: "hi",
      ended: true,
    },
    delimited: true,
  },
  {
    name: "obs-text in the reason and a value",
    wire: "HTTP/1.1 200 \xe9t\xe9\r\nX-Name: caf\xe9\r\nContent-Length: 1\r\n\r\n\xff",
    expect: {
      head: ok(200, { reason: "\xe9t\xe9", contentLength: 1 }),
      fields: [["X-Name", "caf\xe9"], ["Content-Length", "1"]],
      body: "\xff",
      ended: true,
    },
    delimited: true,
  },
];
