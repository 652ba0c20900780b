/**
 * The command-line options, declared once: the parser configuration and `--help` are both generated from this table.
 *
 * @module
 */

import { type RecursiveSettings, recursiveSettings } from "./recursive_settings.ts";
import { parseArgs } from "node:util";
import { GROUPS, OPTIONS } from "./option_table.ts";
import {
  type AuthSettings,
  type FetchOptions,
  parseNetrc,
  proxyEnvironment,
  type ProxySettings,
} from "../fetch/mod.ts";
import { addressFamilySettings } from "./address_family_settings.ts";
import { requestSettings } from "./request_options.ts";
import { tlsSettings } from "./tls_settings.ts";
import { transferSettings } from "./transfer_settings.ts";
import { type InputPacingSettings, inputPacingSettings } from "./input_pacing_settings.ts";
import { type Assignment, parseExecute, WgetrcError } from "./wgetrc.ts";
import { applyAssignments, readWgetrcFiles, type WgetrcChoice, wgetrcEnvironment } from "./configuration.ts";

/** The parsed command line. */
export interface CommandLine {
  /** URLs to download, in order. */
  readonly urls: readonly string[];
  /** Option values by long name (`true` for flags, `false` for one a `-e` command turned off), `-e` applied. */
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  /** The options and `-e` commands in command-line order: they come after the wgetrc files' commands. */
  readonly assignments: readonly Assignment[];
  /** The wgetrc files to read: the first of `--config FILE` and `--no-config` decides, as in wget. */
  readonly wgetrc: WgetrcChoice;
}

