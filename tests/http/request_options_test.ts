/**
 * The request as the user shapes it (`--method`, a body, `--header`, `-U`, `--referer`) and the parser's
 * `ignoreLength` (`--ignore-length`).
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  buildConnectRequest,
  buildGetRequest,
  type GetRequestOptions,
  isFieldValue,
  isToken,
  ResponseParser,
} from "../../src/http/mod.ts";

const BASE: GetRequestOptions = {
  host: "198.18.2.2",
  port: 80,
  defaultPort: 80,
  path: "/form",
  userAgent: "rawhttpget/0.2.0",
  version: "1.0",
};
const text = (o: Partial<GetRequestOptions>) => new TextDecoder().decode(buildGetRequest({ ...BASE, ...o }));

Deno.test("buildGetRequest() sends a method with its content after the head, framed by Content-Length", () => {
  const body = new TextEncoder().encode("a=1&b=2");
  assert.equal(
    text({ method: "PUT", body: { bytes: body, type: "application/x-www-form-urlencoded" } }),
    "PUT /form HTTP/1.0\r\nHost: 198.18.2.2\r\nUser-Agent: rawhttpget/0.2.0\r\nAccept: */*\r\n" +
      "Accept-Encoding: gzip\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
      "Content-Length: 7\r\n\r\na=1&b=2",
  );
  assert.match(text({ method: "POST", body: { bytes: new Uint8Array(0) } }), /\r\nContent-Length: 0\r\n\r\n$/);
  assert.doesNotMatch(text({ method: "DELETE" }), /Content-/);
});

Deno.test("buildGetRequest() keeps the content's bytes as they are", () => {
  const bytes = new Uint8Array([0, 255, 13, 10, 65]);
  const request = buildGetRequest({ ...BASE, method: "POST", body: { bytes } });
  assert.deepEqual(request.subarray(request.length - 5), bytes);
});

Deno.test("buildGetRequest() refuses a method that is not a token", () => {
  assert.throws(() => text({ method: "GET /x HTTP/1.1\r\nX:" }), TypeError);
  assert.throws(() => text({ method: "" }), TypeError);
});

Deno.test("buildGetRequest() places Referer after Host and sends no User-Agent for an empty one", () => {
  assert.match(
    text({ referer: "http://ref.test/page" }),
    /^GET \/form HTTP\/1\.0\r\nHost: [^\r]*\r\nReferer: http:\/\/ref\.test\/page\r\nUser-Agent: /,
  );
  assert.doesNotMatch(text({ userAgent: "" }), /User-Agent/);
});

Deno.test("buildConnectRequest() sends no User-Agent for an empty one, as wget's -U ''", () => {
  const connect = new TextDecoder().decode(buildConnectRequest({ host: "a.test", port: 443, userAgent: "" }));
  assert.equal(connect, "CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n\r\n");
});

Deno.test("buildGetRequest() lets a user field replace ours of the same name in place, or appends it", () => {
  const request = text({
    method: "POST",
    body: { bytes: new TextEncoder().encode("x"), type: "application/x-www-form-urlencoded" },
    userHeaders: [
      ["X-Probe", "1"],
      ["host", "other.test"],
      ["User-Agent", "mine"],
      ["x-probe", "2"],
      ["Content-Type", "application/json"],
    ],
  });
  assert.equal(
    request,
    "POST /form HTTP/1.0\r\nhost: other.test\r\nUser-Agent: mine\r\nAccept: */*\r\nAccept-Encoding: gzip\r\n" +
      "Connection: close\r\nContent-Type: application/json\r\nContent-Length: 1\r\nx-probe: 2\r\n\r\nx",
  );
  assert.match(text({ userHeaders: [["Empty", ""]] }), /\r\nEmpty: \r\n\r\n$/);
});

Deno.test("isToken() and isFieldValue() say what can be sent", () => {
  assert.ok(isToken("X-Probe"));
  assert.ok(!isToken("X Probe") && !isToken("X:") && !isToken(""));
  assert.ok(isFieldValue("text/html; q=0.9") && isFieldValue("") && isFieldValue("a\tb") && isFieldValue("é"));
  assert.ok(!isFieldValue("a\r\nInjected: 1") && !isFieldValue("a\nb") && !isFieldValue("\0"));
  assert.ok(!isFieldValue(" lead") && !isFieldValue("trail "));
});

function parse(options: { head?: boolean; ignoreLength?: boolean }, response: string, eof = true) {
  const parser = new ResponseParser(options);
  parser.receiveData(new TextEncoder().encode(response));
  if (eof) parser.receiveEof();
  const events = [];
  for (let ev = parser.nextEvent(); ev !== null; ev = parser.nextEvent()) events.push(ev);
  return events;
}

Deno.test("ResponseParser with ignoreLength reads the body to EOF whatever Content-Length says", () => {
  const longer = parse({ ignoreLength: true }, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nhello world");
  assert.equal(longer[0].type === "head" && longer[0].contentLength, null);
  const bytes = longer.flatMap((e) => e.type === "body" ? [...e.bytes] : []);
  assert.equal(new TextDecoder().decode(new Uint8Array(bytes)), "hello world");
  assert.equal(longer.at(-1)?.type, "end");
  // A shorter body than declared is not a truncation, and a bad Content-Length is not read at all.
  const shorter = parse({ ignoreLength: true }, "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\nhi");
  assert.equal(shorter.at(-1)?.type, "end");
  assert.equal(parse({ ignoreLength: true }, "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\nhi").at(-1)?.type, "end");
  // Without EOF, the body is still open.
  assert.notEqual(
    parse({ ignoreLength: true }, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", false).at(-1)?.type,
    "end",
  );
});

Deno.test("ResponseParser with ignoreLength still decodes chunked bodies and reports no length for HEAD", () => {
  const chunked = parse(
    { ignoreLength: true },
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 9\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
    false,
  );
  assert.equal(chunked.at(-1)?.type, "end");
  const head = parse({ head: true, ignoreLength: true }, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", false);
  assert.equal(head[0].type === "head" && head[0].contentLength, null);
  assert.equal(parse({ ignoreLength: true }, "HTTP/1.1 204 No Content\r\n\r\n", false).at(-1)?.type, "end");
});
