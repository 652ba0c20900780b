/**
 * Recursive retrieval against wget 1.21: each command line runs with wget and with rawhttpget on the generated site
 * of tests/e2e/_site.ts (served by tests/e2e/_recursive_nginx.ts as `site.test`, with a second host `other.test`,
 * both names in the client namespace's hosts file), and both must leave the same files with the same bytes and
 * modification times, and exit with the same code. A file wget rewrote after its download (`-k`) has the time of
 * the run, not the server's: there ours must be of its own run too.
 *
 * wget's side is checked first against what wget 1.21.3 was seen to do (exit code, number of files, files that must
 * or must not be there), so that a failure of ours is ours. What it does that a crawler must match:
 *
 * - `robots.txt` is asked first and kept (`site.test/robots.txt`), except when `-A` rejects its name (fetched as
 *   `robots.txt.tmp`, then removed) and with `-e robots=off` (not asked; `<meta name="robots" content="nofollow">`
 *   is then ignored too); a nofollow page's links and images are not followed;
 * - a query is part of the name (`page.php?x=2&y=3`); `-E` appends `.html` to text/html and `.css` to text/css
 *   names that lack it (`page.php?x=1.html`, `plain/about.html`, `theme?v=2.css`; `Upper.HTML` stays);
 * - a redirect's target is saved under the name of the link (`moved.html`, and `away.html` though the target is
 *   on the other host); a redirect loop ends after 20 hops, a 404 makes the exit code 8;
 * - `-nd` names repeats `index.html.1`, `index.html.2` … in download order; `--cut-dirs` overwrites a name seen
 *   twice (the last download wins);
 * - `-k` makes links to saved files relative (`sec0/index.html` for `sec0/`, `index.html#top` for `#top`), links
 *   to files not saved absolute (`http://site.test/missing.html`), leaves `?` unescaped, empties `<base href>`
 *   and quotes unquoted values; `-K` keeps `NAME.orig` with the server's time;
 * - `-p` on one page takes its stylesheets' imports but not the images those imports name;
 * - `-Q` stops starting downloads once the total passes the quota (the file in progress completes);
 * - `--spider` prints `Found N broken links.`, a blank line, then the URLs (in no fixed order), and exits 8.
 */

import assert from "node:assert/strict";
import { differential, type Side } from "../_support/differential.ts";
import { exec, inNamespace, run } from "../_support/exec.ts";
import { makeOpenTempDir, RUN_USER } from "../_support/files.ts";
import { rhg } from "../_support/program.ts";
import { type Testbed, testbedTest } from "../testbed/testbed.ts";
import { HOSTILE_PORT, startHostileServer, startRecursiveNginx, withSiteHosts } from "./_recursive_nginx.ts";
import { HOSTS, writeSite } from "./_site.ts";
import { NOT_FOLLOWED, s, SITE, STEPS, type WgetSaw } from "./_recursive_steps.ts";

/** Each side's limit: wget needs under a second for the whole site, rawhttpget a few. */
const SIDE_LIMIT_MS = 30_000;
/** Both sides run in a UTF-8 locale: wget names files from IRIs in the locale's character set. */
const LOCALE = { LC_ALL: "C.UTF-8" };

/** Asserts what wget left against `saw`, so that the comparison that follows compares against the right thing. */
function assertWgetSaw(w: Side, saw: WgetSaw): void {
  const paths = [...w.files.keys()];
  const context = `\n--- wget (exit ${w.code}):\n${w.stderr.slice(-2000)}`;
  assert.equal(w.code, saw.code, `wget's exit code${context}`);
  assert.equal(paths.length, saw.files, `wget left ${paths.length} files${context}`);
  for (const p of saw.has ?? []) assert.ok(w.files.has(p), `wget did not leave ${p}${context}`);
  for (const no of saw.lacks ?? []) {
    const bad = paths.filter((p) => (typeof no === "string" ? p === no : no.test(p)));
    assert.deepEqual(bad, [], `wget left ${bad.join(", ")}${context}`);
  }
}

/**
 * Asserts the same exit code and the same files (names, bytes, modification times). A wget file newer than
 * `startSec` was written after its download (converted): ours must be newer too, not the server's time.
 */
