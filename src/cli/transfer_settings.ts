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
}

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
  return {
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
