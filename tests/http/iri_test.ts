/**
 * IRIs and encodings (`--iri`, `--no-iri`, `--local-encoding`, `--remote-encoding`): the encodings of charset.ts,
 * international host names as IDNA A-labels, URLs read in the local encoding, redirects in the remote one, and saved
 * names written in the local encoding, as wget 1.21.3 does.
 */

import assert from "node:assert/strict";
import {
  bytesAsName,
  fileNameFor,
  findCharset,
  localeCharset,
  parseUrl,
  resolveLocation,
  UTF8,
} from "../../src/http/mod.ts";

const LATIN1 = findCharset("ISO-8859-1")!;
/** A header value as it arrives: its UTF-8 bytes one character per byte. */
const asHeader = (text: string) => String.fromCharCode(...new TextEncoder().encode(text));

Deno.test("findCharset() knows UTF-8, true ISO-8859-1, US-ASCII and the WHATWG single-byte encodings", () => {
  for (const label of ["UTF-8", "utf8"]) assert.equal(findCharset(label), UTF8, label);
  for (const label of ["ISO-8859-1", "iso8859-1", "LATIN1", "l1", "CP819"]) {
    assert.equal(findCharset(label)?.name, "ISO-8859-1", label);
  }
  // iconv's ISO-8859-1 maps 0x80 to U+0080 (WHATWG's label would mean windows-1252's "€").
  assert.equal(LATIN1.decode(Uint8Array.of(0x80, 0xe9)), "\u0080\u00e9");
  assert.equal(findCharset("windows-1252")!.decode(Uint8Array.of(0x80)), "\u20ac");
  assert.equal(findCharset("ANSI_X3.4-1968")?.name, "US-ASCII");
  assert.equal(findCharset("ascii")!.decode(Uint8Array.of(0xe9)), null);
  const koi8 = findCharset("KOI8-R")!;
  assert.deepEqual(
    koi8.encode("\u043f\u0440\u0438\u0432\u0435\u0442"),
    Uint8Array.of(0xd0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4),
  );
  assert.equal(koi8.decode(koi8.encode("\u043c\u0438\u0440")!), "\u043c\u0438\u0440");
  assert.equal(LATIN1.encode("\u20ac"), null); // a character ISO-8859-1 lacks
  for (const label of ["Shift_JIS", "EUC-JP", "GBK", "Big5", "UTF-16LE", "no-such-encoding"]) {
    assert.equal(findCharset(label), null, label);
  }
});

Deno.test("localeCharset() reads the codeset of a locale name, UTF-8 by default", () => {
  assert.equal(localeCharset("de_DE.ISO-8859-1").name, "ISO-8859-1");
  assert.equal(localeCharset("ru_RU.KOI8-R@euro").name, "koi8-r");
  assert.equal(localeCharset("C.UTF-8").name, "UTF-8");
  for (const locale of ["C", "POSIX", "", undefined, "ja_JP.eucJP"]) assert.equal(localeCharset(locale).name, "UTF-8");
});

Deno.test("bytesAsName() keeps UTF-8 and carries other bytes as lone surrogates", () => {
  assert.equal(bytesAsName(new TextEncoder().encode("caf\u00e9")), "caf\u00e9");
  assert.equal(bytesAsName(Uint8Array.of(0x63, 0xe9, 0x2e, 0xc3, 0xa9, 0xff)), "c\udce9.\u00e9\udcff");
  assert.equal(bytesAsName(Uint8Array.of(0xe2, 0x82)), "\udce2\udc82"); // a cut sequence
});

Deno.test("parseUrl() sends an international host as its A-label, and --no-iri looks it up as typed", () => {
  const url = parseUrl("http://B\u00fccher.example:8080/a");
  assert.equal(url.host, "xn--bcher-kva.example"); // the Host field, SNI and the lookup use this
  assert.equal(url.href, "http://xn--bcher-kva.example:8080/a");
  const typed = parseUrl("http://b\u00fccher.example/x", { iri: false });
  assert.equal(typed.lookupHost, "b\u00fccher.example");
  assert.equal(typed.host, "b%C3%BCcher.example"); // a reg-name the Host field may carry (RFC 3986 §3.2.2)
  assert.equal(typed.href, "http://b%C3%BCcher.example/x"); // as wget 1.21.3 prints it
  assert.equal(parseUrl("http://ascii.example/x", { iri: false }).host, "ascii.example");
});

