import assert from "node:assert/strict";
import {
  acceptableFile,
  type Candidate,
  compileRegex,
  hasHtmlSuffix,
  judgeLink,
  type LinkRules,
  rejectedLogHeader,
  rejectedLogLine,
} from "../../src/crawl/link_rules.ts";
import { parseUrl } from "../../src/http/mod.ts";

const START = "http://example.com/docs/";

/** A link to `url` found on the start page at depth 0, unless said otherwise. */
function link(url: string, more: Partial<Omit<Candidate, "url">> & { parentUrl?: string; startUrl?: string } = {}) {
  const parent = parseUrl(more.parentUrl ?? more.startUrl ?? START);
  return {
    url: parseUrl(url),
    parent,
    start: parseUrl(more.startUrl ?? START),
    depth: more.depth ?? 0,
    inline: more.inline ?? false,
    relative: more.relative ?? true,
  };
}

const judge = (url: string, rules: Partial<LinkRules>, more = {}) => judgeLink(link(url, more), { level: 5, ...rules });

Deno.test("judgeLink() follows what wget follows and names why not", async (t) => {
  await t.step("a link on the same host with no options is followed", () => {
    assert.equal(judge("http://example.com/other/a.png", {}), null);
  });

  await t.step("--https-only refuses http", () => {
    assert.equal(judge("http://example.com/a", { httpsOnly: true }), "not-https");
    assert.equal(judge("https://example.com/a", { httpsOnly: true }), null);
  });

  await t.step("--relative refuses absolute links", () => {
    assert.equal(judge("http://example.com/a", { relativeOnly: true }, { relative: false }), "absolute");
    assert.equal(judge("http://example.com/a", { relativeOnly: true }, { relative: true }), null);
  });

  await t.step("-H follows other hosts; without it they are spanned-host", () => {
    assert.equal(judge("http://other.example/a", {}), "spanned-host");
    assert.equal(judge("http://other.example/a", { spanHosts: true }), null);
    // Only the host counts, not the port or the scheme.
    assert.equal(judge("https://example.com:8443/a", {}), null);
  });

  await t.step("-D matches a host or its subdomains, not a host that merely ends the same", () => {
    const rules = { spanHosts: true, domains: ["example.com"] };
    assert.equal(judge("http://example.com/", rules), null);
    assert.equal(judge("http://www.EXAMPLE.com/", rules), null);
    assert.equal(judge("http://badexample.com/", rules), "domain");
    assert.equal(judge("http://example.org/", rules), "domain");
    // An entry starting with "." matches any host ending with it, but not the bare name.
    assert.equal(judge("http://www.example.com/", { spanHosts: true, domains: [".example.com"] }), null);
    assert.equal(judge("http://example.com/", { domains: [".example.com"] }), "domain");
    assert.equal(judge("http://badexample.com/", { spanHosts: true, domains: ["xample.com"] }), "domain");
  });

  await t.step("-D applies even without -H, and its host check comes before spanned-host", () => {
    assert.equal(judge("http://other.example/a", { domains: ["example.com"] }), "domain");
    assert.equal(judge("http://www.example.com/a", { domains: ["example.com"] }), "spanned-host");
  });

  await t.step("--exclude-domains refuses a host or its subdomains", () => {
    const rules = { spanHosts: true, excludeDomains: ["ads.example.com"] };
    assert.equal(judge("http://x.ads.example.com/", rules), "domain");
    assert.equal(judge("http://ads.example.com/", rules), "domain");
    assert.equal(judge("http://www.example.com/", rules), null);
  });

  await t.step("-D works for IPv6 hosts as written without brackets", () => {
    assert.equal(judge("http://[2001:db8::1]/", { spanHosts: true, domains: ["2001:db8::1"] }), null);
  });
});

