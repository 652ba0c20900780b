/**
 * `--pinnedpubkey` (src/fetch/pin.ts): the pin's two forms as wget reads them, and the comparison with a certificate's
 * public key. The expected hash of tests/testdata/tls/good.pem's key is openssl's (good.pub.sha256, see make.sh).
 */

import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { isHashPin, keyFilePin, parseHashPin, pinAccepts, spkiSha256Base64 } from "../../src/fetch/secure.ts";

const dir = new URL("../testdata/tls/", import.meta.url);
const read = (name: string) => Deno.readFileSync(new URL(name, dir));
const spkiOf = (name: string) =>
  new Uint8Array(
    new X509Certificate(read(name)).publicKey.export({ type: "spki", format: "der" }),
  );
const GOOD = spkiOf("good.pem"), OTHER = spkiOf("revoked.pem");
const GOOD_SHA256 = new TextDecoder().decode(read("good.pub.sha256")).trim();

Deno.test("spkiSha256Base64() is what openssl prints for the key's DER SubjectPublicKeyInfo", () => {
  assert.equal(spkiSha256Base64(GOOD), GOOD_SHA256);
});

Deno.test("a sha256// pin accepts the key it hashes and no other", () => {
  const pin = parseHashPin(`sha256//${GOOD_SHA256}`);
  assert.ok(pinAccepts(pin, GOOD));
  assert.ok(!pinAccepts(pin, OTHER));
});

Deno.test("parseHashPin() splits at ;sha256// and skips entries that are not base64 of 32 bytes, as wget does", () => {
  const short = btoa("x".repeat(31));
  const pin = parseHashPin(`sha256//AAAA;sha256//${short};sha256//not base64!;sha256//${GOOD_SHA256}`);
  assert.equal(pin.kind, "sha256");
  if (pin.kind !== "sha256") return;
  assert.equal(pin.hashes.length, 1);
  assert.deepEqual(pin.skipped, ["AAAA", short, "not base64!"]);
  assert.ok(pinAccepts(pin, GOOD));
  // Only skipped entries: nothing is accepted (wget's pin fails then too).
  assert.ok(!pinAccepts(parseHashPin("sha256//AAAA"), GOOD));
});

Deno.test("isHashPin() tells a hash list from a file name", () => {
  assert.ok(isHashPin("sha256//abc"));
  assert.ok(!isHashPin("key.pem"));
  assert.ok(!isHashPin("SHA256//abc")); // wget compares the prefix case-sensitively: this names a file
  assert.throws(() => parseHashPin("key.pem"), TypeError);
});

Deno.test("keyFilePin() reads a PEM PUBLIC KEY or DER file; a broken PEM block matches nothing", () => {
  const pem = keyFilePin(read("good.pub.pem"))!;
  assert.ok(pinAccepts(pem, GOOD));
  assert.ok(!pinAccepts(pem, OTHER));
  const der = keyFilePin(read("good.pub.der"))!;
  assert.ok(pinAccepts(der, GOOD));
  assert.ok(!pinAccepts(der, OTHER));
  const broken = new TextEncoder().encode("-----BEGIN PUBLIC KEY-----\n!!\n-----END PUBLIC KEY-----\n");
  assert.equal(keyFilePin(broken), null);
  // Not PEM at all: taken as DER, which no key equals.
  assert.ok(!pinAccepts(keyFilePin(new TextEncoder().encode("hello"))!, GOOD));
});
