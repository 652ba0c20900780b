/**
 * The hand-written part of the recursive-retrieval site of tests/e2e/_site.ts: the pages that each show one thing a
 * crawler must handle as wget 1.21 does (`<base href>`, stylesheets with `url()` and `@import`, `style=` attributes,
 * `srcset`, a meta refresh, `<meta name="robots" content="nofollow">`, query strings, names without an extension or
 * with non-ASCII letters, links that climb above the root, links to a second host and to schemes no crawler fetches,
 * a commented-out link), the second host's pages, and the seeded generator both parts draw their bytes from.
 *
 * @module
 */

/** The host names of the site (resolved by the client namespace's hosts file) and the addresses they stand for. */
export const HOSTS = {
  site: { name: "site.test", addr: "198.18.2.2" },
  other: { name: "other.test", addr: "198.18.2.3" },
} as const;

/** A file of the site: its path below the host's root (no leading slash) and its bytes. */
export type SiteFile = readonly [path: string, data: string | Uint8Array];

/**
 * A small seeded generator (mulberry32 over an FNV-1a hash of the seed): the same seed gives the same site.
 *
 * @example
 * ```ts
 * const rng = new Rng("site-1");
 * rng.int(6); // 0 … 5, the same on every run
 * ```
 */
export class Rng {
  #state: number;

  /** Seeds the generator with the FNV-1a hash of `seed`. */
  constructor(seed: string) {
    let h = 0x811c9dc5;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
    this.#state = h;
  }

  /** A number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** `n` bytes. */
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(256));
  }
}

const WORDS = ("segment window acknowledge retransmit congestion handshake socket router packet checksum " +
  "offset payload header option timer buffer stream urgent reset finish").split(" ");

/**
 * A paragraph of `n` seeded words.
 *
 * @example
 * ```ts
 * prose(new Rng("x"), 3); // "<p>" + three seeded words + ".</p>", the same words for the same seed
 * ```
 */
export function prose(rng: Rng, n: number): string {
  return `<p>${Array.from({ length: n }, () => rng.pick(WORDS)).join(" ")}.</p>`;
}

/**
 * A whole HTML page: `title`, extra `head` markup, then `body`.
 *
 * @example
 * ```ts
 * page("refresh", "moving on", `<meta http-equiv="refresh" content="0; url=next.html">\n`);
 * ```
 */
export function page(title: string, body: string, head = ""): string {
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>${title}</title>
${head}</head>
<body>
<h1 id="top">${title}</h1>
${body}
</body>
</html>
`;
}

/**
 * Something that looks like a PNG to a crawler (the signature, then seeded bytes): `size` bytes in all.
 *
 * @example
 * ```ts
 * png(new Rng("x"), 500).length; // 500
 * ```
 */
export function png(rng: Rng, size: number): Uint8Array {
  const out = rng.bytes(size);
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return out;
}

/** The links of the root page that lead to the hand-written pages (the root page itself is made in _site.ts). */
export const ROOT_LINKS = `<ul>
<li><a href="styled.html">styles and images</a>
<li><a href="base/">a page with base href</a>
<li><a href="refresh.html">meta refresh</a>
<li><a href="missing.html">a page that is not there</a>
<li><a href="loop/a.html">a redirect loop</a>
<li><a href="moved.html">a moved page</a>
<li><a href="away.html">a redirect to the other host</a>
<li><a href="page.php?x=1">query one</a>
<li><a href="page.php?x=2&amp;y=3">query two</a>
<li><a href="list.asp">a list</a>
<li><a href="private/">private (robots.txt)</a>
<li><a href="nofollow.html">nofollow</a>
<li><a href="caf%C3%A9/men%C3%BC.html">menu, percent-encoded</a>
<li><a href="/café/plat.html">plat, raw UTF-8</a>
<li><a href="plain/about">about, no extension</a>
<li><a href="chain/1.html">a long chain</a>
<li><a href="mailto:webmaster@site.test">mail</a>
<li><a href="javascript:void(0)">script</a>
<li><a href="ftp://site.test/pub/file.txt">ftp</a>
<li><a href="http://other.test/">the other host</a>
<li><a href="//site.test/sec1/">protocol-relative</a>
<li><a href="#top">top</a>
<li><a href="../../up.html">above the root</a>
<li><A HREF=Upper.HTML>upper case</A>
<li><a href='single.html'>single quotes</a>
<li><a href=" spaced.html ">spaces around</a>
<!-- <li><a href="commented.html">commented out</a> -->
</ul>
`;

function simple(rng: Rng, title: string, body = ""): string {
  return page(title, `${body}\n${prose(rng, 20)}`);
}

function chain(rng: Rng): SiteFile[] {
  return Array.from({ length: 9 }, (_, i) => {
    const next = i < 8 ? `<a href="${i + 2}.html">next</a>` : `<a href="/index.html">home</a>`;
    return [`chain/${i + 1}.html`, simple(rng, `chain ${i + 1}`, next)] as const;
  });
}

/** Images, scripts and fonts the hand-written pages and stylesheets ask for (not the missing one). */
function assets(rng: Rng): SiteFile[] {
  const images = ["bg", "logo", "print", "from-inline", "theme", "inline", "attr", "s0", "s1", "s2", "pic", "base"];
  return [
    ...images.map((n) => [`img/${n}.png`, png(rng, 300 + rng.int(1500))] as const),
    ["img/nofollow.png", png(rng, 400)],
    ["css/sprite.png", png(rng, 700)],
    ["fonts/f.woff", rng.bytes(900)],
    ["js/app.js", `// Loads nothing: a crawler does not read scripts.\nvar u = "/img/js-only.png";\n`],
    ["img/js-only.png", png(rng, 200)],
  ];
}

