import assert from "node:assert/strict";
import {
  DEFAULT_FILE_NAME_RULES,
  fileNameFor,
  type FileNameRules,
  parseFileNameRules,
  parseUrl,
  restrictFileName,
  safeFileName,
  UTF8,
} from "../../src/http/mod.ts";

const rules = (value: string) => parseFileNameRules(value)!;

// What wget 1.21.3 wrote for these names on this machine (tests/cli/input_pacing_test.ts compares the live runs).
const NAMES = ["Mixed Case.bin", "a:b*c?d.bin", "\u00fcn\u00ef.bin", "x\\y.bin", "ctl\x01\x7f.bin", 'q"<>|.bin', "a/b"];
const WGET: Record<string, readonly string[]> = {
  unix: ["Mixed Case.bin", "a:b*c?d.bin", "\u00fcn\u00ef.bin", "x\\y.bin", "ctl%01%7F.bin", 'q"<>|.bin', "a%2Fb"],
  windows: [
    "Mixed Case.bin",
    "a%3Ab%2Ac%3Fd.bin",
    "\u00fcn\u00ef.bin",
    "x%5Cy.bin",
    "ctl%01%7F.bin",
    "q%22%3C%3E%7C.bin",
    "a%2Fb",
  ],
  nocontrol: [
    "Mixed Case.bin",
    "a:b*c?d.bin",
    "\u00fcn\u00ef.bin",
    "x\\y.bin",
    "ctl\x01\x7f.bin",
    'q"<>|.bin',
    "a%2Fb",
  ],
  ascii: ["Mixed Case.bin", "a:b*c?d.bin", "%C3%BCn%C3%AF.bin", "x\\y.bin", "ctl%01%7F.bin", 'q"<>|.bin', "a%2Fb"],
  lowercase: ["mixed case.bin", "a:b*c?d.bin", "\u00fcn\u00ef.bin", "x\\y.bin", "ctl%01%7f.bin", 'q"<>|.bin', "a%2fb"],
  uppercase: ["MIXED CASE.BIN", "A:B*C?D.BIN", "\u00fcN\u00ef.BIN", "X\\Y.BIN", "CTL%01%7F.BIN", 'Q"<>|.BIN', "A%2FB"],
  "windows,lowercase": [
    "mixed case.bin",
    "a%3ab%2ac%3fd.bin",
    "\u00fcn\u00ef.bin",
    "x%5cy.bin",
    "ctl%01%7f.bin",
    "q%22%3c%3e%7c.bin",
    "a%2fb",
  ],
  "unix,ascii,uppercase": [
    "MIXED CASE.BIN",
    "A:B*C?D.BIN",
    "%C3%BCN%C3%AF.BIN",
    "X\\Y.BIN",
    "CTL%01%7F.BIN",
    'Q"<>|.BIN',
    "A%2FB",
  ],
};

Deno.test("restrictFileName() escapes and changes case as wget does for each mode", () => {
  for (const [modes, expected] of Object.entries(WGET)) {
    assert.deepEqual(NAMES.map((n) => restrictFileName(n, rules(modes))), expected, modes);
  }
});

Deno.test("restrictFileName() leaves bytes 128-159 alone (wget's table, not its manual) and defangs '..'", () => {
  // U+0100 is C4 80 in UTF-8, U+0085 (a C1 control) is C2 85: wget escapes neither byte.
  assert.equal(restrictFileName("\u0100\u0085.bin", DEFAULT_FILE_NAME_RULES), "\u0100\u0085.bin");
  assert.equal(restrictFileName("..", DEFAULT_FILE_NAME_RULES), "%2E%2E");
  assert.equal(restrictFileName("..", rules("lowercase")), "%2e%2e");
  assert.equal(restrictFileName("...", DEFAULT_FILE_NAME_RULES), "...");
  assert.equal(restrictFileName("a\x00b", rules("nocontrol")), "a%00b"); // NUL stays escaped: no system takes it
  assert.equal(restrictFileName("100%", DEFAULT_FILE_NAME_RULES), "100%"); // '%' itself is not escaped
});

Deno.test("parseFileNameRules() reads comma-separated modes on top of the previous ones", () => {
  assert.deepEqual(rules("unix"), DEFAULT_FILE_NAME_RULES);
  const both: FileNameRules = { os: "windows", control: false, ascii: true, case: "upper" };
  assert.deepEqual(rules("windows,nocontrol,ascii,uppercase"), both);
  assert.deepEqual(parseFileNameRules("lowercase", rules("windows")), { ...rules("windows"), case: "lower" });
  assert.deepEqual(rules("unix,"), DEFAULT_FILE_NAME_RULES); // wget accepts a trailing comma
  for (const bad of ["", ",unix", "vms", "Unix", "unix,,ascii", "bogus"]) {
    assert.equal(parseFileNameRules(bad), null, bad);
  }
});

Deno.test("fileNameFor() and safeFileName() apply the rules when given, the '_' rule otherwise", () => {
  const url = parseUrl("http://h/dir/A%3Ab%2Fc%0A.txt?q=1");
  assert.equal(fileNameFor(url), "A:b_c_.txt");
  assert.equal(fileNameFor(url, {}, DEFAULT_FILE_NAME_RULES), "A:b%2Fc%0A.txt");
  assert.equal(fileNameFor(url, {}, rules("windows,lowercase")), "a%3ab%2fc%0a.txt");
  assert.equal(fileNameFor(parseUrl("http://h/dir/"), {}, rules("uppercase")), "INDEX.HTML");
  assert.equal(safeFileName("..", UTF8, DEFAULT_FILE_NAME_RULES), "%2E%2E");
  assert.equal(safeFileName("", UTF8, DEFAULT_FILE_NAME_RULES), null);
});
