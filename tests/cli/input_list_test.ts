import assert from "node:assert/strict";
import { parseUrlList } from "../../src/cli/input_list.ts";

Deno.test("parseUrlList() trims lines, skips empty ones and reports the lines that are no URL", () => {
  const text = "http://h/a\n\n \t http://h/b \r\n# a comment\n#http://h/c\nh/d\n/e\nhttp://h/last";
  const list = parseUrlList(text, "list");
  assert.deepEqual(list.urls, ["http://h/a", "http://h/b", "h/d", "http://h/last"]);
  assert.equal(list.problems.length, 3);
  assert.match(list.problems[0], /^list: URL "# a comment" contains a space/);
  assert.match(list.problems[1], /^list: Cannot parse URL "#http:\/\/h\/c"/);
  assert.match(list.problems[2], /^list: Cannot fetch "\/e": the scheme and host are missing/);
});

Deno.test("parseUrlList() resolves each line against -B's URL first, as wget's uri_merge", () => {
  const list = parseUrlList("b.bin\n/c.bin\n198.18.2.2:8080/d\nhttp://other/e\n../f\n", "-", {
    base: "http://h:8080/dir/index.html",
  });
  assert.deepEqual(list.urls, [
    "http://h:8080/dir/b.bin",
    "http://h:8080/c.bin",
    "http://h:8080/dir/198.18.2.2:8080/d", // no letter starts "198.18.2.2:": a path, in wget too
    "http://other/e",
    "http://h:8080/f",
  ]);
  assert.deepEqual(list.problems, []);
});

Deno.test("parseUrlList() of an empty list has nothing", () => {
  assert.deepEqual(parseUrlList("", "x"), { urls: [], problems: [] });
  assert.deepEqual(parseUrlList("\n \n\r\n", "x"), { urls: [], problems: [] });
});
