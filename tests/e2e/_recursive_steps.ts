/**
 * The command lines tests/e2e/recursive_test.ts runs with wget and rawhttpget alike, each with what wget 1.21.3 was
 * seen to leave on the generated site (checked before the two are compared).
 *
 * @module
 */

import { HOSTS } from "./_site.ts";

/** The site's root URL. */
export const SITE = `http://${HOSTS.site.name}/`;
/** A path of the site as saved (`site.test/PATH`). */
export const s = (path: string): string => `${HOSTS.site.name}/${path}`;

/** What wget 1.21.3 was seen to leave. */
export interface WgetSaw {
  /** Its exit code. */
  readonly code: number;
  /** How many files it left. */
  readonly files: number;
  /** Paths that are there. */
  readonly has?: readonly string[];
  /** Paths, or patterns no path matches, that are not. */
  readonly lacks?: readonly (string | RegExp)[];
}

/** One differential command line and what wget does with it. */
export interface CrawlStep {
  readonly args: readonly string[];
  readonly wget: WgetSaw;
}

/** Pages and images no crawl may reach (behind robots.txt, nofollow, comments, scripts). */
export const NOT_FOLLOWED = [s("private/index.html"), s("hidden/only.html"), s("commented.html"), s("img/js-only.png")];

/** The command lines compared one by one. */
export const STEPS: readonly CrawlStep[] = [
  { args: ["-r", "-l", "2", SITE], wget: { code: 8, files: 56, has: [s("chain/2.html")], lacks: [s("chain/3.html")] } },
  { args: ["-r", "-l", "inf", SITE], wget: { code: 8, files: 395, has: [s("chain/9.html")] } },
  {
    args: ["-r", "-np", `${SITE}sec1/part1/`],
    wget: { code: 0, files: 29, has: [s("sec1/part1/leaf2/img.png")], lacks: [/^site\.test\/(?!robots|sec1\/part1)/] },
  },
  { args: ["-r", "-nH", SITE], wget: { code: 8, files: 391, has: ["index.html", "robots.txt", "café/menü.html"] } },
  { args: ["-r", "-nd", SITE], wget: { code: 8, files: 391, has: ["index.html.1", "img.png.35"], lacks: [/\//] } },
  { args: ["-r", "-nH", "--cut-dirs=1", SITE], wget: { code: 8, files: 134, has: ["part2/leaf2/p6.html"] } },
  {
    args: ["-x", `${SITE}sec0/part1/leaf2/p3.html`],
    wget: { code: 0, files: 1, has: [s("sec0/part1/leaf2/p3.html")] },
  },
  {
    args: ["-r", "-A", "*.html,*.css", SITE],
    wget: { code: 8, files: 327, has: [s("css/more.css")], lacks: [s("robots.txt"), s("Upper.HTML"), /\.png$|\?/] },
  },
  { args: ["-r", "-R", "*.png", SITE], wget: { code: 8, files: 339, has: [s("fonts/f.woff")], lacks: [/\.png$/] } },
  {
    args: ["-r", "--accept-regex", String.raw`/(sec0|css|img)/|styled\.html`, SITE],
    wget: { code: 8, files: 103, has: [s("css/sprite.png")], lacks: [/\/sec[123]\//] },
  },
  {
    args: ["-r", "--reject-regex", String.raw`leaf[12]|\?`, SITE],
    wget: { code: 8, files: 169, has: [s("sec3/part2/leaf0/p6.html")], lacks: [/leaf[12]|\?/] },
  },
  { args: ["-r", "-I", "/sec1,/img", SITE], wget: { code: 8, files: 89, has: [s("img/sec0.png")] } },
  { args: ["-r", "-X", "/sec1,/sec2", SITE], wget: { code: 8, files: 219, lacks: [/\/sec[12]\//] } },
  // -l 1: with -p the requisites of the pages at level 1 come too (without it, 24 files).
  { args: ["-r", "-l", "1", "-p", SITE], wget: { code: 8, files: 44, has: [s("img/sec1.png"), s("theme?v=2")] } },
  {
    args: ["-p", `${SITE}styled.html`],
    wget: { code: 8, files: 18, has: [s("css/print.css"), s("img/s2.png")], lacks: [s("css/sprite.png")] },
  },
  { args: ["-r", "-k", "-K", SITE], wget: { code: 8, files: 718, has: [s("index.html.orig")] } },
  {
    args: ["-r", "-E", SITE],
    wget: { code: 8, files: 391, has: [s("page.php?x=1.html"), s("plain/about.html"), s("theme?v=2.css")] },
  },
  { args: ["-m", SITE], wget: { code: 8, files: 395, has: [s("chain/9.html")] } },
  { args: ["-m", "-p", "-E", "-k", SITE], wget: { code: 8, files: 395, has: [s("list.asp?p=2.html")] } },
  {
    args: ["-r", "-H", "-D", HOSTS.other.name, SITE],
    wget: { code: 0, files: 6, has: [s("index.html"), "other.test/sub/o3.html"], lacks: [s("robots.txt")] },
  },
  {
    args: ["-r", "-H", "-D", `${HOSTS.site.name},${HOSTS.other.name}`, SITE],
    wget: { code: 8, files: 396, has: ["other.test/logo.png"], lacks: ["other.test/landing.html"] },
  },
  {
    args: ["-r", "-e", "robots=off", SITE],
    wget: { code: 8, files: 394, has: [s("private/secret.html"), s("hidden/only.html")], lacks: [s("robots.txt")] },
  },
  { args: ["-r", "-P", "outdir", SITE], wget: { code: 8, files: 391, lacks: [/^(?!outdir\/site\.test\/)/] } },
  { args: ["-r", "--ignore-tags=img,link", SITE], wget: { code: 8, files: 337, lacks: [s("img/logo.png")] } },
  { args: ["-r", "--follow-tags=a", SITE], wget: { code: 8, files: 336, lacks: [s("css/main.css")] } },
  // -L: links written without a scheme and not from the root (CSS ones too).
  { args: ["-r", "-L", SITE], wget: { code: 8, files: 381, lacks: [s("img/attr.png")] } },
  { args: ["-r", "-H", "--exclude-domains", HOSTS.other.name, SITE], wget: { code: 8, files: 391 } },
  { args: ["-r", "--delete-after", SITE], wget: { code: 8, files: 0 } },
  // The log is one of the files compared: every link not followed, in order, with wget's reasons and columns.
  { args: ["-r", "--rejected-log=rejected.log", SITE], wget: { code: 8, files: 392, has: ["rejected.log"] } },
];