Deno.test("judgeLink() applies -np from the start URL's directory", async (t) => {
  await t.step("a start URL that is a directory keeps that directory", () => {
    assert.equal(judge("http://example.com/docs/a/b.html", { noParent: true }), null);
    assert.equal(judge("http://example.com/docs/", { noParent: true }), null);
    assert.equal(judge("http://example.com/", { noParent: true }), "parent");
    assert.equal(judge("http://example.com/docsx/a.html", { noParent: true }), "parent");
  });

  await t.step("a start URL that is a file keeps its directory", () => {
    const more = { startUrl: "http://example.com/docs/index.html" };
    assert.equal(judge("http://example.com/docs/other.html", { noParent: true }, more), null);
    assert.equal(judge("http://example.com/a.html", { noParent: true }, more), "parent");
  });

  await t.step("a start URL at the root allows everything", () => {
    assert.equal(judge("http://example.com/a/b", { noParent: true }, { startUrl: "http://example.com/x" }), null);
  });

  await t.step("page requisites escape -np with -p", () => {
    assert.equal(judge("http://example.com/img/a.png", { noParent: true }, { inline: true }), "parent");
    assert.equal(
      judge("http://example.com/img/a.png", { noParent: true, pageRequisites: true }, { inline: true }),
      null,
    );
  });

  await t.step("other hosts and other ports of the same scheme are not held by -np", () => {
    assert.equal(judge("http://other.example/", { noParent: true, spanHosts: true }), null);
    assert.equal(judge("http://example.com:8080/", { noParent: true }), null);
    // http and https are similar schemes: the port is not compared then.
    assert.equal(judge("https://example.com/", { noParent: true }), "parent");
  });

  await t.step("directories are compared decoded, and case-insensitively with --ignore-case", () => {
    const more = { startUrl: "http://example.com/My%20Docs/" };
    assert.equal(judge("http://example.com/My%20Docs/a", { noParent: true }, more), null);
    assert.equal(judge("http://example.com/my%20docs/a", { noParent: true }, more), "parent");
    assert.equal(judge("http://example.com/my%20docs/a", { noParent: true, ignoreCase: true }, more), null);
  });
});

Deno.test("judgeLink() applies -I and -X to the decoded directory", async (t) => {
  await t.step("-I keeps listed directories and those below them", () => {
    const rules = { includeDirectories: ["/docs", "/img/"] };
    assert.equal(judge("http://example.com/docs/a/b", rules), null);
    assert.equal(judge("http://example.com/img/x.png", rules), null);
    assert.equal(judge("http://example.com/docsx/a", rules), "list");
    assert.equal(judge("http://example.com/a", rules), "list");
  });

  await t.step("-X refuses listed directories", () => {
    assert.equal(judge("http://example.com/docs/private/a", { excludeDirectories: ["docs/private"] }), "list");
    assert.equal(judge("http://example.com/docs/a", { excludeDirectories: ["docs/private"] }), null);
  });

  await t.step("wildcards match the whole directory, * not crossing /", () => {
    assert.equal(judge("http://example.com/a/tmp/x", { excludeDirectories: ["*/tmp"] }), "list");
    assert.equal(judge("http://example.com/a/b/tmp/x", { excludeDirectories: ["*/tmp"] }), null);
    assert.equal(judge("http://example.com/v1/x", { includeDirectories: ["/v[0-9]"] }), null);
  });

  await t.step("percent-encoded directories are decoded, and --ignore-case folds case", () => {
    assert.equal(judge("http://example.com/a%20b/x", { includeDirectories: ["a b"] }), null);
    assert.equal(judge("http://example.com/DOCS/x", { includeDirectories: ["docs"] }), "list");
    assert.equal(judge("http://example.com/DOCS/x", { includeDirectories: ["docs"], ignoreCase: true }), null);
  });

  await t.step("-I / keeps everything", () => {
    assert.equal(judge("http://example.com/x", { includeDirectories: ["/"] }), null);
  });
});

Deno.test("judgeLink() applies the regexes to the whole URL", async (t) => {
  await t.step("--accept-regex must match and --reject-regex must not", () => {
    const accept = compileRegex("/docs/", "posix");
    assert.equal(judge("http://example.com/docs/a", { acceptRegex: accept }), null);
    assert.equal(judge("http://example.com/x/a", { acceptRegex: accept }), "regex");
    assert.equal(judge("http://example.com/a?sort=1", { rejectRegex: compileRegex("\\?sort=", "pcre") }), "regex");
  });

  await t.step("--ignore-case does not reach the regexes", () => {
    assert.equal(
      judge("http://example.com/DOCS/a", { acceptRegex: compileRegex("docs", "posix"), ignoreCase: true }),
      "regex",
    );
  });

  await t.step("-I is checked before the regexes", () => {
    const rules = { excludeDirectories: ["x"], rejectRegex: compileRegex("x", "posix") };
    assert.equal(judge("http://example.com/x/a", rules), "list");
  });
});

