/**
 * Challenges and credentials: `WWW-Authenticate` lists with several schemes, quoting and token68; Basic per RFC
 * 7617; Digest against the worked examples of RFC 7616 §3.9.1 (MD5 and SHA-256).
 *
 * @module
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  basicCredentials,
  type DigestAlgorithm,
  digestAlgorithm,
  digestCredentials,
  HttpError,
  parseChallenges,
} from "../../src/http/mod.ts";

const hash = (alg: DigestAlgorithm, text: string) =>
  createHash(alg === "MD5" ? "md5" : "sha256").update(text, "utf8").digest("hex");
const asObject = (c: { scheme: string; params: ReadonlyMap<string, string>; token68?: string }) => ({
  scheme: c.scheme,
  params: Object.fromEntries(c.params),
  token68: c.token68,
});

Deno.test("parseChallenges() splits a list of challenges with parameters, quotes and a token68", () => {
  const got = parseChallenges([
    'Digest realm="a, b", nonce="x\\"y", qop="auth,auth-int", algorithm=MD5, Basic realm="r"',
    "Negotiate abc123==",
    "Bearer",
  ]).map(asObject);
  assert.deepEqual(got, [
    {
      scheme: "digest",
      params: { realm: "a, b", nonce: 'x"y', qop: "auth,auth-int", algorithm: "MD5" },
      token68: undefined,
    },
    { scheme: "basic", params: { realm: "r" }, token68: undefined },
    { scheme: "negotiate", params: {}, token68: "abc123==" },
    { scheme: "bearer", params: {}, token68: undefined },
  ]);
  assert.throws(() => parseChallenges(['Basic realm="open']), HttpError);
});

Deno.test("basicCredentials() encodes user:password as UTF-8 base64 (RFC 7617 §2 and §2.1)", () => {
  assert.equal(basicCredentials("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  assert.equal(basicCredentials("test", "123£"), "Basic dGVzdDoxMjPCow==");
});

const RFC_7616 = (algorithm: string) =>
  parseChallenges([
    `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, ` +
    'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
  ])[0];

for (
  const [algorithm, response] of [
    ["MD5", "8ca523f5e9506fed4657c9700eebdbec"],
    ["SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"],
  ]
) {
  Deno.test(`digestCredentials() reproduces RFC 7616 §3.9.1 with ${algorithm}`, () => {
    const challenge = RFC_7616(algorithm);
    assert.equal(digestAlgorithm(challenge), algorithm);
    const value = digestCredentials({
      user: "Mufasa",
      password: "Circle of Life",
      method: "GET",
      uri: "/dir/index.html",
      challenge,
      cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
      nonceCount: 1,
      hash,
    });
    assert.match(value, new RegExp(`^Digest username="Mufasa", realm="http-auth@example.org", `));
    assert.ok(value.includes(`response="${response}"`), value);
    assert.ok(value.includes("qop=auth, nc=00000001, cnonce="), value);
    assert.ok(value.includes('opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'), value);
  });
}

Deno.test("digestAlgorithm() refuses what this client cannot answer", () => {
  const one = (v: string) => parseChallenges([v])[0];
  assert.equal(digestAlgorithm(one('Digest realm="r", nonce="n", algorithm=SHA-512-256')), null);
  assert.equal(digestAlgorithm(one('Digest realm="r", nonce="n", algorithm=MD5-sess')), null);
  assert.equal(digestAlgorithm(one('Digest realm="r", nonce="n", qop="auth-int"')), null);
  assert.equal(digestAlgorithm(one('Digest realm="r"')), null);
  assert.equal(digestAlgorithm(one('Digest realm="r", nonce="n"')), "MD5");
});
