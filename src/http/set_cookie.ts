/**
 * The `Set-Cookie` response field, parsed as a user agent parses it (RFC 6265 §5.2): lenient about what it reads,
 * ignoring an attribute it cannot read rather than the cookie. Where the cookie is stored, and whether it may be, is
 * the jar's business (RFC 6265 §5.3), not this parser's.
 *
 * @module
 */

import { parseCookieDate } from "./date.ts";

/** One `Set-Cookie` field: a cookie and the attributes RFC 6265 §5.2 defines (others are dropped). */
export interface SetCookie {
  /** The cookie's name, never empty. */
  readonly name: string;
  /** Its value as sent (quotes included: RFC 6265 §5.2 keeps them). */
  readonly value: string;
  /** `Domain`, lower case, without its leading dot (§5.2.3); absent: a host-only cookie. */
  readonly domain?: string;
  /** `Path`, when it starts with "/" (§5.2.4); absent: the default path. */
  readonly path?: string;
  /** `Expires`, seconds since the epoch (§5.2.1). */
  readonly expires?: number;
  /** `Max-Age`, seconds from now (§5.2.2); 0 or less asks to remove the cookie. It wins over `Expires` (§5.3). */
  readonly maxAge?: number;
  /** `Secure`: sent over https only (§5.2.5). `HttpOnly` (§5.2.6) hides a cookie from scripts, which a downloader
   * does not run: it is read and dropped. */
  readonly secure: boolean;
}

// Space and horizontal tab, which RFC 6265 §5.2 trims around names, values and attributes.
const WSP = /^[ \t]+|[ \t]+$/g;
// Control characters would break the Cookie field or a cookies.txt line: a field with one is refused (RFC 6265bis
// §5.6 refuses them too), and so is a tab inside a name, value or path.
// deno-lint-ignore no-control-regex -- control characters are what this finds
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
// RFC 6265 §5.2.2: an optional minus and digits, nothing else.
const DELTA_SECONDS = /^-?\d+$/;

/**
 * Parses one `Set-Cookie` field value (RFC 6265 §5.2); returns null when it holds no cookie: no "=" in its first
 * part, an empty name, a control character, or a tab in the name, value or path. When an attribute comes more than once,
 * the last one counts (§5.3 step 3 reads the last of each).
 *
 * @example
 * ```ts
 * parseSetCookie("id=42; Path=/docs; Max-Age=60; Secure");
 * // { name: "id", value: "42", path: "/docs", maxAge: 60, secure: true }
 * parseSetCookie("no-equals-sign"); // null
 * ```
 */
export function parseSetCookie(field: string): SetCookie | null {
  if (CONTROL.test(field)) return null;
  const [pair, ...attributes] = field.split(";");
  const eq = pair.indexOf("=");
  if (eq < 0) return null;
  const name = pair.slice(0, eq).replace(WSP, "");
  const value = pair.slice(eq + 1).replace(WSP, "");
  if (name === "" || /\t/.test(name + value)) return null; // a tab would split a cookies.txt line
  const cookie: { -readonly [K in keyof SetCookie]: SetCookie[K] } = { name, value, secure: false };
  for (const attribute of attributes) {
    const at = attribute.indexOf("=");
    const key = (at < 0 ? attribute : attribute.slice(0, at)).replace(WSP, "").toLowerCase();
    const text = at < 0 ? "" : attribute.slice(at + 1).replace(WSP, "");
    if (key === "expires") {
      const expires = parseCookieDate(text);
      if (expires !== null) cookie.expires = expires;
    } else if (key === "max-age" && DELTA_SECONDS.test(text)) {
      cookie.maxAge = Number(text);
    } else if (key === "domain" && text !== "") {
      // An empty value is undefined behaviour (§5.2.3): the attribute is ignored, as the RFC suggests.
      const domain = text.replace(/^\./, "").toLowerCase();
      if (domain === "") delete cookie.domain;
      else cookie.domain = domain;
    } else if (key === "path") {
      if (text.startsWith("/")) cookie.path = text;
      else delete cookie.path; // §5.2.4: an empty or relative path means the default path
    } else if (key === "secure") {
      cookie.secure = true;
    }
  }
  if (cookie.path?.includes("\t")) return null;
  return cookie;
}
