/**
 * The `Strict-Transport-Security` response field (RFC 6797 §6.1), read as a pure function; what a client does with
 * it (the Known HSTS Hosts, the upgrade of http:// URLs) is `src/fetch/hsts.ts`.
 *
 * @module
 */

/** The directives of a `Strict-Transport-Security` field (RFC 6797 §6.1). */
export interface StsDirectives {
  /** max-age, in seconds. */
  readonly maxAge: number;
  /** includeSubDomains was present. */
  readonly includeSubDomains: boolean;
}

// RFC 6797 §6.1: directive = name [ "=" ( token / quoted-string ) ], separated by ";" with optional white space.
const DIRECTIVE =
  /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*(?:([!#$%&'*+.^_`|~0-9A-Za-z-]+)|"((?:[^"\\]|\\.)*)"))?\s*$/;

/**
 * Reads a `Strict-Transport-Security` field value, or null when it is not a valid one (RFC 6797 §6.1): max-age is
 * required and is delta-seconds (quoted or not); no directive may appear twice; unknown directives are ignored;
 * names are case-insensitive. A max-age beyond what a number holds exactly is 2^31 (RFC 9111 §1.2.2).
 *
 * @example
 * ```ts
 * parseStsField("max-age=31536000; includeSubDomains"); // { maxAge: 31536000, includeSubDomains: true }
 * ```
 */
export function parseStsField(value: string): StsDirectives | null {
  const seen = new Map<string, string | undefined>();
  for (const part of value.split(";")) {
    if (part.trim() === "") continue;
    const m = DIRECTIVE.exec(part);
    if (m === null) return null;
    const name = m[1].toLowerCase();
    if (seen.has(name)) return null;
    seen.set(name, m[2] ?? m[3]?.replace(/\\(.)/g, "$1"));
  }
  const maxAge = seen.get("max-age");
  if (maxAge === undefined || !/^\d+$/.test(maxAge)) return null;
  const n = Number(maxAge);
  return { maxAge: Number.isSafeInteger(n) ? n : 2 ** 31, includeSubDomains: seen.has("includesubdomains") };
}
