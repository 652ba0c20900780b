/**
 * The TLS and HSTS options on the command line (src/cli/tls_settings.ts): values as wget spells them, the DER type
 * refused in one sentence, the HSTS database's default, and the exit codes of the TLS errors.
 */

import assert from "node:assert/strict";
import { parseCommandLine, readSettings, UsageError } from "../../src/cli/options.ts";
import { describeFailure } from "../../src/cli/messages.ts";
import { ExitCode } from "../../src/cli/exit_codes.ts";
import { TlsError } from "../../src/fetch/mod.ts";

const HOME = (name: string) => (name === "HOME" ? "/home/u" : undefined);
const settings = (...args: string[]) => readSettings(parseCommandLine(args), HOME);

Deno.test("no TLS option: no TLS settings, and HSTS in ~/.wget-hsts as in wget", () => {
  const s = settings("http://h/");
  assert.equal(s.tls, undefined);
  assert.equal(s.hstsFile, "/home/u/.wget-hsts");
  assert.equal(readSettings(parseCommandLine(["http://h/"])).hstsFile, null); // no HOME: HSTS off, with a message
});

Deno.test("--hsts-file names the database; --no-hsts turns HSTS off, also from -e", () => {
  assert.equal(settings("--hsts-file", "h.txt", "http://h/").hstsFile, "h.txt");
  assert.equal(settings("--no-hsts", "--hsts-file", "h.txt", "http://h/").hstsFile, undefined);
  assert.equal(settings("-e", "hsts = off", "http://h/").hstsFile, undefined);
  assert.equal(settings("-e", "hsts_file = x", "http://h/").hstsFile, "x");
});

Deno.test("the TLS options land in settings.tls, --secure-protocol in wget's spelling whatever the case", () => {
  const s = settings(
    "--secure-protocol=tlsv1_3",
    "--certificate=c.pem",
    "--certificate-type=pem",
    "--private-key=k.pem",
    "--private-key-type=PEM",
    "--ca-directory=/etc/ssl/certs",
    "--crl-file=crl.pem",
    "--pinnedpubkey=sha256//AAAA",
    "https://h/",
  );
  assert.deepEqual(s.tls, {
    secureProtocol: "TLSv1_3",
    caDirectory: "/etc/ssl/certs",
    certificate: "c.pem",
    privateKey: "k.pem",
    crlFile: "crl.pem",
    pinnedPublicKey: "sha256//AAAA",
  });
  assert.equal(settings("-e", "secureprotocol = PFS", "https://h/").tls?.secureProtocol, "PFS");
});

Deno.test("an unknown --secure-protocol or key type is a usage error (exit 2), as in wget", () => {
  assert.throws(() => settings("--secure-protocol=TLSv1.3", "https://h/"), (e) => {
    assert.ok(e instanceof UsageError);
    assert.equal(
      e.message,
      '--secure-protocol takes one of auto, SSLv2, SSLv3, TLSv1, TLSv1_1, TLSv1_2, TLSv1_3, PFS, not "TLSv1.3"',
    );
    return true;
  });
  assert.throws(() => settings("--certificate-type=foo", "https://h/"), /--certificate-type takes PEM, not "foo"/);
});

Deno.test("DER (or ASN1) certificates and keys are refused in one sentence that says how to convert them", () => {
  assert.throws(
    () => settings("--certificate-type=DER", "https://h/"),
    /^UsageError: --certificate-type=DER is not supported: give the file in PEM \(openssl x509 -inform DER/,
  );
  assert.throws(() => settings("--private-key-type=asn1", "https://h/"), /--private-key-type=asn1 is not supported/);
});

Deno.test("TLS errors exit as wget: 5 for a certificate, its pin or revocation, 1 for an unusable TLS file, 4 else", () => {
  const code = (reason: ConstructorParameters<typeof TlsError>[0]) => describeFailure(new TlsError(reason, "x")).code;
  assert.equal(code("pin"), ExitCode.Tls);
  assert.equal(code("revoked"), ExitCode.Tls);
  assert.equal(code("untrusted"), ExitCode.Tls);
  assert.equal(code("tls-file"), ExitCode.Generic);
  assert.equal(code("handshake"), ExitCode.Network);
});
