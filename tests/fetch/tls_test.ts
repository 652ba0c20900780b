/**
 * The pure parts of src/fetch/tls.ts: the sentence a certificate failure becomes, and PEM splitting. The handshake
 * itself is tested end to end in tests/https/.
 */

import assert from "node:assert/strict";
import { TlsError } from "../../src/fetch/mod.ts";
import { certificateError, splitPem } from "../../src/fetch/secure.ts";

const NOW = Date.parse("2026-06-01T00:00:00Z");
const VALID = { valid_from: "Jan  1 00:00:00 2026 GMT", valid_to: "Jan  1 00:00:00 2027 GMT" };

Deno.test("certificateError() names a certificate for another host with its names", () => {
  const e = certificateError(
    "ERR_TLS_CERT_ALTNAME_INVALID",
    "198.18.2.2",
    { ...VALID, subjectaltname: "DNS:a.test" },
    NOW,
  );
  assert.equal(e.reason, "wrong-host");
  assert.equal(e.message, "The certificate of 198.18.2.2 is for another name: DNS:a.test");
  assert.ok(e.isVerification);
});

Deno.test("certificateError() tells an expired certificate from an untrusted one by its dates", () => {
  // Deno reports both as UNABLE_TO_VERIFY_LEAF_SIGNATURE.
  const expired = { valid_from: "Jan  1 00:00:00 2020 GMT", valid_to: "Jan  2 00:00:00 2020 GMT" };
  const a = certificateError("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "x.test", expired, NOW);
  assert.equal(a.reason, "expired");
  assert.equal(a.message, "The certificate of x.test has expired (on Jan  2 00:00:00 2020 GMT)");
  const b = certificateError("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "x.test", { ...VALID, issuer: { CN: "Evil CA" } }, NOW);
  assert.equal(b.reason, "untrusted");
  assert.equal(
    b.message,
    'The certificate of x.test is not trusted (issued by "Evil CA"): unable to verify the first certificate',
  );
});

Deno.test("certificateError() says when a certificate is not valid yet", () => {
  const later = { valid_from: "Jan  1 00:00:00 2030 GMT", valid_to: "Jan  1 00:00:00 2031 GMT" };
  assert.equal(certificateError("CERT_NOT_YET_VALID", "x.test", later, NOW).reason, "not-yet-valid");
});

Deno.test("a failed handshake is not a verification failure (exit 4, not 5)", () => {
  assert.equal(new TlsError("handshake", "The TLS handshake with x.test failed: boom").isVerification, false);
});

Deno.test("splitPem() finds every certificate of a bundle and ignores the text around them", () => {
  const one = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----";
  assert.deepEqual(splitPem(`# a comment\n${one}\nnoise\n${one}\n`), [one, one]);
  assert.deepEqual(splitPem("no certificate here"), []);
});
