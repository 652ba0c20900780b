import assert from "node:assert/strict";
import { adjustedPath, localPath, MAX_COMPONENT_BYTES, type NamingRules } from "../../src/crawl/local_path.ts";
import { findCharset, parseFileNameRules, parseUrl } from "../../src/http/mod.ts";

const R: NamingRules = { structure: true };
const path = (url: string, rules: Partial<NamingRules> = {}) => localPath(parseUrl(url), { ...R, ...rules });

Deno.test("localPath() builds host and directories as wget -r does", async (t) => {
  await t.step("a file under directories", () => {
    assert.equal(path("http://example.com/a/b/c.html"), "example.com/a/b/c.html");
  });

  await t.step("a path ending in / gets the default page", () => {
    assert.equal(path("http://example.com/"), "example.com/index.html");
    assert.equal(path("http://example.com"), "example.com/index.html");
    assert.equal(path("http://example.com/a/b/"), "example.com/a/b/index.html");
    assert.equal(path("http://example.com/a/", { defaultPage: "default.htm" }), "example.com/a/default.htm");
  });

  await t.step("a port other than the scheme's default follows the host", () => {
    assert.equal(path("http://example.com:8080/x"), "example.com:8080/x");
    assert.equal(path("http://example.com:80/x"), "example.com/x");
    assert.equal(path("https://example.com:443/x"), "example.com/x");
    assert.equal(path("https://example.com:80/x"), "example.com:80/x");
  });

  await t.step("an IPv6 host is written without brackets, as wget writes it", () => {
    assert.equal(path("http://[2001:db8::1]/x"), "2001:db8::1/x");
    assert.equal(path("http://[2001:db8::1]:8080/x"), "2001:db8::1:8080/x");
  });

  await t.step("-nH drops the host, --protocol-directories adds the scheme", () => {
    assert.equal(path("http://example.com/a/x", { hostDirectories: false }), "a/x");
    assert.equal(path("https://example.com/a/x", { protocolDirectories: true }), "https/example.com/a/x");
    assert.equal(
      path("http://example.com/a/x", { protocolDirectories: true, hostDirectories: false }),
      "http/a/x",
    );
  });

  await t.step("-nd keeps the file name only", () => {
    assert.equal(path("http://example.com:8080/a/b/c.html?x=1", { structure: false }), "c.html?x=1");
    assert.equal(path("http://example.com/a/b/", { structure: false }), "index.html");
  });

  await t.step("-P goes first, its trailing slashes removed", () => {
    assert.equal(path("http://example.com/a", { directory: "out" }), "out/example.com/a");
    assert.equal(path("http://example.com/a", { directory: "out//" }), "out/example.com/a");
    assert.equal(path("http://example.com/a", { directory: "/srv/m/" }), "/srv/m/example.com/a");
    assert.equal(path("http://example.com/a", { directory: "/" }), "/example.com/a");
    assert.equal(path("http://example.com/a", { directory: "." }), "./example.com/a");
    assert.equal(path("http://example.com/a", { directory: "" }), "example.com/a");
  });
});

Deno.test("localPath() cuts directories as --cut-dirs does", async (t) => {
  await t.step("the first directories go", () => {
    assert.equal(path("http://h/a/b/c/f", { cutDirs: 1 }), "h/b/c/f");
    assert.equal(path("http://h/a/b/c/f", { cutDirs: 2, hostDirectories: false }), "c/f");
  });

  await t.step("cutting more than there are leaves the file", () => {
    assert.equal(path("http://h/a/b/f", { cutDirs: 5 }), "h/f");
    assert.equal(path("http://h/a/b/", { cutDirs: 5, hostDirectories: false }), "index.html");
  });

  await t.step("empty directories are dropped but counted", () => {
    assert.equal(path("http://h/a//b/f"), "h/a/b/f");
    assert.equal(path("http://h/a//b/f", { cutDirs: 2 }), "h/b/f");
  });
});

Deno.test("localPath() keeps the query as wget keeps it", async (t) => {
  await t.step("file?query, decoded, with a / in it escaped", () => {
    assert.equal(path("http://h/a.php?x=1&y=%2F%20z"), "h/a.php?x=1&y=%2F z");
  });

  await t.step("an empty query keeps its ?", () => {
    assert.equal(path("http://h/a?"), "h/a?");
  });

  await t.step("the query follows the default page", () => {
    assert.equal(path("http://h/dir/?p=2"), "h/dir/index.html?p=2");
  });

  await t.step("windows writes @ for ? and + for :", () => {
    const windows = parseFileNameRules("windows")!;
    assert.equal(path("http://h:8080/a.php?x=1", { fileNameRules: windows }), "h+8080/a.php@x=1");
  });
});

