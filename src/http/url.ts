/**
 * The user's URL: parsing (WHATWG `URL`, a pure built-in), the checks rawhttpget adds, redirect resolution, and the
 * name of the file to save.
 *
 * @module
 */

import { tryParseIpv4Address, tryParseIpv6Address } from "../wire/mod.ts";
import { bytesAsName, type Charset, UTF8 } from "./charset.ts";
import { type FileNameRules, restrictFileName } from "./file_name_rules.ts";
import { quote, UrlError } from "./errors.ts";

/** A URL rawhttpget may fetch (http, or https over TLS). */
export interface ParsedUrl {
  /** "http" or "https". */
  readonly scheme: "http" | "https";
  /**
   * Lower-case host name (IDNA A-label form), dotted-quad IPv4 literal, or IPv6 literal in RFC 5952 canonical text
   * without its brackets (`2001:2::1`, as wget keeps it): {@linkcode uriHost} puts the brackets back for a Host field,
   * a request target or a message.
   */
  readonly host: string;
  /**
   * The name to look up when it is not `host`: with `--no-iri`, a host outside ASCII is looked up as typed, as wget
   * does (`host` is then its %XX form, which a Host field may carry).
   */
  readonly lookupHost?: string;
  /** Whether `host` is an IPv4 literal (no name resolution needed). */
  readonly isIpv4: boolean;
  /** Whether `host` is an IPv6 literal (`http://[2001:2::1]/`; no name resolution needed). */
  readonly isIpv6: boolean;
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

/**
 * How URLs and names are read, as wget's IRI options say (`--iri`, `--local-encoding`, `--remote-encoding`); every
 * field is optional, the defaults being IRIs in UTF-8.
 */
export interface UrlEncodings {
  /**
   * IRIs (default true, `--no-iri`: false): a host outside ASCII is looked up as its IDNA A-label (punycode), and a
   * URL's bytes outside ASCII, raw or %XX, are read in `local` (the command line) or `remote` (a redirect) and sent
   * as UTF-8. false: URLs are sent as given, bytes as %XX, and a host outside ASCII as typed.
   */
  readonly iri?: boolean;
  /** The encoding of the command line and of the names of saved files (default UTF-8). */
  readonly local?: Charset;
  /** The encoding of the server's paths and file names (default UTF-8); redirects are read in it (else `local`). */
  readonly remote?: Charset;
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
export function parseUrl(input: string, encodings: UrlEncodings = {}): ParsedUrl {
  rejectControls(input);
  // Read as http://, "/foo/bar" would name a host "foo": a path is not a URL.
  if (input.startsWith("/") || input.startsWith(":")) {
    throw new UrlError("missing-scheme", `Cannot fetch ${shown(input)}: the scheme and host are missing`);
  }
  const withScheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(input) && !/^[^:/]+:[0-9]/.test(input)
    ? input
    : `http://${input}`;
  const iri = encodings.iri ?? true;
  // Deno hands us the arguments decoded as UTF-8: their bytes are what the command line held.
  const text = iriText(new TextEncoder().encode(withScheme), iri ? encodings.local ?? UTF8 : null);
  rejectZoneId(text, input);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw unparsable(text, `Cannot parse URL ${shown(input)}`);
  }
  return checked(url, input, iri ? undefined : typedHost(withScheme));
}

/**
 * Resolves a redirect's `Location` value against the URL that answered (RFC 9110 §10.2.2), with the same checks.
 *
 * @example
 * ```ts
 * resolveLocation(parseUrl("http://a.example/x/y"), "../z").href; // "http://a.example/z"
 * ```
 */
export function resolveLocation(base: ParsedUrl, location: string, encodings: UrlEncodings = {}): ParsedUrl {
  // A header arrives one character per byte: its bytes outside ASCII are read in the remote encoding, as wget does.
  const charset = (encodings.iri ?? true) ? encodings.remote ?? encodings.local ?? UTF8 : null;
  const text = iriText(Uint8Array.from(location, (ch) => ch.charCodeAt(0) & 0xff), charset);
  rejectControls(text);
  rejectZoneId(text, location);
  let url: URL;
  try {
    url = new URL(text, base.href);
  } catch {
    throw unparsable(text, `Cannot resolve redirect location ${quote(location)}`);
  }
  return checked(url, location);
}

/**
 * A URL's bytes as the text given to WHATWG `URL` (which sends what is outside ASCII as UTF-8 %XX, and turns a host
 * into its A-label): read in `charset` (other than UTF-8: its %XX of bytes outside ASCII first decoded, as wget's
 * `remote_to_utf8` does); null (`--no-iri`), or bytes not valid in `charset`: every byte outside ASCII as %XX.
 */
function iriText(bytes: Uint8Array, charset: Charset | null): string {
  if (charset !== null && charset.name === UTF8.name) return UTF8.decode(bytes) ?? escapeHigh(bytes);
  if (charset !== null) {
    const raw: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const hex = bytes[i] === 0x25 ? String.fromCharCode(bytes[i + 1], bytes[i + 2]) : "";
      if (/^[89A-Fa-f][0-9A-Fa-f]$/.test(hex)) {
        raw.push(parseInt(hex, 16));
        i += 2;
      } else {
        raw.push(bytes[i]);
      }
    }
    const text = charset.decode(Uint8Array.from(raw));
    if (text !== null) return text;
  }
  return escapeHigh(bytes);
}

