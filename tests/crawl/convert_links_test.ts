/**
 * `convertLinks()`, `relativeLink()` and `convertedSummary()` against wget 1.21.3's rules (src/convert.c, its
 * tests/Test-k.px and Test-E-k.px). Documents are written one character per byte, each link between marks:
 * ⟦attribute value⟧, ⟨part of a value⟩, ⦃CSS⦄; the links are built by hand from the marks.
 */

import assert from "node:assert/strict";
import {
  BASE_HREF_ORIGIN,
  convertedSummary,
  convertLinks,
  type ConvertOptions,
  type LinkTarget,
  relativeLink,
} from "../../src/crawl/convert_links.ts";
import type { FoundLink, LinkContext } from "../../src/crawl/link_types.ts";

const bytes = (doc: string) => Uint8Array.from(doc, (ch) => ch.charCodeAt(0) & 0xff);
const binary = (doc: Uint8Array) => String.fromCharCode(...doc);
const utf8 = (text: string) => binary(new TextEncoder().encode(text));

const MARKS: Readonly<Record<string, readonly [string, LinkContext]>> = {
  "⟦": ["⟧", "attribute"],
  "⟨": ["⟩", "attribute-part"],
  "⦃": ["⦄", "css"],
};

/** The document of `text` without its marks, and its links, the n-th leading to `urls[n]`. */
function marked(text: string, urls: readonly string[]): { doc: Uint8Array; targets: LinkTarget[] } {
  let doc = "";
  const targets: LinkTarget[] = [];
  for (let i = 0; i < text.length; i++) {
    const mark = MARKS[text[i]];
    if (mark === undefined) {
      doc += text[i];
      continue;
    }
    const close = text.indexOf(mark[0], i);
    const value = text.slice(i + 1, close);
    const raw = mark[1] === "css" ? value : value.replaceAll("&amp;", "&").replaceAll("&#35;", "#");
    const hash = raw.indexOf("#");
    const link: FoundLink = {
      raw,
      start: doc.length,
      end: doc.length + value.length,
      context: mark[1],
      inline: false,
      expectHtml: true,
      expectCss: false,
      // The first link of a <base> element is its href.
      origin: /<base[^>]*$/.test(doc) ? BASE_HREF_ORIGIN : "a/href",
    };
    assert.ok(targets.length < urls.length, `a URL is given for ${value}`);
    targets.push({ link, url: urls[targets.length], fragment: hash < 0 ? "" : raw.slice(hash) });
    doc += value;
    i = close;
  }
  return { doc: bytes(doc), targets };
}

/** A row: the document's path, the marked document, the URL of each link, the converted document. */
type Row = readonly [docPath: string, text: string, urls: readonly string[], converted: string];

/** Converts each row's document, `saved` mapping URLs to local paths. */
function check(rows: readonly Row[], saved: Readonly<Record<string, string>>, options: ConvertOptions = {}): void {
  for (const [docPath, text, urls, converted] of rows) {
    const { doc, targets } = marked(text, urls);
    const out = convertLinks(doc, docPath, targets, (url) => saved[url] ?? null, options);
    assert.equal(binary(out), converted, `${docPath}: ${text}`);
  }
}

Deno.test("relativeLink() follows wget's construct_relative", () => {
  const table: Array<[string, string, string]> = [
    // The examples above construct_relative in src/convert.c.
    ["foo", "bar", "bar"],
    ["A/foo", "A/bar", "bar"],
    ["A/foo", "A/B/bar", "B/bar"],
    ["A/X/foo", "A/Y/bar", "../Y/bar"],
    ["X/", "Y/bar", "../Y/bar"],
    ["h/a/x.html", "h/a/x.html", "x.html"],
    ["h/a/b/c/x.html", "h/y.html", "../../../y.html"],
    ["h/index.html", "h/d/index.html", "d/index.html"],
    ["h1/x.html", "h2/img/a.png", "../h2/img/a.png"],
    ["h/ab/x.html", "h/abc/y.html", "../abc/y.html"],
    // A first segment with ":" gets "./", so "site;sub:.html" is no scheme; only where no "../" precedes it.
    ["h/index.html", "h/site;sub:.html", "./site;sub:.html"],
    ["h/index.html", "h/d/e:f.html", "d/e:f.html"],
    ["h/d/x.html", "h/e:f.html", "../e:f.html"],
  ];
  for (const [from, target, link] of table) assert.equal(relativeLink(from, target), link, `${from} → ${target}`);
});