function assertSameTree(d: { wget: Side; rhg: Side }, startSec: number): void {
  const context = `\n--- wget (exit ${d.wget.code}):\n${
    d.wget.stderr.slice(-1500)
  }\n--- rawhttpget (exit ${d.rhg.code}):\n${d.rhg.stderr.slice(-3000)}`;
  assert.equal(d.rhg.code, d.wget.code, `exit codes differ${context}`);
  const bytes = (side: Side) => [...side.files].map(([p, f]) => `${p} ${f.size} ${f.sha256}`);
  assert.deepEqual(bytes(d.rhg), bytes(d.wget), `files differ${context}`);
  for (const [path, w] of d.wget.files) {
    const ours = d.rhg.files.get(path)!.mtime;
    if (w.mtime < startSec) assert.equal(ours, w.mtime, `${path}: mtime ${ours}, wget's ${w.mtime} (the server's)`);
    else assert.ok(ours >= startSec, `${path}: mtime ${ours} is older than the run (wget rewrote it)`);
  }
}

async function sameAsWget(tb: Testbed, args: readonly string[], saw: WgetSaw): Promise<{ wget: Side; rhg: Side }> {
  const startSec = Math.floor(Date.now() / 1000);
  let d;
  try {
    d = await differential(tb, args, { timeoutMs: SIDE_LIMIT_MS, env: LOCALE });
  } catch (e) {
    // Deno lists a name that is not UTF-8 with U+FFFD in it, which then names no file.
    if (!(e instanceof Deno.errors.NotFound) || !e.message.includes("\uFFFD")) throw e;
    throw new Error(`A file name is not UTF-8 (wget keeps a link's UTF-8 bytes): ${e.message}`, { cause: e });
  }
  assertWgetSaw(d.wget, saw);
  assertSameTree(d, startSec);
  return d;
}

/** The URLs after `Found N broken links.` (wget prints them between two blank lines), with N. */
function brokenLinks(stderr: string): { count: number; urls: string[] } | null {
  const m = stderr.match(/^Found (\d+) broken links?\.\n\n((?:.+\n)*)/m);
  return m === null ? null : { count: Number(m[1]), urls: m[2].trim().split("\n").sort() };
}

/**
 * The paths below `dir` (relative to it) that `find` prints for `tests`: a hostile run may leave paths longer than
 * PATH_MAX, which find walks one directory at a time.
 */
async function findBelow(dir: string, ...tests: string[]): Promise<string[]> {
  const out = await run(["find", dir, "-mindepth", "1", ...tests, "-printf", "%P\\n"]);
  return out.split("\n").filter((l) => l !== "");
}