function stylesheets(): SiteFile[] {
  return [
    [
      "css/main.css",
      `@import "more.css";\n@import url("print.css") print;\nbody { background: url(../img/bg.png) }\n` +
      `.logo { background-image: url( "/img/logo.png" ) }\n@font-face { font-family: f; src: url(/fonts/f.woff) }\n`,
    ],
    ["css/more.css", `h1 { background: url('sprite.png') no-repeat }\n`],
    ["css/print.css", `.p { background: url(//site.test/img/print.png) }\n`],
    ["css/inline.css", `.i { background: url(../img/from-inline.png) }\n`],
    // Served at /theme (text/css, no extension: -E names it theme.css).
    ["_q/theme.css", `.t { background: url(img/theme.png) }\n`],
  ];
}

function styled(): string {
  return page(
    "styles",
    `<div style="background-image: url('/img/attr.png')">a styled div</div>
<p class="hero i t">hero</p>
<img src="img/s0.png" srcset="img/s1.png 1x, /img/s2.png 2x" alt="">
<picture><source srcset="img/pic.png"><img src="img/s0.png" alt=""></picture>
<img src="/img/missing.png" alt="">
<a href="sec0/">section 0</a>`,
    `<link rel="stylesheet" href="css/main.css">
<link rel="stylesheet" href="/theme?v=2">
<style>
@import "/css/inline.css";
p.hero { background: url(img/inline.png) }
</style>
<script src="js/app.js"></script>
`,
  );
}

/**
 * The hand-written pages of the main host (the root page and the generated sections are _site.ts's).
 *
 * @example
 * ```ts
 * const files = specialFiles(new Rng("x")); // [["robots.txt", "User-agent: *…"], …]
 * ```
 */
export function specialFiles(rng: Rng): SiteFile[] {
  return [
    ["robots.txt", "User-agent: *\nDisallow: /private/\n"],
    ["styled.html", styled()],
    ...stylesheets(),
    ...assets(rng),
    [
      "base/index.html",
      page(
        "base",
        `<a href="leaf0/index.html">a leaf, through the base</a>\n<img src="../../img/base.png" alt="">`,
        `<base href="/sec1/part1/">\n`,
      ),
    ],
    ["refresh.html", page("refresh", "moving on", `<meta http-equiv="refresh" content="0; url=refreshed.html">\n`)],
    ["refreshed.html", simple(rng, "refreshed")],
    [
      "nofollow.html",
      page(
        "nofollow",
        `<a href="hidden/only.html">only here</a>\n<img src="img/nofollow.png" alt="">`,
        `<meta name="robots" content="nofollow">\n`,
      ),
    ],
    ["hidden/only.html", simple(rng, "only linked from a nofollow page")],
    ["_q/page-1.html", simple(rng, "query 1", `<a href="page.php?x=2&amp;y=3">two</a> <a href="?x=1#frag">self</a>`)],
    ["_q/page-2.html", simple(rng, "query 2", `<a href="/sec3/">section 3</a>`)],
    ["list.asp", simple(rng, "list", `<a href="list.asp?p=2">page 2</a> <a href="?p=3">page 3</a>`)],
    ["private/index.html", simple(rng, "private", `<a href="secret.html">secret</a>`)],
    ["private/secret.html", simple(rng, "secret")],
    [
      "café/menü.html",
      simple(rng, "menü", `<a href="plat.html">plat</a> <a href="/caf%C3%A9/dessert.html">dessert</a>`),
    ],
    ["café/plat.html", simple(rng, "plat")],
    ["café/dessert.html", simple(rng, "dessert")],
    ["plain/about", simple(rng, "about", `<a href="contact">contact</a>`)],
    ["plain/contact", simple(rng, "contact")],
    ...chain(rng),
    ["up.html", simple(rng, "reached by climbing above the root")],
    ["Upper.HTML", simple(rng, "upper")],
    ["single.html", simple(rng, "single")],
    ["spaced.html", simple(rng, "spaced")],
    ["commented.html", simple(rng, "commented out: never fetched")],
  ];
}

/**
 * The pages of the second host (no robots.txt: it answers 404).
 *
 * @example
 * ```ts
 * const files = otherFiles(new Rng("x")); // [["index.html", "<!DOCTYPE html>…"], …]
 * ```
 */
export function otherFiles(rng: Rng): SiteFile[] {
  const site = `http://${HOSTS.site.name}`;
  return [
    [
      "index.html",
      simple(
        rng,
        "other",
        `<a href="o1.html">o1</a> <a href="o2.html">o2</a> <a href="sub/o3.html">o3</a>\n` +
          `<a href="${site}/index.html">back</a> <img src="logo.png" alt="">`,
      ),
    ],
    ["o1.html", simple(rng, "o1", `<a href="sub/o3.html">o3</a> <a href="${site}/sec0/">section 0 there</a>`)],
    ["o2.html", simple(rng, "o2")],
    ["sub/o3.html", simple(rng, "o3", `<a href="../index.html">up</a>`)],
    ["landing.html", simple(rng, "landing", `<a href="o2.html">o2</a>`)],
    ["logo.png", png(rng, 800)],
  ];
}
