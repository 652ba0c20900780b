/**
 * wget's TLS options read into a connection's configuration (src/fetch/tls_config.ts): `--secure-protocol`, the
 * client certificate and key (checked to belong together: Deno throws inside `node:tls` otherwise), and the
 * sentence and reason of each file that cannot be used. Fixtures: tests/testdata/tls (make.sh).
 */

import assert from "node:assert/strict";
import { parseSecureProtocol, protocolRange, SECURE_PROTOCOLS, TlsError } from "../../src/fetch/mod.ts";
import { loadClientIdentity, loadTlsConfig } from "../../src/fetch/secure.ts";

const dir = new URL("../testdata/tls/", import.meta.url).pathname;
const text = (name: string) => Deno.readTextFileSync(`${dir}${name}`);
const files = new Map<string, string>([
  ["cert.pem", text("good.pem")],
  ["key.pem", text("good.key")],
  ["both.pem", text("good.pem") + text("good.key")],
  ["other.key", text("revoked.key")],
  ["crl.pem", text("crl.pem")],
  ["ca.pem", text("ca.pem")],
  ["pub.pem", text("good.pub.pem")],
  ["garbage", "hello\n"],
  [
    "encrypted.key",
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
  ],
]);
const read = (path: string) => {
  const found = files.get(path);
  if (found === undefined) throw new Error(`no such file: ${path}`);
  return new TextEncoder().encode(found);
};

function throwsTls(fn: () => unknown, reason: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TlsError, String(e));
    assert.equal(e.reason, reason);
    assert.match(e.message, message);
    return true;
  });
}

Deno.test("parseSecureProtocol() knows wget's eight values in any case, and nothing else", () => {
  assert.equal(parseSecureProtocol("tlsv1_3"), "TLSv1_3");
  assert.equal(parseSecureProtocol("PFS"), "PFS");
  assert.equal(parseSecureProtocol("Auto"), "auto");
  for (const p of SECURE_PROTOCOLS) assert.equal(parseSecureProtocol(p.toUpperCase()), p);
  assert.equal(parseSecureProtocol("TLSv1.3"), null);
  assert.equal(parseSecureProtocol("tls1_2"), null);
});

Deno.test("protocolRange(): TLSv1_3 is 1.3 only, TLSv1…TLSv1_2, auto and PFS are node:tls's 1.2–1.3", () => {
  assert.deepEqual(protocolRange("TLSv1_3"), { minVersion: "TLSv1.3" });
  for (const p of ["auto", "TLSv1", "TLSv1_1", "TLSv1_2", "PFS"] as const) assert.deepEqual(protocolRange(p), {});
});

Deno.test("protocolRange() refuses SSLv2 and SSLv3 in one sentence, as a failed handshake (wget's exit 4)", () => {
  for (const p of ["SSLv2", "SSLv3"] as const) {
    throwsTls(() => protocolRange(p), "handshake", new RegExp(`^--secure-protocol=${p} is not supported: `));
    assert.equal(new TlsError("handshake", "x").isVerification, false);
  }
});

Deno.test("loadClientIdentity() takes a certificate and its key, from two files or one", () => {
  const pair = loadClientIdentity("cert.pem", "key.pem", read);
  assert.match(pair.cert!, /^-----BEGIN CERTIFICATE-----/);
  assert.match(pair.key!, /^-----BEGIN PRIVATE KEY-----/);
  assert.deepEqual(loadClientIdentity("both.pem", undefined, read), pair);
  assert.deepEqual(loadClientIdentity(undefined, "both.pem", read), pair);
  assert.deepEqual(loadClientIdentity(undefined, undefined, read), {});
});

Deno.test("loadClientIdentity() refuses a key of another certificate, a missing or encrypted key, a missing file", () => {
  throwsTls(
    () => loadClientIdentity("cert.pem", "other.key", read),
    "tls-file",
    /^The private key in "other.key" does not belong to the certificate in "cert.pem"$/,
  );
  throwsTls(
    () => loadClientIdentity("cert.pem", undefined, read),
    "tls-file",
    /^No PEM private key found in "cert.pem"$/,
  );
  throwsTls(
    () => loadClientIdentity("key.pem", undefined, read),
    "tls-file",
    /^No PEM certificate found in "key.pem"$/,
  );
  throwsTls(() => loadClientIdentity("cert.pem", "encrypted.key", read), "tls-file", /is encrypted/);
  throwsTls(
    () => loadClientIdentity("nope.pem", "key.pem", read),
    "tls-file",
    /^Cannot read the client certificate file "nope.pem": /,
  );
});

Deno.test("loadTlsConfig() reads CRLs and pins, and names the file that cannot be used", () => {
  const config = loadTlsConfig({ crlFile: "crl.pem", pinnedPublicKey: "pub.pem" }, "ca.pem", () => {}, read);
  assert.equal(config.crls?.length, 1);
  assert.equal(config.pin?.kind, "key");
  throwsTls(() => loadTlsConfig({ crlFile: "nope" }, undefined, () => {}, read), "tls-file", /^Cannot read the CRL/);
  throwsTls(() => loadTlsConfig({ crlFile: "ca.pem" }, undefined, () => {}, read), "tls-file", /^No PEM CRL found/);
  throwsTls(
    () => loadTlsConfig({ pinnedPublicKey: "nope" }, undefined, () => {}, read),
    "pin",
    /^Cannot read the pinned public key file "nope"$/,
  );
  const hashes = loadTlsConfig(
    { pinnedPublicKey: "sha256//AAAA", secureProtocol: "TLSv1_3" },
    undefined,
    () => {},
    read,
  );
  assert.equal(hashes.pin?.kind, "sha256");
  assert.equal(hashes.minVersion, "TLSv1.3");
  throwsTls(() => loadTlsConfig({ secureProtocol: "SSLv3" }, undefined, () => {}, read), "handshake", /SSLv3/);
});

Deno.test("a pin or a revocation is a verification failure (exit 5); an unusable TLS file is not", () => {
  assert.ok(new TlsError("pin", "x").isVerification);
  assert.ok(new TlsError("revoked", "x").isVerification);
  assert.ok(!new TlsError("tls-file", "x").isVerification);
});
