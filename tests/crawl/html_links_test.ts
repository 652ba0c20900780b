/**
 * `extractHtmlLinks()` against wget 1.21.3's link collection (src/html-url.c `tag_url_attributes`,
 * `tag_handle_link`, `tag_handle_meta`, `tag_handle_img`; src/html-parse.c's value trimming). Every link found is
 * checked to span its own source text.
 */

import assert from "node:assert/strict";
import { extractHtmlLinks, type HtmlLinkOptions } from "../../src/crawl/html_links.ts";
import type { FoundLink, PageLinks } from "../../src/crawl/link_types.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);
const latin1 = (text: string) => Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 0xff);

/** The page's links after checking each span is a range of `doc`, sorted, holding the link's source text. */
function extract(doc: Uint8Array, options?: HtmlLinkOptions): PageLinks {
  const page = extractHtmlLinks(doc, options);
  let previous = 0;
  for (const link of page.links) {
    assert.ok(link.start >= previous && link.start <= link.end && link.end <= doc.length, JSON.stringify(link));
    previous = link.start;
  }
  return page;
}

/** The source text of a link: the bytes of its span, one character per byte. */
const sourceOf = (doc: Uint8Array, link: FoundLink) => String.fromCharCode(...doc.subarray(link.start, link.end));

/** A link as `[raw, source text, origin, flags]`, flags: I inline, H expects HTML, C expects CSS, K convert-only. */
function summary(doc: Uint8Array, link: FoundLink): [string, string, string, string] {
  const flags = (link.inline ? "I" : "") + (link.expectHtml ? "H" : "") + (link.expectCss ? "C" : "") +
    (link.convertOnly ? "K" : "");
  return [link.raw, sourceOf(doc, link), link.origin, flags];
}

/** The summaries of the links of the UTF-8 page `html`. */
function linksOf(html: string, options?: HtmlLinkOptions): [string, string, string, string][] {
  const doc = utf8(html);
  return extract(doc, options).links.map((link) => summary(doc, link));
}

/** The raw text of the links of the UTF-8 page `html`. */
const raws = (html: string, options?: HtmlLinkOptions) => linksOf(html, options).map(([raw]) => raw);

Deno.test("extractHtmlLinks() follows each URL attribute of wget's table with its flags", async (t) => {
  // wget's tag_url_attributes, then <form action> and <base href>: tag/attribute:flags.
  const table = [
    "a/href:H applet/code:I area/href:H bgsound/src:I body/background:I embed/href:H embed/src:IH fig/src:I",
    "frame/src:IH iframe/src:IH img/href:I img/lowsrc:I img/src:I input/src:I layer/src:IH object/data:I",
    "overlay/src:IH script/src:I table/background:I td/background:I th/background:I video/src:I video/poster:I",
    "audio/src:I audio/poster:I source/src:I form/action:K base/href:K",
  ].join(" ").split(" ").map((entry) => entry.split(/[/:]/));
  for (const [tag, attribute, flags] of table) {
    await t.step(`<${tag} ${attribute}>: ${flags}`, () => {
      const html = `<html><${tag} ${attribute}="u/${tag}.${attribute}" title="t">x</${tag}>`;
      const value = `u/${tag}.${attribute}`;
      assert.deepEqual(linksOf(html), [[value, value, `${tag}/${attribute}`, flags]]);
      assert.equal(extract(utf8(html)).links[0].context, "attribute");
    });
  }
  await t.step("attributes wget 1.21.3 does not read give nothing", () => {
    const html = '<source srcset="s.png"><track src="t.vtt"><a src="x"><img data="d"><div href="h"><q cite="c">' +
      '<a ping="p"><video data="v"><link src="l"><embed data="e"><svg><image href="i.svg"/></svg>';
    assert.deepEqual(linksOf(html), []);
  });
  await t.step("every occurrence is taken in document order, duplicates included", () => {
    const html = '<img lowsrc="b.png" src="a.png" href="c.png" src="d.png">';
    assert.deepEqual(raws(html), ["b.png", "a.png", "c.png", "d.png"]);
  });
  await t.step("tag and attribute names are read in any case", () => {
    assert.deepEqual(linksOf('<A HREF="x.html">x</A><IMG Src=y.png><FrAmE sRc="f.html">'), [
      ["x.html", "x.html", "a/href", "H"],
      ["y.png", "y.png", "img/src", "I"],
      ["f.html", "f.html", "frame/src", "IH"],
    ]);
  });
});

