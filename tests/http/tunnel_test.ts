/**
 * The CONNECT request and the reader of a proxy's answer: whole, byte by byte, with the tunnel's first bytes behind
 * the head, and malformed or oversized answers.
 *
 * @module
 */

import assert from "node:assert/strict";
import { buildConnectRequest, HttpError, TunnelReader } from "../../src/http/mod.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("buildConnectRequest() writes the authority-form target and Host", () => {
  const r = buildConnectRequest({
    host: "a.test",
    port: 443,
    userAgent: "t/1",
    extraHeaders: [["Proxy-Authorization", "Basic x"]],
  });
  assert.equal(
    new TextDecoder().decode(r),
    "CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\nUser-Agent: t/1\r\nProxy-Authorization: Basic x\r\n\r\n",
  );
  assert.throws(() => buildConnectRequest({ host: "a b", port: 443, userAgent: "t" }), TypeError);
  assert.throws(() => buildConnectRequest({ host: "a", port: 0, userAgent: "t" }), RangeError);
});

Deno.test("TunnelReader reads the answer byte by byte and hands back what followed the head", () => {
  const answer = bytes("HTTP/1.1 200 Connection established\r\nVia: test\r\n\r\n\x16\x03\x03");
  const reader = new TunnelReader();
  let got = null;
  for (let i = 0; i < answer.length && got === null; i++) got = reader.receive(answer.subarray(i, i + 1));
  assert.ok(got !== null);
  assert.equal(got.status, 200);
  assert.equal(got.headers.get("via"), "test");
  assert.deepEqual(got.rest, new Uint8Array(0)); // fed one byte at a time: the head ended exactly
  const whole = new TunnelReader().receive(answer)!;
  assert.deepEqual(whole.rest, bytes("\x16\x03\x03"));
  assert.throws(() => new TunnelReader().receive(bytes("SSH-2.0-x\r\n\r\n")), HttpError);
  assert.throws(() => new TunnelReader().receive(new Uint8Array(70_000)), HttpError);
});
