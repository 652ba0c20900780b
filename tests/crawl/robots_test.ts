import assert from "node:assert/strict";
import { parseRobots, robotsAllows } from "../../src/crawl/robots.ts";

Deno.test("parseRobots() reads the records that apply to wget as res.c does", async (t) => {
  await t.step("a * record applies", () => {
    assert.deepEqual(parseRobots("User-agent: *\nDisallow: /private\nAllow: /public\n"), {
      rules: [{ path: "private", allow: false }, { path: "public", allow: true }],
    });
  });

  await t.step("a record for another agent does not", () => {
    assert.deepEqual(parseRobots("User-agent: googlebot\nDisallow: /\n"), { rules: [] });
  });

  await t.step("a wget record, in any case, replaces the * records wherever they are", () => {
    const text = "User-agent: *\nDisallow: /\n\nUser-agent: google\nUser-AGENT: WGET\nDisallow: /cgi-bin\n";
    assert.deepEqual(parseRobots(text), { rules: [{ path: "cgi-bin", allow: false }] });
    const after = "User-agent: wget\nDisallow: /a\n\nUser-agent: *\nDisallow: /\n";
    assert.deepEqual(parseRobots(after), { rules: [{ path: "a", allow: false }] });
  });

  await t.step("an agent is matched whole: Wget/1.21 is another agent", () => {
    assert.deepEqual(parseRobots("User-agent: Wget/1.21.3\nDisallow: /\n"), { rules: [] });
    assert.deepEqual(parseRobots("User-agent: wgetbot\nDisallow: /\n"), { rules: [] });
  });

  await t.step("within one run of agents the first that applies decides, as in wget", () => {
    // "*" applies first, so "wget" in the same run is not read: the record is a "*" record and no exact one exists.
    assert.deepEqual(parseRobots("User-agent: *\nUser-agent: wget\nDisallow: /x\n"), {
      rules: [{ path: "x", allow: false }],
    });
  });

  await t.step("an agent line after rules starts a new record", () => {
    const text = "User-agent: *\nDisallow: /a\nUser-agent: other\nDisallow: /b\n";
    assert.deepEqual(parseRobots(text), { rules: [{ path: "a", allow: false }] });
  });

  await t.step("an empty Disallow allows everything", () => {
    const rules = parseRobots("User-agent: *\nDisallow:\n");
    assert.deepEqual(rules, { rules: [{ path: "", allow: true }] });
    assert.equal(robotsAllows(rules, "/anything"), true);
  });

  await t.step("comments, CR LF, blank lines and malformed lines", () => {
    const text = "# robots\r\nUser-agent: * # everyone\r\n\r\nDisallow: /a#b\r\nbogus line\r\nCrawl-delay: 5\r\n" +
      "  Disallow  :  /c   # spaced\r\n";
    assert.deepEqual(parseRobots(text), {
      rules: [{ path: "a#b", allow: false }, { path: "c", allow: false }],
    });
  });

  await t.step("an empty file has no rules", () => {
    assert.deepEqual(parseRobots(""), { rules: [] });
  });
});

Deno.test("robotsAllows() applies the first matching rule in file order", async (t) => {
  await t.step("Allow before Disallow wins for its prefix", () => {
    const rules = parseRobots("User-agent: *\nAllow: /a/public\nDisallow: /a\n");
    assert.equal(robotsAllows(rules, "/a/public/x.html"), true);
    assert.equal(robotsAllows(rules, "/a/b"), false);
    assert.equal(robotsAllows(rules, "/b"), true);
  });

  await t.step("Disallow before Allow wins even when the Allow is longer", () => {
    const rules = parseRobots("User-agent: *\nDisallow: /a\nAllow: /a/public\n");
    assert.equal(robotsAllows(rules, "/a/public/x.html"), false);
  });

  await t.step("matching is by prefix, case-sensitive, and ignores the query", () => {
    const rules = parseRobots("User-agent: *\nDisallow: /cgi\nDisallow: /x?y\n");
    assert.equal(robotsAllows(rules, "/cgi-bin/a"), false);
    assert.equal(robotsAllows(rules, "/CGI"), true);
    assert.equal(robotsAllows(rules, "/page?cgi"), true);
    // wget matches u->path, which holds no query: a rule with "?" never matches.
    assert.equal(robotsAllows(rules, "/x?y"), true);
  });

  await t.step("%XX escapes are decoded on both sides, except %2F", () => {
    const rules = parseRobots("User-agent: *\nDisallow: /%7Euser\nDisallow: /a%2Fb\n");
    assert.equal(robotsAllows(rules, "/~user/x"), false);
    assert.equal(robotsAllows(parseRobots("User-agent: *\nDisallow: /~u\n"), "/%7eu"), false);
    assert.equal(robotsAllows(rules, "/a/b"), true);
    assert.equal(robotsAllows(rules, "/a%2Fb"), false);
  });

  await t.step("non-ASCII paths compare as UTF-8 bytes", () => {
    const rules = parseRobots("User-agent: *\nDisallow: /caf\u00e9\n");
    assert.equal(robotsAllows(rules, "/caf%C3%A9/menu"), false);
    assert.equal(robotsAllows(rules, "/caf%E9"), true);
  });

  await t.step("Disallow: / forbids everything, the root included", () => {
    const rules = parseRobots("User-agent: *\nDisallow: /\n");
    assert.equal(robotsAllows(rules, "/"), false);
    assert.equal(robotsAllows(rules, "/index.html"), false);
  });

  await t.step("no rules allow everything", () => {
    assert.equal(robotsAllows({ rules: [] }, "/x"), true);
  });
});
