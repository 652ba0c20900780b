/**
 * The CRL check of `--crl-file` (src/fetch/crl.ts and its DER reader) on fixtures made by `openssl ca`
 * (tests/testdata/tls/make.sh): a CA, a good and a revoked leaf, the CA's CRL, and a CRL forged under the CA's name.
 */

import assert from "node:assert/strict";
import { certificateNames, findRevocation, parseCrl, parseCrlPem } from "../../src/fetch/secure.ts";
import { DER, derChildren, DerError, derIntegerHex, derOid, derTime, readDer } from "../../src/fetch/_der.ts";

const dir = new URL("../testdata/tls/", import.meta.url);
const text = (name: string) => Deno.readTextFileSync(new URL(name, dir));
const der = (name: string) => {
  const body = text(name).split("-----")[2].replace(/\s+/g, "");
  return Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
};
const CA = der("ca.pem"), GOOD = der("good.pem"), REVOKED = der("revoked.pem");

Deno.test("parseCrlPem() reads the CA's CRL: its issuer, algorithm and revoked serial", () => {
  const [crl, ...rest] = parseCrlPem(text("crl.pem"));
  assert.equal(rest.length, 0);
  assert.equal(crl.algorithm, "1.2.840.10045.4.3.2"); // ecdsa-with-SHA256
  assert.deepEqual([...crl.revoked.keys()], ["1001"]);
  assert.ok(crl.revoked.get("1001")! > Date.parse("2026-01-01T00:00:00Z"));
  assert.deepEqual(crl.issuer, certificateNames(CA).subject);
});

Deno.test("certificateNames() reads serial, issuer and subject of a certificate", () => {
  const good = certificateNames(GOOD);
  assert.equal(good.serial, "1000");
  assert.equal(certificateNames(REVOKED).serial, "1001");
  assert.deepEqual(good.issuer, certificateNames(CA).subject);
  assert.notDeepEqual(good.subject, good.issuer);
});

Deno.test("findRevocation() finds the revoked leaf and passes the good one", () => {
  const crls = parseCrlPem(text("crl.pem"));
  assert.equal(findRevocation([GOOD, CA], [GOOD, CA], crls), null);
  const hit = findRevocation([REVOKED, CA], [REVOKED, CA], crls);
  assert.equal(hit?.depth, 0);
  assert.equal(hit?.serial, "1001");
  assert.equal(hit?.subject, "CN=revoked.test");
});

Deno.test("findRevocation() believes no CRL it cannot verify: forged under the CA's name, or no issuer known", () => {
  // Same issuer name, another key: its signature does not verify with the CA's key, so serial 1000 stays good.
  const forged = parseCrlPem(text("forged-crl.pem"));
  assert.ok(forged[0].revoked.has("1000"));
  assert.equal(findRevocation([GOOD, CA], [GOOD, CA], forged), null);
  // The CA's own CRL, but the CA's certificate is nowhere: the signature cannot be checked.
  assert.equal(findRevocation([REVOKED], [REVOKED], parseCrlPem(text("crl.pem"))), null);
});

Deno.test("findRevocation() does not believe a CRL whose signed part was altered", () => {
  const crl = parseCrlPem(text("crl.pem"))[0];
  const signed = crl.signed.slice();
  signed[signed.length - 1] ^= 1;
  assert.equal(findRevocation([REVOKED, CA], [CA], [{ ...crl, signed }]), null);
  assert.equal(findRevocation([REVOKED, CA], [CA], [{ ...crl, algorithm: "1.2.840.113549.1.1.10" }]), null);
});

Deno.test("parseCrlPem() returns no CRL for a file without one, and throws DerError for a broken one", () => {
  assert.deepEqual(parseCrlPem(text("ca.pem")), []);
  assert.throws(() => parseCrlPem("-----BEGIN X509 CRL-----\n!!!!\n-----END X509 CRL-----"), DerError);
  assert.throws(() => parseCrl(GOOD), DerError); // a certificate is not a CRL
  const crl = der("crl.pem");
  for (const cut of [1, 2, 10, crl.length - 1]) assert.throws(() => parseCrl(crl.subarray(0, cut)), DerError);
});

Deno.test("readDer() reads short and long lengths and refuses indefinite, oversized and truncated ones", () => {
  assert.deepEqual(readDer(new Uint8Array([0x02, 0x01, 0x05])).content, new Uint8Array([5]));
  const long = new Uint8Array([0x04, 0x81, 0x80, ...new Uint8Array(0x80)]);
  assert.equal(readDer(long).content.length, 0x80);
  assert.throws(() => readDer(new Uint8Array([0x30, 0x80, 0x00, 0x00])), DerError);
  assert.throws(() => readDer(new Uint8Array([0x30, 0x85, 1, 1, 1, 1, 1])), DerError);
  assert.throws(() => readDer(new Uint8Array([0x30, 0x03, 0x02, 0x01])), DerError);
  assert.throws(() => readDer(new Uint8Array([0x1f, 0x01, 0x00])), DerError);
  assert.throws(() => derChildren(readDer(new Uint8Array([0x02, 0x01, 0x05]))), DerError);
});

Deno.test("derOid(), derIntegerHex() and derTime() decode what certificates carry", () => {
  assert.equal(derOid(new Uint8Array([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02])), "1.2.840.10045.4.3.2");
  assert.equal(derOid(new Uint8Array([0x2b, 0x65, 0x70])), "1.3.101.112");
  assert.equal(derIntegerHex(new Uint8Array([0x00, 0x90, 0x01])), "9001");
  assert.equal(derIntegerHex(new Uint8Array([0x00])), "00");
  const time = (tag: number, s: string) =>
    derTime(readDer(new Uint8Array([tag, s.length, ...new TextEncoder().encode(s)])));
  assert.equal(time(DER.UTC_TIME, "200101000000Z"), Date.UTC(2020, 0, 1));
  assert.equal(time(DER.UTC_TIME, "500101000000Z"), Date.UTC(1950, 0, 1)); // RFC 5280 §4.1.2.5.1
  assert.equal(time(DER.GENERALIZED_TIME, "21000101000000Z"), Date.UTC(2100, 0, 1));
  assert.ok(Number.isNaN(time(DER.UTC_TIME, "2001010000Z")));
});
