import assert from "node:assert/strict";
import { formatIpv4Address, ipv4, parseIpv4Address, tryParseIpv4Address } from "../../src/wire/mod.ts";
import { Rng } from "./_helpers.ts";

const PARSE_ERROR = (text: string) => ({
  name: "TypeError",
  message: `Cannot parse IPv4 address "${text}": expected four decimal numbers 0-255`,
});

// Text the parser must refuse, each with the reason: inet_aton accepts several of these with other meanings.
const REFUSED: ReadonlyArray<readonly [string, string]> = [
  ["", "empty"],
  ["198.18.0", "three parts"],
  ["198.18.0.1.2", "five parts"],
  ["127.1", "inet_aton shorthand: 127.0.0.1"],
  ["198.18.1", "inet_aton shorthand: 198.18.0.1"],
  ["3323068417", "inet_aton shorthand: one 32-bit number"],
  ["198.018.0.1", "leading zero: octal 16 to inet_aton"],
  ["198.18.0.01", "leading zero in the last part"],
  ["198.18.00.1", "a zero written twice"],
  ["0x7f.0.0.1", "hexadecimal part"],
  ["198.18.0.256", "part above 255"],
  ["198.18.0.1000", "four digits"],
  ["198.18.0.-1", "negative part"],
  ["198.18.0.+1", "signed part"],
  ["198..0.1", "empty part"],
  ["198.18.0.1.", "trailing dot"],
  [".198.18.0.1", "leading dot"],
  [" 198.18.0.1", "leading space"],
  ["198.18.0.1 ", "trailing space"],
  ["198.18.0.1\n", "trailing newline"],
  ["198.18.0.1e0", "exponent"],
  ["198.18.0.١", "Arabic-Indic digit"],
  ["１９８.18.0.1", "full-width digits"],
  ["a.b.c.d", "letters"],
  ["198.18.0.1/32", "prefix length"],
];

Deno.test("parseIpv4Address() reads dotted quads at the edges of the range", () => {
  assert.equal(parseIpv4Address("198.18.0.1"), 0xc6120001);
  assert.equal(parseIpv4Address("198.19.255.254"), 0xc613fffe);
  assert.equal(parseIpv4Address("0.0.0.0"), 0);
  assert.equal(parseIpv4Address("255.255.255.255"), 0xffffffff);
  assert.equal(parseIpv4Address("198.18.0.0"), 0xc6120000);
  assert.equal(parseIpv4Address("198.18.0.255"), 0xc61200ff);
  assert.equal(parseIpv4Address("198.18.10.100"), 0xc6120a64);
});

Deno.test("parseIpv4Address() refuses leading zeros, shorthand, out-of-range parts and stray characters", () => {
  for (const [text, why] of REFUSED) {
    assert.throws(() => parseIpv4Address(text), PARSE_ERROR(text), why);
  }
});

Deno.test("tryParseIpv4Address() accepts what parseIpv4Address() accepts and returns null for the rest", () => {
  assert.equal(tryParseIpv4Address("198.18.0.1"), 0xc6120001);
  assert.equal(tryParseIpv4Address("example.com"), null);
  for (const [text, why] of REFUSED) assert.equal(tryParseIpv4Address(text), null, why);
});

Deno.test("formatIpv4Address() writes dotted quads without leading zeros", () => {
  assert.equal(formatIpv4Address(ipv4(0xc6120001)), "198.18.0.1");
  assert.equal(formatIpv4Address(ipv4(0xc6120a64)), "198.18.10.100");
  assert.equal(formatIpv4Address(ipv4(0)), "0.0.0.0");
  assert.equal(formatIpv4Address(ipv4(0xffffffff)), "255.255.255.255");
});

Deno.test("formatIpv4Address() and parseIpv4Address() round-trip every byte value and random addresses", () => {
  for (let b = 0; b < 256; b++) {
    const address = ipv4((0xc6120000 | (b << 8) | (255 - b)) >>> 0);
    assert.equal(parseIpv4Address(formatIpv4Address(address)), address);
  }
  const rng = new Rng(791);
  for (let i = 0; i < 2000; i++) {
    const address = ipv4(rng.u32());
    const text = formatIpv4Address(address);
    assert.equal(parseIpv4Address(text), address, `case ${i} seed ${rng.seed}: ${text}`);
  }
});

Deno.test("ipv4() takes an unsigned 32-bit integer and throws RangeError for anything else", () => {
  assert.equal(ipv4(0xc6120001), 0xc6120001);
  assert.equal(ipv4(0), 0);
  assert.equal(ipv4(0xffffffff), 0xffffffff);
  for (const bad of [-1, 2 ** 32, 1.5, Number.NaN, Infinity]) {
    assert.throws(() => ipv4(bad), {
      name: "RangeError",
      message: `Cannot use ${bad} as an IPv4 address: it is not an unsigned 32-bit integer`,
    });
  }
});
