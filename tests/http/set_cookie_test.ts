/**
 * The Set-Cookie parser and the cookie-date algorithm of RFC 6265 §5.1.1 and §5.2.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseCookieDate, parseSetCookie } from "../../src/http/mod.ts";

const JAN_2037 = 2114380800; // Thu, 01 Jan 2037 00:00:00 GMT

Deno.test("parseCookieDate() reads the date forms servers send, tokens in any order", () => {
  for (
    const text of [
      "Thu, 01 Jan 2037 00:00:00 GMT",
      "Thu, 01-Jan-2037 00:00:00 GMT",
      "Thursday, 01-Jan-37 00:00:00 GMT",
      "Thu Jan  1 00:00:00 2037",
      "00:00:00 2037 january 1",
      "Thu, 01 Jan 2037 00:00:00 +0000 (ignored)",
    ]
  ) {
    assert.equal(parseCookieDate(text), JAN_2037, text);
  }
  assert.equal(parseCookieDate("01 Jan 70 00:00:01"), 1); // 70–99 are 19xx
  assert.equal(parseCookieDate("01 Jan 69 00:00:00"), Date.UTC(2069, 0, 1) / 1000); // 0–69 are 20xx
});

Deno.test("parseCookieDate() refuses a date with a part missing or out of range", () => {
  for (
    const text of [
      "",
      "never",
      "Thu, 01 Jan 2037", // no time
      "Thu, Jan 2037 00:00:00 GMT", // no day
      "Thu, 01 2037 00:00:00 GMT", // no month
      "Thu, 31 Feb 2037 00:00:00 GMT", // no such day
      "Thu, 01 Jan 1600 00:00:00 GMT", // before 1601
      "Thu, 01 Jan 2037 24:00:00 GMT",
      "Thu, 01 Jan 2037 00:60:00 GMT",
      "Thu, 01 Jan 2037 00:00:60 GMT",
    ]
  ) {
    assert.equal(parseCookieDate(text), null, text);
  }
});

Deno.test("parseSetCookie() reads the pair and the attributes it knows, trimmed, the last of each counting", () => {
  assert.deepEqual(
    parseSetCookie(' id = "a b" ; Path=/docs/; DOMAIN=.Example.COM; secure; HttpOnly; SameSite=Lax; Path=/x'),
    { name: "id", value: '"a b"', path: "/x", domain: "example.com", secure: true },
  );
  assert.deepEqual(parseSetCookie("a=b=c; Max-Age=60; Expires=Thu, 01 Jan 2037 00:00:00 GMT"), {
    name: "a",
    value: "b=c",
    maxAge: 60,
    expires: JAN_2037,
    secure: false,
  });
  assert.deepEqual(parseSetCookie("empty="), { name: "empty", value: "", secure: false });
});

Deno.test("parseSetCookie() ignores an attribute it cannot read, not the cookie", () => {
  const plain = { name: "a", value: "1", secure: false };
  for (
    const field of [
      "a=1; Max-Age=abc",
      "a=1; Max-Age=1.5",
      "a=1; Max-Age=",
      "a=1; Expires=someday",
      "a=1; Domain=",
      "a=1; Path=relative",
      "a=1; Path=",
      "a=1; Path=/p; Path=",
      "a=1; Domain=h.test; Domain=.",
      "a=1;;  ; Unknown=x",
    ]
  ) {
    assert.deepEqual(parseSetCookie(field), plain, field);
  }
  assert.equal(parseSetCookie("a=1; Max-Age=-5")?.maxAge, -5);
});

Deno.test("parseSetCookie() refuses a field without a cookie, or with a control character", () => {
  for (
    const field of [
      "",
      "novalue",
      "=v",
      "  =v; Path=/",
      ";a=1",
      "a\x01=1",
      "a=1\x7f",
      "a=1; Path=/\x00",
      "a\tb=1",
      "a=1\t2",
      "a=1; Path=/\tx",
    ]
  ) {
    assert.equal(parseSetCookie(field), null, JSON.stringify(field));
  }
});
