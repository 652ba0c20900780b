import assert from "node:assert/strict";
import { parseCommandLine, readSettings, UsageError } from "../../src/cli/options.ts";
import { parseUrl } from "../../src/http/mod.ts";

const settings = (...args: string[]) => readSettings(parseCommandLine([...args, "http://h/"]));
const name = (s: ReturnType<typeof settings>, url: string, type?: string | null) => s.localName!(parseUrl(url), type);

Deno.test("without -r, -p, -m, -x or -E nothing of the crawl is set", () => {
  const s = settings();
  assert.deepEqual([s.recursion, s.localName, s.quota, s.replaceExisting], [
    undefined,
    undefined,
    undefined,
    undefined,
  ]);
});

Deno.test("-r: wget's defaults (depth 5, robots honoured, HOST/PATH names that replace old files)", () => {
  const s = settings("-r");
  assert.equal(s.recursion?.rules.level, 5);
  assert.equal(s.recursion?.recursive, true);
  assert.equal(s.recursion?.robots, true);
  assert.equal(s.replaceExisting, true);
  assert.equal(name(s, "http://h/a/b.html"), "h/a/b.html");
  assert.equal(name(s, "http://h:8080/a/"), "h:8080/a/index.html");
});

Deno.test("-l: a number, inf, and 0 that means no limit; anything else is a usage error", () => {
  assert.equal(settings("-r", "-l", "2").recursion?.rules.level, 2);
  assert.equal(settings("-r", "-l", "inf").recursion?.rules.level, Infinity);
  assert.equal(settings("-r", "-l", "0").recursion?.rules.level, Infinity);
  assert.throws(() => settings("-r", "-l", "two"), UsageError);
});

Deno.test("-m is -r -N -l inf", () => {
  const s = settings("-m");
  assert.deepEqual([s.recursion?.recursive, s.timestamping, s.recursion?.rules.level], [true, true, Infinity]);
});

Deno.test("-p alone is a crawl of depth 0 that fetches page requisites, in HOST/PATH directories", () => {
  const s = settings("-p");
  assert.deepEqual([s.recursion?.recursive, s.recursion?.rules.level, s.recursion?.rules.pageRequisites], [
    false,
    0,
    true,
  ]);
  assert.equal(name(s, "http://h/x.png"), "h/x.png");
});

Deno.test("names: -nd, -nH, --cut-dirs, --protocol-directories, -P, -x alone, -E", () => {
  assert.equal(name(settings("-r", "-nd"), "http://h/a/b.html"), "b.html");
  assert.equal(settings("-r", "-nd").replaceExisting, false);
  assert.equal(name(settings("-r", "-nH"), "http://h/a/b.html"), "a/b.html");
  assert.equal(name(settings("-r", "-nH", "--cut-dirs", "1"), "http://h/a/b/c.html"), "b/c.html");
  assert.equal(name(settings("-r", "--protocol-directories"), "http://h/a.html"), "http/h/a.html");
  assert.equal(name(settings("-r", "-P", "out"), "http://h/a.html"), "out/h/a.html");
  assert.equal(name(settings("-x"), "http://h/a/b.html"), "h/a/b.html");
  assert.equal(settings("-x").recursion, undefined);
  assert.equal(name(settings("-E"), "http://h/a.php", "text/html"), "a.php.html");
  assert.equal(name(settings("-r", "-E"), "http://h/a.php", "text/html"), "h/a.php.html");
  assert.equal(name(settings("-r", "-E"), "http://h/s.php", "text/css"), "h/s.php.css");
  assert.equal(name(settings("-r", "-e", "dirstruct=off"), "http://h/a/b.html"), "b.html");
});

Deno.test("accept/reject lists split at commas and add up; regexes compile; -e robots=off", () => {
  const s = settings("-r", "-A", "*.html,*.css", "-A", "png", "-R", "x*", "--accept-regex", "a+", "-e", "robots=off");
  assert.deepEqual(s.recursion?.rules.accept, ["*.html", "*.css", "png"]);
  assert.deepEqual(s.recursion?.rules.reject, ["x*"]);
  assert.ok(s.recursion?.rules.acceptRegex?.test("baaa"));
  assert.equal(s.recursion?.robots, false);
  assert.equal(settings("-r", "-np").recursion?.rules.noParent, true);
  assert.equal(settings("-r", "--no-parent").recursion?.rules.noParent, true);
  assert.deepEqual(settings("-r", "-H", "-D", "a.example,b.example").recursion?.rules.domains, [
    "a.example",
    "b.example",
  ]);
  assert.throws(() => settings("-r", "--accept-regex", "a("), UsageError);
  assert.throws(() => settings("-r", "--regex-type", "perl"), UsageError);
});

Deno.test("-Q: bytes with wget's suffixes; 0 and inf are no quota", () => {
  assert.equal(settings("-Q", "100k").quota, 102400);
  assert.equal(settings("-Q", "0").quota, undefined);
  assert.equal(settings("-Q", "inf").quota, undefined);
  assert.throws(() => settings("-Q", "lots"), UsageError);
});

Deno.test("-O with a crawl is refused plainly (a crawl saves many files)", () => {
  assert.throws(() => settings("-r", "-O", "all.html"), /-O cannot be combined with -r/);
  assert.doesNotThrow(() => settings("-r", "-O", "-"));
});
