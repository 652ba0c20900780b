/**
 * `cString()`: what libc receives for a path. A lone surrogate U+DC80…U+DCFF is the byte 0x80…0xFF (a file name in
 * ISO-8859-1, src/http/charset.ts), so that such a name is created, found and removed through libc as those bytes.
 */

import assert from "node:assert/strict";
import { cString } from "../../ffi/libc.ts";
import { fileInfo, openFile, removeFile } from "../../ffi/mod.ts";
import { withTempDir } from "../_support/files.ts";

Deno.test("cString() writes UTF-8, and a lone surrogate U+DC80…U+DCFF as its byte", () => {
  assert.deepEqual(cString("caf\u00e9"), Uint8Array.of(0x63, 0x61, 0x66, 0xc3, 0xa9, 0));
  assert.deepEqual(cString("caf\udce9"), Uint8Array.of(0x63, 0x61, 0x66, 0xe9, 0));
  assert.deepEqual(cString("\udc80\udcff"), Uint8Array.of(0x80, 0xff, 0));
  // A surrogate pair is a character (U+1F600), not two bytes; a lone U+DC7F is no byte either (U+FFFD, as before).
  assert.deepEqual(cString("\ud83d\ude00"), Uint8Array.of(0xf0, 0x9f, 0x98, 0x80, 0));
  assert.deepEqual(cString("\udc7f"), Uint8Array.of(0xef, 0xbf, 0xbd, 0));
  assert.throws(() => cString("a\0b"), TypeError);
});

Deno.test("a file named with a byte that is not UTF-8 is created, found and removed through libc", async () => {
  await withTempDir("rhg-cstring-", async (dir) => {
    const path = `${dir}/caf\udce9.txt`;
    const file = openFile(path, { create: true, write: true });
    file.close();
    assert.notEqual(fileInfo(path), null);
    const listed = new TextDecoder().decode(
      (await new Deno.Command("ls", { args: ["-b", dir], env: { LC_ALL: "C" } }).output()).stdout,
    );
    assert.equal(listed, "caf\\351.txt\n");
    assert.equal(removeFile(path), true);
    assert.equal(fileInfo(path), null);
  });
});