Deno.test("judgeLink() applies -A and -R to the file name, sparing HTML that leads further", async (t) => {
  await t.step("-A gif,jpg are suffixes", () => {
    const rules = { accept: ["gif", "jpg"] };
    assert.equal(judge("http://example.com/a.gif", rules), null);
    assert.equal(judge("http://example.com/a.png", rules), "rules");
    assert.equal(judge("http://example.com/agif", rules), null);
  });

  await t.step("the query is not part of the file name", () => {
    assert.equal(judge("http://example.com/a.png?x=.gif", { accept: ["gif"] }), "rules");
  });

  await t.step("a directory has no file name to match", () => {
    assert.equal(judge("http://example.com/dir/", { accept: ["gif"] }), null);
  });

  await t.step("HTML is followed below level - 1 whatever -A says", () => {
    const rules = { accept: ["gif"], level: 3 };
    assert.equal(judge("http://example.com/a.html", rules, { depth: 0 }), null);
    assert.equal(judge("http://example.com/a.html", rules, { depth: 1 }), null);
    assert.equal(judge("http://example.com/a.html", rules, { depth: 2 }), "rules");
    assert.equal(judge("http://example.com/a.php", rules, { depth: 0 }), "rules");
  });

  await t.step("with level inf or -p, HTML is always followed", () => {
    assert.equal(judge("http://example.com/a.htm", { accept: ["gif"], level: Infinity }, { depth: 99 }), null);
    assert.equal(judge("http://example.com/a.htm", { accept: ["gif"], level: 1, pageRequisites: true }), null);
  });

  await t.step("-R refuses HTML at the last level", () => {
    assert.equal(judge("http://example.com/a.html", { reject: ["html"], level: 1 }), "rules");
    assert.equal(judge("http://example.com/a.html", { reject: ["html"], level: 2 }), null);
  });

  await t.step("the file name is decoded before matching", () => {
    assert.equal(judge("http://example.com/a%2Egif", { accept: ["*.gif"] }), null);
  });

  await t.step("-A is checked before the host", () => {
    assert.equal(judge("http://other.example/a.png", { accept: ["gif"] }), "rules");
  });
});

Deno.test("acceptableFile() reads -A and -R as wget's acceptable() does", async (t) => {
  const ok = (name: string, rules: Partial<LinkRules>) => acceptableFile(name, { level: 5, ...rules });

  await t.step("*.html is a wildcard over the whole name, html a suffix", () => {
    assert.equal(ok("a.html", { accept: ["*.html"] }), true);
    assert.equal(ok("a.xhtml", { accept: ["*.html"] }), false);
    assert.equal(ok("a.xhtml", { accept: ["html"] }), true);
    assert.equal(ok("a.html.bak", { accept: ["html"] }), false);
  });

  await t.step("wildcards: ? [] [!] and \\", () => {
    assert.equal(ok("a1.txt", { accept: ["a?.txt"] }), true);
    assert.equal(ok("a12.txt", { accept: ["a?.txt"] }), false);
    assert.equal(ok("b.txt", { accept: ["[a-c].txt"] }), true);
    assert.equal(ok("d.txt", { accept: ["[!a-c].txt"] }), true);
    assert.equal(ok("a.txt", { accept: ["[^a-c].txt"] }), false);
    assert.equal(ok("7.txt", { accept: ["[[:digit:]].txt"] }), true);
    assert.equal(ok("*.txt", { accept: ["\\*.txt"] }), true);
    assert.equal(ok("a.txt", { accept: ["\\*.txt"] }), false);
    assert.equal(ok(".hidden", { accept: ["*hidden"] }), true);
  });

  await t.step("with both lists, accepted and not rejected", () => {
    assert.equal(ok("a.jpg", { accept: ["jpg", "png"], reject: ["thumb*"] }), true);
    assert.equal(ok("thumb.jpg", { accept: ["jpg", "png"], reject: ["thumb*"] }), false);
    assert.equal(ok("a.gif", { reject: ["gif"] }), false);
    assert.equal(ok("a.gif", {}), true);
  });

  await t.step("--ignore-case folds suffixes and wildcards", () => {
    assert.equal(ok("A.GIF", { accept: ["gif"] }), false);
    assert.equal(ok("A.GIF", { accept: ["gif"], ignoreCase: true }), true);
    assert.equal(ok("A.GIF", { accept: ["*.gif"], ignoreCase: true }), true);
  });

  await t.step("only the part after the last / is matched", () => {
    assert.equal(ok("dir.gif/a.png", { accept: ["gif"] }), false);
  });
});

Deno.test("hasHtmlSuffix() knows html, htm and one letter before html", () => {
  for (const name of ["a.html", "a.HTM", "a.shtml", "a.xhtml", "b.c.Html"]) assert.equal(hasHtmlSuffix(name), true);
  for (const name of ["a.php", "html", "a.xxhtml", "a.html.gz", "a.", "a.htm/"]) {
    assert.equal(hasHtmlSuffix(name), false);
  }
});

