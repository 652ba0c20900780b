/**
 * `dispositionFileName()`: the examples of RFC 6266 §5 and the advice cases of its Appendix D, RFC 8187 ext-values,
 * wget 1.21.3's own test table (src/http.c `test_parse_content_disposition`), and hostile names. The result is the
 * name offered; `safeFileName` (tested here too) makes it safe to create.
 */

import assert from "node:assert/strict";
import { dispositionFileName, findCharset, safeFileName } from "../../src/http/mod.ts";

/** A header value as it arrives: its UTF-8 bytes one character per byte. */
const asHeader = (text: string) => String.fromCharCode(...new TextEncoder().encode(text));

Deno.test("dispositionFileName() reads the examples of RFC 6266 §5", () => {
  const table: Array<[string, string | null]> = [
    ["Attachment; filename=example.html", "example.html"],
    ['INLINE; FILENAME= "an example.html"', "an example.html"],
    ["attachment; filename*= UTF-8''%e2%82%ac%20rates", "\u20ac rates"],
    ["attachment; filename=\"EURO rates\"; filename*=utf-8''%e2%82%ac%20rates", "\u20ac rates"],
  ];
  for (const [value, name] of table) assert.equal(dispositionFileName(value), name, value);
});

Deno.test("dispositionFileName() follows RFC 6266 Appendix D and RFC 8187", () => {
  const table: Array<[string, string | null]> = [
    // filename* is preferred whatever the order; an unreadable one falls back to filename.
    ["attachment; filename*=UTF-8''a%C3%A9.txt; filename=\"a.txt\"", "a\u00e9.txt"],
    ["attachment; filename=\"fallback.txt\"; filename*=UTF-8''bad%ZZ", "fallback.txt"],
    ["attachment; filename=\"fallback.txt\"; filename*=x-unknown''a.txt", "fallback.txt"],
    ["attachment; filename=\"fallback.txt\"; filename*=UTF-8''%FF.txt", "fallback.txt"], // not UTF-8
    // ISO-8859-1 is the other charset RFC 8187 §3.2.1 requires; the language tag is ignored.
    ["attachment; filename*=iso-8859-1'en'%A3%20rates", "\u00a3 rates"],
    ["attachment; filename*=UTF-8'de'M%C3%BCnchen.pdf", "M\u00fcnchen.pdf"],
    // A plain filename is no escape sequence (Appendix D), and a quoted-pair is unquoted (RFC 9110 §5.6.4).
    ['attachment; filename="foo-%41.html"', "foo-%41.html"],
    ['attachment; filename="a \\"quoted\\" word.txt"', 'a "quoted" word.txt'],
    ["attachment; filename=no-quotes.txt ; size=3", "no-quotes.txt"],
    // Names and charsets are case-insensitive; other parameters and the type do not matter.
    ["attachment; FileName*=Utf-8''x.bin", "x.bin"],
    ["inline; filename=page.html", "page.html"],
    ['attachment; creation-date="Wed, 12 Feb 1997 16:29:51 -0500"; filename=d.txt', "d.txt"],
    // Nothing usable.
    ["attachment", null],
    ["attachment; filename=", null],
    ['attachment; filename=""', null],
    ['attachment; filename="unterminated', null],
    ['attachment; filename="a"b', null], // text after the closing quote
    ["", null],
  ];
  for (const [value, name] of table) assert.equal(dispositionFileName(value), name, value);
});

Deno.test("dispositionFileName() passes wget 1.21.3's own cases, but for continuations and a quoted filename*", () => {
  const table: Array<[string, string | null]> = [
    ['filename="file.ext"', "file.ext"],
    ['attachment; filename="file.ext"', "file.ext"],
    ['attachment; filename="file.ext"; dummy', "file.ext"],
    ["attachment", null],
    ["attachment; filename*=UTF-8'en-US'hello.txt", "hello.txt"],
    ['attachment; filename="A.ext"; filename*="B.ext"', "A.ext"], // wget: "B.ext"; a quoted filename* is no ext-value
    // RFC 2231 continuations are not read (wget: "helloworld.txt"); RFC 6266 §4.3 leaves them out of HTTP.
    ['attachment; filename*0="hello"; filename*1="world.txt"', null],
  ];
  for (const [value, name] of table) assert.equal(dispositionFileName(value), name, value);
});

Deno.test("dispositionFileName() drops directories, as RFC 6266 §4.3 asks and wget does", () => {
  const table: Array<[string, string | null]> = [
    ["attachment; filename=../../etc/passwd", "passwd"],
    ['attachment; filename="C:\\\\Windows\\\\evil.exe"', "evil.exe"],
    ["attachment; filename*=UTF-8''..%2F..%2Fx.sh", "x.sh"],
    ["attachment; filename=/etc/", null],
    ["attachment; filename=..", ".."], // left to safeFileName, which refuses it
  ];
  for (const [value, name] of table) assert.equal(dispositionFileName(value), name, value);
});

Deno.test("dispositionFileName() reads raw bytes of a plain filename in the remote encoding, else ISO-8859-1", () => {
  assert.equal(dispositionFileName(asHeader('attachment; filename="caf\u00e9.txt"')), "caf\u00e9.txt");
  // Bytes that are not UTF-8 are taken as ISO-8859-1, the charset of header fields (RFC 9110 §5.5).
  assert.equal(dispositionFileName('attachment; filename="caf\u00e9.txt"'), "caf\u00e9.txt");
  const latin1 = findCharset("ISO-8859-1")!;
  assert.equal(dispositionFileName(asHeader('attachment; filename="caf\u00e9.txt"'), latin1), "caf\u00c3\u00a9.txt");
});

Deno.test("safeFileName() makes an offered name safe: separators, controls and dot-only names", () => {
  const table: Array<[string, string | null]> = [
    ["report.pdf", "report.pdf"],
    ["a/b\\c", "a_b_c"],
    ["line\r\nbreak\u0085.txt", "line__break_.txt"],
    ["..", null],
    [".", null],
    ["...", null],
    ["", null],
    [".hidden", ".hidden"],
  ];
  for (const [text, name] of table) assert.equal(safeFileName(text), name, JSON.stringify(text));
});
