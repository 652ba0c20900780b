/**
 * HTTP dates (RFC 9110 §5.6.7), as `Last-Modified` carries them and `If-Modified-Since` sends them back. Times are
 * whole seconds since the epoch, the resolution of the format. Pure functions: no clock is read.
 *
 * @module
 */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// IMF-fixdate, the form every sender must use: "Sun, 06 Nov 1994 08:49:37 GMT".
const IMF_FIXDATE = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
// The obsolete RFC 850 form, which recipients must still accept: "Sunday, 06-Nov-94 08:49:37 GMT".
const RFC850_DATE = /^[A-Za-z]{6,9}, (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
// The obsolete asctime() form: "Sun Nov  6 08:49:37 1994" (the day is padded with a space).
const ASCTIME_DATE = /^[A-Za-z]{3} ([A-Za-z]{3}) ( \d|\d{2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/**
 * Parses an HTTP-date in any of the three forms RFC 9110 §5.6.7 makes a recipient accept; returns seconds since the
 * epoch, or null for anything else (an invalid date is ignored, not guessed at). The weekday is not checked against
 * the date. A two-digit RFC 850 year below 69 is 20xx, as POSIX `strptime("%y")` reads it (the RFC's "50 years in
 * the future" rule would need a clock).
 *
 * @example
 * ```ts
 * parseHttpDate("Thu, 02 Jan 2020 03:04:05 GMT"); // 1577934245
 * parseHttpDate("yesterday"); // null
 * ```
 */
export function parseHttpDate(text: string): number | null {
  const value = text.trim();
  let m = IMF_FIXDATE.exec(value);
  if (m !== null) return epochSeconds(m[3], m[2], m[1], m[4], m[5], m[6]);
  m = RFC850_DATE.exec(value);
  if (m !== null) {
    const yy = Number(m[3]);
    return epochSeconds(String(yy < 69 ? 2000 + yy : 1900 + yy), m[2], m[1], m[4], m[5], m[6]);
  }
  m = ASCTIME_DATE.exec(value);
  if (m !== null) return epochSeconds(m[6], m[1], m[2], m[3], m[4], m[5]);
  return null;
}

/**
 * Formats seconds since the epoch as an IMF-fixdate (RFC 9110 §5.6.7), the form `If-Modified-Since` is sent in.
 *
 * @example
 * ```ts
 * formatHttpDate(1577934245); // "Thu, 02 Jan 2020 03:04:05 GMT"
 * ```
 */
export function formatHttpDate(seconds: number): string {
  if (!Number.isSafeInteger(seconds)) throw new RangeError(`Cannot format ${seconds} as an HTTP date`);
  const days = Math.floor(seconds / 86400);
  const [y, m, d] = civilFromDays(days);
  if (y < 0 || y > 9999) throw new RangeError(`Cannot format ${seconds} as an HTTP date: the year is not four digits`);
  const time = seconds - days * 86400;
  const two = (n: number) => String(n).padStart(2, "0");
  const clock = `${two(Math.floor(time / 3600))}:${two(Math.floor(time / 60) % 60)}:${two(time % 60)}`;
  const weekday = WEEKDAYS[(((days % 7) + 7) % 7 + 4) % 7]; // 1 January 1970 was a Thursday
  return `${weekday}, ${two(d)} ${MONTHS[m - 1]} ${String(y).padStart(4, "0")} ${clock} GMT`;
}

// RFC 6265 §5.1.1: the tokens of a cookie-date sit between delimiters, and each may carry trailing non-digits.
const COOKIE_DATE_DELIMITERS = /[\t\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+/;
const COOKIE_TIME = /^(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\D|$)/;
const COOKIE_DAY = /^(\d{1,2})(?:\D|$)/;
const COOKIE_MONTH = /^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/i;
const COOKIE_YEAR = /^(\d{2,4})(?:\D|$)/;

/**
 * Parses the date of a cookie's `Expires` attribute as RFC 6265 §5.1.1 does: tokens in any order, the first that
 * reads as a time, a day of the month, a month and a year (two-digit years: 70–99 are 19xx, 0–69 are 20xx). Returns
 * seconds since the epoch, or null when a part is missing or out of range (the attribute is then ignored).
 *
 * @example
 * ```ts
 * parseCookieDate("Thu, 01-Jan-2037 00:00:00 GMT"); // 2114380800
 * parseCookieDate("never"); // null
 * ```
 */
export function parseCookieDate(text: string): number | null {
  let time: RegExpExecArray | null = null, day: string | null = null, month: string | null = null;
  let year: number | null = null;
  for (const token of text.split(COOKIE_DATE_DELIMITERS)) {
    if (token === "") continue;
    let m: RegExpExecArray | null;
    if (time === null && (m = COOKIE_TIME.exec(token)) !== null) time = m;
    else if (day === null && (m = COOKIE_DAY.exec(token)) !== null) day = m[1];
    else if (month === null && (m = COOKIE_MONTH.exec(token)) !== null) month = m[1];
    else if (year === null && (m = COOKIE_YEAR.exec(token)) !== null) year = Number(m[1]);
  }
  if (time === null || day === null || month === null || year === null) return null;
  if (year < 100) year += year >= 70 ? 1900 : 2000;
  // §5.1.1 step 5 refuses a second above 59, where an HTTP-date allows a leap second.
  if (year < 1601 || Number(time[3]) > 59) return null;
  return epochSeconds(String(year), month, day, time[1], time[2], time[3]);
}

function epochSeconds(year: string, month: string, day: string, hour: string, min: string, sec: string): number | null {
  const m = MONTHS.findIndex((name) => name.toLowerCase() === month.toLowerCase()) + 1;
  const [y, d, h, mi, s] = [year, day, hour, min, sec].map(Number);
  // 60 is a leap second (RFC 5322 §3.3 allows it); it is read as the next second.
  if (m === 0 || d < 1 || d > daysInMonth(y, m) || h > 23 || mi > 59 || s > 60) return null;
  return daysFromCivil(y, m, d) * 86400 + h * 3600 + mi * 60 + s;
}

function daysInMonth(y: number, m: number): number {
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return m === 2 && leap ? 29 : MONTH_DAYS[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date and back (H. Hinnant's "chrono-compatible low-level date
// algorithms"), so that no Date object, and no clock, is involved. Months are 1–12.
function daysFromCivil(year: number, m: number, d: number): number {
  const y = m <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}