Deno.test("compileRegex() maps POSIX and PCRE patterns to JavaScript", async (t) => {
  await t.step("POSIX ERE: alternation, classes, intervals, anchors", () => {
    const re = compileRegex("\\.(gif|jpe?g)$", "posix");
    assert.equal(re.test("http://h/a.jpg"), true);
    assert.equal(re.test("http://h/a.jpgx"), false);
    assert.equal(compileRegex("[[:digit:]]{4}/", "posix").test("http://h/2024/x"), true);
    assert.equal(compileRegex("[]a]", "posix").test("x]"), true);
    assert.equal(compileRegex("[\\d]", "posix").test("\\"), true);
    assert.equal(compileRegex("\\d", "posix").test("d"), true);
    assert.equal(compileRegex("\\d", "posix").test("1"), false);
    assert.equal(compileRegex("a)", "posix").test("a)"), true);
    assert.equal(compileRegex("a+*", "posix").test("aaa"), true);
    assert.equal(compileRegex("\\<word\\>", "posix").test("a word here"), true);
    assert.equal(compileRegex("\\<word\\>", "posix").test("swordfish"), false);
    assert.equal(compileRegex("(a)\\1", "posix").test("aa"), true);
  });

  await t.step("POSIX errors glibc reports become a RangeError", () => {
    for (const bad of ["*a", "a(", "[a", "a\\", "a{x", "[[:nope:]]", "(?:a)", "\\2(a)", "[z-a]"]) {
      assert.throws(() => compileRegex(bad, "posix"), RangeError, bad);
    }
    assert.throws(() => compileRegex("a(", "posix"), /^RangeError: Cannot use posix regular expression "a\(": /);
  });

  await t.step("PCRE: Perl syntax and its rewritten forms", () => {
    assert.equal(compileRegex("(?i)^https?://[^/]+/docs/", "pcre").test("HTTP://h/docs/x"), true);
    assert.equal(compileRegex("\\d+\\.html$", "pcre").test("http://h/12.html"), true);
    assert.equal(compileRegex("(?P<n>a)(?P=n)", "pcre").test("aa"), true);
    assert.equal(compileRegex("\\Qa.b\\E", "pcre").test("a.b"), true);
    assert.equal(compileRegex("\\Qa.b\\E", "pcre").test("axb"), false);
    assert.equal(compileRegex("\\Ahttp", "pcre").test("http://h/"), true);
    assert.equal(compileRegex("x(?#note)y", "pcre").test("xy"), true);
    assert.equal(compileRegex("[[:alpha:]]+\\d", "pcre").test("ab1"), true);
    assert.equal(compileRegex("a(?=b)", "pcre").test("ab"), true);
    assert.equal(compileRegex("a{,", "pcre").test("a{,"), true);
  });

  await t.step("PCRE that JavaScript cannot take becomes a RangeError", () => {
    for (const bad of ["a++", "(?>a)", "(?R)", "a\\Kb", "(?(1)a|b)", "a(?i)b", "(?x) a", "(*UTF)a", "(a"]) {
      assert.throws(() => compileRegex(bad, "pcre"), RangeError, bad);
    }
  });
});

Deno.test("rejectedLogLine() writes wget's --rejected-log columns", async (t) => {
  await t.step("the header names 17 tab-separated columns", () => {
    assert.equal(
      rejectedLogHeader(),
      "REASON\tU_URL\tU_SCHEME\tU_HOST\tU_PORT\tU_PATH\tU_PARAMS\tU_QUERY\tU_FRAGMENT\t" +
        "P_URL\tP_SCHEME\tP_HOST\tP_PORT\tP_PATH\tP_PARAMS\tP_QUERY\tP_FRAGMENT",
    );
  });

  await t.step("a line holds the reason, then the link's and the parent's parts", () => {
    const line = rejectedLogLine("spanned-host", parseUrl("http://b.example/x/y.html?q=1"), parseUrl(START));
    assert.equal(
      line,
      "SPANNEDHOST\thttp%3A//b.example/x/y.html?q=1\tSCHEME_HTTP\tb.example\t80\tx/y.html\t\tq=1\t\t" +
        "http%3A//example.com/docs/\tSCHEME_HTTP\texample.com\t80\tdocs/\t\t\t",
    );
  });

  await t.step("every reason has wget's name", () => {
    const names = {
      "blacklist": "BLACKLIST",
      "not-https": "NOTHTTPS",
      "non-http": "NONHTTP",
      "absolute": "ABSOLUTE",
      "domain": "DOMAIN",
      "parent": "PARENT",
      "list": "LIST",
      "regex": "REGEX",
      "rules": "RULES",
      "spanned-host": "SPANNEDHOST",
      "robots": "ROBOTS",
    } as const;
    for (const [reason, name] of Object.entries(names)) {
      const line = rejectedLogLine(reason as keyof typeof names, parseUrl(START), null);
      assert.equal(line.split("\t")[0], name);
    }
  });

  await t.step("the URL is escaped again, https and ports are written, a missing parent is empty", () => {
    const line = rejectedLogLine("robots", parseUrl("https://[2001:db8::1]:8443/a%20b"), null);
    assert.equal(
      line,
      "ROBOTS\thttps%3A//%5B2001%3Adb8%3A%3A1%5D%3A8443/a%2520b\tSCHEME_HTTPS\t2001:db8::1\t8443\ta%20b\t\t\t" +
        "\t\t\t\t\t\t\t\t",
    );
    assert.equal(line.split("\t").length, 17);
  });
});
