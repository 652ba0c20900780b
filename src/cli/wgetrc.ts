/**
 * wgetrc commands as wget 1.21.3 reads them: the syntax of a line (`name = value`), and what a command does here.
 * A command sets the option of {@linkcode OPTIONS} that wget's command line sets with it (derived from the long
 * names, see {@linkcode wgetrcCommandOf}), or a proxy variable (`http_proxy`, `https_proxy`, `no_proxy`); a command
 * wget knows and rawhttpget has no use for is ignored; any other is an error. Which files are read, and in which
 * order, is src/cli/configuration.ts.
 *
 * @module
 */

import { OPTIONS, type OptionSpec } from "./option_table.ts";
import { WGET_ALIASES, WGET_COMMANDS, WGET_OPTION_COMMANDS, WGET_PATH_COMMANDS } from "./_wgetrc_names.ts";

/** The proxy variables a wgetrc command sets instead of the environment's. */
export type ProxyVariable = "http_proxy" | "https_proxy" | "no_proxy";

/** What one command (or option) does. */
export type Assignment =
  /** Sets the option `option` of {@linkcode OPTIONS}; a list option gets `value` appended, or emptied by `reset`. */
  | { readonly kind: "option"; readonly option: string; readonly value: string | boolean; readonly reset?: boolean }
  /** Sets a proxy variable over the environment's (`no_proxy` adds hosts to it; an empty one clears it). */
  | { readonly kind: "proxy"; readonly variable: ProxyVariable; readonly value: string }
  /** A command wget knows and rawhttpget has no use for; `note` says so in a sentence. */
  | { readonly kind: "ignored"; readonly note: string };

/**
 * A configuration that cannot be used: `"invalid"` a line or command (wget's exit 2), `"no-file"` a `--config FILE`
 * that cannot be read (exit 2), `"no-wgetrc"` a `$WGETRC` that cannot be read (exit 1).
 */
export class WgetrcError extends Error {
  /** What is wrong. */
  readonly reason: "invalid" | "no-file" | "no-wgetrc";

  /** Builds the error from one sentence. */
  constructor(reason: "invalid" | "no-file" | "no-wgetrc", message: string) {
    super(message);
    this.name = "WgetrcError";
    this.reason = reason;
  }
}

/** The options that choose the configuration itself: no wgetrc command sets them (wget's `noconfig` does nothing). */
const CONFIG_OPTIONS = new Set(["config", "no-config", "execute"]);

const PROXY_COMMANDS: Readonly<Record<string, ProxyVariable>> = {
  httpproxy: "http_proxy",
  httpsproxy: "https_proxy",
  noproxy: "no_proxy",
};

/**
 * A command name as wget compares them: without `-` and `_`, in lower case.
 *
 * @example
 * ```ts
 * canonicalCommand("use-Proxy"); // "useproxy"
 * ```
 */
export function canonicalCommand(name: string): string {
  return name.replace(/[-_]/g, "").toLowerCase();
}

/**
 * Whether wget 1.21.3 knows the command `name` (in any spelling), whether or not rawhttpget acts on it.
 *
 * @example
 * ```ts
 * isWgetCommand("passive_ftp"); // true
 * isWgetCommand("foo"); // false
 * ```
 */
export function isWgetCommand(name: string): boolean {
  return WGET_COMMANDS.has(canonicalCommand(name));
}

function commandOfLongName(name: string): string | undefined {
  if (Object.hasOwn(WGET_OPTION_COMMANDS, name)) return WGET_OPTION_COMMANDS[name];
  // wget's --no-FOO is the negation of --FOO, unless listed above.
  if (name.startsWith("no-")) return undefined;
  const command = canonicalCommand(name);
  return WGET_COMMANDS.has(command) ? command : undefined;
}

/**
 * The wgetrc command that wget's command line sets with the option `spec`, and whether the option is its negation
 * (`--no-check-certificate` is `check_certificate = off`); `undefined` for an option wget does not have.
 *
 * @example
 * ```ts
 * wgetrcCommandOf({ name: "no-proxy", type: "boolean", help: "", group: "Download" });
 * // { command: "useproxy", negated: true }
 * ```
 */
export function wgetrcCommandOf(spec: OptionSpec): { command: string; negated: boolean } | undefined {
  if (CONFIG_OPTIONS.has(spec.name)) return undefined;
  const command = commandOfLongName(spec.name);
  if (command !== undefined) return { command, negated: false };
  if (spec.type !== "boolean" || !spec.name.startsWith("no-")) return undefined;
  const positive = commandOfLongName(spec.name.slice(3));
  return positive === undefined ? undefined : { command: positive, negated: true };
}

/** Command → the option it sets; an option of wget's own sense wins over a negated one for the same command. */
function optionsByCommand(): Map<string, { spec: OptionSpec; negated: boolean }> {
  const byCommand = new Map<string, { spec: OptionSpec; negated: boolean }>();
  for (const spec of OPTIONS) {
    const found = wgetrcCommandOf(spec);
    if (found === undefined) continue;
    const had = byCommand.get(found.command);
    if (had === undefined || (had.negated && !found.negated)) byCommand.set(found.command, { spec, ...found });
  }
  return byCommand;
}

const BY_COMMAND = optionsByCommand();

/**
 * The commands rawhttpget acts on, canonical, each with the option or proxy variable it sets (`!` marks a negated
 * flag), for documentation and tests.
 *
 * @example
 * ```ts
 * supportedCommands().get("useproxy"); // "!no-proxy"
 * ```
 */