Deno.test("convertLinks() points links to downloaded files at their local copies", async (t) => {
  const saved = {
    "http://h/d/a.html": "h/d/a.html",
    "http://h/d/sub/b.html": "h/d/sub/b.html",
    "http://h/c.html": "h/c.html",
    "http://h/e/f/g.png": "h/e/f/g.png",
    "http://h/d/": "h/d/index.html",
    "http://other:8080/x.css": "other:8080/x.css",
    "http://localhost/subpage.php": "subpage.php.html",
    "http://n/e/f/g.png": "g.png",
  };
  await t.step("in the same, a child, the parent and a sibling directory, on another host", () => {
    check([
      ["h/d/page.html", '<a href="⟦a.html⟧">', ["http://h/d/a.html"], '<a href="a.html">'],
      ["h/d/page.html", '<a href="⟦sub/b.html⟧">', ["http://h/d/sub/b.html"], '<a href="sub/b.html">'],
      ["h/d/page.html", '<a href="⟦http://h/c.html⟧">', ["http://h/c.html"], '<a href="../c.html">'],
      ["h/d/page.html", '<a href="⟦/c.html⟧">', ["http://h/c.html"], '<a href="../c.html">'],
      ["h/d/sub/b.html", '<a href="⟦/e/f/g.png⟧">', ["http://h/e/f/g.png"], '<a href="../../e/f/g.png">'],
      [
        "h/d/page.html",
        '<link href="⟦//other:8080/x.css⟧">',
        ["http://other:8080/x.css"],
        '<link href="../../other:8080/x.css">',
      ],
    ], saved);
  });
  await t.step("a directory saved as its index.html", () => {
    check([["h/d/sub/b.html", '<a href="⟦./⟧">', ["http://h/d/"], '<a href="../index.html">']], saved);
  });
  await t.step("a file -E renamed, as wget's Test-E-k.px expects", () => {
    const url = "http://localhost/subpage.php";
    check([["index.php.html", `<a href="⟦${url}⟧">`, [url], '<a href="subpage.php.html">']], saved);
  });
  await t.step("a relative link when -nd put every file in one directory", () => {
    check([["b.html", '<img src="⟦../e/f/g.png⟧">', ["http://n/e/f/g.png"], '<img src="g.png">']], saved);
  });
});

Deno.test("convertLinks() makes links to files not downloaded complete, and leaves complete ones", async (t) => {
  await t.step("a relative, host-relative or scheme-relative link becomes the URL, its '&' an entity", () => {
    check([
      ["h/d/p.html", '<a href="⟦../x.html⟧">', ["http://h/x.html"], '<a href="http://h/x.html">'],
      ["h/d/p.html", '<a href="⟦/x?a=1&amp;b=2⟧">', ["http://h/x?a=1&b=2"], '<a href="http://h/x?a=1&amp;b=2">'],
      ["h/d/p.html", '<a href="⟦//cdn/y.js⟧">', ["https://cdn/y.js"], '<a href="https://cdn/y.js">'],
    ], {});
  });
  await t.step("a link with a scheme is not touched, and a document of such links is returned as it was", () => {
    const { doc, targets } = marked("<a href=⟦http://other/x.html⟧>x</a> <a href='⟦mailto:me@h⟧'>m</a>", [
      "http://other/x.html",
      "mailto:me@h",
    ]);
    assert.equal(convertLinks(doc, "h/p.html", targets, () => null), doc);
  });
});

Deno.test("convertLinks() keeps a link's fragment as the document wrote it", () => {
  const saved = { "http://h/a.html": "h/a.html", "http://h/p.html": "h/p.html" };
  check([
    // After a local name, after a complete URL.
    ["h/d/p.html", '<a href="⟦/a.html#s%C3%A9c⟧">', ["http://h/a.html"], '<a href="../a.html#s%C3%A9c">'],
    ["h/d/p.html", '<a href="⟦/b.html#top⟧">', ["http://h/b.html"], '<a href="http://h/b.html#top">'],
    // A fragment alone leads into the page's own file, as wget's merge with the base makes it.
    ["h/p.html", '<a href="⟦#top⟧">', ["http://h/p.html"], '<a href="p.html#top">'],
    // Its bytes are copied, even outside ASCII; a '#' as a character reference gives the fragment as text.
    ["h/x.html", '<a href="⟦a.html#caf\xe9⟧">', ["http://h/a.html"], '<a href="a.html#caf\xe9">'],
    ["h/x.html", '<a href="⟦a.html&#35;top⟧">', ["http://h/a.html"], '<a href="a.html#top">'],
  ], saved);
});

