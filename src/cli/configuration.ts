/**
 * Which wgetrc files a run reads and how everything adds up, as in wget 1.21.3: the commands of /etc/wgetrc (or
 * `$SYSTEM_WGETRC`) and then of `~/.wgetrc` (or `$WGETRC`), or of `--config FILE` alone, or of none with
 * `--no-config`; then the options and `-e COMMAND`s in command-line order, the last one winning. Pure: files arrive
 * as texts through `readText`, the environment through `env`.
 *
 * @module
 */

import { OPTIONS } from "./option_table.ts";
import { type Assignment, parseWgetrc, WgetrcError } from "./wgetrc.ts";

/** Which files to read: wget's own (`"default"`), none (`--no-config`), or one (`--config FILE`). */
export type WgetrcChoice = "default" | "none" | { readonly file: string };

/** The values the files, options and commands leave, in their order. */
export interface Configuration {
  /** Option values by long name: a string, `true`/`false` for a flag, a list for a list option. */
  readonly values: Readonly<Record<string, string | boolean | string[]>>;
  /** Proxy variables set by commands; `no_proxy` as what it adds to the environment's and whether it clears it. */
  readonly proxy: {
    readonly http_proxy?: string;
    readonly https_proxy?: string;
    readonly no_proxy?: { readonly clear: boolean; readonly hosts: readonly string[] };
  };
  /** One sentence per ignored command. */
  readonly ignored: readonly string[];
}

/** The system-wide file, wget's `SYSTEM_WGETRC` on Debian. */
export const SYSTEM_WGETRC = "/etc/wgetrc";

/**
 * Applies `assignments` in order, the last one winning (a list option collects its values; a flag and its `no-`
 * twin, when both exist, always say opposite things).
 *
 * @example
 * ```ts
 * applyAssignments([parseExecute("tries=1"), { kind: "option", option: "tries", value: "5" }]).values.tries; // "5"
 * ```
 */
export function applyAssignments(assignments: readonly Assignment[]): Configuration {
  const values: Record<string, string | boolean | string[]> = {};
  const proxy: { -readonly [K in keyof Configuration["proxy"]]: Configuration["proxy"][K] } = {};
  const ignored: string[] = [];
  const multiple = new Set(OPTIONS.filter((o) => o.multiple).map((o) => o.name));
  const flags = new Set(OPTIONS.filter((o) => o.type === "boolean").map((o) => o.name));
  for (const a of assignments) {
    if (a.kind === "ignored") {
      ignored.push(a.note);
    } else if (a.kind === "proxy" && a.variable === "no_proxy") {
      const hosts = a.value.split(",").map((h) => h.trim()).filter((h) => h !== "");
      proxy.no_proxy = a.value === ""
        ? { clear: true, hosts: [] }
        : { clear: proxy.no_proxy?.clear ?? false, hosts: [...(proxy.no_proxy?.hosts ?? []), ...hosts] };
    } else if (a.kind === "proxy") {
      if (a.variable === "http_proxy") proxy.http_proxy = a.value;
      else proxy.https_proxy = a.value;
    } else if (multiple.has(a.option)) {
      const had = values[a.option];
      values[a.option] = a.reset ? [] : [...(Array.isArray(had) ? had : []), String(a.value)];
    } else {
      values[a.option] = a.value;
      // `--FOO` and `--no-FOO` are one setting, as in wget: each flag of a pair says the opposite of the other.
      const twin = a.option.startsWith("no-") ? a.option.slice(3) : `no-${a.option}`;
      if (typeof a.value === "boolean" && flags.has(a.option) && flags.has(twin)) values[twin] = !a.value;
    }
  }
  return { values, proxy, ignored };
}

/**
 * The environment as the proxy code should see it: the proxy variables that commands set replace the environment's
 * (upper-case forms included); `no_proxy` adds to the environment's list unless a command emptied it.
 *
 * @example
 * ```ts
 * const env = wgetrcEnvironment({ http_proxy: "" }, () => "http://proxy:3128/");
 * env("http_proxy"); // "" (no proxy)
 * ```
 */
export function wgetrcEnvironment(
  proxy: Configuration["proxy"],
  env: (name: string) => string | undefined,
): (name: string) => string | undefined {
  return (name) => {
    if (name === "http_proxy" && proxy.http_proxy !== undefined) return proxy.http_proxy;
    if (name === "https_proxy" && proxy.https_proxy !== undefined) return proxy.https_proxy;
    if (name === "no_proxy" && proxy.no_proxy !== undefined) {
      const base = proxy.no_proxy.clear ? [] : [env("no_proxy") ?? env("NO_PROXY") ?? ""];
      return [...base, ...proxy.no_proxy.hosts].filter((h) => h.trim() !== "").join(",");
    }
    return env(name);
  };
}

/**
 * The commands of the configuration files that `choice` selects, in wget's order: `$SYSTEM_WGETRC` if it can be read,
 * else /etc/wgetrc; then `$WGETRC` (which must be readable) or else `$HOME/.wgetrc`. A missing file is skipped.
 *
 * @example
 * ```ts
 * readWgetrcFiles("default", (n) => ({ HOME: "/root" })[n], (p) => p === "/root/.wgetrc" ? "tries = 1\n" : null);
 * // [{ kind: "option", option: "tries", value: "1" }]
 * ```
 */
export function readWgetrcFiles(
  choice: WgetrcChoice,
  env: (name: string) => string | undefined,
  readText: (path: string) => string | null,
): Assignment[] {
  if (choice === "none") return [];
  const home = env("HOME");
  if (typeof choice === "object") {
    const text = readText(choice.file);
    if (text === null) throw new WgetrcError("no-file", `Cannot read the configuration file "${choice.file}"`);
    return parseWgetrc(text, choice.file, home);
  }
  const out: Assignment[] = [];
  const fromEnv = env("SYSTEM_WGETRC");
  const envText = fromEnv ? readText(fromEnv) : null;
  if (fromEnv && envText !== null) out.push(...parseWgetrc(envText, fromEnv, home));
  else {
    const systemText = readText(SYSTEM_WGETRC);
    if (systemText !== null) out.push(...parseWgetrc(systemText, SYSTEM_WGETRC, home));
  }
  const named = env("WGETRC");
  const user = named ? named : home ? `${home}/.wgetrc` : undefined;
  // wget reads /etc/wgetrc once, even when the user's file is it too.
  if (user === undefined || user === SYSTEM_WGETRC) return out;
  const userText = readText(user);
  if (userText === null && named) {
    throw new WgetrcError("no-wgetrc", `WGETRC names "${named}", which cannot be read`);
  }
  if (userText !== null) out.push(...parseWgetrc(userText, user, home));
  return out;
}
