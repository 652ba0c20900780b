/**
 * The cookies of a run: stored from `Set-Cookie` (RFC 6265 §5.3), sent in `Cookie` (§5.4), kept across the hops and
 * URLs of one command line, and kept as wget 1.21 keeps them so that the cookies.txt files it reads and writes are
 * ours too.
 *
 * Choices (wget's unless said):
 * - A cookie without `Domain` is host-only (§5.3 step 6); set from a port other than 80 and 443, it is also bound to
 *   that port (wget's rule, stricter than §8.5, which gives ports no isolation).
 * - A `Domain` must domain-match the host (§5.1.3; an IP address only itself). There is no public suffix list (wget
 *   without libpsl): a two-label domain is refused unless its top level is com, edu, net, org, gov, mil or int, or its
 *   other label is longer than three characters.
 * - Without `Path`, the path is the request's up to and including its last "/" (§5.1.4 stops before that "/"); a
 *   `Path` that the request's path does not start with is refused.
 * - `Max-Age` wins over `Expires` (§5.3 step 3; wget takes whichever comes last); an expiry in the past removes the
 *   cookie it replaces.
 * - A cookie replaces the one of the same domain, path, name and port. The newest of a domain comes first: the order
 *   cookies.txt is written in.
 * - Sent: unexpired, `Secure` only over https, only to its port when bound, to a host its domain matches, to a path
 *   its path matches on a "/" boundary (§5.1.4; wget compares plain prefixes). Longer domains first, then longer
 *   paths, then by name and value; a name=value pair that two cookies share is sent once.
 *
 * @module
 */

import { type ParsedUrl, parseSetCookie, type SetCookie } from "../http/mod.ts";

/** One stored cookie. Times are whole seconds since the epoch. */
export interface Cookie {
  /** Its name. */
  readonly name: string;
  /** Its value. */
  readonly value: string;
  /** Lower-case host or domain, without a leading dot. */
  readonly domain: string;
  /** Sent to the host `domain` only (no `Domain` attribute); otherwise to its subdomains too. */
  readonly hostOnly: boolean;
  /** The only port it is sent to, or null for any. */
  readonly port: number | null;
  /** The path it is sent under. */
  readonly path: string;
  /** Sent over https only. */
  readonly secure: boolean;
  /** When it expires; null for a session cookie, which lives as long as the run (saved only when asked). */
  readonly expires: number | null;
}

/** What of a URL the jar reads. */
export type CookieUrl = Pick<ParsedUrl, "scheme" | "host" | "port" | "path">;

const IPV4_LITERAL = /^\d+\.\d+\.\d+\.\d+$/;

/** A dotted quad, or an IPv6 literal (the only hosts with a colon; `::ffff:198.18.0.1` has dots too). */
function isIpLiteral(host: string): boolean {
  return IPV4_LITERAL.test(host) || host.includes(":");
}
// wget's top-level domains under which a two-label domain may be a cookie's whatever its length.
const KNOWN_TOP_LEVEL = new Set(["com", "edu", "net", "org", "gov", "mil", "int"]);
// Header fields arrive as Latin-1 text, one character per byte; cookies go back as UTF-8 (how requests are encoded).
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** The cookies of a run, by domain. */
export class CookieJar {
  /** Cookies by domain, newest first. */
  readonly #chains = new Map<string, Cookie[]>();

  /**
   * Stores `cookie`, replacing the one of the same domain, path, name and port (as a file is loaded, too).
   *
   * @example
   * ```ts
   * jar.add({ name: "id", value: "1", domain: "h.test", hostOnly: true, port: null, path: "/", secure: false,
   *   expires: null });
   * ```
   */
  add(cookie: Cookie): void {
    const chain = this.#without(cookie);
    chain.unshift(cookie);
    this.#chains.set(cookie.domain, chain);
  }

  /**
   * Reads one `Set-Cookie` field of a response to `url` at `now`: stores the cookie, removes the one it expires, or
   * ignores it. Returns a sentence for the user when a field is ignored for a reason worth telling, else null.
   *
   * @example
   * ```ts
   * jar.receive(parseUrl("http://h.test/a/b"), "id=1; Max-Age=60", now); // null: stored, path "/a/"
   * ```
   */
  receive(url: CookieUrl, field: string, now: number): string | null {
    const set = parseSetCookie(fromLatin1(field) ?? "");
    if (set === null) return `Ignored a Set-Cookie field that holds no cookie: ${JSON.stringify(field.slice(0, 80))}`;
    let domain = url.host, hostOnly = true;
    if (set.domain !== undefined) {
      if (!mayServe(set.domain, url.host)) {
        return `Ignored the cookie "${set.name}": ${url.host} may not set a cookie for ${set.domain}`;
      }
      [domain, hostOnly] = [set.domain, false];
    }
    const path = uriPath(url.path);
    // wget refuses a Path the request is not under: a server sets cookies for its own part of the site only.
    if (set.path !== undefined && !path.startsWith(set.path)) return null;
    const cookie: Cookie = {
      name: set.name,
      value: set.value,
      domain,
      hostOnly,
      port: hostOnly && url.port !== 80 && url.port !== 443 ? url.port : null,
      path: set.path ?? path.slice(0, path.lastIndexOf("/") + 1),
      secure: set.secure,
      expires: expiry(set, now),
    };
    if (cookie.expires !== null && cookie.expires < now) {
      const rest = this.#without(cookie);
      if (rest.length > 0) this.#chains.set(domain, rest);
      else this.#chains.delete(domain);
    } else {
      this.add(cookie);
    }
    return null;
  }

