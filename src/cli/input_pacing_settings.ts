/**
 * The options of what a run fetches, how it names and paces the downloads, how long it waits for the network and
 * what it prints, checked and typed as wget 1.21.3 reads them: `-i`, `-B`, `-nc`, `--start-pos`,
 * `--restrict-file-names`, `--https-only`, `-w`, `--random-wait`, `--waitretry`, `--retry-connrefused`, `-T`,
 * `--dns-timeout`, `--connect-timeout`, `--read-timeout`, `-nv`, `-o` and `-a`, and `-n`, which spells wget's
 * `-nv`, `-nc`, `-nd`, `-nH` and `-np`.
 *
 * `--https-only` applies to the links a recursive retrieval follows (see recursive_settings.ts): a URL given, or a
 * redirect, is fetched whatever its scheme, in wget too. `-nd`, `-nH` and `-np` are read there too.
 *
 * @module
 */

import { type FetchOptions, Pacing } from "../fetch/mod.ts";
import { type FileNameRules, parseFileNameRules, parseUrl } from "../http/mod.ts";
import { UsageError } from "./options.ts";
import { OptionConflictError } from "./request_options.ts";
import { parseRate } from "./transfer_settings.ts";
import type { Assignment } from "./wgetrc.ts";

/** What {@linkcode inputPacingSettings} adds to the settings; only what the options set is present. */
export interface InputPacingSettings extends
  Pick<
    FetchOptions,
    | "noClobber"
    | "startPos"
    | "fileNameRules"
    | "pacing"
    | "retryConnRefused"
    | "timeoutMs"
    | "connectTimeoutMs"
    | "dnsTimeoutMs"
  > {
  /** `-i`: a file of URLs, one a line, fetched after those of the command line ("-": standard input). */
  readonly inputFile?: string;
  /** `-B`: the URL the relative lines of `inputFile` are resolved against. */
  readonly base?: string;
  /** `-nv`: wget's one line per file instead of the progress and the summary (not with `-v`, `-d` or `-q`). */
  readonly noVerbose?: boolean;
  /** `-o` or `-a` (the last one given): the messages go to `path` ("-": standard output), appended with `-a`. */
  readonly logFile?: { readonly path: string; readonly append: boolean };
  /** Sentences wget writes to stderr when it starts (e.g. `-c` turned off by `--start-pos`). */
  readonly warnings?: readonly string[];
}

/** The longest timeout the TCP engine keeps (2^31 ms, ~24.8 days): what a timeout of 0, "none", becomes. */
const NO_LIMIT_MS = 2 ** 31;

/**
 * Reads the options; throws {@linkcode UsageError} (exit 2) for a value wget refuses, and
 * {@linkcode OptionConflictError} (exit 1) for `-nc` with `-N` and an unknown `-nX`, as wget. `assignments` are the
 * wgetrc commands and options in order: the last of `-o` and `-a`, and of `-T` and a timeout of its own, wins.
 *
 * @example
 * ```ts
 * inputPacingSettings(text, flag, list, assignments); // { pacing: Pacing, timeoutMs: 500, … } for -w 1 -T 0.5
 * ```
 */