Deno.test("localPath() makes every name safe", async (t) => {
  await t.step("percent-encoded names are decoded", () => {
    assert.equal(path("http://h/a%20dir/b%20c.txt"), "h/a dir/b c.txt");
  });

  await t.step("a decoded / or control character is escaped again", () => {
    assert.equal(path("http://h/a%2Fb/c%2Fd"), "h/a%2Fb/c%2Fd");
    assert.equal(path("http://h/a%01b/c%7F"), "h/a%01b/c%7F");
    assert.equal(path("http://h/a%00b"), "h/a%00b");
  });

  await t.step("the file name is decoded twice, as wget does", () => {
    assert.equal(path("http://h/d%2541/c%2541"), "h/d%41/cA");
  });

  await t.step("non-ASCII names stay whole, or are escaped with ascii", () => {
    assert.equal(path("http://h/caf\u00e9/\u00fcber.txt"), "h/caf\u00e9/\u00fcber.txt");
    assert.equal(
      path("http://h/caf\u00e9/x", { fileNameRules: parseFileNameRules("ascii")! }),
      "h/caf%C3%A9/x",
    );
  });

  await t.step("bytes that are not UTF-8 are carried as charset.ts carries them", () => {
    assert.equal(path("http://h/%E9t%E9"), "h/\udce9t\udce9");
  });

  await t.step("names are converted from the remote to the local encoding", () => {
    const latin1 = findCharset("ISO-8859-1")!;
    assert.equal(path("http://h/caf%E9", { encodings: { remote: latin1 } }), "h/caf\u00e9");
    assert.equal(path("http://h/caf%C3%A9", { encodings: { local: latin1 } }), "h/caf\udce9");
  });

  await t.step("windows, lowercase and uppercase rules apply to directories and file", () => {
    const rules = parseFileNameRules("windows,lowercase")!;
    assert.equal(path("http://h/A:B/C*D.TXT", { fileNameRules: rules }), "h/a%3ab/c%2ad.txt");
    assert.equal(path("http://h/a/b.txt", { fileNameRules: parseFileNameRules("uppercase")! }), "h/A/B.TXT");
  });

  await t.step("no component is . or ..", () => {
    // WHATWG URL resolves "..", "." and their %2E forms; a double-escaped one is decoded twice in the file name.
    assert.equal(path("http://h/a/../%2e%2E/./b"), "h/b");
    assert.equal(path("http://h/a/%252E%252E"), "h/a/%2E%2E");
    assert.equal(path("http://h/a/%252E"), "h/a/%2E");
    assert.equal(path("http://h/%252E%252E/x"), "h/%2E%2E/x");
    assert.equal(path("http://h/a/%252e%252e", { fileNameRules: parseFileNameRules("lowercase")! }), "h/a/%2e%2e");
  });

  await t.step("an overlong name is cut to 236 bytes, never inside an escape or a character", () => {
    assert.equal(MAX_COMPONENT_BYTES, 236);
    assert.equal(
      path(`http://h/${"d".repeat(300)}/${"f".repeat(300)}.html`),
      `h/${"d".repeat(236)}/${"f".repeat(236)}`,
    );
    const escaped = path(`http://h/${"a".repeat(234)}%01b`);
    assert.equal(escaped, `h/${"a".repeat(234)}`);
    const accented = path(`http://h/a${"\u00e9".repeat(200)}`);
    assert.equal(accented, `h/a${"\u00e9".repeat(117)}`);
    assert.equal(new TextEncoder().encode(accented.slice(2)).length, 235);
  });
});

Deno.test("adjustedPath() adds the extension -E adds", async (t) => {
  await t.step("HTML without .html or .htm gets .html", () => {
    assert.equal(adjustedPath("h/a.php", "text/html"), "h/a.php.html");
    assert.equal(adjustedPath("h/index", "application/xhtml+xml"), "h/index.html");
    assert.equal(adjustedPath("h/a.HTML", "text/html"), "h/a.HTML");
    assert.equal(adjustedPath("h/a.Htm", "TEXT/HTML; charset=utf-8"), "h/a.Htm");
  });

  await t.step("the query counts as part of the name", () => {
    assert.equal(adjustedPath("h/a.php?x=1", "text/html"), "h/a.php?x=1.html");
    assert.equal(adjustedPath("h/a.html?x=1", "text/html"), "h/a.html?x=1.html");
  });

  await t.step("the last dot may be in a directory", () => {
    assert.equal(adjustedPath("www.example.com/page", "text/html"), "www.example.com/page.html");
  });

  await t.step("CSS without .css gets .css; .cs is not enough", () => {
    assert.equal(adjustedPath("h/style", "text/css"), "h/style.css");
    assert.equal(adjustedPath("h/style.CSS", "text/css"), "h/style.CSS");
    assert.equal(adjustedPath("h/style.cs", "text/css"), "h/style.cs.css");
  });

  await t.step("no Content-Type is taken for HTML, other types are left alone", () => {
    assert.equal(adjustedPath("h/x", null), "h/x.html");
    assert.equal(adjustedPath("h/x", ""), "h/x");
    assert.equal(adjustedPath("h/x.png", "image/png"), "h/x.png");
    assert.equal(adjustedPath("h/x", "text/plain"), "h/x");
  });
});
