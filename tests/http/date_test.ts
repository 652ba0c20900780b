/**
 * HTTP dates (RFC 9110 §5.6.7): the three forms a recipient accepts, what is refused, and the IMF-fixdate sent in
 * If-Modified-Since.
 *
 * @module
 */

import assert from "node:assert/strict";
import { formatHttpDate, parseHttpDate } from "../../src/http/mod.ts";

// RFC 9110 §5.6.7's example instant, Sun, 06 Nov 1994 08:49:37 GMT.
const EXAMPLE = 784111777;

Deno.test("parseHttpDate() reads IMF-fixdate, RFC 850 and asctime forms of the same instant", () => {
  assert.equal(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), EXAMPLE);
  assert.equal(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), EXAMPLE);
  assert.equal(parseHttpDate("Sun Nov  6 08:49:37 1994"), EXAMPLE);
  assert.equal(parseHttpDate("  Thu, 02 Jan 2020 03:04:05 GMT "), 1577934245);
});

Deno.test("parseHttpDate() reads a two-digit RFC 850 year below 69 as 20xx, as strptime does", () => {
  assert.equal(parseHttpDate("Thursday, 02-Jan-20 03:04:05 GMT"), 1577934245);
  assert.equal(parseHttpDate("Thursday, 01-Jan-70 00:00:00 GMT"), 0);
});

Deno.test("parseHttpDate() is case-blind in names and ignores a wrong weekday", () => {
  assert.equal(parseHttpDate("sun, 06 NOV 1994 08:49:37 GMT"), EXAMPLE);
  assert.equal(parseHttpDate("Mon, 06 Nov 1994 08:49:37 GMT"), EXAMPLE);
});

Deno.test("parseHttpDate() refuses what is not a date rather than guessing", () => {
  for (
    const text of [
      "",
      "yesterday",
      "Sun, 06 Nov 1994 08:49:37 UTC", // only GMT is allowed
      "Sun, 6 Nov 1994 08:49:37 GMT", // the day has two digits
      "Sun, 06 Foo 1994 08:49:37 GMT",
      "Sun, 31 Feb 2021 08:49:37 GMT", // rolls over into March
      "Sun, 06 Nov 1994 24:00:00 GMT",
      "Sun, 06 Nov 1994 08:60:00 GMT",
      "1577934245",
    ]
  ) {
    assert.equal(parseHttpDate(text), null, text);
  }
});

Deno.test("parseHttpDate() takes a leap second as the next second", () => {
  assert.equal(parseHttpDate("Sat, 31 Dec 2016 23:59:60 GMT"), parseHttpDate("Sun, 01 Jan 2017 00:00:00 GMT"));
});

Deno.test("formatHttpDate() writes IMF-fixdate, and parseHttpDate() reads it back", () => {
  assert.equal(formatHttpDate(EXAMPLE), "Sun, 06 Nov 1994 08:49:37 GMT");
  assert.equal(formatHttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  for (const t of [0, 1, EXAMPLE, 1577934245, 4102444799]) assert.equal(parseHttpDate(formatHttpDate(t)), t);
  assert.throws(() => formatHttpDate(1.5), RangeError);
  assert.throws(() => formatHttpDate(1e15), RangeError);
});

Deno.test("formatHttpDate() agrees with Date for a spread of instants, leap days included", () => {
  for (let t = -86400 * 365; t < 86400 * 365 * 130; t += 86400 * 17 + 3607) {
    assert.equal(formatHttpDate(t), new Date(t * 1000).toUTCString(), String(t));
    assert.equal(parseHttpDate(formatHttpDate(t)), t);
  }
  assert.equal(parseHttpDate("Tue, 29 Feb 2000 00:00:00 GMT"), 951782400);
  assert.equal(parseHttpDate("Thu, 29 Feb 2001 00:00:00 GMT"), null);
  assert.equal(parseHttpDate("Sat, 29 Feb 1900 00:00:00 GMT"), null);
});