/** ASCII text with every byte outside ASCII as %XX. */
function escapeHigh(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  return out;
}

/** The host of a URL as typed, when it is not ASCII (what `--no-iri` looks up), else undefined. */
function typedHost(url: string): string | undefined {
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(url)?.[1] ?? "";
  const host = authority.slice(authority.lastIndexOf("@") + 1).replace(/:\d*$/, "");
  return /[\u0080-\uffff]/.test(host) && !host.startsWith("[") ? host.toLowerCase() : undefined;
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

/** The authority of an absolute URL (`scheme://authority/…`), or null when `text` has none. */
function authorityOf(text: string): string | null {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(text)?.[1] ?? null;
}

/**
 * Refuses an IPv6 literal with a zone id (RFC 6874 `[fe80::1%25eth0]`): it names one of this machine's interfaces,
 * which a URL sent to a server must not carry (RFC 6874 §4), and which wget 1.21 refuses too ("Invalid IPv6 numeric
 * address"). WHATWG URL would only say "Invalid URL".
 */
function rejectZoneId(text: string, input: string): void {
  const authority = authorityOf(text);
  if (authority !== null && /\[[^\]]*%/.test(authority)) {
    throw new UrlError(
      "ipv6-literal",
      `Cannot fetch ${shown(input)}: an IPv6 address with a zone id (the part after "%") is not supported`,
    );
  }
}

/** The error for a URL WHATWG `URL` refused: said plainly when its host is a malformed IPv6 literal. */
function unparsable(text: string, message: string): UrlError {
  const authority = authorityOf(text);
  if (authority !== null && authority.includes("[")) {
    return new UrlError("ipv6-literal", `${message}: its host is not a valid IPv6 address in brackets`);
  }
  return new UrlError("bad-url", message);
}

/**
 * `host` as a URL authority writes it: an IPv6 literal in brackets (RFC 3986 §3.2.2), anything else as it is. Only
 * an IPv6 literal holds a colon (a name or IPv4 literal never does).
 *
 * @example
 * ```ts
 * uriHost("2001:2::1"); // "[2001:2::1]"
 * uriHost("example.com"); // "example.com"
 * ```
 */
export function uriHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * `host:port` as a URL authority writes it, for `CONNECT` targets and messages: `[2001:2::1]:8080`.
 *
 * @example
 * ```ts
 * hostPort("2001:2::1", 443); // "[2001:2::1]:443"
 * ```
 */
export function hostPort(host: string, port: number): string {
  return `${uriHost(host)}:${port}`;
}

function checked(url: URL, input: string, asTyped?: string): ParsedUrl {
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== "http" && scheme !== "https") {
    throw new UrlError("unsupported-scheme", `Cannot fetch ${shown(input)}: scheme ${quote(scheme)} is not supported`);
  }
  // WHATWG URL has already checked a bracketed literal and written it compressed and in lower case (URL Standard
  // §3.6 "IPv6 serializer"); it is kept as our own parser's RFC 5952 text, which other addresses are compared with.
  const ipv6 = url.hostname.startsWith("[") ? tryParseIpv6Address(url.hostname.slice(1, -1)) : null;
  if (url.hostname.startsWith("[") && ipv6 === null) {
    throw new UrlError("ipv6-literal", `Cannot fetch ${shown(input)}: its host is not a valid IPv6 address`);
  }
  // RFC 3986 §3.2.1 userinfo: kept apart for authentication, and taken out of every URL we print or send.
  const user = url.username === "" && url.password === "" ? undefined : decodeURIComponent(url.username);
  const password = url.password === "" ? undefined : decodeURIComponent(url.password);
  url.username = "";
  url.password = "";
  if (url.hostname === "") throw new UrlError("bad-url", `URL ${shown(input)} has no host`);
  const defaultPort = DEFAULT_PORTS[scheme];
  url.hash = "";
  // --no-iri: the host is looked up as typed (wget shows it %-escaped in the URL), not as WHATWG's A-label.
  const href = asTyped === undefined
    ? url.href
    : url.href.replace(`//${url.hostname}`, `//${escapeHigh(new TextEncoder().encode(asTyped))}`);
  return {
    scheme,
    host: ipv6 ?? (asTyped === undefined ? url.hostname : escapeHigh(new TextEncoder().encode(asTyped))),
    ...(asTyped === undefined ? {} : { lookupHost: asTyped }),
    // WHATWG URL has already turned 0x7f.1 and similar forms into the canonical dotted quad the strict parser reads.
    isIpv4: tryParseIpv4Address(url.hostname) !== null,
    isIpv6: ipv6 !== null,
    port: url.port === "" ? defaultPort : Number(url.port),
    defaultPort,
    path: (url.pathname || "/") + url.search,
    href,
    ...(user === undefined ? {} : { user }),
    ...(password === undefined ? {} : { password }),
  };
}

