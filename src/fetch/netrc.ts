/**
 * `~/.netrc` (the format of ftp(1), which wget and curl read): `machine NAME login USER password PASS`, a `default`
 * entry for every other host, `account` ignored, `macdef` bodies skipped up to the next blank line. Tokens are
 * separated by white space and may be double-quoted (as GNU inetutils and curl accept).
 *
 * @module
 */

/** One entry. */
export interface NetrcEntry {
  /** The host, or null for `default`. */
  readonly machine: string | null;
  /** `login`. */
  readonly login?: string;
  /** `password`. */
  readonly password?: string;
}

/**
 * Parses the text of a netrc file; unknown keywords are skipped with their value.
 *
 * @example
 * ```ts
 * parseNetrc("machine a.test login me password pw\ndefault login anonymous password x");
 * // [{ machine: "a.test", login: "me", password: "pw" }, { machine: null, login: "anonymous", password: "x" }]
 * ```
 */
export function parseNetrc(text: string): NetrcEntry[] {
  const entries: NetrcEntry[] = [];
  let current: { machine: string | null; login?: string; password?: string } | null = null;
  const lines = text.split("\n");
  const tokens: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const words = lineTokens(lines[i]);
    if (words[0] === "macdef") {
      // A macro's body runs to the next empty line.
      while (i + 1 < lines.length && lines[i + 1].trim() !== "") i++;
      continue;
    }
    tokens.push(...words);
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === "machine" || t === "default") {
      if (current !== null) entries.push(current);
      current = { machine: t === "default" ? null : (tokens[++i] ?? "").toLowerCase() };
    } else if (current !== null && t === "login") current.login = tokens[++i];
    else if (current !== null && t === "password") current.password = tokens[++i];
    else if (t === "account") i++;
  }
  if (current !== null) entries.push(current);
  return entries;
}

/**
 * The entry for `host`: its `machine` entry, else `default`, else null.
 *
 * @example
 * ```ts
 * netrcFor(parseNetrc("machine a.test login me password pw"), "a.test")?.login; // "me"
 * ```
 */
export function netrcFor(entries: readonly NetrcEntry[], host: string): NetrcEntry | null {
  const h = host.toLowerCase();
  return entries.find((e) => e.machine === h) ?? entries.find((e) => e.machine === null) ?? null;
}

function lineTokens(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2]);
  }
  return out;
}