testbedTest(
  "recursive retrieval leaves the same files, bytes, times and exit codes as wget 1.21 on a generated site",
  { servers: [], tools: ["wget", "nginx", "python3"] },
  async (t, tb) => {
    const site = await writeSite(`${tb.tempDir}/recursive`);
    assert.ok(site.siteFiles.length > 300 && site.bytes < 5 * 2 ** 20, `${site.siteFiles.length} ${site.bytes}`);
    const nginx = await startRecursiveNginx(tb, site);
    await withSiteHosts(tb, async () => {
      await t.step("-r: the site, over a handful of connections like wget's", async () => {
        await nginx.clearLog();
        const d = await sameAsWget(tb, ["-r", SITE], {
          code: 8,
          files: 391,
          has: ["robots.txt", "page.php?x=2&y=3", "list.asp?p=3", "café/menü.html", "café/dessert.html", "up.html"]
            .concat(["plain/about", "refreshed.html", "css/sprite.png", "img/s2.png", "img/attr.png", "img/inline.png"])
            .concat(["theme?v=2", "moved.html", "away.html", "chain/5.html", "spaced.html", "Upper.HTML"]).map(s),
          lacks: [...NOT_FOLLOWED, s("chain/6.html"), s("missing.html"), s("loop/a.html"), /^other\.test/],
        });
        const conns = (rs: { connection: number }[]) => new Set(rs.map((r) => r.connection)).size;
        const wget = conns(await nginx.requestsOf("Wget/"));
        const ours = conns(await nginx.requestsOf("rawhttpget/"));
        // wget: one to site.test, one for away.html's redirect to other.test, one back.
        assert.equal(wget, 3);
        assert.ok(ours >= 1 && ours <= 5, `rawhttpget used ${ours} connections for ${d.rhg.files.size} files`);
      });

      for (const step of STEPS) {
        await t.step(step.args.join(" "), async () => void await sameAsWget(tb, step.args, step.wget));
      }

      await t.step("-r -k: links to saved files made relative, to others absolute", async () => {
        const d = await sameAsWget(tb, ["-r", "-k", SITE], { code: 8, files: 391 });
        const index = await Deno.readTextFile(`${d.wget.dir}/${s("index.html")}`);
        for (const link of ['href="sec0/index.html"', 'href="http://site.test/missing.html"', 'HREF="Upper.HTML"']) {
          assert.ok(index.includes(link), `wget's converted index.html lacks ${link}`);
        }
      });

      await t.step("-m over a mirror made before: nothing new, every page read again from disk", async () => {
        const setup = async (dir: string) =>
          void await exec(inNamespace(tb.clientNs, ["wget", "--no-config", "-q", "-m", SITE]), {
            cwd: dir,
            env: LOCALE,
          });
        // wget 1.21.3 stops at the first page when it answers 304 (it reads no page it kept after If-Modified-Since);
        // after a HEAD (--no-if-modified-since) it reads each kept page and goes on. We go on either way: compared
        // with wget's HEAD run, and then with If-Modified-Since, which must leave the same tree.
        const args = ["-m", "--no-if-modified-since", SITE];
        const d = await differential(tb, args, { timeoutMs: SIDE_LIMIT_MS, env: LOCALE, setup });
        assertWgetSaw(d.wget, { code: 8, files: 395, has: [s("chain/9.html")] });
        assertSameTree(d, Math.floor(Date.now() / 1000) + 1);
        const dir = await makeOpenTempDir({ dir: tb.tempDir, prefix: "mirror-again-" });
        await setup(dir);
        await run(["chown", "-R", `${RUN_USER.uid}:${RUN_USER.gid}`, dir]); // as differential() hands a directory over
        const again = await rhg(tb, ["-m", SITE], { dir, timeoutMs: SIDE_LIMIT_MS, env: LOCALE });
        assert.equal(again.code, 8, again.stderr.slice(-2000));
        // robots.txt is fetched again (wget reads it with -N off), nothing else.
        const saved = again.stderr.match(/^Saved .*$/gm) ?? [];
        assert.deepEqual(saved.map((l) => l.split("'")[1]), [s("robots.txt")], again.stderr.slice(-2000));
        const files = await findBelow(dir, "-type", "f");
        assert.deepEqual(files.sort(), [...d.rhg.files.keys()].sort());
      });

      await t.step("-w: the crawl pauses before each request, as wget's", async () => {
        const args = ["-r", "-l", "1", "-w", "0.05", SITE];
        const d = await sameAsWget(tb, args, { code: 8, files: 24 });
        // 24 files, robots.txt and a 404: 25 pauses after the first request.
        const started = performance.now();
        const again = await rhg(tb, args, { timeoutMs: SIDE_LIMIT_MS, env: LOCALE });
        const seconds = (performance.now() - started) / 1000;
        assert.equal(again.code, d.rhg.code);
        assert.ok(seconds >= 25 * 0.05, `the crawl took ${seconds} s`);
      });

      await t.step("--spider -r: exit 8 and the same broken links", async () => {
        const d = await sameAsWget(tb, ["--spider", "-r", SITE], { code: 8, files: 0 });
        const urls = ["img/missing.png", "missing.html", "sec1/gone.html"].map((p) => `${SITE}${p}`);
        assert.deepEqual(brokenLinks(d.wget.stderr), { count: 3, urls }, d.wget.stderr.slice(-2000));
        assert.deepEqual(
          brokenLinks(d.rhg.stderr),
          { count: 3, urls },
          `rawhttpget's list:\n${d.rhg.stderr.slice(-2000)}`,
        );
      });

      await t.step("-r -Q 100k: stops at the quota", async () => {
        const d = await sameAsWget(tb, ["-r", "-Q", "100k", SITE], { code: 8, files: 144 });
        assert.match(d.wget.stderr, /^Download quota of 100K EXCEEDED!$/m);
      });
    });

    await t.step("hostile links: nothing is written outside the output directory", async () => {
      const token = `rhg-escape-${Deno.pid}`;
      const server = await startHostileServer(tb, token);
      try {
        const args = ["-r", "-l", "2", "-P", "out", `http://${HOSTS.site.addr}:${HOSTILE_PORT}/h/index.html`];
        const wgetDir = await makeOpenTempDir({ dir: tb.tempDir, prefix: "hostile-wget-" });
        const rhgDir = await makeOpenTempDir({ dir: tb.tempDir, prefix: "hostile-rhg-" });
        const timeoutMs = SIDE_LIMIT_MS;
        const wget = inNamespace(tb.clientNs, ["wget", "--no-config", ...args]);
        const w = await exec(wget, { cwd: wgetDir, timeoutMs, env: LOCALE });
        // wget cuts the 300-letter name to 236 bytes, and cannot write the file at the end of 5000 bytes of path (exit 3).
        assert.equal(w.code, 3, w.stderr.slice(-2000));
        assert.match(w.stderr, /^The destination name is too long \(\d+\), reducing to \d+$/m);
        const r = await rhg(tb, args, { dir: rhgDir, timeoutMs, env: LOCALE });
        assert.ok(!r.timedOut, `rawhttpget did not finish in ${timeoutMs} ms`);
        const first = `out/${HOSTS.site.addr}:${HOSTILE_PORT}/h/index.html`;
        const saved = await findBelow(rhgDir, "-type", "f");
        assert.ok(saved.includes(first), `rawhttpget did not save ${first}:\n${r.stderr.slice(-2000)}`);
        for (const dir of [wgetDir, rhgDir]) assert.deepEqual(await findBelow(dir, "-maxdepth", "1"), ["out"], dir);
        const inside = [wgetDir, rhgDir].map((d) => `${d.slice(tb.tempDir.length + 1)}/out/`);
        const escaped = (await findBelow(tb.tempDir, "-name", `*${token}*`)).filter((p) =>
          !inside.some((o) => p.startsWith(o))
        );
        for (const dir of ["/", "/tmp"]) {
          for (const e of Deno.readDirSync(dir)) if (e.name.includes(token)) escaped.push(`${dir}/${e.name}`);
        }
        assert.deepEqual(escaped, [], `written outside the output directory:\n${r.stderr.slice(-2000)}`);
        await hostileCrawls(tb);
      } finally {
        await server.stop();
      }
    });
    await nginx.stop();
  },
  { sanitizeResources: false, sanitizeOps: false },
);

