/**
 * `extractCssLinks()` and `extractStylesheetLinks()` against wget 1.21.3's CSS scanner (src/css.l, src/css-url.c):
 * `url(…)` anywhere, `@import` with a string or `url(…)`, nothing inside comments, strings or longer names. Every
 * link found is checked to span its own source text.
 */

import assert from "node:assert/strict";
import { type CssLinkOptions, extractCssLinks, extractStylesheetLinks } from "../../src/crawl/css_links.ts";

/** UTF-8 text one character per byte. */
const binary = (text: string) => String.fromCharCode(...new TextEncoder().encode(text));

/** The links of the CSS `text` as `[raw, source text, expectCss]`, each span checked against `text`. */
function linksOf(text: string, options?: CssLinkOptions): [string, string, boolean][] {
  return extractCssLinks(text, 0, options).map((link) => {
    assert.ok(link.start >= 0 && link.start <= link.end && link.end <= text.length, JSON.stringify(link));
    assert.equal(link.context, "css");
    assert.equal(link.inline, true);
    assert.equal(link.expectHtml, false);
    return [link.raw, text.slice(link.start, link.end), link.expectCss];
  });
}

const raws = (text: string, options?: CssLinkOptions) => linksOf(text, options).map(([raw]) => raw);

Deno.test("extractCssLinks() finds url() in every form wget's scanner takes", async (t) => {
  await t.step("unquoted, single and double quotes, whitespace inside the parentheses, any case", () => {
    assert.deepEqual(
      linksOf("a{b:url(u.png)} c{d:url('s.png')} e{f:url(\"d.png\")} g{h:url(  \n w.png\t)} i{j:URL(U.PNG)}"),
      [
        ["u.png", "u.png", false],
        ["s.png", "s.png", false],
        ["d.png", "d.png", false],
        ["w.png", "w.png", false],
        ["U.PNG", "U.PNG", false],
      ],
    );
  });
  await t.step("whatever the property, in lists and shorthands", () => {
    assert.deepEqual(
      raws("@font-face{src:url(f.woff2) format('woff2'),url(f.woff)}x{background:#fff url(b.gif) no-repeat}"),
      [
        "f.woff2",
        "f.woff",
        "b.gif",
      ],
    );
  });
  await t.step("a quoted URL may hold parentheses, spaces and the other quote", () => {
    assert.deepEqual(linksOf(`x{y:url("a (1) 'b'.png")}`), [["a (1) 'b'.png", "a (1) 'b'.png", false]]);
  });
  await t.step("empty and bad url() give nothing", () => {
    const bad = ["url()", "url( )", "url('')", 'url("")', "url(a b.png)", "url(a.png", 'url("a.png" x)', 'url("a\nb")'];
    for (const text of bad) assert.deepEqual(raws(`x{y:${text}}`), [], text);
    // Scanning goes on after a bad one.
    assert.deepEqual(raws("x{y:url(a b)} z{w:url(ok.png)}"), ["ok.png"]);
  });
});

Deno.test("extractCssLinks() finds @import with a string or url(), expected to be CSS", () => {
  assert.deepEqual(
    linksOf('@import "a.css";\n@import \'b.css\' screen;\n@import url(c.css);\n@IMPORT url("d.css") print;'),
    [["a.css", "a.css", true], ["b.css", "b.css", true], ["c.css", "c.css", true], ["d.css", "d.css", true]],
  );
  assert.deepEqual(linksOf("@import /* first */ 'e.css';"), [["e.css", "e.css", true]]);
  // Nothing: an empty string, a bad string, another at-rule, an ident.
  assert.deepEqual(raws('@import "";@import "x\n;@importx "y.css";@media "z.css";@import foo;'), []);
});

Deno.test("extractCssLinks() skips comments, strings and longer names", () => {
  const css = [
    "/* url(comment.png) @import 'c.css'; */",
    'p:before { content: "url(string.png)"; }',
    "q:after { content: 'x\\' url(escaped-quote.png)'; }",
    "r { a: myurl(name.png); b: -url(dash.png); c: #url(hash.png); d: 5url(dim.png); }",
    "s { ok: url(found.png) }",
    "/* unclosed url(tail.png)",
  ].join("\n");
  assert.deepEqual(raws(css), ["found.png"]);
  // A string broken by a line ends there: the next line is scanned.
  assert.deepEqual(raws("a { content: 'broken\n; b: url(next.png) }"), ["next.png"]);
});

Deno.test("extractCssLinks() decodes escapes in raw, its span keeping them as written", () => {
  assert.deepEqual(linksOf("a{b:url(a\\)b.png)} c{d:url(\\41 x.png)} e{f:url('g\\'h.png')} i{j:url(\"k\\\nl.png\")}"), [
    ["a)b.png", "a\\)b.png", false],
    ["Ax.png", "\\41 x.png", false],
    ["g'h.png", "g\\'h.png", false],
    ["kl.png", "k\\\nl.png", false],
  ]);
  assert.deepEqual(raws("x{y:url(caf\\e9.png)} z{w:url(\\0 .png)} v{u:url(\\110000.png)}"), [
    "caf\u00e9.png",
    "\ufffd.png",
    "\ufffd.png",
  ]);
});

Deno.test("extractCssLinks() reads bytes in the charset given", () => {
  assert.deepEqual(raws(binary("a{b:url(caf\u00e9/\u0151.png)}")), ["caf\u00e9/\u0151.png"]);
  const latin1 = "a{b:url('caf\xe9.png')}";
  assert.deepEqual(raws(latin1, { charset: "iso-8859-1" }), ["caf\u00e9.png"]);
  assert.deepEqual(raws(latin1), ["caf%E9.png"]); // not UTF-8: kept as %XX
  assert.deepEqual(raws(latin1, { charset: "no-such-charset" }), ["caf%E9.png"]);
});

Deno.test("extractCssLinks() gives spans at the text's offset in its document", () => {
  const doc = '<p style="background: url(a.png)">';
  const from = doc.indexOf("background");
  const text = doc.slice(from, doc.lastIndexOf('"'));
  const [link] = extractCssLinks(text, from, { origin: "p/style" });
  assert.equal(doc.slice(link.start, link.end), "a.png");
  assert.equal(link.origin, "p/style");
  assert.equal(extractCssLinks("x{y:url(b.png)}", 0)[0].origin, "css");
});

Deno.test("extractStylesheetLinks() reads a text/css file", () => {
  const doc = new TextEncoder().encode(
    '@charset "utf-8";\n@import url("base.css");\nbody { background: url(bg.png) }\n',
  );
  const page = extractStylesheetLinks(doc);
  assert.equal(page.base, null);
  assert.equal(page.nofollow, false);
  assert.deepEqual(page.links.map((link) => [link.raw, link.expectCss, link.origin]), [
    ["base.css", true, "css"],
    ["bg.png", false, "css"],
  ]);
  const text = new TextDecoder().decode(doc);
  for (const link of page.links) assert.equal(text.slice(link.start, link.end), link.raw);
  const latin1 = Uint8Array.from("a{b:url(\xe9.png)}", (ch) => ch.charCodeAt(0));
  assert.equal(extractStylesheetLinks(latin1, "latin1").links[0].raw, "\u00e9.png");
});

Deno.test("extractStylesheetLinks() reads a stylesheet of 30,000 url()", () => {
  const text = Array.from({ length: 30_000 }, (_, i) => `.c${i} { background: url("i/${i}.png") }\n`).join("");
  const page = extractStylesheetLinks(new TextEncoder().encode(text));
  assert.equal(page.links.length, 30_000);
  assert.equal(page.links[12_345].raw, "i/12345.png");
});
