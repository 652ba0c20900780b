import assert from "node:assert/strict";
import { buildGetRequest, encodeTarget, type GetRequestOptions } from "../../src/http/mod.ts";

const BASE: GetRequestOptions = {
  host: "example.com",
  port: 80,
  defaultPort: 80,
  path: "/index.html",
  userAgent: "rawhttpget/0.1.0",
  version: "1.0",
};
const text = (o: Partial<GetRequestOptions>) => new TextDecoder().decode(buildGetRequest({ ...BASE, ...o }));

Deno.test("buildGetRequest writes the exact request bytes", () => {
  assert.equal(
    text({}),
    "GET /index.html HTTP/1.0\r\nHost: example.com\r\nUser-Agent: rawhttpget/0.1.0\r\nAccept: */*\r\n" +
      "Accept-Encoding: gzip\r\nConnection: close\r\n\r\n",
  );
});

Deno.test("buildGetRequest names a non-default port in Host and writes HTTP/1.1 when asked", () => {
  assert.equal(
    text({ port: 8080, version: "1.1", host: "198.18.0.2" }),
    "GET /index.html HTTP/1.1\r\nHost: 198.18.0.2:8080\r\nUser-Agent: rawhttpget/0.1.0\r\nAccept: */*\r\n" +
      "Accept-Encoding: gzip\r\nConnection: close\r\n\r\n",
  );
  assert.match(text({ port: 443, defaultPort: 443 }), /\r\nHost: example\.com\r\n/);
  assert.match(text({ port: 80, defaultPort: 443 }), /\r\nHost: example\.com:80\r\n/);
});

Deno.test("buildGetRequest asks for the rest of the file when resuming", () => {
  assert.ok(
    text({ range: { start: 1048576 } }).endsWith(
      "Accept-Encoding: identity\r\nConnection: close\r\nRange: bytes=1048576-\r\n\r\n",
    ),
  );
  assert.match(text({ range: { start: 0 } }), /\r\nRange: bytes=0-\r\n/);
  assert.throws(() => text({ range: { start: -1 } }), RangeError);
  assert.throws(() => text({ range: { start: 1.5 } }), RangeError);
});

Deno.test("buildGetRequest appends extra headers and refuses ones that would split the head", () => {
  assert.ok(text({ extraHeaders: [["X-Test", "a b"]] }).endsWith("Connection: close\r\nX-Test: a b\r\n\r\n"));
  assert.throws(() => text({ extraHeaders: [["X-Test", "a\r\nEvil: 1"]] }), TypeError);
  assert.throws(() => text({ extraHeaders: [["X Test", "a"]] }), TypeError);
  assert.throws(() => text({ extraHeaders: [["X-Test", "a\0"]] }), TypeError);
  assert.throws(() => text({ userAgent: "ua\n" }), TypeError);
});

Deno.test("buildGetRequest refuses CR, LF, NUL and spaces in the host and path", () => {
  for (const host of ["exa mple.com", "example.com\r\nX: 1", "a\0b", "", "a/b", "a:80"]) {
    assert.throws(() => text({ host }), TypeError, JSON.stringify(host));
  }
  for (const path of ["/a b", "/a\r\nHost: evil", "/a\0", "/a\tb", "relative", ""]) {
    assert.throws(() => text({ path }), TypeError, JSON.stringify(path));
  }
  assert.throws(() => text({ port: 0 }), RangeError);
  assert.throws(() => text({ port: 65536 }), RangeError);
});

Deno.test("encodeTarget percent-encodes what the URI grammar does not allow", () => {
  assert.equal(encodeTarget("/a/b.txt?x=1&y=2"), "/a/b.txt?x=1&y=2");
  assert.equal(encodeTarget("/caf\u00e9"), "/caf%C3%A9");
  assert.equal(encodeTarget('/"<>^`{|}'), "/%22%3C%3E%5E%60%7B%7C%7D");
  assert.equal(encodeTarget("/100%"), "/100%25");
  assert.equal(encodeTarget("/a%20b%zz"), "/a%20b%25zz");
  assert.equal(encodeTarget("/#frag"), "/%23frag");
});

Deno.test("buildGetRequest() puts the absolute-form target in a request to a proxy", () => {
  const text = new TextDecoder().decode(
    buildGetRequest({
      host: "a.test",
      port: 8080,
      defaultPort: 80,
      path: "/x%20y?q",
      userAgent: "t",
      version: "1.0",
      viaProxy: true,
      extraHeaders: [["Proxy-Authorization", "Basic dDpw"]],
    }),
  );
  assert.ok(text.startsWith("GET http://a.test:8080/x%20y?q HTTP/1.0\r\nHost: a.test:8080\r\n"), text);
  assert.ok(text.endsWith("Proxy-Authorization: Basic dDpw\r\n\r\n"), text);
});