Deno.test("extractHtmlLinks() reads <link> by its whole rel, as wget's tag_handle_link does", () => {
  const table: [string, string][] = [
    ['rel="stylesheet"', "IC"],
    ['rel="alternate stylesheet"', "IC"],
    ['rel=" StyleSheet "', "IC"],
    ['rel="icon"', "I"],
    ['rel="shortcut icon"', "I"],
    ['rel="manifest"', "I"],
    ['rel="next"', "H"],
    ['rel="canonical" type="text/html"', "H"],
    ['rel="alternate" type="application/rss+xml"', ""],
    ['rel="preload stylesheet"', "H"], // not one of wget's values: a page
    ['rel="apple-touch-icon"', "H"],
    ["", ""], // no rel: no flag at all
  ];
  for (const [attributes, flags] of table) {
    assert.deepEqual(linksOf(`<link ${attributes} href="l">`), [["l", "l", "link/href", flags]], attributes);
  }
});

Deno.test("extractHtmlLinks() spans a value's text inside its quotes", async (t) => {
  await t.step("double, single and no quotes, spaces around =", () => {
    assert.deepEqual(
      linksOf(`<a href="d.html"><a href='s.html'><a href=u.html><a href = "w.html" ><a\nhref\n=\n'n.html'>`),
      [
        ["d.html", "d.html", "a/href", "H"],
        ["s.html", "s.html", "a/href", "H"],
        ["u.html", "u.html", "a/href", "H"],
        ["w.html", "w.html", "a/href", "H"],
        ["n.html", "n.html", "a/href", "H"],
      ],
    );
  });
  await t.step("whitespace around a quoted value is trimmed, line breaks inside it removed", () => {
    assert.deepEqual(linksOf('<a href="  \tx.html \n"><img src="long/\r\npath.png"><a href="a b.html">'), [
      ["x.html", "x.html", "a/href", "H"],
      ["long/path.png", "long/\r\npath.png", "img/src", "I"],
      ["a b.html", "a b.html", "a/href", "H"],
    ]);
  });
  await t.step("an unquoted value keeps a slash before >", () => {
    assert.deepEqual(linksOf("<a href=x.html/>"), [["x.html/", "x.html/", "a/href", "H"]]);
  });
});

Deno.test("extractHtmlLinks() decodes character references as HTML5 does", () => {
  assert.deepEqual(linksOf('<a href="a.cgi?x=1&amp;y=2&#38;z=3&#x26;w">'), [
    ["a.cgi?x=1&y=2&z=3&w", "a.cgi?x=1&amp;y=2&#38;z=3&#x26;w", "a/href", "H"],
  ]);
  // Named references outside ASCII (wget leaves them), legacy ones without ';', and '&' before a letter in a value.
  const named = "<a href='caf&eacute;.html'><a href=\"q?a=1&amp\"><a href='q?a&ampx=1'>";
  assert.deepEqual(raws(named), ["caf\u00e9.html", "q?a=1&", "q?a&ampx=1"]);
  // A space written as a reference is meant: only whitespace bytes are trimmed, as wget trims before decoding.
  assert.deepEqual(linksOf('<a href=" &#32;x&#10; ">'), [[" x\n", "&#32;x&#10;", "a/href", "H"]]);
  // A reference worth two code points stays one piece of the span.
  const [pair] = linksOf('<a href="&NotEqualTilde;.html">');
  assert.deepEqual(pair.slice(0, 2), ["\u2242\u0338.html", "&NotEqualTilde;.html"]);
});