/** Peak resident memory of a run, in MiB, from `/usr/bin/time`'s line on stderr. */
function peakMiB(stderr: string): number {
  const m = /^peak-rss-kb (\d+)$/m.exec(stderr);
  assert.ok(m !== null, `no peak RSS line in:\n${stderr.slice(-2000)}`);
  return Number(m[1]) / 1024;
}

/** A million links, an endless chain, a gzip bomb: each ends plainly, in bounded memory. */
async function hostileCrawls(tb: Testbed): Promise<void> {
  const at = `http://${HOSTS.site.addr}:${HOSTILE_PORT}`;
  const prefix = ["/usr/bin/time", "-f", "peak-rss-kb %M"];
  // The links are judged and rejected (a million fetches would take minutes): the point is reading the page.
  const many = await rhg(tb, ["-r", "-l", "1", "--reject-regex", "/m/", `${at}/many.html`], { prefix, env: LOCALE });
  assert.equal(many.code, 0, many.stderr.slice(-2000));
  assert.match(many.stderr, /'198\.18\.2\.2:8000\/many\.html' has more than 100000 links: only those are followed/);
  assert.ok(peakMiB(many.stderr) < 400, `a page of a million links took ${peakMiB(many.stderr)} MiB`);
  // An endless chain stops at -l, as wget's does: the same files.
  await sameAsWget(tb, ["-r", "-l", "3", `${at}/chain/0.html`], { code: 0, files: 4 }); // 0.html to 3.html
  // A gzip bomb (wget saves it still compressed: it asks for identity) is refused as it grows past 1000:1.
  const bomb = await rhg(tb, ["-r", `${at}/bomb.html`], { prefix, env: LOCALE });
  assert.equal(bomb.code, 7, bomb.stderr.slice(-2000)); // a protocol error, as wget exits for a body it cannot read
  assert.match(bomb.stderr, /^rawhttpget: Decoded body grew to \d+ bytes from \d+ compressed bytes \(over 1000:1\)/m);
  const left = await findBelow(bomb.dir, "-type", "f", "-size", "+16M");
  assert.deepEqual(left, [], "the bomb left a large file");
  assert.ok(peakMiB(bomb.stderr) < 400, `the bomb took ${peakMiB(bomb.stderr)} MiB`);
}
