/**
 * HSTS (src/fetch/hsts.ts): the `Strict-Transport-Security` field (RFC 6797 §6.1), which http:// URLs a Known HSTS
 * Host upgrades (wget's host-and-port keys, parent domains), how responses add, renew and remove hosts, and wget's
 * `~/.wget-hsts` format. The store's clock is a variable here.
 */

import assert from "node:assert/strict";
import { formatHstsFile, type HstsEntry, HstsStore, parseHstsFile } from "../../src/fetch/mod.ts";
import { parseStsField } from "../../src/http/mod.ts";
import { parseUrl } from "../../src/http/mod.ts";

const T0 = 1_700_000_000;

function storeAt(entries: HstsEntry[] = []): { store: HstsStore; clock: { now: number } } {
  const clock = { now: T0 };
  return { store: new HstsStore(entries, () => clock.now), clock };
}

const upgraded = (store: HstsStore, url: string) => store.upgrade(parseUrl(url))?.href ?? null;

Deno.test("parseStsField() reads max-age and includeSubDomains in any case, quoted or not, with white space", () => {
  assert.deepEqual(parseStsField("max-age=31536000"), { maxAge: 31536000, includeSubDomains: false });
  assert.deepEqual(parseStsField("max-age=600; includeSubDomains"), { maxAge: 600, includeSubDomains: true });
  assert.deepEqual(parseStsField(' INCLUDESUBDOMAINS ;Max-Age = "60" ;'), { maxAge: 60, includeSubDomains: true });
  assert.deepEqual(parseStsField("max-age=0; preload; foo=bar"), { maxAge: 0, includeSubDomains: false });
  assert.deepEqual(parseStsField(`max-age=${"9".repeat(30)}`), { maxAge: 2 ** 31, includeSubDomains: false });
});

Deno.test("parseStsField() refuses a field without max-age, with a directive twice, or a bad value (RFC 6797 §6.1)", () => {
  for (
    const bad of [
      "",
      "includeSubDomains",
      "max-age=1; max-age=2",
      "max-age=1; includeSubDomains; includesubdomains",
      "max-age=-5",
      "max-age=1.5",
      "max-age=",
      'max-age="12',
      "max-age=1 2",
    ]
  ) {
    assert.equal(parseStsField(bad), null, bad);
  }
});

Deno.test("a host noted from https:// upgrades http:// URLs to it on the default port only (wget's port key)", () => {
  const { store } = storeAt();
  assert.equal(store.changed, false);
  assert.ok(store.record(parseUrl("https://Example.COM/x"), "max-age=600"));
  assert.ok(store.changed);
  assert.deepEqual(store.entries(), [
    { host: "example.com", port: 0, includeSubDomains: false, created: T0, maxAge: 600 },
  ]);
  const up = store.upgrade(parseUrl("http://user:pw@example.com/a?b=1"))!;
  assert.equal(up.href, "https://example.com/a?b=1");
  assert.equal(up.port, 443);
  assert.equal(up.scheme, "https");
  assert.equal(up.user, "user");
  assert.equal(upgraded(store, "http://example.com:8080/a"), null);
  assert.equal(upgraded(store, "https://example.com/a"), null); // already https
  assert.equal(upgraded(store, "http://other.com/a"), null);
});

Deno.test("a host noted from https://h:PORT/ upgrades http://h:PORT/ and keeps the port", () => {
  const { store } = storeAt();
  store.record(parseUrl("https://example.com:8443/"), "max-age=600");
  assert.equal(store.entries()[0].port, 8443);
  assert.equal(upgraded(store, "http://example.com:8443/a"), "https://example.com:8443/a");
  assert.equal(upgraded(store, "http://example.com/a"), null);
});

Deno.test("subdomains follow the nearest parent that has an entry, and only with includeSubDomains", () => {
  const { store } = storeAt([
    { host: "example.com", port: 0, includeSubDomains: true, created: T0, maxAge: 600 },
    { host: "b.example.com", port: 0, includeSubDomains: false, created: T0, maxAge: 600 },
  ]);
  assert.equal(upgraded(store, "http://a.example.com/"), "https://a.example.com/");
  assert.equal(upgraded(store, "http://x.y.example.com/"), "https://x.y.example.com/");
  // b.example.com is the nearest parent of a.b.example.com: without includeSubDomains it stops the search (wget).
  assert.equal(upgraded(store, "http://a.b.example.com/"), null);
  assert.equal(upgraded(store, "http://b.example.com/"), "https://b.example.com/");
  // A top-level label alone is never a parent.
  const { store: tld } = storeAt([{ host: "com", port: 0, includeSubDomains: true, created: T0, maxAge: 600 }]);
  assert.equal(upgraded(tld, "http://example.com/"), null);
});

Deno.test("IP literals, plain http and unverified certificates never note a host (RFC 6797 §8.1)", () => {
  const { store } = storeAt();
  assert.ok(!store.record(parseUrl("https://198.18.2.2/"), "max-age=600"));
  assert.ok(!store.record(parseUrl("https://[2001:2::1]/"), "max-age=600"));
  assert.ok(!store.record(parseUrl("http://example.com/"), "max-age=600"));
  assert.ok(!store.record(parseUrl("https://example.com/"), "max-age=600", false));
  assert.ok(!store.record(parseUrl("https://example.com/"), null));
  assert.ok(!store.record(parseUrl("https://example.com/"), "max-age=ten"));
  assert.deepEqual(store.entries(), []);
  assert.equal(store.changed, false);
  const { store: loaded } = storeAt([{
    host: "198.18.2.2",
    port: 0,
    includeSubDomains: false,
    created: T0,
    maxAge: 9,
  }]);
  assert.deepEqual(loaded.entries(), []);
  assert.equal(upgraded(loaded, "http://198.18.2.2/"), null);
  assert.equal(upgraded(loaded, "http://[2001:2::1]/"), null);
});

