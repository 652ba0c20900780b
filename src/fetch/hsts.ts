/**
 * HTTP Strict Transport Security (RFC 6797) as wget 1.21 keeps it: Known HSTS Hosts noted from the
 * `Strict-Transport-Security` field of https responses, and `http://` URLs to them rewritten to `https://` before a
 * connection is made. No I/O: the store reads a clock it is given; `hsts_file.ts` loads and saves it.
 *
 * wget's choices, kept so that its `~/.wget-hsts` and ours are the same file:
 * - an entry is a host name and a port: 0 stands for the scheme's default, so an entry from `https://h/` upgrades
 *   `http://h/` (port 80 → 443), one from `https://h:8443/` upgrades `http://h:8443/` (the port is kept);
 * - a host matches its own entry, or the nearest parent domain that has one (never a top-level label alone) when
 *   that entry has includeSubDomains (RFC 6797 §8.2); IP literals never match and are never noted (§8.1.1, §8.3);
 * - an entry seen again is renewed from that moment (§8.1.1), max-age=0 removes it (§6.1.1), an expired one is
 *   removed when a URL looks it up.
 *
 * Where we follow the RFC instead: only the first field of a response counts (§8.1); a field with a directive
 * twice, or a max-age that is not delta-seconds, is ignored (§6.1); nothing is noted over a connection whose
 * certificate was not verified (`--no-check-certificate`; §8.1 "no warnings or errors"); and max-age=0 for an
 * unknown host adds nothing (wget adds an entry that is already expired).
 *
 * @module
 */

import { type ParsedUrl, parseStsField } from "../http/mod.ts";
import { tryParseIpv4Address } from "../wire/mod.ts";
import { nowSeconds } from "./clock.ts";

/** One Known HSTS Host, as a line of wget's file holds it. */
export interface HstsEntry {
  /** Lower-case host name. */
  readonly host: string;
  /** The port, 0 for the default one (443 for the entry, 80 for an http:// URL looked up). */
  readonly port: number;
  /** The policy covers the host's subdomains too. */
  readonly includeSubDomains: boolean;
  /** When it was noted or last renewed, in seconds since the epoch. */
  readonly created: number;
  /** How long it holds from `created`, in seconds. */
  readonly maxAge: number;
}

/** A monotonic-enough clock in whole seconds since the epoch (wget's `time(NULL)`). */
export type SecondsClock = () => number;

/**
 * The Known HSTS Hosts in memory, in the order they were added (the order the file is written in).
 *
 * @example
 * ```ts
 * const store = new HstsStore();
 * store.record(parseUrl("https://example.com/"), "max-age=600");
 * store.upgrade(parseUrl("http://example.com/a"))?.href; // "https://example.com/a"
 * ```
 */
export class HstsStore {
  readonly #entries = new Map<string, HstsEntry>();
  readonly #now: SecondsClock;
  #changed = false;

  /** A store holding `entries` (as read from a file: see {@linkcode HstsStore.load}). */
  constructor(entries: Iterable<HstsEntry> = [], now: SecondsClock = nowSeconds) {
    this.#now = now;
    this.load(entries);
  }

  /** Whether the store differs from what it was loaded with (wget saves it only then). */
  get changed(): boolean {
    return this.#changed;
  }