export function supportedCommands(): ReadonlyMap<string, string> {
  const out = new Map<string, string>(Object.entries(PROXY_COMMANDS));
  for (const [command, { spec, negated }] of BY_COMMAND) out.set(command, `${negated ? "!" : ""}${spec.name}`);
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

/** One line of wgetrc syntax: blank (or a comment), malformed, or a command and its value. */
export type WgetrcLine =
  | { readonly kind: "blank" }
  | { readonly kind: "malformed" }
  | { readonly kind: "command"; readonly name: string; readonly value: string };

// wget's c_isspace: ASCII white space only.
const EDGE_SPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;
const COMMAND_LINE = /^([A-Za-z0-9_-]*)[ \t\n\v\f\r]*=[ \t\n\v\f\r]*(.*)$/s;

/**
 * Splits a line as wget's `parse_line` does: white space around it ignored, `#` starts a comment only as the first
 * character, then `NAME = VALUE` (NAME of letters, digits, `-` and `_`; VALUE the rest, quotes and `#` included).
 *
 * @example
 * ```ts
 * parseWgetrcLine("  tries = 5 "); // { kind: "command", name: "tries", value: "5" }
 * ```
 */
export function parseWgetrcLine(line: string): WgetrcLine {
  const text = line.replace(EDGE_SPACE, "");
  if (text === "" || text.startsWith("#")) return { kind: "blank" };
  const m = COMMAND_LINE.exec(text);
  return m === null ? { kind: "malformed" } : { kind: "command", name: m[1], value: m[2] };
}

/** wget's booleans; `check_certificate` also takes `quiet` (off, as wget's warning-free off). */
function parseBoolean(command: string, value: string): boolean | undefined {
  const v = value.toLowerCase();
  if (v === "on" || v === "yes" || v === "1") return true;
  if (v === "off" || v === "no" || v === "0") return false;
  if (command === "checkcertificate" && v === "quiet") return false;
  return undefined;
}

/** `~/x` in a wgetrc file's path value is `$HOME/x`, as wget expands it (not in `-e`). */
function expandHome(value: string, home: string | undefined): string {
  if (home === undefined || home === "" || !value.startsWith("~/")) return value;
  return `${home.replace(/\/+$/, "")}/${value.slice(1).replace(/^\/+/, "")}`;
}

/**
 * What the command `name = value` does, or the problem with it (a phrase for the caller's sentence). `home` is set
 * for a command of a file, whose path values may start with `~/`.
 */
function resolve(name: string, value: string, where: string, home?: string): Assignment | string {
  const canonical = canonicalCommand(name);
  if (!WGET_COMMANDS.has(canonical)) return `unknown command "${name}"`;
  const command = WGET_ALIASES[canonical] ?? canonical;
  const variable = PROXY_COMMANDS[command];
  if (variable !== undefined) return { kind: "proxy", variable, value };
  const target = BY_COMMAND.get(command);
  if (target === undefined) {
    return { kind: "ignored", note: `The wgetrc command "${name}" ${where} does nothing in rawhttpget` };
  }
  const { spec, negated } = target;
  if (spec.type === "boolean") {
    const on = parseBoolean(command, value);
    if (on === undefined) return `"${value}" is not a boolean for ${name} (use on or off)`;
    return { kind: "option", option: spec.name, value: on !== negated };
  }
  const text = home === undefined || !WGET_PATH_COMMANDS.has(command) ? value : expandHome(value, home);
  // An empty value empties a list, as wget's header, accept and other list commands do.
  if (spec.multiple && text === "") return { kind: "option", option: spec.name, value: text, reset: true };
  return { kind: "option", option: spec.name, value: text };
}

/**
 * The commands of one wgetrc file, in order. `path` names it in messages; `home` expands `~/` in path values.
 * Throws {@linkcode WgetrcError} at the first bad line, naming the file and the line.
 *
 * @example
 * ```ts
 * parseWgetrc("# mine\nuse_proxy = off\n", "/root/.wgetrc");
 * // [{ kind: "option", option: "no-proxy", value: true }]
 * ```
 */
export function parseWgetrc(text: string, path: string, home?: string): Assignment[] {
  const out: Assignment[] = [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (const [i, line] of lines.entries()) {
    const at = `in ${path} at line ${i + 1}`;
    const parsed = parseWgetrcLine(line);
    if (parsed.kind === "blank") continue;
    if (parsed.kind === "malformed") {
      throw new WgetrcError("invalid", `Syntax error ${at}: a command is NAME = VALUE${SKIP_HINT}`);
    }
    // A file's command gets a home, even an empty one: its path values may start with `~/`; -e's may not.
    const found = resolve(parsed.name, parsed.value, `(${path}, line ${i + 1})`, home ?? "");
    if (typeof found === "string") throw new WgetrcError("invalid", `${capitalize(found)} ${at}${SKIP_HINT}`);
    out.push(found);
  }
  return out;
}

const SKIP_HINT = " (--no-config reads no configuration file)";

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * What `-e COMMAND` does. Throws {@linkcode WgetrcError} for a command that is malformed, unknown or has a bad value.
 *
 * @example
 * ```ts
 * parseExecute("tries=1"); // { kind: "option", option: "tries", value: "1" }
 * ```
 */
export function parseExecute(command: string): Assignment {
  const parsed = parseWgetrcLine(command);
  const problem = parsed.kind === "command" ? resolve(parsed.name, parsed.value, "(-e)") : "a command is NAME = VALUE";
  if (typeof problem !== "string") return problem;
  throw new WgetrcError("invalid", `Invalid --execute command "${command}": ${problem}`);
}