Deno.test("an entry is renewed from each response (once a second at most) and max-age=0 removes it", () => {
  const { store, clock } = storeAt();
  const url = parseUrl("https://example.com/");
  store.record(url, "max-age=600");
  assert.ok(!store.record(url, "max-age=900; includeSubDomains")); // same second: no change, as in wget
  clock.now += 5;
  assert.ok(store.record(url, "max-age=900; includeSubDomains"));
  assert.deepEqual(store.entries(), [
    { host: "example.com", port: 0, includeSubDomains: true, created: T0 + 5, maxAge: 900 },
  ]);
  assert.ok(store.record(url, "max-age=0"));
  assert.deepEqual(store.entries(), []);
  // max-age=0 from a host we do not know adds nothing (wget adds an entry that is already expired).
  assert.ok(!store.record(parseUrl("https://new.example/"), "max-age=0"));
  assert.deepEqual(store.entries(), []);
});

Deno.test("a subdomain of a known host gets an entry of its own", () => {
  const { store } = storeAt([{ host: "example.com", port: 0, includeSubDomains: true, created: T0, maxAge: 600 }]);
  assert.ok(store.record(parseUrl("https://a.example.com/"), "max-age=60"));
  assert.deepEqual(store.entries().map((e) => [e.host, e.maxAge]), [["example.com", 600], ["a.example.com", 60]]);
});

Deno.test("an expired entry upgrades nothing and is removed when a URL looks it up", () => {
  const { store, clock } = storeAt([{
    host: "example.com",
    port: 0,
    includeSubDomains: false,
    created: T0,
    maxAge: 10,
  }]);
  clock.now = T0 + 10; // created + max-age is still in force (wget: >=)
  assert.equal(upgraded(store, "http://example.com/"), "https://example.com/");
  clock.now = T0 + 11;
  assert.equal(upgraded(store, "http://example.com/"), null);
  assert.deepEqual(store.entries(), []);
  assert.ok(store.changed);
});

const WGET_FILE = `# HSTS 1.0 Known Hosts database for GNU Wget.
# Edit at your own risk.
# <hostname>\t<port>\t<incl. subdomains>\t<created>\t<max-age>
example.com\t0\t1\t1700000000\t31536000
  alt.example\t8443\t0\t1700000001\t600
`;

Deno.test("formatHstsFile() writes wget's file byte for byte, and parseHstsFile() reads it back", () => {
  const entries = parseHstsFile(WGET_FILE);
  assert.deepEqual(entries, [
    { host: "example.com", port: 0, includeSubDomains: true, created: 1700000000, maxAge: 31536000 },
    { host: "alt.example", port: 8443, includeSubDomains: false, created: 1700000001, maxAge: 600 },
  ]);
  assert.equal(formatHstsFile(entries), WGET_FILE.replace("  alt", "alt"));
  assert.deepEqual(parseHstsFile(formatHstsFile(entries)), entries);
});

Deno.test("parseHstsFile() skips comments and lines of fewer than five numbers, as wget's sscanf does", () => {
  const text = "#example.com 0 1 1 1\nshort.example 0 1 5\nbad.example x 1 2 3\n\nok.example 0 2 5 6 extra\n";
  assert.deepEqual(parseHstsFile(text), [
    { host: "ok.example", port: 0, includeSubDomains: true, created: 5, maxAge: 6 },
  ]);
});

Deno.test("loading keeps the first entry of a host, and skips IP literals and negative max-ages", () => {
  const { store } = storeAt(parseHstsFile(
    "a.example 0 0 1 10\nA.EXAMPLE 0 1 2 20\n10.0.0.1 0 0 1 1\nneg.example 0 0 1 -1\nb.example 443 0 1 1\n",
  ));
  assert.deepEqual(store.entries().map((e) => [e.host, e.port, e.created]), [["a.example", 0, 1], ["b.example", 0, 1]]);
  assert.equal(store.changed, false);
});

Deno.test("merge() takes a file's entries noted later, and hosts we do not know", () => {
  const { store } = storeAt([
    { host: "a.example", port: 0, includeSubDomains: false, created: 100, maxAge: 10 },
    { host: "b.example", port: 0, includeSubDomains: true, created: 100, maxAge: 10 },
  ]);
  store.merge([
    { host: "a.example", port: 0, includeSubDomains: true, created: 200, maxAge: 99 },
    { host: "b.example", port: 0, includeSubDomains: false, created: 50, maxAge: 99 },
    { host: "x.b.example", port: 0, includeSubDomains: false, created: 300, maxAge: 99 }, // under b.example
    { host: "c.example", port: 443, includeSubDomains: false, created: 300, maxAge: 99 },
  ]);
  assert.deepEqual(store.entries().map((e) => [e.host, e.port, e.created, e.maxAge, e.includeSubDomains]), [
    ["a.example", 0, 200, 99, true],
    ["b.example", 0, 100, 10, true],
    ["c.example", 0, 300, 99, false],
  ]);
});