  /** The entries, in order. */
  entries(): HstsEntry[] {
    return [...this.#entries.values()];
  }

  /**
   * Adds entries read from a file, as wget reads them: IP literals, a negative max-age and a second entry for the
   * same host and port are skipped (the first wins). Not a change.
   */
  load(entries: Iterable<HstsEntry>): void {
    for (const e of entries) {
      const entry = { ...e, host: e.host.toLowerCase(), port: e.port === 443 ? 0 : e.port };
      if (isIpLiteral(entry.host) || entry.maxAge < 0 || this.#entries.has(key(entry.host, entry.port))) continue;
      this.#entries.set(key(entry.host, entry.port), entry);
    }
  }

  /**
   * Merges entries of a file another process changed since it was loaded (before saving, as wget does): an entry
   * of ours is replaced by one noted later; a host with no entry of its own nor a parent's gets the file's.
   */
  merge(entries: Iterable<HstsEntry>): void {
    for (const e of entries) {
      const port = e.port === 443 ? 0 : e.port;
      const found = this.#find(e.host.toLowerCase(), port);
      if (found === null) this.load([e]);
      else if (found.exact && e.created > found.entry.created) {
        this.#entries.set(key(found.entry.host, port), { ...found.entry, ...e, host: found.entry.host, port });
      }
    }
  }

  /**
   * The https URL an `http://` URL becomes under a Known HSTS Host's policy (RFC 6797 §8.3), or null when none
   * applies. An expired entry found on the way is removed.
   */
  upgrade(url: ParsedUrl): ParsedUrl | null {
    if (url.scheme !== "http" || url.isIpv4 || url.isIpv6) return null;
    const port = url.port === 80 ? 0 : url.port;
    const found = this.#find(url.host, port);
    if (found === null) return null;
    if (found.entry.created + found.entry.maxAge < this.#now()) {
      this.#entries.delete(key(found.entry.host, port));
      this.#changed = true;
      return null;
    }
    if (!found.exact && !found.entry.includeSubDomains) return null;
    this.#changed = true; // wget rewrites its file after every upgrade
    return httpsOf(url);
  }

  /**
   * Notes the first `Strict-Transport-Security` field of a response to `url` (RFC 6797 §8.1): only over https to a
   * host name, only when the certificate was verified. Returns whether the store changed.
   */
  record(url: ParsedUrl, field: string | null, verified = true): boolean {
    // RFC 6797 §8.1.1: a host that is an IP literal, of either version, is never noted.
    if (field === null || url.scheme !== "https" || url.isIpv4 || url.isIpv6 || !verified) return false;
    const sts = parseStsField(field);
    if (sts === null) return false;
    const port = url.port === 443 ? 0 : url.port;
    const k = key(url.host, port);
    const known = this.#entries.get(k);
    const now = this.#now();
    if (known !== undefined && sts.maxAge === 0) {
      this.#entries.delete(k);
    } else if (known !== undefined) {
      // wget renews an entry once a second at most (the same `created` is no change).
      if (known.created === now) return false;
      this.#entries.set(k, { ...known, created: now, maxAge: sts.maxAge, includeSubDomains: sts.includeSubDomains });
    } else if (sts.maxAge > 0) {
      this.#entries.set(k, { host: url.host, port, created: now, ...sts });
    } else {
      return false;
    }
    this.#changed = true;
    return true;
  }

  /**
   * The host's own entry, else the nearest parent domain's (wget stops at the first it finds, and never looks at a
   * top-level label alone).
   */
  #find(host: string, port: number): { entry: HstsEntry; exact: boolean } | null {
    const own = this.#entries.get(key(host, port));
    if (own !== undefined) return { entry: own, exact: true };
    const labels = host.split(".");
    for (let i = 1; i < labels.length - 1; i++) {
      if (labels[i - 1] === "") break; // a name starting with "." has no parent to look at
      const parent = this.#entries.get(key(labels.slice(i).join("."), port));
      if (parent !== undefined) return { entry: parent, exact: false };
    }
    return null;
  }
}

function key(host: string, port: number): string {
  return `${host}\t${port}`;
}

function isIpLiteral(host: string): boolean {
  return tryParseIpv4Address(host) !== null || host.includes(":");
}

/** `url` with the https scheme; port 80 becomes 443, any other port stays (wget). */
function httpsOf(url: ParsedUrl): ParsedUrl {
  const port = url.port === 80 ? 443 : url.port;
  const u = new URL(url.href);
  u.protocol = "https:";
  u.port = port === 443 ? "" : String(port);
  return { ...url, scheme: "https", port, defaultPort: 443, href: u.href };
}

/** The first lines of wget's file. */
const FILE_HEADER = "# HSTS 1.0 Known Hosts database for GNU Wget.\n# Edit at your own risk.\n" +
  "# <hostname>\t<port>\t<incl. subdomains>\t<created>\t<max-age>\n";

/**
 * Reads wget's HSTS file (`~/.wget-hsts`): one entry a line, `host port includeSubDomains created max-age`
 * separated by white space; `#` lines are comments; a line with fewer than five fields is skipped, as wget's
 * `sscanf` skips it.
 *
 * @example
 * ```ts
 * parseHstsFile("example.com\t0\t1\t1700000000\t31536000\n"); // [{ host: "example.com", port: 0, … }]
 * ```
 */
export function parseHstsFile(text: string): HstsEntry[] {
  const out: HstsEntry[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*([^\s#]\S{0,254})\s+([+-]?\d+)\s+([+-]?\d+)\s+([+-]?\d+)\s+([+-]?\d+)/.exec(line);
    if (m === null) continue;
    const [port, sub, created, maxAge] = [m[2], m[3], m[4], m[5]].map(Number);
    out.push({ host: m[1], port, includeSubDomains: sub !== 0, created, maxAge });
  }
  return out;
}

/**
 * Writes entries in wget's format: its three comment lines, then `host\tport\t0|1\tcreated\tmax-age` lines.
 *
 * @example
 * ```ts
 * formatHstsFile(store.entries());
 * ```
 */
export function formatHstsFile(entries: readonly HstsEntry[]): string {
  const lines = entries.map((e) => `${e.host}\t${e.port}\t${e.includeSubDomains ? 1 : 0}\t${e.created}\t${e.maxAge}\n`);
  return FILE_HEADER + lines.join("");
}
