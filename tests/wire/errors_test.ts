import assert from "node:assert/strict";
import { parseIpv4, parseTcp, WireError } from "../../src/wire/mod.ts";

Deno.test("WireError carries its reason, its name and a sentence-case message", () => {
  const error = new WireError("bad-option", "Cannot parse TCP options: kind 2 has length 3, expected 4");
  assert.ok(error instanceof Error);
  assert.equal(error.name, "WireError");
  assert.equal(error.reason, "bad-option");
  assert.equal(error.message, "Cannot parse TCP options: kind 2 has length 3, expected 4");
});

Deno.test("every parser error message starts with a capital and quotes the failing value", () => {
  const cases: Array<[() => unknown, string]> = [
    [() => parseIpv4(new Uint8Array(7)), "7"],
    [() => parseIpv4(new Uint8Array(20).fill(0x65)), "6"],
    [() => parseTcp(new Uint8Array(40).fill(0x30)), "3"],
  ];
  for (const [fn, value] of cases) {
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof WireError);
      assert.match(e.message, /^Cannot parse (IPv4|TCP) [a-z]+: [a-zA-Z0-9]/);
      assert.ok(e.message.includes(` ${value} `), `${e.message} should name ${value}`);
      return true;
    });
  }
});
