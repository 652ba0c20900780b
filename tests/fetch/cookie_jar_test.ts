/**
 * The cookie jar: which cookies a response may set and where they are kept (RFC 6265 §5.3 with wget's port binding,
 * default path and public-suffix guard), which go back with a request and in what order (§5.4, wget's order).
 *
 * @module
 */

import assert from "node:assert/strict";
import { type Cookie, CookieJar } from "../../src/fetch/mod.ts";
import { parseUrl } from "../../src/http/mod.ts";

const NOW = 1_800_000_000;
const u = (text: string) => parseUrl(text);

/** A jar after `url` answered with each of `fields`; the notes it gave, in order. */
function jarAfter(url: string, ...fields: string[]): { jar: CookieJar; notes: (string | null)[] } {
  const jar = new CookieJar();
  const notes = fields.map((f) => jar.receive(u(url), f, NOW));
  return { jar, notes };
}

const cookieOf = (jar: CookieJar, name: string): Cookie | undefined => [...jar.cookies()].find((c) => c.name === name);

Deno.test("a cookie without Domain is host-only, bound to a port other than 80 and 443, path up to the last /", () => {
  const { jar } = jarAfter("http://h.test:8080/dir/file?q=/x/y", "a=1");
  assert.deepEqual(cookieOf(jar, "a"), {
    name: "a",
    value: "1",
    domain: "h.test",
    hostOnly: true,
    port: 8080,
    path: "/dir/",
    secure: false,
    expires: null,
  });
  assert.equal(jar.header(u("http://h.test:8080/dir/other"), NOW), "a=1");
  assert.equal(jar.header(u("http://h.test:8081/dir/other"), NOW), null); // another port
  assert.equal(jar.header(u("http://www.h.test:8080/dir/"), NOW), null); // host-only
  assert.equal(jar.header(u("http://h.test:8080/dir"), NOW), null); // above the path
  for (const port of [80, 443]) {
    const { jar } = jarAfter(`http://h.test:${port}/`, "a=1");
    assert.equal(cookieOf(jar, "a")?.port, null);
    assert.equal(jar.header(u("http://h.test:8080/"), NOW), "a=1");
  }
});

Deno.test("Domain: the host's own domain or a parent, never another's, a public-looking one or for an IP address", () => {
  const accepted = [
    ["http://www.example.com/", "example.com"],
    ["http://a.b.example.org/", "b.example.org"],
    ["http://www.abcd.de/", "abcd.de"], // a second-level label longer than three characters
    ["http://198.18.2.2/", "198.18.2.2"], // an IP address names only itself
    ["http://localhost/", "localhost"],
  ];
  for (const [url, domain] of accepted) {
    const { jar, notes } = jarAfter(url, `a=1; Domain=.${domain.toUpperCase()}`);
    assert.deepEqual(notes, [null], url);
    assert.deepEqual([cookieOf(jar, "a")?.domain, cookieOf(jar, "a")?.hostOnly, cookieOf(jar, "a")?.port], [
      domain,
      false,
      null,
    ]);
  }
  const refused = [
    ["http://www.example.com/", "other.com"],
    ["http://example.com/", "www.example.com"],
    ["http://badexample.com/", "example.com"],
    ["http://www.bbc.co.uk/", "co.uk"],
    ["http://a.cnn.de/", "cnn.de"],
    ["http://www.example.com/", "com"],
    ["http://198.18.2.2/", "18.2.2"],
  ];
  for (const [url, domain] of refused) {
    const { jar, notes } = jarAfter(url, `a=1; Domain=${domain}`);
    assert.equal(notes[0], `Ignored the cookie "a": ${u(url).host} may not set a cookie for ${domain}`);
    assert.deepEqual([...jar.cookies()], [], url);
  }
});

Deno.test("a domain cookie goes to the domain and its subdomains; an IP address gets only its own", () => {
  const { jar } = jarAfter("http://www.example.com/", "a=1; Domain=example.com");
  for (const host of ["example.com", "www.example.com", "a.b.example.com"]) {
    assert.equal(jar.header(u(`http://${host}:8080/x`), NOW), "a=1", host);
  }
  assert.equal(jar.header(u("http://notexample.com/"), NOW), null);
  const ip = jarAfter("http://198.18.2.2/", "a=1; Domain=198.18.2.2").jar;
  assert.equal(ip.header(u("http://198.18.2.2:8080/"), NOW), "a=1");
  assert.equal(ip.header(u("http://198.18.2.20/"), NOW), null);
});

