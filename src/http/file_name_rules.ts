/**
 * wget's `--restrict-file-names`: which bytes of a name taken from a URL are written as `%XX` (upper-case hex), and
 * the case of the name. The rules are wget 1.21.3's (src/url.c `filechr_table` and `append_uri_pathel`, src/init.c
 * `cmd_spec_restrict_file_names`), byte for byte:
 *
 * | mode        | escaped                                                                              |
 * | ----------- | ------------------------------------------------------------------------------------ |
 * | `unix`      | NUL and `/` (the default system)                                                     |
 * | `windows`   | NUL and `\ \| / : ? " * < >`                                                         |
 * | (control)   | bytes 1–31 and 127, in either mode, unless `nocontrol`                               |
 * | `ascii`     | every byte above 127 too (the UTF-8 bytes of non-ASCII characters)                  |
 * | `lowercase` | then the whole name in lower case, its escapes included (`%2f`); `uppercase` likewise |
 *
 * Bytes 128–159 are not control characters here: wget's table (unlike its manual) leaves them alone, so UTF-8 names
 * stay whole. A name that is exactly `..` becomes `%2E%2E`, as in wget (and `.` becomes `%2E`). wget's `vms` mode is
 * not offered. Pure: no I/O.
 *
 * @module
 */

/** How names are restricted; build with {@linkcode parseFileNameRules}. */
export interface FileNameRules {
  /** The system whose forbidden characters are escaped. */
  readonly os: "unix" | "windows";
  /** Escape the control characters 1–31 and 127 too (false: `nocontrol`). */
  readonly control: boolean;
  /** Escape every byte above 127 (`ascii`). */
  readonly ascii: boolean;
  /** Change the case of the whole name after escaping (`lowercase`, `uppercase`). */
  readonly case: "keep" | "lower" | "upper";
}

/** wget's defaults on Linux: `unix`, controls escaped, non-ASCII kept, case kept. */
export const DEFAULT_FILE_NAME_RULES: FileNameRules = { os: "unix", control: true, ascii: false, case: "keep" };

/** Bytes a system cannot have in a name (besides the controls). */
const FORBIDDEN: Readonly<Record<FileNameRules["os"], ReadonlySet<number>>> = {
  unix: new Set([0x00, 0x2f]),
  windows: new Set([0x00, 0x22, 0x2a, 0x2f, 0x3a, 0x3c, 0x3e, 0x3f, 0x5c, 0x7c]),
};

/**
 * Reads a `--restrict-file-names` value: comma-separated modes applied in turn on top of `from` (a second option adds
 * to the first, as in wget); null when a mode is not one of `unix`, `windows`, `nocontrol`, `ascii`, `lowercase`,
 * `uppercase`. A trailing comma is allowed, as wget allows it.
 *
 * @example
 * ```ts
 * parseFileNameRules("windows,lowercase"); // { os: "windows", control: true, ascii: false, case: "lower" }
 * parseFileNameRules("vms"); // null
 * ```
 */
export function parseFileNameRules(value: string, from: FileNameRules = DEFAULT_FILE_NAME_RULES): FileNameRules | null {
  const words = value.split(",");
  if (words.length > 1 && words.at(-1) === "") words.pop();
  let rules = from;
  for (const word of words) {
    switch (word) {
      case "unix":
      case "windows":
        rules = { ...rules, os: word };
        break;
      case "nocontrol":
        rules = { ...rules, control: false };
        break;
      case "ascii":
        rules = { ...rules, ascii: true };
        break;
      case "lowercase":
        rules = { ...rules, case: "lower" };
        break;
      case "uppercase":
        rules = { ...rules, case: "upper" };
        break;
      default:
        return null;
    }
  }
  return rules;
}

/**
 * A decoded name (a URL's last path segment, percent-decoded) as wget writes it under `rules`: the bytes the rules
 * name become `%XX`, then the case changes.
 *
 * @example
 * ```ts
 * restrictFileName("a:b?.txt", parseFileNameRules("windows")!); // "a%3Ab%3F.txt"
 * restrictFileName("A/B", parseFileNameRules("lowercase")!); // "a%2fb"
 * ```
 */
export function restrictFileName(name: string, rules: FileNameRules): string {
  // wget defangs a ".." path element; "." cannot come from a URL path, and is defanged the same way.
  if (name === "." || name === "..") return changeCase(name.replaceAll(".", "%2E"), rules.case);
  const forbidden = FORBIDDEN[rules.os];
  const out: number[] = [];
  for (const byte of new TextEncoder().encode(name)) {
    const escaped = forbidden.has(byte) || (rules.control && (byte < 0x20 || byte === 0x7f)) ||
      (rules.ascii && byte > 0x7f);
    if (escaped) out.push(PERCENT, HEX[byte >> 4], HEX[byte & 0xf]);
    else out.push(byte);
  }
  // Whole bytes only are escaped, so what is left of each UTF-8 sequence is still whole.
  return changeCase(new TextDecoder().decode(new Uint8Array(out)), rules.case);
}

const PERCENT = 0x25;
/** wget's `XNUM_TO_DIGIT`: upper-case hex digits, as bytes. */
const HEX = new TextEncoder().encode("0123456789ABCDEF");

/** wget's `c_tolower`/`c_toupper`: ASCII letters only. */
function changeCase(name: string, how: FileNameRules["case"]): string {
  if (how === "keep") return name;
  return name.replace(/[A-Za-z]+/g, (s) => how === "lower" ? s.toLowerCase() : s.toUpperCase());
}