Deno.test("extractHtmlLinks() splits <img srcset> into its URLs", () => {
  const html =
    '<img src="a.png" srcset="a-1x.png 1x, a-2x.png 2x,\n  a-480.png 480w,a-plain.png, data:image/png;base64,AA== 3x">';
  assert.deepEqual(linksOf(html), [
    ["a.png", "a.png", "img/src", "I"],
    ["a-1x.png", "a-1x.png", "img/srcset", "I"],
    ["a-2x.png", "a-2x.png", "img/srcset", "I"],
    ["a-480.png", "a-480.png", "img/srcset", "I"],
    ["a-plain.png", "a-plain.png", "img/srcset", "I"],
    ["data:image/png;base64,AA==", "data:image/png;base64,AA==", "img/srcset", "I"],
  ]);
  assert.ok(extract(utf8(html)).links.slice(1).every((link) => link.context === "attribute-part"));
  // A descriptor with a comma in parentheses, references, and an empty srcset.
  assert.deepEqual(linksOf("<img srcset='x.png f(1,2), y&amp;z.png'><img srcset=''><img srcset=' , '>"), [
    ["x.png", "x.png", "img/srcset", "I"],
    ["y&z.png", "y&amp;z.png", "img/srcset", "I"],
  ]);
});

Deno.test("extractHtmlLinks() reads a refresh's URL as wget does", () => {
  const table: [string, string | null][] = [
    ['http-equiv="refresh" content="5; URL=r.html"', "r.html"],
    ["HTTP-EQUIV=Refresh CONTENT='0;url=r.html'", "r.html"],
    ['http-equiv="refresh" content=" 3 ;url=r.html"', null], // the ';' must follow the number
    ['http-equiv="refresh" content="3;  url=  spaced.html  "', "spaced.html"],
    ['http-equiv="refresh" content=";url=no-number.html"', "no-number.html"], // no number: 0 seconds
    ['http-equiv="refresh" content="+2;url=plus.html"', "plus.html"],
    ['http-equiv="refresh" content="-1;url=negative.html"', null],
    ['http-equiv="refresh" content="5"', null],
    ['http-equiv="refresh" content="5; r.html"', null],
    ['http-equiv="refresh" content="5; url = r.html"', null], // no space before '='
    ['http-equiv="refresh" content="1;url=\'q.html\'"', "'q.html'"], // quotes are kept, as in wget
    ['http-equiv="refresh" content="0;url=a.cgi?x&amp;y"', "a.cgi?x&y"],
    ['name="refresh" content="0;url=x.html"', null],
  ];
  for (const [attributes, url] of table) {
    const links = linksOf(`<meta ${attributes}>`);
    if (url === null) assert.deepEqual(links, [], attributes);
    else assert.deepEqual(links.map(([raw, , origin, flags]) => [raw, origin, flags]), [[url, "meta/content", "H"]]);
  }
  const doc = utf8('<meta http-equiv="refresh" content="0; url=&quot;x">');
  const [link] = extract(doc).links;
  assert.equal(link.context, "attribute-part");
  assert.equal(sourceOf(doc, link), "&quot;x");
});

Deno.test("extractHtmlLinks() sets nofollow from a robots <meta>", () => {
  const table: [string, boolean][] = [
    ['<meta name="robots" content="nofollow">', true],
    ['<META NAME="ROBOTS" CONTENT="NoFollow">', true],
    ['<meta name="robots" content="index, nofollow">', true],
    ['<meta name="robots" content="nofollow noarchive, index">', true],
    ['<meta name="robots" content="none">', true],
    ['<meta name="robots" content="noindex">', false],
    ['<meta name="robots" content="index,follow">', false],
    ['<meta name="robots" content="no">', false], // wget: a prefix of "nofollow" counts
    ['<meta name="googlebot" content="nofollow">', false],
    ['<meta name="robots">', false],
  ];
  for (const [html, nofollow] of table) {
    const page = extract(utf8(`${html}<a href="x.html">`));
    assert.equal(page.nofollow, nofollow, html);
    assert.equal(page.links.length, 1); // the links are listed all the same
  }
});

Deno.test("extractHtmlLinks() takes the first <base href> as the base; every one is a link -k empties", () => {
  const doc = utf8('<a href="before.html"><base href=" http://h/d/ "><base href="http://other/"><base target=_top>');
  const page = extract(doc);
  assert.equal(page.base, "http://h/d/");
  assert.deepEqual(page.links.map((link) => summary(doc, link)), [
    ["before.html", "before.html", "a/href", "H"],
    ["http://h/d/", "http://h/d/", "base/href", "K"],
    ["http://other/", "http://other/", "base/href", "K"],
  ]);
  assert.equal(extract(utf8("<a href=x>")).base, null);
});

