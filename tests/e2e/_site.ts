/**
 * A generated web site for the recursive-retrieval tests: about 350 HTML pages (four sections of three parts of
 * three leaves of seven pages, each level with an index) linked to each other at random by relative, `../`,
 * root-relative, absolute and protocol-relative links, some with fragments, plus the hand-written pages of
 * tests/e2e/_site_pages.ts and a second host of six files. The same seed writes the same bytes and the same
 * modification times (which nginx sends as Last-Modified), so a run of wget and a run of rawhttpget see one site.
 *
 * ```text
 * site/                      served as http://site.test/ (tests/e2e/_recursive_nginx.ts)
 *   index.html robots.txt    robots.txt disallows /private/
 *   sec0 … sec3/index.html
 *     part0 … part2/index.html
 *       leaf0 … leaf2/index.html p0.html … p6.html img.png
 *   img/ css/ js/ fonts/ chain/ café/ plain/ private/ hidden/ base/ _q/ …
 * other/                     served as http://other.test/
 * ```
 *
 * @module
 */

import { HOSTS, otherFiles, page, png, prose, Rng, ROOT_LINKS, type SiteFile, specialFiles } from "./_site_pages.ts";

export { HOSTS, type SiteFile } from "./_site_pages.ts";

/** The shape of the generated tree. */
export const TREE = { sections: 4, parts: 3, leaves: 3, pages: 7 } as const;

/** What {@linkcode writeSite} wrote. */
export interface WrittenSite {
  /** Document root of http://site.test/. */
  readonly siteRoot: string;
  /** Document root of http://other.test/. */
  readonly otherRoot: string;
  /** The files of the main host (paths below its root, sorted). */
  readonly siteFiles: readonly string[];
  /** The files of the second host. */
  readonly otherFiles: readonly string[];
  /** Bytes of both hosts together. */
  readonly bytes: number;
}

/**
 * The path of page `n` of a leaf.
 *
 * @example
 * ```ts
 * leafPage(1, 0, 2, 3); // "sec1/part0/leaf2/p3.html"
 * ```
 */
export function leafPage(s: number, p: number, l: number, n: number): string {
  return `sec${s}/part${p}/leaf${l}/p${n}.html`;
}

/** Every generated page of the tree (indexes and leaf pages). */
function treePages(): string[] {
  const out: string[] = [];
  for (let s = 0; s < TREE.sections; s++) {
    for (let p = 0; p < TREE.parts; p++) {
      for (let l = 0; l < TREE.leaves; l++) {
        for (let n = 0; n < TREE.pages; n++) out.push(leafPage(s, p, l, n));
      }
    }
  }
  return out;
}

/** `target` written relative to directory `fromDir` (both below the root, `fromDir` ending in `/` or empty). */
function relative(fromDir: string, target: string): string {
  const from = fromDir.split("/").filter((x) => x !== "");
  const to = target.split("/");
  let common = 0;
  while (common < from.length && common < to.length - 1 && from[common] === to[common]) common++;
  return "../".repeat(from.length - common) + to.slice(common).join("/");
}

/** A link from a page in `fromDir` to `target`, in one of the forms a page may use. */
function linkTo(rng: Rng, fromDir: string, target: string): string {
  const r = rng.next();
  if (r < 0.35) return relative(fromDir, target);
  if (r < 0.45) return `${relative(fromDir, target)}#s${rng.int(3)}`;
  if (r < 0.7) return `/${target}`;
  if (r < 0.85) return `http://${HOSTS.site.name}/${target}`;
  return `//${HOSTS.site.name}/${target}`;
}

/** Links of a few pages that show one thing each, by page. */
const EXTRA_LINKS: Readonly<Record<string, string>> = {
  [leafPage(0, 0, 0, 0)]: `<a href="../../../../../up.html">five levels up from three</a>`,
  [leafPage(1, 0, 0, 1)]: `<a href="/sec1/gone.html">gone</a>`,
  [leafPage(1, 1, 1, 2)]: `<a href="/page.php?x=1">query</a>`,
  [leafPage(3, 2, 2, 6)]: `<a href="http://${HOSTS.other.name}/o1.html">o1 on the other host</a>`,
  [leafPage(2, 0, 1, 4)]: `<a href="/moved.html">moved</a>`,
};

