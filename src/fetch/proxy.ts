/**
 * Which proxy a URL goes through, as wget decides it: `http_proxy` for http:// URLs, `https_proxy` for https://,
 * none for a host that `no_proxy` lists, none at all with `--no-proxy`. Pure functions of the settings and the URL;
 * the command line reads the environment (through ffi) and passes it in.
 *
 * @module
 */

import { basicCredentials, hostPort, type ParsedUrl, withoutPassword } from "../http/mod.ts";
import { tryParseIpv6Address } from "../wire/mod.ts";

/** The proxy settings of a run. */
export interface ProxySettings {
  /** Proxy URL for http:// URLs (`http_proxy`). */
  readonly http?: string;
  /** Proxy URL for https:// URLs (`https_proxy`), reached with CONNECT. */
  readonly https?: string;
  /** Hosts reached directly (`no_proxy`): names match themselves and their subdomains; `*` matches every host. */
  readonly noProxy?: readonly string[];
  /** `--proxy-user`: overrides a user name in the proxy URL. */
  readonly user?: string;
  /** `--proxy-password`: overrides a password in the proxy URL. */
  readonly password?: string;
}

/** The proxy one URL goes through. */
export interface ProxyRoute {
  /** The proxy's host: a name, an IPv4 literal, or an IPv6 literal without brackets (`2001:2::9`), connected to. */
  readonly host: string;
  /** The proxy's port. */
  readonly port: number;
  /** `Proxy-Authorization` value (RFC 7617 Basic), when a user is known. */
  readonly authorization?: string;
  /** `host:port` for messages (`[2001:2::9]:3128` for an IPv6 literal); never the credentials. */
  readonly label: string;
  /** Which variable named it (for messages). */
  readonly source: string;
}

/** A proxy setting that cannot be used (wget's exit code 1), or a proxy that refused to open a tunnel (exit 4). */
export class ProxyError extends Error {
  /** "bad-proxy": the setting is not an http:// URL; "tunnel": CONNECT was refused or not answered. */
  readonly reason: "bad-proxy" | "tunnel";

  /** Builds the error with a sentence for the user. */
  constructor(reason: "bad-proxy" | "tunnel", message: string) {
    super(message);
    this.name = "ProxyError";
    this.reason = reason;
  }
}

/**
 * The proxy settings the environment gives, wget's way: lower-case names first; the upper-case forms too, except
 * `HTTP_PROXY` in a CGI program (`REQUEST_METHOD` set), where a request's `Proxy:` header would become it
 * (CVE-2016-5385, "httpoxy").
 *
 * @example
 * ```ts
 * proxyEnvironment((name) => ({ http_proxy: "http://198.18.2.2:3128/" })[name]).http; // "http://198.18.2.2:3128/"
 * ```
 */
export function proxyEnvironment(env: (name: string) => string | undefined): ProxySettings {
  const read = (name: string, upperToo = true) => {
    const v = env(name) ?? (upperToo ? env(name.toUpperCase()) : undefined);
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  const noProxy = read("no_proxy");
  return {
    http: read("http_proxy", env("REQUEST_METHOD") === undefined),
    https: read("https_proxy"),
    noProxy: noProxy?.split(",").map((h) => h.trim().toLowerCase()).filter((h) => h !== ""),
  };
}

/**
 * Whether `no_proxy` exempts `host`: an entry matches itself and, as a suffix on a dot boundary, its subdomains. An
 * IPv6 literal (`host` as the URL parser leaves it, without brackets) is matched by an entry naming the same address
 * only, with or without brackets, written in any of its forms (`2001:0002::1`): wget 1.21 compares the text of the
 * literal with each entry, and has no address ranges (CIDR) in `no_proxy`; an exact match of the address is enough.
 *
 * @example
 * ```ts
 * bypassesProxy("a.example.com", [".example.com"]); // true
 * bypassesProxy("2001:2::1", ["[2001:2:0::1]"]); // true
 * ```
 */
export function bypassesProxy(host: string, noProxy: readonly string[] = []): boolean {
  const h = host.toLowerCase();
  const ipv6 = tryParseIpv6Address(h);
  return noProxy.some((entry) => {
    if (entry === "*") return true;
    if (ipv6 !== null) return tryParseIpv6Address(entry.replace(/^\[(.*)\]$/, "$1")) === ipv6;
    const e = entry.startsWith(".") ? entry.slice(1) : entry;
    return h === e || h.endsWith(`.${e}`);
  });
}

/**
 * The proxy `url` goes through, or null for a direct connection. Throws {@linkcode ProxyError} for a setting that
 * is not an http:// proxy URL.
 *
 * @example
 * ```ts
 * proxyFor(parseUrl("http://example.test/a"), { http: "198.18.2.2:3128" })?.label; // "198.18.2.2:3128"
 * ```
 */
export function proxyFor(url: ParsedUrl, settings: ProxySettings | undefined): ProxyRoute | null {
  if (settings === undefined) return null;
  const source = url.scheme === "https" ? "https_proxy" : "http_proxy";
  const setting = url.scheme === "https" ? settings.https : settings.http;
  if (setting === undefined || bypassesProxy(url.host, settings.noProxy)) return null;
  // wget takes "host:port" without a scheme as an http:// proxy.
  const text = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(setting) ? setting : `http://${setting}`;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new ProxyError("bad-proxy", `The proxy "${withoutPassword(setting)}" in ${source} is not a URL`);
  }
  if (parsed.protocol !== "http:" || parsed.hostname === "") {
    throw new ProxyError("bad-proxy", `The proxy "${withoutPassword(setting)}" in ${source} is not an http:// proxy`);
  }
  // An IPv6 proxy (`http://[2001:2::9]:3128/`) is connected to by its address, written without the brackets that
  // WHATWG URL keeps (and already canonical: its IPv6 serializer compresses as RFC 5952 does).
  const host = parsed.hostname.startsWith("[") ? parsed.hostname.slice(1, -1) : parsed.hostname;
  const port = parsed.port === "" ? 80 : Number(parsed.port);
  const user = settings.user ?? decodeURIComponent(parsed.username);
  const password = settings.password ?? decodeURIComponent(parsed.password);
  return {
    host,
    port,
    authorization: user === "" && password === "" ? undefined : basicCredentials(user, password),
    label: hostPort(host, port),
    source,
  };
}
