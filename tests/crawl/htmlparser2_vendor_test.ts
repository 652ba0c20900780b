import assert from "node:assert/strict";
import { expectedModule, VENDORED_PATH } from "../tools/vendor_htmlparser2.ts";

Deno.test("the vendored htmlparser2 equals the bundle of the package pinned in deno.json", async () => {
  const vendored = await Deno.readTextFile(new URL(`../../${VENDORED_PATH}`, import.meta.url));
  // One comparison, not a diff of 50 kB strings: a message that long helps nobody.
  assert.ok(vendored === await expectedModule(), "run tests/tools/vendor_htmlparser2.ts (see its header)");
});