Deno.test("extractHtmlLinks() reads style attributes and <style> elements as CSS", () => {
  const html = "<div STYLE=\"background: url( 'd.png' )\">x</div><p style=background:url(p.png)>" +
    '<style type="text/css">\n@import "i.css";\n/* url(no.png) */\nbody { background: url(b.png) }\n</style>' +
    "<a href=\"a.html\" style='color: red'>";
  assert.deepEqual(linksOf(html), [
    ["d.png", "d.png", "div/style", "I"],
    ["p.png", "p.png", "p/style", "I"],
    ["i.css", "i.css", "style", "IC"],
    ["b.png", "b.png", "style", "I"],
    ["a.html", "a.html", "a/href", "H"],
  ]);
  assert.ok(extract(utf8(html)).links.slice(0, 4).every((link) => link.context === "css"));
  // wget reads a style attribute's bytes as they are: a reference is no quote there.
  assert.deepEqual(raws('<p style="background:url(&quot;q.png&quot;)">'), ["&quot;q.png&quot;"]);
  // An unclosed <style> runs to the end; text outside <style> is no CSS.
  assert.deepEqual(raws("<p>url(text.png)</p><style>a { b: url(u.png) }"), ["u.png"]);
});

Deno.test("extractHtmlLinks() honours --follow-tags and --ignore-tags", async (t) => {
  const html = '<meta http-equiv=refresh content="0;url=r.html"><meta name=robots content=nofollow>' +
    '<base href="http://h/"><a href="a.html"><img src="i.png" style="background:url(s.png)"><form action="f">';
  const of = (options: HtmlLinkOptions) => {
    const page = extract(utf8(html), options);
    return { raws: page.links.map((link) => link.raw), nofollow: page.nofollow, base: page.base };
  };
  await t.step("--follow-tags keeps the named tags (any case); style attributes are read all the same", () => {
    assert.deepEqual(of({ followTags: ["A", "blink"] }), { raws: ["a.html", "s.png"], nofollow: false, base: null });
  });
  await t.step("--ignore-tags drops the named tags, meta and base included", () => {
    assert.deepEqual(of({ ignoreTags: ["img", "META", "base"] }), {
      raws: ["a.html", "s.png", "f"],
      nofollow: false,
      base: null,
    });
  });
  await t.step("both: the ignored ones are taken out of the followed ones", () => {
    assert.deepEqual(of({ followTags: ["a", "img"], ignoreTags: ["a"] }).raws, ["i.png", "s.png"]);
  });
  await t.step("an empty list restricts nothing, as an empty option in wget", () => {
    assert.deepEqual(of({ followTags: [], ignoreTags: [] }).raws, of({}).raws);
    assert.deepEqual(of({}), {
      raws: ["r.html", "http://h/", "a.html", "i.png", "s.png", "f"],
      nofollow: true,
      base: "http://h/",
    });
  });
});