/**
 * Derives the output file name from the last path segment: percent-decoded and read in the remote encoding, then
 * made safe by {@linkcode safeFileName} (under `rules`, when `--restrict-file-names` gives them), `index.html` when
 * nothing usable is left.
 *
 * @example
 * ```ts
 * fileNameFor(parseUrl("http://h/dir/a%20b.txt?q")); // "a b.txt"
 * fileNameFor(parseUrl("http://h/dir/")); // "index.html"
 * ```
 */
export function fileNameFor(url: ParsedUrl, encodings: UrlEncodings = {}, rules?: FileNameRules): string {
  const pathname = url.path.replace(/\?.*$/s, "");
  const segment = pathname.slice(pathname.lastIndexOf("/") + 1);
  const bytes = percentDecode(segment);
  // Bytes that are not valid in the remote encoding become U+FFFD, which the name rules replace.
  const text = (encodings.remote ?? UTF8).decode(bytes) ?? new TextDecoder().decode(bytes);
  return safeFileName(text, encodings.local, rules) ?? safeFileName("index.html", encodings.local, rules)!;
}

/**
 * A name from the server (a URL's last path segment, a Content-Disposition filename) made safe to create in the
 * output directory: "/" and "\\" and control characters (and U+FFFD) become "_", a name of dots only ("." and ".."
 * above all, which would name a directory) is refused (null), and the name is cut to `MAX_FILE_NAME_BYTES` UTF-8
 * bytes keeping a short extension. Written in `local` (default UTF-8; a name with a character `local` lacks stays
 * in UTF-8, as wget leaves it); bytes that are not UTF-8 are carried as described in charset.ts. With `rules`
 * (`--restrict-file-names`), wget's escaping replaces the "_" rule: see file_name_rules.ts (only an empty name is
 * refused then).
 *
 * @example
 * ```ts
 * safeFileName("../a\nb"); // ".._a_b"
 * safeFileName(".."); // null
 * safeFileName("../a\nb", UTF8, DEFAULT_FILE_NAME_RULES); // "..%2Fa%0Ab"
 * ```
 */
export function safeFileName(text: string, local: Charset = UTF8, rules?: FileNameRules): string | null {
  const name = rules === undefined
    ? text.replace(/[/\\]/g, "_").replace(UNSAFE_IN_NAME, "_")
    : restrictFileName(text, rules);
  if (rules === undefined ? /^\.*$/.test(name) : name === "") return null;
  const cut = truncateName(name, MAX_FILE_NAME_BYTES);
  if (local.name === UTF8.name) return cut;
  const bytes = local.encode(cut);
  return bytes === null ? cut : bytesAsName(bytes);
}

/** The bytes of %XX escapes and of the other characters (as UTF-8); malformed escapes are left as they are. */
function percentDecode(s: string): Uint8Array {
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
  return new Uint8Array(bytes);
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

/** The input for a message, quoted, its password hidden. */
function shown(input: string): string {
  return quote(withoutPassword(input));
}

/**
 * `text` with the password of a leading `scheme://user:password@` replaced by `*`, for messages: a password is never
 * echoed.
 *
 * @example
 * ```ts
 * withoutPassword("http://me:secret@proxy.test:3128/"); // "http://me:*@proxy.test:3128/"
 * ```
 */
export function withoutPassword(text: string): string {
  return text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#@]*)@/, (_m, scheme: string, info: string) => {
    const colon = info.indexOf(":");
    return `${scheme}${colon < 0 ? info : `${info.slice(0, colon)}:*`}@`;
  });
}