Deno.test("parseUrl() sends a UTF-8 path as UTF-8 %XX with and without --iri", () => {
  for (const iri of [true, false]) {
    assert.equal(parseUrl("http://h/d\u00e9j\u00e0/caf\u00e9.txt", { iri }).path, "/d%C3%A9j%C3%A0/caf%C3%A9.txt");
    assert.equal(parseUrl("http://h/caf%C3%A9.txt", { iri }).path, "/caf%C3%A9.txt");
    assert.equal(parseUrl("http://h/caf%E9.txt", { iri }).path, "/caf%E9.txt"); // not UTF-8: as given
  }
});

Deno.test("parseUrl() reads the command line in an ISO-8859-1 local encoding, as wget's --iri does", () => {
  const local = LATIN1;
  // %E9 is "é" in ISO-8859-1: sent as its UTF-8 bytes.
  assert.equal(parseUrl("http://h/caf%E9.txt?q=%E9", { local }).path, "/caf%C3%A9.txt?q=%C3%A9");
  // The bytes of a typed "é" (C3 A9) are "Ã©" in ISO-8859-1, as wget reads them too.
  assert.equal(parseUrl("http://h/caf\u00e9", { local }).path, "/caf%C3%83%C2%A9");
  // Escapes of ASCII (a "/" or "%" in a name) stay escapes.
  assert.equal(parseUrl("http://h/a%2Fb%25", { local }).path, "/a%2Fb%25");
  // --no-iri: nothing is converted.
  assert.equal(parseUrl("http://h/caf%E9.txt", { local, iri: false }).path, "/caf%E9.txt");
});

Deno.test("resolveLocation() reads a redirect's raw bytes in the remote encoding", () => {
  const base = parseUrl("http://h/a");
  assert.equal(resolveLocation(base, asHeader("/caf\u00e9.txt")).path, "/caf%C3%A9.txt");
  assert.equal(resolveLocation(base, "/caf\u00e9.txt").path, "/caf%E9.txt"); // not UTF-8: the byte as %XX
  assert.equal(resolveLocation(base, "/caf\u00e9.txt", { remote: LATIN1 }).path, "/caf%C3%A9.txt");
  assert.equal(resolveLocation(base, "/caf%E9.txt", { remote: LATIN1 }).path, "/caf%C3%A9.txt");
  assert.equal(resolveLocation(base, "http://b\u00c3\u00bccher.example/").host, "xn--bcher-kva.example");
});

Deno.test("fileNameFor() reads the path in the remote encoding and writes the name in the local one", () => {
  const url = parseUrl("http://h/caf%C3%A9.txt");
  assert.equal(fileNameFor(url), "caf\u00e9.txt");
  // ISO-8859-1 locally: the byte E9 on disk (a lone surrogate here, a byte for libc).
  assert.equal(fileNameFor(url, { local: LATIN1 }), "caf\udce9.txt");
  // A character ISO-8859-1 lacks: the name stays in UTF-8, as wget leaves it when iconv fails.
  assert.equal(fileNameFor(parseUrl("http://h/%E2%82%AC.txt"), { local: LATIN1 }), "\u20ac.txt");
  // --remote-encoding=ISO-8859-1: %E9 is "é".
  assert.equal(fileNameFor(parseUrl("http://h/caf%E9.txt"), { remote: LATIN1 }), "caf\u00e9.txt");
  // Bytes that are not valid in the remote encoding become "_" (wget keeps them raw).
  assert.equal(fileNameFor(parseUrl("http://h/caf%E9.txt")), "caf_.txt");
  // C1 controls are controls in ISO-8859-1 too.
  assert.equal(fileNameFor(parseUrl("http://h/a%85b"), { remote: LATIN1 }), "a_b");
});
