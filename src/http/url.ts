/**
 * The user's URL: parsing (WHATWG `URL`, a pure built-in), the checks rawhttpget adds, redirect resolution, and the
 * name of the file to save.
 *
 * @module
 */

import { tryParseIpv4Address } from "../wire/mod.ts";
import { quote, UrlError } from "./errors.ts";

/** A URL rawhttpget may fetch (http, or https over TLS). */
export interface ParsedUrl {
  /** "http" or "https". */
  readonly scheme: "http" | "https";
  /** Lower-case host name (IDNA A-label form) or dotted-quad IPv4 literal. */
  readonly host: string;
  /** Whether `host` is an IPv4 literal (no name resolution needed). */
  readonly isIpv4: boolean;
  /** The port to connect to. */
  readonly port: number;
  /** The scheme's default port (80 or 443). */
  readonly defaultPort: number;
  /** Origin-form request target: path plus query, fragment dropped, always starting with "/". */
  readonly path: string;
  /** The normalised URL without its fragment and without credentials (safe to print). */
  readonly href: string;
  /** The user name of `user:password@host`, percent-decoded; never part of `href`. */
  readonly user?: string;
  /** The password of `user:password@host`, percent-decoded; never part of `href`. */
  readonly password?: string;
}

/** Longest file name produced, in UTF-8 bytes (below Linux NAME_MAX of 255, leaving room for a ".1" suffix). */
export const MAX_FILE_NAME_BYTES = 240;

const DEFAULT_PORTS = { http: 80, https: 443 } as const;
// deno-lint-ignore no-control-regex -- C0 and C1 controls (and U+FFFD from bad UTF-8) are what this strips
const UNSAFE_IN_NAME = /[\x00-\x1f\x7f-\x9f\ufffd]/g;

/**
 * Parses a URL given on the command line. A missing scheme means http when a host comes first (`host/path`,
 * `host:8080/path`), as wget does; a URL that starts with "/" or ":" has neither scheme nor host and is refused (wget:
 * "Scheme missing").
 *
 * @example
 * ```ts
 * parseUrl("http://Example.com:8080/a/b.tar.gz?x=1#top");
 * // { scheme: "http", host: "example.com", port: 8080, path: "/a/b.tar.gz?x=1", ... }
 * parseUrl("example.com/a"); // http://example.com/a
 * ```
 */
export function parseUrl(input: string): ParsedUrl {
  rejectControls(input);
  // Read as http://, "/foo/bar" would name a host "foo": a path is not a URL.
  if (input.startsWith("/") || input.startsWith(":")) {
    throw new UrlError("missing-scheme", `Cannot fetch ${shown(input)}: the scheme and host are missing`);
  }
  const withScheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(input) && !/^[^:/]+:[0-9]/.test(input)
    ? input
    : `http://${input}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UrlError("bad-url", `Cannot parse URL ${shown(input)}`);
  }
  return checked(url, input);
}

/**
 * Resolves a redirect's `Location` value against the URL that answered (RFC 9110 §10.2.2), with the same checks.
 *
 * @example
 * ```ts
 * resolveLocation(parseUrl("http://a.example/x/y"), "../z").href; // "http://a.example/z"
 * ```
 */
export function resolveLocation(base: ParsedUrl, location: string): ParsedUrl {
  rejectControls(location);
  let url: URL;
  try {
    url = new URL(location, base.href);
  } catch {
    throw new UrlError("bad-url", `Cannot resolve redirect location ${quote(location)}`);
  }
  return checked(url, location);
}

function rejectControls(input: string): void {
  // WHATWG URL silently strips tabs and newlines and trims spaces; a URL that needed that is refused instead.
  // deno-lint-ignore no-control-regex -- control characters are what this rejects
  const bad = /[\x00-\x20\x7f-\x9f]/.exec(input);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).padStart(2, "0");
    throw new UrlError("bad-character", `URL ${shown(input)} contains a space or control character (0x${code})`);
  }
}

function checked(url: URL, input: string): ParsedUrl {
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== "http" && scheme !== "https") {
    throw new UrlError("unsupported-scheme", `Cannot fetch ${shown(input)}: scheme ${quote(scheme)} is not supported`);
  }
  if (url.hostname.startsWith("[")) {
    throw new UrlError("ipv6-literal", `Cannot fetch ${shown(input)}: IPv6 addresses are not supported yet`);
  }
  // RFC 3986 §3.2.1 userinfo: kept apart for authentication, and taken out of every URL we print or send.
  const user = url.username === "" && url.password === "" ? undefined : decodeURIComponent(url.username);
  const password = url.password === "" ? undefined : decodeURIComponent(url.password);
  url.username = "";
  url.password = "";
  if (url.hostname === "") throw new UrlError("bad-url", `URL ${shown(input)} has no host`);
  const defaultPort = DEFAULT_PORTS[scheme];
  url.hash = "";
  return {
    scheme,
    host: url.hostname,
    // WHATWG URL has already turned 0x7f.1 and similar forms into the canonical dotted quad the strict parser reads.
    isIpv4: tryParseIpv4Address(url.hostname) !== null,
    port: url.port === "" ? defaultPort : Number(url.port),
    defaultPort,
    path: (url.pathname || "/") + url.search,
    href: url.href,
    ...(user === undefined ? {} : { user }),
    ...(password === undefined ? {} : { password }),
  };
}

/**
 * Derives the output file name from the last path segment: percent-decoded, then made safe to create in the current
 * directory (no "/" or "\\", no control characters, not "." or ".."), `index.html` when nothing usable is left, and
 * cut to `MAX_FILE_NAME_BYTES` UTF-8 bytes keeping a short extension.
 *
 * @example
 * ```ts
 * fileNameFor(parseUrl("http://h/dir/a%20b.txt?q")); // "a b.txt"
 * fileNameFor(parseUrl("http://h/dir/")); // "index.html"
 * ```
 */
export function fileNameFor(url: ParsedUrl): string {
  const pathname = url.path.replace(/\?.*$/s, "");
  const segment = pathname.slice(pathname.lastIndexOf("/") + 1);
  let name = percentDecode(segment)
    .replace(/[/\\]/g, "_")
    .replace(UNSAFE_IN_NAME, "_");
  // Dot-only names ("." and ".." above all) would name a directory, not a file.
  if (/^\.*$/.test(name)) name = "index.html";
  return truncateName(name, MAX_FILE_NAME_BYTES);
}

/** Decodes %XX escapes as UTF-8; malformed escapes are left as they are, invalid UTF-8 becomes U+FFFD. */
function percentDecode(s: string): string {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...encoder.encode(s[i]));
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** Cuts a name to `maxBytes` UTF-8 bytes at a code point boundary, keeping an extension of up to 16 characters. */
function truncateName(name: string, maxBytes: number): string {
  const size = (s: string) => new TextEncoder().encode(s).length;
  if (size(name) <= maxBytes) return name;
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : "";
  let stem = "";
  const budget = maxBytes - size(ext);
  for (const ch of name.slice(0, name.length - ext.length)) {
    if (size(stem + ch) > budget) break;
    stem += ch;
  }
  return stem + ext;
}

/** The input for a message, with the password of any `user:password@` replaced by `*` (never echoed). */
function shown(input: string): string {
  return quote(input.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#@]*)@/, (_m, scheme: string, info: string) => {
    const colon = info.indexOf(":");
    return `${scheme}${colon < 0 ? info : `${info.slice(0, colon)}:*`}@`;
  }));
}
