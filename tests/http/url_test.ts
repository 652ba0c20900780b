import assert from "node:assert/strict";
import { fileNameFor, MAX_FILE_NAME_BYTES, parseUrl, resolveLocation, UrlError } from "../../src/http/mod.ts";

Deno.test("parseUrl splits a URL into what the request needs", () => {
  const u = parseUrl("http://Example.COM:8080/a/b.tar.gz?x=1#top");
  assert.deepEqual(u, {
    scheme: "http",
    host: "example.com",
    isIpv4: false,
    isIpv6: false,
    port: 8080,
    defaultPort: 80,
    path: "/a/b.tar.gz?x=1",
    href: "http://example.com:8080/a/b.tar.gz?x=1",
  });
});

Deno.test("parseUrl fills in defaults and recognises IPv4 literals", () => {
  const table: Array<[string, string, number, string, boolean]> = [
    ["http://198.18.0.2", "198.18.0.2", 80, "/", true],
    ["198.18.0.2:8000/f", "198.18.0.2", 8000, "/f", true],
    ["example.com/x", "example.com", 80, "/x", false],
    ["foo/bar", "foo", 80, "/bar", false],
    ["example.com:8080/a/b", "example.com", 8080, "/a/b", false],
    ["localhost:8080", "localhost", 8080, "/", false],
    ["http://example.com:80/", "example.com", 80, "/", false],
    ["http://0x7f.1/", "127.0.0.1", 80, "/", true],
    ["http://h/a/../b/./c", "h", 80, "/b/c", false],
    ["http://h/caf\u00e9 ".trim(), "h", 80, "/caf%C3%A9", false],
    ["http://b\u00fccher.example/", "xn--bcher-kva.example", 80, "/", false],
  ];
  for (const [input, host, port, path, isIpv4] of table) {
    const u = parseUrl(input);
    assert.deepEqual([u.host, u.port, u.path, u.isIpv4], [host, port, path, isIpv4], input);
  }
});

Deno.test("parseUrl recognises https so the caller can say it is not supported", () => {
  const u = parseUrl("HTTPS://example.com/");
  assert.equal(u.scheme, "https");
  assert.equal(u.port, 443);
  assert.equal(u.defaultPort, 443);
});

Deno.test("parseUrl rejects what it cannot fetch with a typed reason", () => {
  const table: Array<[string, string]> = [
    ["ftp://example.com/f", "unsupported-scheme"],
    ["file:///etc/passwd", "unsupported-scheme"],
    ["mailto:a@b", "unsupported-scheme"],
    ["http://[fe80::1%25eth0]/", "ipv6-literal"],
    ["http://[2001:2::g]/", "ipv6-literal"],
    ["http://exa mple.com/", "bad-character"],
    ["http://example.com/a b", "bad-character"],
    ["http://example.com/a\tb", "bad-character"],
    ["http://example.com/\r\nHost: evil", "bad-character"],
    ["http://example.com/\0", "bad-character"],
    [" http://example.com/", "bad-character"],
    ["http://example.com/\x85", "bad-character"],
    ["http://", "bad-url"],
    ["http://example.com:99999/", "bad-url"],
    ["http://exa%mple.com/", "bad-url"],
    ["/foo/bar", "missing-scheme"],
    ["//foo/bar", "missing-scheme"],
    [":8080/x", "missing-scheme"],
  ];
  for (const [input, reason] of table) {
    assert.throws(() => parseUrl(input), (e: unknown) => e instanceof UrlError && e.reason === reason, input);
  }
  assert.throws(() => parseUrl("ftp://x/"), { message: `Cannot fetch "ftp://x/": scheme "ftp" is not supported` });
  assert.throws(() => parseUrl("/foo/bar"), { message: `Cannot fetch "/foo/bar": the scheme and host are missing` });
  assert.throws(() => parseUrl("ftp://me:secret@x/"), {
    message: `Cannot fetch "ftp://me:*@x/": scheme "ftp" is not supported`,
  });
});

Deno.test("parseUrl() keeps user:password@ apart, decoded, and out of href", () => {
  const u = parseUrl("http://me%40home:p%3Ass@example.com:8080/a");
  assert.equal(u.href, "http://example.com:8080/a");
  assert.equal(u.user, "me@home");
  assert.equal(u.password, "p:ss");
  assert.equal(parseUrl("http://example.com/").user, undefined);
  assert.equal(parseUrl("http://only@example.com/").password, undefined);
});

Deno.test("resolveLocation resolves relative and absolute redirects", () => {
  const base = parseUrl("http://a.example:8080/x/y?q");
  assert.equal(resolveLocation(base, "../z").href, "http://a.example:8080/z");
  assert.equal(resolveLocation(base, "/r?s=1").href, "http://a.example:8080/r?s=1");
  assert.equal(resolveLocation(base, "//b.example/p").href, "http://b.example/p");
  assert.equal(resolveLocation(base, "https://c.example/").scheme, "https");
  assert.equal(resolveLocation(base, "z#frag").path, "/x/z");
  assert.throws(() => resolveLocation(base, "ftp://c/"), (e: unknown) => e instanceof UrlError);
  assert.throws(() => resolveLocation(base, "/a\tb"), (e: unknown) => e instanceof UrlError);
});

Deno.test("fileNameFor derives a safe file name from the URL path", () => {
  const table: Array<[string, string]> = [
    ["http://h/", "index.html"],
    ["http://h", "index.html"],
    ["http://h/dir/", "index.html"],
    ["http://h/dir/file.tar.gz", "file.tar.gz"],
    ["http://h/dir/file.txt?download=1", "file.txt"],
    ["http://h/a%20b.txt", "a b.txt"],
    ["http://h/caf%C3%A9.txt", "caf\u00e9.txt"],
    ["http://h/../../etc/passwd", "passwd"],
    ["http://h/%2e%2e%2f", ".._"],
    ["http://h/%2e%2e", "index.html"],
    ["http://h/a/%2E", "index.html"],
    ["http://h/x%2F..%2F..%2Fetc%2Fpasswd", "x_.._.._etc_passwd"],
    ["http://h/a%5Cb", "a_b"],
    ["http://h/a%00b", "a_b"],
    ["http://h/a%0d%0ab", "a__b"],
    ["http://h/%ff%fe", "__"],
    ["http://h/100%", "100%"],
    ["http://h/.bashrc", ".bashrc"],
  ];
  for (const [input, name] of table) assert.equal(fileNameFor(parseUrl(input)), name, input);
});

Deno.test("fileNameFor cuts a very long name to MAX_FILE_NAME_BYTES keeping the extension", () => {
  const long = fileNameFor(parseUrl(`http://h/${"a".repeat(1000)}.tar.gz`));
  assert.equal(long.length, MAX_FILE_NAME_BYTES);
  assert.ok(long.endsWith("a.gz"));
  const wide = fileNameFor(parseUrl(`http://h/${"%C3%A9".repeat(300)}`));
  assert.ok(new TextEncoder().encode(wide).length <= MAX_FILE_NAME_BYTES);
  assert.equal(wide, "\u00e9".repeat(MAX_FILE_NAME_BYTES / 2));
});