Deno.test("an IPv6 literal host names only itself: no parent domain", () => {
  const { jar, notes } = jarAfter("http://[2001:2::1]:8080/a/b", "a=1", "b=2; Domain=2001:2::1", "c=3; Domain=2::1");
  assert.deepEqual(notes.slice(0, 2), [null, null]);
  assert.equal(notes[2], 'Ignored the cookie "c": 2001:2::1 may not set a cookie for 2::1');
  assert.equal(jar.header(u("http://[2001:2::1]:8080/a/x"), NOW), "a=1; b=2");
  assert.equal(jar.header(u("http://[2001:2::10]:8080/a/x"), NOW), null);
  // A host with a colon is an IP literal whatever its last part looks like (RFC 6265 §5.1.3: no domain-match).
  const m = jarAfter("http://[::ffff:198.18.0.1]/", "d=4; Domain=c612:1");
  assert.equal(m.notes[0], 'Ignored the cookie "d": ::ffff:c612:1 may not set a cookie for c612:1');
});

Deno.test("Path: one the request is not under is refused; sending matches on a / boundary (RFC 6265 §5.1.4)", () => {
  const { jar } = jarAfter("http://h.test/docs/a/b", "fake=1; Path=/other", "up=1; Path=/docs", "slash=1; Path=/docs/");
  assert.equal(cookieOf(jar, "fake"), undefined);
  assert.equal(jar.header(u("http://h.test/docs"), NOW), "up=1");
  assert.equal(jar.header(u("http://h.test/docs/x"), NOW), "slash=1; up=1");
  assert.equal(jar.header(u("http://h.test/docsx"), NOW), null); // wget would send up=1 here
});

Deno.test("Secure cookies go over https only", () => {
  const { jar } = jarAfter("http://h.test/", "s=1; Secure", "p=2");
  assert.equal(jar.header(u("http://h.test/"), NOW), "p=2");
  assert.equal(jar.header(u("https://h.test/"), NOW), "p=2; s=1");
});

Deno.test("Max-Age wins over Expires; an expiry in the past removes the cookie it replaces", () => {
  const { jar } = jarAfter(
    "http://h.test/",
    "m=1; Max-Age=60; Expires=Thu, 01 Jan 2037 00:00:00 GMT",
    "e=1; Expires=Thu, 01 Jan 2037 00:00:00 GMT",
    "gone=1",
    "gone=2; Max-Age=0",
    "old=1; Max-Age=60",
    "old=1; Expires=Thu, 01 Jan 1990 00:00:00 GMT",
    "neg=1; Max-Age=-1",
  );
  assert.deepEqual([...jar.cookies()].map((c) => [c.name, c.expires]), [["e", 2114380800], ["m", NOW + 60]]);
  assert.equal(jar.header(u("http://h.test/"), NOW + 60), "e=1; m=1");
  assert.equal(jar.header(u("http://h.test/"), NOW + 61), "e=1");
});

Deno.test("a cookie replaces the one of the same domain, path, name and port, and goes first", () => {
  const { jar } = jarAfter("http://h.test:8080/a/b", "x=1", "y=1", "x=2", "x=3; Path=/");
  assert.deepEqual([...jar.cookies()].map((c) => `${c.name}=${c.value} ${c.path}`), ["x=3 /", "x=2 /a/", "y=1 /a/"]);
  jar.receive(u("http://h.test/a/b"), "y=2", NOW); // port 80: not bound, another cookie
  assert.equal([...jar.cookies()].filter((c) => c.name === "y").length, 2);
});

Deno.test("the Cookie field: longer domain, then longer path, then name; a name=value pair once (wget's order)", () => {
  const { jar } = jarAfter(
    "http://www.host.test:8080/set/a/b",
    "b=1",
    "a=2",
    "c=3; Path=/set/a/b",
    "d=4; Path=/",
    "dom=5; Domain=host.test",
    "dup=1; Path=/",
    "dup=1",
    'q="x y"',
  );
  const url = "http://www.host.test:8080/set/a/b";
  assert.equal(jar.header(u(url), NOW), 'c=3; a=2; b=1; q="x y"; d=4; dup=1; dom=5');
  assert.equal(jar.header(u("http://www.host.test:8080/"), NOW), "d=4; dup=1"); // dom is under /set/a/
});

Deno.test("receive() notes a field that holds no cookie and keeps UTF-8 values whole", () => {
  const { jar, notes } = jarAfter("http://h.test/", "novalue", "u=\xc3\xa9t\xc3\xa9", "bad=\xff");
  assert.deepEqual(notes.slice(0, 1), ['Ignored a Set-Cookie field that holds no cookie: "novalue"']);
  assert.equal(jar.header(u("http://h.test/"), NOW), "u=été");
  assert.match(notes[2]!, /^Ignored a Set-Cookie field/);
});
