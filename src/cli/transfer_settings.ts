/**
 * The options of how a download is paced and named, checked and typed: `--limit-rate`, `--content-disposition` and
 * `--no-content-disposition`, `--iri` and `--no-iri`, `--local-encoding`, `--remote-encoding`.
 *
 * @module
 */

import { type Charset, findCharset, localeCharset, type UrlEncodings, UTF8 } from "../http/mod.ts";
import { UsageError } from "./options.ts";
import type { Assignment } from "./wgetrc.ts";

/** What {@linkcode transferSettings} adds to the settings; only what differs from the defaults is present. */
export interface TransferSettings {
  /** `--limit-rate`, in bytes per second; absent: no limit (also for 0, as in wget). */
  readonly rateLimit?: number;
  /** `--content-disposition` (the last of it and `--no-content-disposition`, wgetrc included); absent: off. */
  readonly contentDisposition?: true;
  /** `--no-iri` and the encodings; absent: IRIs in UTF-8. */
  readonly encodings?: UrlEncodings;
  /** `--connections N` (`--max-threads`), 2 or more; absent: one connection per file. */
  readonly parallelConnections?: number;
  /** `--chunk-size`, in bytes. */
  readonly chunkSize?: number;
}

/** Most connections one file may use: beyond a few, more flows only crowd the path and the server. */
export const MAX_CONNECTIONS = 16;
/**
 * wget2's default `--max-threads`, the connections of a `--chunk-size` download when no count is given (wget2 splits
 * a file only with `--chunk-size`).
 */
const CHUNKED_CONNECTIONS = 5;

/**
 * Reads the options; throws UsageError (exit 2) for a rate that is not wget's byte value and for an encoding that
 * cannot be converted here. `assignments` are the wgetrc commands and options in order (the last of a flag and its
 * `--no-` form wins); `env` gives the locale (`LC_ALL`, `LC_CTYPE`, `LANG`), the default local encoding.
 *
 * @example
 * ```ts
 * transferSettings((name) => name === "limit-rate" ? "1.5k" : undefined, [], () => undefined).rateLimit; // 1536
 * ```
 */
export function transferSettings(
  text: (name: string) => string | undefined,
  assignments: readonly Assignment[],
  env: (name: string) => string | undefined,
): TransferSettings {
  const rate = text("limit-rate");
  const rateLimit = rate === undefined ? 0 : parseRate(rate);
  const locale = env("LC_ALL") || env("LC_CTYPE") || env("LANG");
  const local = charsetOption("local-encoding", text("local-encoding")) ?? localeCharset(locale);
  const remote = charsetOption("remote-encoding", text("remote-encoding"));
  const iri = lastSwitch(assignments, "iri", true);
  const encodings: UrlEncodings = {
    ...(iri ? {} : { iri }),
    ...(local === UTF8 ? {} : { local }),
    ...(remote === undefined ? {} : { remote }),
  };
  const parallel = parallelSettings(text);
  return {
    ...parallel,
    ...(rateLimit > 0 ? { rateLimit } : {}),
    ...(lastSwitch(assignments, "content-disposition", false) ? { contentDisposition: true } : {}),
    ...(Object.keys(encodings).length > 0 ? { encodings } : {}),
  };
}

/**
 * wget's byte value (src/init.c `parse_bytes_helper`): a decimal number, fractions allowed, optionally followed by
 * `k`, `m`, `g` or `t` (powers of 1024, either case), or "inf"; the whole bytes of it (0: no limit).
 *
 * @example
 * ```ts
 * parseRate("500k"); // 512000
 * parseRate("0.5"); // 0
 * ```
 */
export function parseRate(value: string): number {
  const m = /^\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*([kmgt]?)\s*$/i.exec(value);
  if (value === "inf") return 0;
  const number = m === null ? NaN : Number(m[1]);
  if (!(number >= 0)) {
    throw new UsageError(
      `The rate "${value}" is not a number of bytes per second (a k, m, g or t suffix may follow, e.g. 500k)`,
    );
  }
  const scale = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m![2].toLowerCase() as "" | "k"];
  return Math.trunc(number * scale);
}

/** `--connections` (or, when it is not given, wget2's `--max-threads`) and `--chunk-size`. */
function parallelSettings(
  text: (name: string) => string | undefined,
): Pick<TransferSettings, "parallelConnections" | "chunkSize"> {
  const count = text("connections") ?? text("max-threads");
  let connections: number | undefined;
  if (count !== undefined) {
    connections = /^\s*\d+\s*$/.test(count) ? Number(count) : NaN;
    if (!(connections >= 1 && connections <= MAX_CONNECTIONS)) {
      throw new UsageError(`The number of connections "${count}" is not a whole number from 1 to ${MAX_CONNECTIONS}`);
    }
  }
  const chunk = text("chunk-size");
  let chunkSize: number | undefined;
  if (chunk !== undefined) {
    chunkSize = /^\s*[\d.]+\s*[kmgt]?\s*$/i.test(chunk) ? parseRate(chunk) : 0;
    if (chunkSize < 1) {
      throw new UsageError(`The chunk size "${chunk}" is not a number of bytes (a k or m suffix may follow, e.g. 1m)`);
    }
    connections ??= CHUNKED_CONNECTIONS;
  }
  return {
    ...(connections !== undefined && connections > 1 ? { parallelConnections: connections } : {}),
    ...(chunkSize !== undefined ? { chunkSize } : {}),
  };
}

function charsetOption(name: string, label: string | undefined): Charset | undefined {
  if (label === undefined) return undefined;
  const charset = findCharset(label);
  if (charset === null) {
    throw new UsageError(
      `Cannot convert the encoding "${label}" (--${name}): only UTF-8, ISO-8859-1, US-ASCII and single-byte ` +
        `encodings such as ISO-8859-15, windows-1252 or KOI8-R are supported`,
    );
  }
  return charset;
}

/** A flag with a `--no-` twin: the last of them (or of their wgetrc command) wins. */
function lastSwitch(assignments: readonly Assignment[], name: string, fallback: boolean): boolean {
  let on = fallback;
  for (const a of assignments) {
    if (a.kind !== "option") continue;
    if (a.option === name) on = a.value !== false;
    else if (a.option === `no-${name}`) on = a.value === false;
  }
  return on;
}