Deno.test("convertLinks() escapes local names as wget's local_quote_string does", async (t) => {
  const url = "http://h/file?x=1&y=2";
  const doc = '<a href="⟦file?x=1&amp;y=2⟧">';
  await t.step("'?' stays without -E (the file would stop being HTML), and is %3F with -E", () => {
    check([["h/p.html", doc, [url], '<a href="file?x=1&amp;y=2">']], { [url]: "h/file?x=1&y=2" });
    check([["h/p.html", doc, [url], '<a href="file%3Fx=1&amp;y=2.html">']], { [url]: "h/file?x=1&y=2.html" }, {
      adjustExtension: true,
    });
  });
  await t.step("'%', '#', ';' are %XX, as in wget's Test-k.px; '&', '<', '>', '\"' and space are entities", () => {
    check([
      ["h/p.html", '<a href="⟦a⟧">', ["http://h/a"], '<a href="100%25%3Bb%23c.html">'],
      ["index.html", '<a href="⟦site;sub:.html⟧">', ["http://h/s"], '<a href="./site%3Bsub:.html">'],
      ["h/p.html", '<a href="⟦b⟧">', ["http://h/b"], '<a href="a&#32;b&amp;&lt;c&gt;&quot;d.html">'],
    ], { "http://h/a": "h/100%;b#c.html", "http://h/s": "site;sub:.html", "http://h/b": 'h/a b&<c>"d.html' });
  });
});

Deno.test("convertLinks() writes an attribute value in its own quotes, or in double quotes", () => {
  check([
    // A single quote inside single quotes is an entity (wget writes it raw); inside double quotes it is left.
    ["h/p.html", "<a href='⟦a⟧'>", ["http://h/a"], "<a href='d/it&#39;s.html'>"],
    ["h/p.html", '<a href="⟦a⟧">', ["http://h/a"], `<a href="d/it's.html">`],
    ["h/p.html", "<img src=⟦x.png⟧ alt=x>", ["http://h/x.png"], '<img src="i/x.png" alt=x>'],
    ["h/p.html", "<img src=⟦y.png⟧>", ["http://h/y.png"], '<img src="http://h/y.png">'],
    // wget writes the whole quoted value again: the white space around the link goes.
    ["h/p.html", '<a href=" ⟦a⟧ ">', ["http://h/a"], `<a href="d/it's.html">`],
  ], { "http://h/a": "h/d/it's.html", "http://h/x.png": "h/i/x.png" });
});

Deno.test("convertLinks() rewrites the parts of srcset and refresh values in place", () => {
  check([
    [
      "h/d/p.html",
      '<img srcset="⟨a b.png⟩ 1x, ⟨/big.png?s=2&amp;t=3⟩ 2x, ⟨i.svg#a⟩ 3x">',
      ["http://h/d/a%20b.png", "http://h/big.png?s=2&t=3", "http://h/d/i.svg"],
      // A space is %20, not &#32; which would split the entry; the fragment is kept (wget drops it).
      '<img srcset="img/a%20b.png 1x, http://h/big.png?s=2&amp;t=3 2x, i.svg#a 3x">',
    ],
    [
      "h/d/p.html",
      '<meta http-equiv="refresh" content="5; URL=⟨next.php⟩">',
      ["http://h/d/next.php"],
      '<meta http-equiv="refresh" content="5; URL=next.php.html">',
    ],
  ], {
    "http://h/d/a%20b.png": "h/d/img/a b.png",
    "http://h/d/i.svg": "h/d/i.svg",
    "http://h/d/next.php": "h/d/next.php.html",
  });
});

Deno.test("convertLinks() rewrites CSS url() and @import in place", () => {
  check([
    [
      "h/css/a.css",
      "@import \"⦃b.css⦄\";\nbody { background: url(⦃/img/bg.png⦄) } p { background: url('⦃../x.png⦄') }",
      ["http://h/css/b.css", "http://h/img/bg.png", "http://h/x.png"],
      "@import \"b.css\";\nbody { background: url(../img/bg.png) } p { background: url('http://h/x.png') }",
    ],
    // Spaces, quotes and parentheses of a name are CSS escapes; a style attribute keeps its quotes.
    [
      "h/p.html",
      '<p style="background: url(⦃i.png⦄)">',
      ["http://h/i.png"],
      '<p style="background: url(my\\20 \\22 pic\\22 \\20 \\28 1\\29 .png)">',
    ],
    // A fragment and an ampersand stay as they are.
    [
      "h/s.css",
      "a { mask: url(⦃icons.svg#x⦄) } b { background: url(⦃/q?a=1&b=2⦄) }",
      ["http://h/icons.svg", "http://h/q?a=1&b=2"],
      "a { mask: url(icons.svg#x) } b { background: url(http://h/q?a=1&b=2) }",
    ],
  ], {
    "http://h/img/bg.png": "h/img/bg.png",
    "http://h/css/b.css": "h/css/b.css",
    "http://h/i.png": 'h/my "pic" (1).png',
    "http://h/icons.svg": "h/icons.svg",
  });
});