  /**
   * The `Cookie` field value for a request to `url` at `now`, or null when no cookie goes with it.
   *
   * @example
   * ```ts
   * jar.header(parseUrl("http://h.test/a/c"), now); // "id=1"
   * ```
   */
  header(url: CookieUrl, now: number): string | null {
    const path = uriPath(url.path);
    const chosen = new Map<string, Cookie>();
    for (const domain of domainsOf(url.host)) {
      for (const c of this.#chains.get(domain) ?? []) {
        if (c.expires !== null && c.expires < now) continue;
        if (c.secure && url.scheme !== "https") continue;
        if (c.port !== null && c.port !== url.port) continue;
        if (c.hostOnly && c.domain !== url.host) continue;
        // Of two cookies with the same name and value, wget sends the one it meets last.
        if (pathMatches(path, c.path)) chosen.set(`${c.name}=${c.value}`, c);
      }
    }
    if (chosen.size === 0) return null;
    return [...chosen.values()].sort(byPrecedence).map((c) => `${c.name}=${c.value}`).join("; ");
  }

  /**
   * Every cookie, expired ones included, domain by domain, newest first.
   *
   * @example
   * ```ts
   * [...jar.cookies()].length; // 1
   * ```
   */
  *cookies(): IterableIterator<Cookie> {
    for (const chain of this.#chains.values()) yield* chain;
  }

  /** The chain of `cookie`'s domain without the cookie it would replace. */
  #without(cookie: Cookie): Cookie[] {
    return (this.#chains.get(cookie.domain) ?? []).filter((c) =>
      c.path !== cookie.path || c.name !== cookie.name || c.port !== cookie.port
    );
  }
}

/** A Latin-1 field as the UTF-8 text it holds, or null when its bytes are not UTF-8. */
function fromLatin1(field: string): string | null {
  if (!/[\u0080-\uffff]/.test(field)) return field;
  if (/[\u0100-\uffff]/.test(field)) return null;
  try {
    return UTF8.decode(Uint8Array.from(field, (ch) => ch.charCodeAt(0)));
  } catch {
    return null;
  }
}

/** The expiry of a cookie received at `now`: `Max-Age` first (RFC 6265 §5.3 step 3), then `Expires`. */
function expiry(set: SetCookie, now: number): number | null {
  if (set.maxAge !== undefined) return set.maxAge <= 0 ? 0 : Math.min(now + set.maxAge, Number.MAX_SAFE_INTEGER);
  return set.expires ?? null;
}

/** Whether `host` may set a cookie for `domain` (RFC 6265 §5.3 step 6, with wget's guard for public suffixes). */
function mayServe(domain: string, host: string): boolean {
  if (domain === host) return true;
  if (isIpLiteral(host) || !host.endsWith(`.${domain}`)) return false;
  const labels = domain.replace(/\.$/, "").split(".");
  if (labels.length < 2 || labels.includes("")) return false;
  return labels.length > 2 || KNOWN_TOP_LEVEL.has(labels[1]) || labels[0].length > 3;
}

/** The domains whose cookies may go to `host`: itself, then each parent but the top level (an IP address: itself). */
function domainsOf(host: string): string[] {
  if (isIpLiteral(host)) return [host];
  const labels = host.split(".");
  return labels.slice(0, Math.max(1, labels.length - 1)).map((_, i) => labels.slice(i).join("."));
}

/** RFC 6265 §5.1.4: the cookie path is the request path, or a prefix of it that ends at a "/". */
function pathMatches(path: string, cookiePath: string): boolean {
  if (!path.startsWith(cookiePath)) return false;
  return path.length === cookiePath.length || cookiePath.endsWith("/") || path[cookiePath.length] === "/";
}

/** The path of a request target, without its query. */
function uriPath(target: string): string {
  const end = target.search(/[?#]/);
  return end < 0 ? target : target.slice(0, end);
}

/** The order of the Cookie field: longer domain, longer path, then name and value (wget's). */
function byPrecedence(a: Cookie, b: Cookie): number {
  return b.domain.length - a.domain.length || b.path.length - a.path.length || compare(a.name, b.name) ||
    compare(a.value, b.value);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