export function inputPacingSettings(
  text: (name: string) => string | undefined,
  flag: (name: string) => boolean,
  list: (name: string) => readonly string[],
  assignments: readonly Assignment[],
): InputPacingSettings {
  const short = shortNoFlags(list("no"));
  const noClobber = flag("no-clobber") || short.has("c");
  if (noClobber && flag("timestamping")) {
    throw new OptionConflictError("-N and -nc cannot be given together (wget: can't timestamp and not clobber)");
  }
  const loud = flag("verbose") || flag("debug") || flag("quiet");
  const startPos = byteOffset(text("start-pos"));
  const warnings = startPos !== undefined && flag("continue")
    ? ["Specifying both --start-pos and --continue is not recommended; --continue will be disabled."]
    : [];
  const inputFile = text("input-file");
  const base = text("base");
  const logFile = lastLogFile(assignments);
  return {
    ...(inputFile === undefined ? {} : { inputFile }),
    ...(base === undefined ? {} : { base: baseUrl(base) }),
    ...(noClobber ? { noClobber } : {}),
    ...(startPos === undefined ? {} : { startPos }),
    ...fileNameRules(list("restrict-file-names")),
    ...pacing(text("wait"), flag("random-wait"), text("waitretry")),
    ...(flag("retry-connrefused") ? { retryConnRefused: true } : {}),
    ...timeouts(assignments),
    ...((flag("no-verbose") || short.has("v")) && !loud ? { noVerbose: true } : {}),
    ...(logFile === undefined ? {} : { logFile }),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/**
 * wget's time value (src/init.c `cmd_time`): a number of seconds, fractions allowed, optionally followed by `s`, `m`,
 * `h`, `d` or `w` (either case); not negative.
 *
 * @example
 * ```ts
 * parseSeconds("--wait", "1.5m"); // 90
 * ```
 */
export function parseSeconds(option: string, value: string): number {
  const m = /^\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*([smhdw]?)\s*$/i.exec(value);
  const number = m === null ? NaN : Number(m[1]);
  if (!(number >= 0)) {
    throw new UsageError(
      `${option} takes a number of seconds, not "${value}" (fractions, and an s, m, h, d or w suffix, are allowed)`,
    );
  }
  const scale = { "": 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m![2].toLowerCase() as "" | "s"];
  return number * scale;
}

/** The letters of `-nX` options: wget's `-n` takes v, c, d, H and p, and exits 1 for any other. */
function shortNoFlags(values: readonly string[]): Set<string> {
  const letters = new Set<string>();
  for (const c of values.join("")) {
    if (!"vcdHp".includes(c)) {
      throw new OptionConflictError(`-n${c} is not an option (wget's short forms are -nv, -nc, -nd, -nH and -np)`);
    }
    letters.add(c);
  }
  return letters;
}

/** `--start-pos`: wget's byte value (k, m, g, t suffixes; "inf" is 0), or undefined. */
function byteOffset(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseRate(value);
  } catch {
    throw new UsageError(`--start-pos takes a byte offset, not "${value}" (a k, m, g or t suffix may follow)`);
  }
}

/** `-B`: read as a URL given on the command line is (a missing scheme is http://). */
function baseUrl(value: string): string {
  try {
    return parseUrl(value).href;
  } catch {
    throw new UsageError(`--base takes a URL, not "${value}"`);
  }
}

/** `--restrict-file-names`, each value adding to the ones before it, as in wget. */
function fileNameRules(values: readonly string[]): { fileNameRules?: FileNameRules } {
  if (values.length === 0) return {};
  let rules: FileNameRules | undefined;
  for (const value of values) {
    const next = parseFileNameRules(value, rules);
    if (next === null) {
      throw new UsageError(
        `--restrict-file-names takes unix, windows, nocontrol, ascii, lowercase or uppercase (comma-separated), ` +
          `not "${value}"`,
      );
    }
    rules = next;
  }
  return { fileNameRules: rules };
}

/** `-w`, `--random-wait`, `--waitretry`: a pacing shared by the run, or nothing (no pauses, wget's back-off). */
function pacing(wait: string | undefined, randomWait: boolean, waitRetry: string | undefined): { pacing?: Pacing } {
  if (wait === undefined && !randomWait && waitRetry === undefined) return {};
  return {
    pacing: new Pacing({
      wait: wait === undefined ? 0 : parseSeconds("--wait", wait),
      randomWait,
      ...(waitRetry === undefined ? {} : { waitRetry: parseSeconds("--waitretry", waitRetry) }),
    }),
  };
}

/**
 * `-T` sets the three timeouts; `--dns-timeout`, `--connect-timeout` and `--read-timeout` set one each; the last
 * given wins. 0 means none: the TCP timeouts become the longest the engine keeps, the DNS one is dropped.
 */
function timeouts(
  assignments: readonly Assignment[],
): Pick<InputPacingSettings, "timeoutMs" | "connectTimeoutMs" | "dnsTimeoutMs"> {
  const given = (own: string) => {
    const value = lastValue(assignments, ["timeout", own]);
    return value === undefined ? undefined : parseSeconds(`--${value.option}`, value.text);
  };
  const ms = (seconds: number) => Math.max(1, Math.round(seconds * 1000));
  const read = given("read-timeout"), connect = given("connect-timeout"), dns = given("dns-timeout");
  return {
    ...(read === undefined ? {} : { timeoutMs: read === 0 ? NO_LIMIT_MS : Math.min(ms(read), NO_LIMIT_MS) }),
    ...(connect === undefined ? {} : {
      connectTimeoutMs: connect === 0 ? NO_LIMIT_MS : Math.min(ms(connect), NO_LIMIT_MS),
    }),
    ...(dns === undefined || dns === 0 ? {} : { dnsTimeoutMs: ms(dns) }),
  };
}

/** `-o FILE` or `-a FILE`, whichever came last; appended when `-a` was given at all (wget's `append_to_log`). */
function lastLogFile(assignments: readonly Assignment[]): InputPacingSettings["logFile"] {
  const last = lastValue(assignments, ["output-file", "append-output"]);
  if (last === undefined) return undefined;
  const append = assignments.some((a) => a.kind === "option" && a.option === "append-output");
  return { path: last.text, append };
}

/** The last string value given to any of `options`, and which one it was. */
function lastValue(
  assignments: readonly Assignment[],
  options: readonly string[],
): { option: string; text: string } | undefined {
  let found: { option: string; text: string } | undefined;
  for (const a of assignments) {
    if (a.kind === "option" && options.includes(a.option) && typeof a.value === "string") {
      found = { option: a.option, text: a.value };
    }
  }
  return found;
}