/** A command line that cannot be understood (exit code 2). */
export class UsageError extends Error {
  /** Builds the error from one sentence. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parses `args` against {@linkcode OPTIONS}.
 *
 * @example
 * ```ts
 * parseCommandLine(["-O", "out.bin", "http://198.18.2.2/x"]).values["output-document"]; // "out.bin"
 * ```
 */
export function parseCommandLine(args: readonly string[]): CommandLine {
  const options: Record<string, { type: "boolean" | "string"; short?: string; multiple?: boolean }> = {};
  for (const o of OPTIONS) {
    options[o.name] = {
      type: o.type,
      ...(o.short ? { short: o.short } : {}),
      ...(o.multiple ? { multiple: true } : {}),
    };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\.$/, "")}; see 'rawhttpget --help'`);
  }
  const assignments: Assignment[] = [];
  let wgetrc: WgetrcChoice | undefined;
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    if (token.name === "execute") {
      assignments.push(executeCommand(token.value ?? ""));
      continue;
    }
    if (token.name === "config") wgetrc ??= { file: token.value ?? "" };
    if (token.name === "no-config") wgetrc ??= "none";
    assignments.push({ kind: "option", option: token.name, value: token.value ?? true });
  }
  const { values } = applyAssignments(assignments);
  return { urls: parsed.positionals, values, assignments, wgetrc: wgetrc ?? "default" };
}

/** `-e COMMAND` as an assignment; a bad command is a usage error, as in wget (exit 2). */
function executeCommand(command: string): Assignment {
  try {
    return parseExecute(command);
  } catch (e) {
    if (e instanceof WgetrcError) throw new UsageError(e.message);
    throw e;
  }
}

/** The `--help` text, generated from {@linkcode OPTIONS}. */
export function helpText(version: string): string {
  const rows: string[] = [];
  for (const group of GROUPS) {
    rows.push(`${group}:`);
    for (const o of OPTIONS.filter((o) => o.group === group)) {
      const names = `${o.short ? `-${o.short}, ` : "    "}--${o.name}${o.value ? ` ${o.value}` : ""}`;
      rows.push(`  ${names.padEnd(32)} ${o.help}`);
    }
    rows.push("");
  }
  return [
    `rawhttpget ${version}: download over HTTP and HTTPS through a TCP/IP stack that runs in user space.`,
    "",
    "Usage: sudo rawhttpget [options] URL...   (several URLs are fetched one after another)",
    "",
    ...rows,
    "Raw sockets need root or CAP_NET_RAW. Exit codes follow wget: 0 ok, 1 generic, 2 usage, 3 file I/O,",
    "4 network, 5 TLS certificate verification, 6 authentication, 7 protocol, 8 server error response.",
  ].join("\n");
}

/**
 * What rawhttpget is built with, in the words and order of wget's `--version` feature list ("+" has it, "-" has
 * not), so that scripts that look for `+https` or `+ipv6` read it the same way. TLS is node:tls, which Deno runs on
 * rustls; DNS is libc's getaddrinfo, not c-ares; Digest authentication is ours; IRIs are WHATWG URL's IDNA and our
 * encodings (src/http/charset.ts); there are no translations, NTLM, public suffix list, Metalink, GPGME or OPIE.
 */
export const FEATURES: readonly string[] = [
  "-cares",
  "+digest",
  "-gpgme",
  "+https",
  "+ipv6",
  "+iri",
  "+large-file",
  "-metalink",
  "-nls",
  "-ntlm",
  "-opie",
  "-psl",
  "+ssl/rustls",
];

/**
 * The `--version` text: `rawhttpget VERSION`, an empty line, and the feature line as wget prints it.
 *
 * @example
 * ```ts
 * versionText("0.2.0"); // "rawhttpget 0.2.0\n\n-cares +digest -gpgme +https +ipv6 …"
 * ```
 */
export function versionText(version: string): string {
  return `rawhttpget ${version}\n\n${FEATURES.join(" ")}`;
}

/**
 * The options, checked and typed: the download's own options (`FetchOptions`, which the download loop, each hop and
 * the transport read as they are) and what only the command line uses.
 */
export interface Settings extends FetchOptions, InputPacingSettings, RecursiveSettings {
  /** `-c`. */
  readonly resume: boolean;
  /** `-t`. */
  readonly tries: number;
  /** `--max-redirect`. */
  readonly maxRedirects: number;
  /** HTTP keep-alive: false with `--no-http-keep-alive` or `--http1.0`. */
  readonly keepAlive: boolean;
  /** `-q`. */
  readonly quiet: boolean;
  /** `-v` (or `-d`). */
  readonly verbose: boolean;
  /** `--pcap`. */
  readonly pcap?: string;
  /** `--report FILE.html`: the HTML report of the run. */
  readonly report?: string;
  /** `--report-json FILE`: the report's data as JSON. */
  readonly reportJson?: string;
  /** `-S`: print each response head (even with `-q`). */
  readonly serverResponse?: boolean;
  /** `--load-cookies`: a cookies.txt read before the first request (not with `--no-cookies`). */
  readonly loadCookies?: string;
  /** `--save-cookies`: where the cookies are written when the run ends (not with `--no-cookies`). */
  readonly saveCookies?: string;
  /** `--keep-session-cookies`: `saveCookies` keeps the cookies that expire with the run too. */
  readonly keepSessionCookies: boolean;
  /** The HSTS database (`--hsts-file`, `~/.wget-hsts`); null: no home directory; absent: `--no-hsts`. */
  readonly hstsFile?: string | null;
  /** A sentence for each wgetrc command that does nothing here (shown with `-v`); absent when there is none. */
  readonly ignoredCommands?: readonly string[];
  /** `--user-drop USER`: whom plain root runs as once the sockets can be opened (default nobody). */
  readonly userDrop?: string;
  /** `--no-drop-privileges`: stay root for the whole run. */
  readonly noDropPrivileges: boolean;
}

/**
 * Checks the values of a parsed command line after the wgetrc files it selects (read with `readText`); throws
 * {@linkcode UsageError} for a bad value or combination, {@linkcode WgetrcError} for a bad file. `env` reads the
 * environment (the proxy variables, `HOME`, `WGETRC`, `SYSTEM_WGETRC`); the program passes libc's `getenv`.
 *
 * @example
 * ```ts
 * readSettings(parseCommandLine(["--tries", "5", "http://h/"])).tries; // 5
 * ```
 */
export function readSettings(
  cmd: CommandLine,
  env: (name: string) => string | undefined = () => undefined,
  readText: (path: string) => string | null = () => null,
): Settings {
  const assignments = [...readWgetrcFiles(cmd.wgetrc, env, readText), ...cmd.assignments];
  const config = applyAssignments(assignments);
  const v = config.values;
  const text = (name: string) => (typeof v[name] === "string" ? v[name] as string : undefined);
  const flag = (name: string) => v[name] === true;
  const list = (name: string) => {
    const value = v[name];
    return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
  };
  const settings: Settings = {
    output: text("output-document"),
    directory: text("directory-prefix"),
    // wget: --start-pos turns -c off (with a warning, see input_pacing_settings.ts).
    resume: flag("continue") && text("start-pos") === undefined,
    quiet: flag("quiet"),
    verbose: flag("verbose") || flag("debug"),
    debug: flag("debug"),
    pcap: text("pcap"),
    report: text("report"),
    reportJson: text("report-json"),
    tries: count("tries", text("tries"), 3, 1),
    maxRedirects: count("max-redirect", text("max-redirect"), 20, 0),
    http10: flag("http1.0"),
    keepAlive: !flag("no-http-keep-alive") && !flag("http1.0"),
    trustServerNames: flag("trust-server-names"),
    firewall: flag("no-firewall") ? "none" : "auto",
    userDrop: text("user-drop"),
    noDropPrivileges: flag("no-drop-privileges"),
    device: text("interface"),
    frameLink: flag("packet-ring") ? "auto" : undefined,
    caFile: text("ca-certificate"),
    checkCertificate: !flag("no-check-certificate"),
    timestamping: flag("timestamping"),
    ifModifiedSince: !flag("no-if-modified-since"),
    useServerTimestamps: !flag("no-use-server-timestamps"),
    cookies: !flag("no-cookies"),
    loadCookies: text("load-cookies"),
    saveCookies: text("save-cookies"),
    keepSessionCookies: flag("keep-session-cookies"),
    ...proxySettings(
      flag("no-proxy"),
      text("proxy-user"),
      text("proxy-password"),
      wgetrcEnvironment(config.proxy, env),
    ),
    ...authSettings(text, flag, env, readText),
    ...requestSettings(text, flag, list),
    ...tlsSettings(text, flag, env),
    ...transferSettings(text, assignments, env),
    ...addressFamilySettings(text, flag, assignments),
    ...inputPacingSettings(text, flag, list, assignments),
    ...(config.ignored.length > 0 ? { ignoredCommands: config.ignored } : {}),
  };
  const recursion = recursiveSettings(text, flag, list, settings, (name) => v[name] === false);
  if (recursion.recursion !== undefined && settings.output !== undefined && settings.output !== "-") {
    // wget warns that -O with -r or -p makes one file of everything and -k cannot convert it; we refuse it plainly.
    throw new UsageError("-O cannot be combined with -r, -p or -m: a crawl saves many files (use -P DIR)");
  }
  if (settings.resume && settings.output === "-") throw new UsageError("-c cannot resume standard output");
  if (settings.resume && settings.output !== undefined && (cmd.urls.length > 1 || settings.inputFile !== undefined)) {
    throw new UsageError("-c cannot resume a file that several URLs are concatenated into");
  }
  return { ...settings, ...recursion, timestamping: settings.timestamping || recursion.timestamping === true };
}

/** `{ auth }` from the credential options and `~/.netrc` (`$HOME/.netrc`), or nothing when there are none. */
function authSettings(
  text: (name: string) => string | undefined,
  flag: (name: string) => boolean,
  env: (name: string) => string | undefined,
  readText: (path: string) => string | null,
): { auth?: AuthSettings } {
  const home = env("HOME");
  const netrcText = flag("no-netrc") || home === undefined ? null : readText(`${home}/.netrc`);
  const auth: AuthSettings = {
    user: text("user"),
    password: text("password"),
    httpUser: text("http-user"),
    httpPassword: text("http-password"),
    authNoChallenge: flag("auth-no-challenge") || undefined,
    netrc: netrcText === null ? undefined : parseNetrc(netrcText),
  };
  return Object.values(auth).some((v) => v !== undefined) ? { auth } : {};
}

/** `{ proxy }` from the environment and the proxy options, or nothing when no proxy is set (or `--no-proxy`). */
function proxySettings(
  off: boolean,
  user: string | undefined,
  password: string | undefined,
  env: (name: string) => string | undefined,
): { proxy?: ProxySettings } {
  if (off) return {};
  const found = proxyEnvironment(env);
  if (found.http === undefined && found.https === undefined) return {};
  return { proxy: { ...found, user, password } };
}

function count(name: string, value: string | undefined, fallback: number, least: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < least) {
    throw new UsageError(`--${name} takes a whole number of at least ${least}, not "${value}"`);
  }
  return n;
}