function leafFiles(rng: Rng, all: readonly string[], s: number, p: number, l: number): SiteFile[] {
  const dir = `sec${s}/part${p}/leaf${l}/`;
  const files: SiteFile[] = [[`${dir}img.png`, png(rng, 200 + rng.int(1800))]];
  const list = Array.from({ length: TREE.pages }, (_, n) => `<li><a href="p${n}.html">page ${n}</a>`).join("\n");
  const away = rng.pick(all);
  files.push([
    `${dir}index.html`,
    page(`leaf ${s}.${p}.${l}`, `<ul>\n${list}\n</ul>\n<a href="${linkTo(rng, dir, away)}">elsewhere</a>`),
  ]);
  for (let n = 0; n < TREE.pages; n++) {
    const path = leafPage(s, p, l, n);
    const links = Array.from({ length: 2 + rng.int(4) }, () => {
      const target = rng.pick(all);
      return `<a href="${linkTo(rng, dir, target)}">${target}</a>`;
    });
    const img = rng.next() < 0.5 ? `<img src="img.png" alt="">` : `<img src="/img/sec${s}.png" alt="">`;
    const body = [img, ...links, EXTRA_LINKS[path] ?? "", prose(rng, 30 + rng.int(60)), prose(rng, 40)];
    files.push([path, page(`page ${s}.${p}.${l}.${n}`, body.join("\n"))]);
  }
  return files;
}

/** The generated sections, their indexes and the root page. */
function treeFiles(rng: Rng): SiteFile[] {
  const all = treePages();
  const files: SiteFile[] = [];
  const sections: string[] = [];
  for (let s = 0; s < TREE.sections; s++) {
    sections.push(`<a href="sec${s}/">section ${s}</a>`);
    files.push([`img/sec${s}.png`, png(rng, 500 + rng.int(1000))]);
    const parts = [];
    for (let p = 0; p < TREE.parts; p++) {
      parts.push(`<a href="part${p}/">part ${p}</a>`);
      const leaves = [];
      for (let l = 0; l < TREE.leaves; l++) {
        leaves.push(`<a href="leaf${l}/index.html">leaf ${l}</a>`);
        files.push(...leafFiles(rng, all, s, p, l));
      }
      files.push([`sec${s}/part${p}/index.html`, page(`part ${s}.${p}`, `${leaves.join("\n")}\n${prose(rng, 25)}`)]);
    }
    const img = `<img src="../img/sec${s}.png" alt="">`;
    files.push([`sec${s}/index.html`, page(`section ${s}`, `${img}\n${parts.join("\n")}\n${prose(rng, 25)}`)]);
  }
  files.push(["sec2/target.html", page("the target of /moved.html", prose(rng, 20))]);
  files.push(["index.html", page("site", `${sections.join("\n")}\n${ROOT_LINKS}<img src="img/sec0.png" alt="">`)]);
  return files;
}

const BASE_MTIME = Date.UTC(2024, 2, 1) / 1000;

async function writeTree(root: string, files: readonly SiteFile[], mtimeBase: number): Promise<number> {
  let bytes = 0;
  const sorted = [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [i, [path, data]] of sorted.entries()) {
    const full = `${root}/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true, mode: 0o755 });
    const bin = typeof data === "string" ? new TextEncoder().encode(data) : data;
    await Deno.writeFile(full, bin, { mode: 0o644 });
    // Distinct whole-second times, one minute apart, in path order.
    await Deno.utime(full, mtimeBase + i * 60, mtimeBase + i * 60);
    bytes += bin.length;
  }
  return bytes;
}

/**
 * Writes both hosts' files into `dir/site` and `dir/other` (directories 0755, files 0644, so that nginx's workers
 * read them), with fixed modification times.
 *
 * @example
 * ```ts
 * const site = await writeSite(`${tb.tempDir}/recursive`);
 * console.log(site.siteFiles.length, site.bytes);
 * ```
 */
export async function writeSite(dir: string, seed = "recursive-site-1"): Promise<WrittenSite> {
  const rng = new Rng(seed);
  const site = [...treeFiles(rng), ...specialFiles(rng)];
  const other = otherFiles(rng);
  const siteRoot = `${dir}/site`;
  const otherRoot = `${dir}/other`;
  const bytes = (await writeTree(siteRoot, site, BASE_MTIME)) + (await writeTree(otherRoot, other, BASE_MTIME + 7));
  const names = (files: readonly SiteFile[]) => files.map(([p]) => p).sort();
  return { siteRoot, otherRoot, siteFiles: names(site), otherFiles: names(other), bytes };
}
