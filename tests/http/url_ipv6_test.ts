/**
 * URLs with an IPv6 literal host (RFC 3986 §3.2.2 IP-literal): parsing to RFC 5952 text, ports, zone ids refused,
 * IPv4-mapped forms, redirects, file names, and the Host field, absolute-form and CONNECT targets that carry them.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  buildConnectRequest,
  buildGetRequest,
  fileNameFor,
  hostPort,
  parseUrl,
  requestTarget,
  resolveLocation,
  uriHost,
  UrlError,
} from "../../src/http/mod.ts";
import { parseIpv6Address } from "../../src/wire/mod.ts";

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("parseUrl() reads an IPv6 literal: the host is its RFC 5952 text without brackets", () => {
  assert.deepEqual(parseUrl("http://[2001:2::1]:8080/path"), {
    scheme: "http",
    host: "2001:2::1",
    isIpv4: false,
    isIpv6: true,
    port: 8080,
    defaultPort: 80,
    path: "/path",
    href: "http://[2001:2::1]:8080/path",
  });
});

Deno.test("parseUrl() writes every spelling of an IPv6 literal as the one canonical text", () => {
  const table: Array<[string, string, number, string]> = [
    ["http://[2001:0002:0:0::1]/", "2001:2::1", 80, "http://[2001:2::1]/"],
    ["http://[2001:2:0:0:0:0:0:1]:80/", "2001:2::1", 80, "http://[2001:2::1]/"],
    ["HTTPS://[2001:2::ABCD]/x", "2001:2::abcd", 443, "https://[2001:2::abcd]/x"],
    ["https://[2001:2::1]:8443/", "2001:2::1", 8443, "https://[2001:2::1]:8443/"],
    ["http://[2001:2:0:0:1:0:0:1]/", "2001:2::1:0:0:1", 80, "http://[2001:2::1:0:0:1]/"],
    ["http://[::1]/", "::1", 80, "http://[::1]/"],
    ["http://[::]/", "::", 80, "http://[::]/"],
    ["[2001:2::1]:8080/a", "2001:2::1", 8080, "http://[2001:2::1]:8080/a"], // no scheme: http, as wget
    ["http://user:pw@[2001:2::1]/", "2001:2::1", 80, "http://[2001:2::1]/"],
  ];
  for (const [input, host, port, href] of table) {
    const u = parseUrl(input);
    assert.deepEqual([u.host, u.port, u.href, u.isIpv6, u.isIpv4], [host, port, href, true, false], input);
    // The same text our own parser makes, which the transport and no_proxy compare addresses with.
    assert.equal(u.host, parseIpv6Address(input.replace(/^.*\[(.*)\].*$/, "$1")), input);
  }
});

Deno.test("parseUrl() keeps an IPv4-mapped IPv6 literal an IPv6 literal, in RFC 5952 text", () => {
  for (const input of ["http://[::ffff:198.18.0.1]/", "http://[::FFFF:C612:1]/", "http://[0:0:0:0:0:ffff:c612:1]/"]) {
    const u = parseUrl(input);
    assert.deepEqual([u.host, u.isIpv6, u.isIpv4, u.href], [
      parseIpv6Address("::ffff:198.18.0.1"),
      true,
      false,
      `http://[${parseIpv6Address("::ffff:198.18.0.1")}]/`,
    ], input);
  }
  assert.equal(parseUrl("http://198.18.0.1/").isIpv6, false);
  assert.equal(parseUrl("http://example.com/").isIpv6, false);
});

Deno.test("parseUrl() refuses a zone id in one sentence (wget 1.21: 'Invalid IPv6 numeric address', exit 1)", () => {
  for (const input of ["http://[fe80::1%25eth0]/", "http://[fe80::1%eth0]/", "http://[fe80::1%251]:8080/x"]) {
    assert.throws(() => parseUrl(input), (e: unknown) => e instanceof UrlError && e.reason === "ipv6-literal", input);
  }
  assert.throws(() => parseUrl("http://[fe80::1%25eth0]/"), {
    message: `Cannot fetch "http://[fe80::1%25eth0]/": an IPv6 address with a zone id (the part after "%") is not ` +
      "supported",
  });
  const base = parseUrl("http://[2001:2::1]/");
  assert.throws(
    () => resolveLocation(base, "http://[fe80::1%25eth0]/x"),
    (e: unknown) => e instanceof UrlError && e.reason === "ipv6-literal",
  );
});

Deno.test("parseUrl() says plainly that a malformed IPv6 literal is one", () => {
  for (
    const input of ["http://[2001:2::g]/", "http://[2001:2::1/", "http://[1:2:3:4:5:6:7:8:9]/", "http://[::1::2]/"]
  ) {
    assert.throws(() => parseUrl(input), {
      name: "UrlError",
      message: `Cannot parse URL "${input}": its host is not a valid IPv6 address in brackets`,
    }, input);
  }
});

Deno.test("resolveLocation() follows a redirect to and from an IPv6 literal", () => {
  const base = parseUrl("http://[2001:2::1]:8080/a/b");
  assert.equal(resolveLocation(base, "c").href, "http://[2001:2::1]:8080/a/c");
  assert.equal(resolveLocation(base, "c").host, "2001:2::1");
  const away = resolveLocation(parseUrl("http://example.com/"), "https://[2001:0002::0009]/x");
  assert.deepEqual([away.host, away.port, away.isIpv6, away.href], ["2001:2::9", 443, true, "https://[2001:2::9]/x"]);
});

Deno.test("fileNameFor() names the index of an IPv6 literal index.html, as wget does", () => {
  assert.equal(fileNameFor(parseUrl("http://[2001:2::1]/")), "index.html");
  assert.equal(fileNameFor(parseUrl("http://[2001:2::1]:8080/dir/f.tar.gz")), "f.tar.gz");
});

Deno.test("uriHost() and hostPort() put an IPv6 literal in brackets and leave other hosts alone", () => {
  assert.equal(uriHost("2001:2::1"), "[2001:2::1]");
  assert.equal(uriHost("198.18.0.1"), "198.18.0.1");
  assert.equal(uriHost("example.com"), "example.com");
  assert.equal(hostPort("2001:2::1", 80), "[2001:2::1]:80");
  assert.equal(hostPort("example.com", 8080), "example.com:8080");
});

Deno.test("the Host field carries an IPv6 literal in brackets, its port only when not the default (RFC 9110 §7.2)", () => {
  const request = (url: string) => {
    const u = parseUrl(url);
    return decode(buildGetRequest({ ...u, userAgent: "", version: "1.1" }));
  };
  assert.match(request("http://[2001:2::1]/"), /^GET \/ HTTP\/1\.1\r\nHost: \[2001:2::1\]\r\n/);
  assert.match(request("http://[2001:2::1]:8080/p?q"), /^GET \/p\?q HTTP\/1\.1\r\nHost: \[2001:2::1\]:8080\r\n/);
  assert.match(request("https://[2001:2::1]/"), /\r\nHost: \[2001:2::1\]\r\n/);
  assert.match(request("https://[2001:2::1]:80/"), /\r\nHost: \[2001:2::1\]:80\r\n/);
  // Only canonical IPv6 text (as parseUrl leaves it) is taken: anything else with a colon or a bracket is refused.
  const bad = { host: "[2001:2::1]", port: 80, defaultPort: 80, path: "/", userAgent: "", version: "1.0" } as const;
  assert.throws(() => buildGetRequest(bad), TypeError);
  assert.throws(() => buildGetRequest({ ...bad, host: "a:b" }), TypeError);
});

Deno.test("an absolute-form target to a proxy and a CONNECT target bracket an IPv6 literal", () => {
  const u = parseUrl("http://[2001:2::1]:8080/x");
  assert.equal(requestTarget({ ...u, viaProxy: true }), "http://[2001:2::1]:8080/x");
  assert.equal(requestTarget({ ...parseUrl("http://[2001:2::1]/x"), viaProxy: true }), "http://[2001:2::1]/x");
  assert.equal(requestTarget({ ...u, viaProxy: false }), "/x");
  assert.equal(
    decode(buildConnectRequest({ host: "2001:2::1", port: 443, userAgent: "" })),
    "CONNECT [2001:2::1]:443 HTTP/1.1\r\nHost: [2001:2::1]:443\r\n\r\n",
  );
  assert.throws(() => buildConnectRequest({ host: "[2001:2::1]", port: 443, userAgent: "" }), TypeError);
});
