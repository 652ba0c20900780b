import assert from "node:assert/strict";
import { RangeMismatchError, RedirectError, ServerStatusError } from "../../src/fetch/mod.ts";
import { judgeHead } from "../../src/fetch/mod.ts";
import { resumePoint, uniqueName } from "../../src/save/mod.ts";
import { head } from "./_heads.ts";

Deno.test("judgeHead() follows 301, 302, 303, 307 and 308 with a Location, not 300 or 304", () => {
  for (const status of [301, 302, 303, 307, 308]) {
    assert.deepEqual(judgeHead(head(status, { Location: "/next" }), 0), { kind: "redirect", location: "/next" });
  }
  assert.throws(() => judgeHead(head(302), 0), RedirectError);
  assert.throws(() => judgeHead(head(300, { Location: "/x" }), 0), ServerStatusError);
  assert.throws(() => judgeHead(head(304), 0), ServerStatusError);
});

Deno.test("judgeHead() appends a 206 that starts at the offset and refuses one that does not", () => {
  assert.deepEqual(judgeHead(head(206, { "Content-Range": "bytes 1000-4999/5000" }), 1000), {
    kind: "body",
    offset: 1000,
  });
  assert.deepEqual(judgeHead(head(206, { "Content-Range": "bytes 10-19/*" }), 10), { kind: "body", offset: 10 });
  assert.throws(() => judgeHead(head(206, { "Content-Range": "bytes 0-4999/5000" }), 1000), RangeMismatchError);
  assert.throws(() => judgeHead(head(206), 1000), RangeMismatchError);
});

Deno.test("judgeHead() keeps what the file has when a 200 answers a range request: it skips or is complete", () => {
  assert.deepEqual(judgeHead(head(200, {}, 5000), 0), { kind: "body", offset: 0 });
  assert.deepEqual(judgeHead(head(200, {}, 5000), 1000), { kind: "body", offset: 1000, skip: 1000 });
  assert.deepEqual(judgeHead(head(200), 1000), { kind: "body", offset: 1000, skip: 1000 });
  assert.deepEqual(judgeHead(head(203, {}, 5000), 1000), { kind: "body", offset: 1000, skip: 1000 });
  // No longer than the file: nothing to do (wget: "already fully retrieved"), whether equal or shorter.
  assert.deepEqual(judgeHead(head(200, {}, 5000), 5000), { kind: "complete" });
  assert.deepEqual(judgeHead(head(200, {}, 10), 5000), { kind: "complete" });
  // A gzip body's Content-Length is not the file's size: its decoded bytes are skipped instead.
  const gzip = head(200, { "Content-Encoding": "gzip" }, 10);
  assert.deepEqual(judgeHead(gzip, 5000), { kind: "body", offset: 5000, skip: 5000 });
});

Deno.test("judgeHead() saves nothing for a 204, even to a range request", () => {
  assert.deepEqual(judgeHead(head(204), 0), { kind: "empty" });
  assert.deepEqual(judgeHead(head(204), 1000), { kind: "empty" });
});

Deno.test("judgeHead() takes a 416 to a resume as a complete file, unless the server's file is larger", () => {
  assert.deepEqual(judgeHead(head(416, { "Content-Range": "bytes */5000" }), 5000), { kind: "complete" });
  assert.deepEqual(judgeHead(head(416), 5000), { kind: "complete" });
  assert.throws(() => judgeHead(head(416, { "Content-Range": "bytes */9000" }), 5000), ServerStatusError);
  assert.throws(() => judgeHead(head(416), 0), ServerStatusError);
  assert.throws(() => judgeHead(head(404), 0), ServerStatusError);
});

Deno.test("resumePoint() continues NAME.part first, else a partial NAME", () => {
  const sizes = (files: Record<string, number>) => (p: string) => files[p] ?? null;
  assert.deepEqual(resumePoint("f", sizes({ "f.part": 10, f: 99 })), { inPlace: false, offset: 10 });
  assert.deepEqual(resumePoint("f", sizes({ "f.part": 0, f: 99 })), { inPlace: true, offset: 99 });
  assert.deepEqual(resumePoint("f", sizes({})), { inPlace: false, offset: 0 });
});

Deno.test("uniqueName() keeps existing files: NAME, NAME.1, NAME.2", () => {
  const taken = new Set(["a", "a.1"]);
  assert.equal(uniqueName("a", (p) => taken.has(p)), "a.2");
  assert.equal(uniqueName("b", (p) => taken.has(p)), "b");
});