Deno.test("extractHtmlLinks() reads a link's bytes in the page's charset", () => {
  const page = latin1('<a href="caf\xe9.html">caf\xe9</a><img src="&eacute;t\xe9.png">');
  const read = (doc: Uint8Array, options?: HtmlLinkOptions) => extract(doc, options).links.map((link) => link.raw);
  assert.deepEqual(read(page, { charset: "iso-8859-1" }), ["caf\u00e9.html", "\u00e9t\u00e9.png"]);
  assert.deepEqual(read(page, { charset: "windows-1252" }), ["caf\u00e9.html", "\u00e9t\u00e9.png"]);
  // Not UTF-8, or a charset rawhttpget cannot read: the bytes stay as %XX; references are characters anyway.
  assert.deepEqual(read(page), ["caf%E9.html", "\u00e9t%E9.png"]);
  assert.deepEqual(read(page, { charset: "x-no-such-charset" }), ["caf%E9.html", "\u00e9t%E9.png"]);
  assert.deepEqual(read(utf8('<a href="caf\u00e9/\u043c\u0438\u0440.html">')), ["caf\u00e9/\u043c\u0438\u0440.html"]);
  assert.deepEqual(read(latin1('<a href="\xec\xe8\xf0.html">'), { charset: "windows-1251" }), [
    "\u043c\u0438\u0440.html",
  ]);
  // Without a header charset, a <meta> one is used; the header's wins over it.
  const meta = latin1('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><a href="\xe9.html">');
  assert.deepEqual(read(meta), ["\u00e9.html"]);
  assert.deepEqual(read(meta, { charset: "utf-8" }), ["%E9.html"]);
  // Spans count bytes: the link after a multi-byte character starts where its bytes do.
  const doc = utf8('<p title="\u00e9\u00e9\u00e9"><a href="\u00e9.html">');
  const [link] = extract(doc).links;
  assert.equal(new TextDecoder().decode(doc.subarray(link.start, link.end)), "\u00e9.html");
  assert.equal(link.end - link.start, 7);
});

Deno.test("extractHtmlLinks() keeps empty and fragment-only links, as wget does", () => {
  assert.deepEqual(linksOf('<a href="">e</a><a href="#top">t</a><a href="  ">s</a>'), [
    ["", "", "a/href", "H"],
    ["#top", "#top", "a/href", "H"],
    ["", "", "a/href", "H"],
  ]);
  const [empty] = extract(utf8('<a href="">')).links;
  assert.deepEqual([empty.start, empty.end], [9, 9]);
});

Deno.test("extractHtmlLinks() gets through malformed HTML", async (t) => {
  const table: [string, string[]][] = [
    ['<a href="a.html"><p><div><img src=b.png><a href="c.html"', ["a.html", "b.png"]], // the last tag never ends
    ['<a href>x</a><a href=>y</a><img src alt="z">', []], // attributes without a value
    ['<!-- <a href="c.html"> --><a href="d.html">', ["d.html"]],
    ["<script>document.write('<img src=\"s.png\">')</script><a href=t.html>", ["t.html"]],
    ['</a href="x.html"><a href="y.html">', ["y.html"]],
    ["<a href=\"a.html\"\" title=x><a href='b.html''>", ["a.html", "b.html"]],
    ["<a href='x.html' <img src='y.png'>", ["x.html"]],
    ['<a href="x.html>text</a><img src="y.png">', ["x.html>text</a><img src="]],
    ["<<a href=a.html>><a/href=b.html><a\0href=c.html>", ["a.html", "b.html"]], // HTML5: '/' parts attributes
    ["", []],
    ["no tags at all", []],
  ];
  for (const [html, expected] of table) {
    await t.step(JSON.stringify(html), () => {
      assert.deepEqual(raws(html), expected);
    });
  }
  await t.step("arbitrary bytes: spans stay within the document and in order", () => {
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const alphabet = ['<a href="', "<img src=", "'", '"', "<", ">", "=", " ", "&amp;", "&#", "x", "\n", "/", "\xff"];
    for (let round = 0; round < 300; round++) {
      let html = "";
      for (let i = 0; i < 40; i++) html += alphabet[Math.floor(next() * alphabet.length)];
      extract(latin1(html));
    }
  });
});

Deno.test("extractHtmlLinks() reads many links, and stops at its limit saying so", () => {
  const parts: string[] = [];
  for (let i = 0; i < 30_000; i++) parts.push(`<li><a href="/p/${i}.html?a=1&amp;b=2">${i}</a>\n`);
  const doc = utf8(parts.join(""));
  const whole = extractHtmlLinks(doc, { maxLinks: 30_000 });
  assert.equal(whole.links.length, 30_000);
  assert.equal(whole.truncated, undefined);
  assert.equal(whole.links[29_999].raw, "/p/29999.html?a=1&b=2");
  const cut = extractHtmlLinks(doc, { maxLinks: 20_000 });
  assert.deepEqual([cut.links.length, cut.truncated, cut.links[19_999].raw], [20_000, true, "/p/19999.html?a=1&b=2"]);
});