Deno.test("convertLinks() leaves every byte outside the links as it was", async (t) => {
  await t.step("bytes outside ASCII and not UTF-8 around links; a local name outside ASCII in UTF-8", () => {
    check([
      [
        "h/p.html",
        '\xff\xfe<p>caf\xe9 \x80</p><a href="⟦a.html⟧">\xe9\xe8</a>\xc3(',
        ["http://h/a.html"],
        '\xff\xfe<p>caf\xe9 \x80</p><a href="x/a.html">\xe9\xe8</a>\xc3(',
      ],
      [
        "h/p.html",
        '<a href="⟦r%C3%A9s.html⟧">',
        ["http://h/r%C3%A9s.html"],
        `<a href="${utf8("r\u00e9s/\u4e2d.html")}">`,
      ],
    ], { "http://h/a.html": "h/x/a.html", "http://h/r%C3%A9s.html": "h/r\u00e9s/\u4e2d.html" });
  });
  await t.step("a document without links is returned as it was", () => {
    const doc = bytes("<html>\xe9</html>");
    assert.equal(convertLinks(doc, "h/p.html", [], () => null), doc);
    assert.deepEqual(convertLinks(new Uint8Array(0), "h/p.html", [], () => null), new Uint8Array(0));
  });
});

Deno.test("convertLinks() empties <base href>, against which the links were resolved", () => {
  check([
    [
      "h/p.html",
      '<base href="⟦http://h/d/⟧"><a href="⟦a.html⟧">',
      ["http://h/d/", "http://h/d/a.html"],
      '<base href=""><a href="d/a.html">',
    ],
    [
      "h/p.html",
      "<base href=⟦http://h/d/⟧><img src=⟦x.png⟧>",
      ["http://h/d/", "http://h/d/x.png"],
      '<base href=""><img src="http://h/d/x.png">',
    ],
    // Even when no other link changes: wget counts it a conversion.
    [
      "h/p.html",
      '<base href="⟦/d/⟧"><a href="⟦http://h/x⟧">',
      ["http://h/d/", "http://h/x"],
      '<base href=""><a href="http://h/x">',
    ],
  ], { "http://h/d/a.html": "h/d/a.html" });
});

Deno.test("convertLinks() takes links in document order and refuses spans outside the document", async (t) => {
  const { doc, targets: [a, b] } = marked('<a href="⟦a.html⟧"><b href="⟦b.html⟧">', [
    "http://h/a.html",
    "http://h/b.html",
  ]);
  const saved = (url: string) => ({ "http://h/a.html": "h/x/a.html", "http://h/b.html": "h/x/b.html" })[url] ?? null;
  await t.step("given in any order", () => {
    assert.equal(binary(convertLinks(doc, "h/p.html", [b, a], saved)), '<a href="x/a.html"><b href="x/b.html">');
  });
  await t.step("a link overlapping one rewritten already, or at the same place, is left alone", () => {
    const inner = { ...b, link: { ...a.link, start: a.link.start + 1, end: a.link.end + 3 } };
    const twin = { ...b, link: a.link };
    assert.equal(
      binary(convertLinks(doc, "h/p.html", [a, inner, twin], saved)),
      '<a href="x/a.html"><b href="b.html">',
    );
  });
  await t.step("a span past the end or reversed is a RangeError", () => {
    for (const span of [{ start: 30, end: 99 }, { start: 5, end: 4 }, { start: -1, end: 2 }]) {
      assert.throws(() => convertLinks(doc, "h/p.html", [{ ...a, link: { ...a.link, ...span } }], saved), RangeError);
    }
  });
});

Deno.test("convertedSummary() prints the seconds as wget's print_decimal does", () => {
  // "seconds:shown", each checked against glibc's printf with wget's formats: exact ties round to even.
  const table = "0:0 0.0004:0 0.0005:0.001 0.0012:0.001 0.0096:0.01 0.015:0.01 0.045:0.04 0.25:0.2 0.35:0.3 0.75:0.8 " +
    "0.949:0.9 0.95:0.9 1.25:1.2 1.75:1.8 2.5:2.5 9.94:9.9 9.95:10 10.5:10 11.5:12 123.456:123";
  for (const [seconds, shown] of table.split(" ").map((pair) => pair.split(":"))) {
    assert.equal(convertedSummary(3, Number(seconds)), `Converted links in 3 files in ${shown} seconds.`, seconds);
  }
  assert.equal(convertedSummary(1, 0.001), "Converted links in 1 files in 0.001 seconds.");
});
