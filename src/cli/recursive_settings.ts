/**
 * The options of recursive retrieval and of local names, checked and typed as wget 1.21.3 reads them: `-r`, `-l`,
 * `-p`, `-m`, `-k`, `-K`, `--delete-after`, `-Q`, `--rejected-log`, the accept/reject options (`-A`, `-R`, regexes,
 * `-D`, `--exclude-domains`, `-H`, `-L`, `-I`, `-X`, `-np`, `--follow-tags`, `--ignore-tags`, `--ignore-case`),
 * robots (`-e robots=off`, our `--no-robots`), and the names of saved files (`-x`, `-nd`, `-nH`,
 * `--protocol-directories`, `--cut-dirs`, `-E`, `--default-page`).
 *
 * wget's rules kept: `-l 0` and `-l inf` mean no limit; `-p` without `-r` is a crawl of depth 0 that fetches the
 * page requisites alone; `-r`, `-m` and `-p` save in HOST/PATH directories unless `-nd`; `-m` is `-r -N -l inf`.
 *
 * @module
 */

import {
  acceptableFile,
  adjustedPath,
  compileRegex,
  type LinkRules,
  localPath,
  type NamingRules,
} from "../crawl/mod.ts";
import type { FetchOptions } from "../fetch/mod.ts";
import type { FileNameRules, ParsedUrl, UrlEncodings } from "../http/mod.ts";
import { UsageError } from "./options.ts";
import { parseRate } from "./transfer_settings.ts";

/** How a run crawls, when it does (`-r`, `-p`, `-m`). */
export interface Recursion {
  /** The link rules. */
  readonly rules: LinkRules;
  /** `-r` or `-m` (false: `-p` alone). */
  readonly recursive: boolean;
  /** Honour robots.txt and `<meta name=robots>` (false: `-e robots=off`). */
  readonly robots: boolean;
  /** `-k`. */
  readonly convertLinks: boolean;
  /** `-K`. */
  readonly backupConverted: boolean;
  /** `-E` (the links `-k` converts and the backups `-K` names depend on it). */
  readonly adjustExtension: boolean;
  /** `--delete-after`. */
  readonly deleteAfter: boolean;
  /** `--follow-tags`, `--ignore-tags`: lower-case element names. */
  readonly followTags?: readonly string[];
  readonly ignoreTags?: readonly string[];
  /** `--rejected-log FILE`. */
  readonly rejectedLog?: string;
}

/** What {@linkcode recursiveSettings} adds to the settings. */
export interface RecursiveSettings extends Pick<FetchOptions, "localName" | "replaceExisting" | "timestamping"> {
  /** The crawl, with `-r`, `-m` or `-p`. */
  readonly recursion?: Recursion;
  /** `-Q`: bytes after which a recursive or `-i` run stops (absent: no quota). */
  readonly quota?: number;
}

/**
 * Reads the options; throws {@linkcode UsageError} for a value wget refuses.
 *
 * @example
 * ```ts
 * recursiveSettings(text, flag, list, {}); // { recursion: { rules: { level: 5, … }, … }, localName, … } for -r
 * ```
 */
export function recursiveSettings(
  text: (name: string) => string | undefined,
  flag: (name: string) => boolean,
  list: (name: string) => readonly string[],
  context: { fileNameRules?: FileNameRules; encodings?: UrlEncodings; directory?: string },
  explicitFalse: (name: string) => boolean,
): RecursiveSettings {
  const letters = new Set(list("no").join(""));
  const mirror = flag("mirror");
  const recursive = flag("recursive") || mirror;
  const requisites = flag("page-requisites");
  const spider = flag("spider");
  const deleteAfter = flag("delete-after");
  const noDirectories = flag("no-directories") || letters.has("d") || explicitFalse("force-directories");
  const structure = !noDirectories &&
    (flag("force-directories") || recursive || (requisites && !spider && !deleteAfter));
  const adjust = flag("adjust-extension");
  const naming: NamingRules = {
    directory: context.directory,
    structure,
    hostDirectories: !(flag("no-host-directories") || letters.has("H")),
    cutDirs: whole("cut-dirs", text("cut-dirs")),
    protocolDirectories: flag("protocol-directories"),
    defaultPage: text("default-page"),
    fileNameRules: context.fileNameRules,
    encodings: context.encodings,
  };
  const crawls = recursive || requisites;
  const named = structure || adjust || text("default-page") !== undefined || crawls;
  // wget: in a crawl, a file that is only fetched for its links (--delete-after, --spider, a page -A/-R reject)
  // is written as NAME.tmp, so that a file of that name already there is not touched.
  const rules = crawls ? linkRules(text, flag, list, letters, mirror, recursive) : undefined;
  const temporary = (path: string) =>
    rules !== undefined && (deleteAfter || spider || !acceptableFile(path.slice(path.lastIndexOf("/") + 1), rules));
  const localName = named
    ? (url: ParsedUrl, type?: string | null) => {
      const path = localPath(url, naming);
      const named = adjust && type !== undefined ? adjustedPath(path, type) : path;
      return temporary(path) ? `${named}.tmp` : named;
    }
    : undefined;
  const quota = text("quota") === undefined ? 0 : quotaBytes(text("quota")!);
  const out: RecursiveSettings = {
    ...(localName === undefined ? {} : { localName }),
    ...(quota > 0 ? { quota } : {}),
    ...(mirror ? { timestamping: true } : {}),
  };
  if (rules === undefined) return out;
  const recursion: Recursion = {
    rules,
    recursive,
    robots: !flag("no-robots"),
    convertLinks: flag("convert-links"),
    backupConverted: flag("backup-converted"),
    adjustExtension: adjust,
    deleteAfter,
    ...tags("followTags", list("follow-tags")),
    ...tags("ignoreTags", list("ignore-tags")),
    ...(text("rejected-log") === undefined ? {} : { rejectedLog: text("rejected-log") }),
  };
  // wget -r without -nd replaces a file it fetches again; with -nd it numbers the names (NAME.1, …).
  return { ...out, recursion, replaceExisting: structure };
}

function linkRules(
  text: (name: string) => string | undefined,
  flag: (name: string) => boolean,
  list: (name: string) => readonly string[],
  letters: ReadonlySet<string>,
  mirror: boolean,
  recursive: boolean,
): LinkRules {
  const regexType = (text("regex-type") ?? "posix").toLowerCase();
  if (regexType !== "posix" && regexType !== "pcre") {
    throw new UsageError(`--regex-type takes posix or pcre, not "${text("regex-type")}"`);
  }
  const regex = (name: string) => {
    const source = text(name);
    if (source === undefined) return undefined;
    try {
      return compileRegex(source, regexType);
    } catch (e) {
      throw new UsageError(`--${name}: ${(e as Error).message}`);
    }
  };
  const items = (name: string) => {
    const values = list(name).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
    return values.length === 0 ? undefined : values;
  };
  // wget: -p alone is a crawl of depth 0; -m has no limit; -l 0 and -l inf mean none either.
  const level = !recursive ? 0 : mirror && text("level") === undefined ? Infinity : depth(text("level"));
  const rules: Record<string, unknown> = {
    level,
    httpsOnly: flag("https-only") || undefined,
    relativeOnly: flag("relative") || undefined,
    spanHosts: flag("span-hosts") || undefined,
    domains: items("domains"),
    excludeDomains: items("exclude-domains"),
    noParent: flag("no-parent") || letters.has("p") || undefined,
    includeDirectories: items("include-directories"),
    excludeDirectories: items("exclude-directories"),
    accept: items("accept"),
    reject: items("reject"),
    acceptRegex: regex("accept-regex"),
    rejectRegex: regex("reject-regex"),
    ignoreCase: flag("ignore-case") || undefined,
    pageRequisites: flag("page-requisites") || undefined,
  };
  for (const key of Object.keys(rules)) if (rules[key] === undefined) delete rules[key];
  return rules as unknown as LinkRules;
}

/** `-l`: a whole number, `inf`; 0 and `inf` mean no limit; default 5. */
function depth(value: string | undefined): number {
  if (value === undefined) return 5;
  if (/^\s*inf\s*$/i.test(value)) return Infinity;
  const n = whole("level", value)!;
  return n === 0 ? Infinity : n;
}

function whole(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(value)) throw new UsageError(`--${name} takes a whole number, not "${value}"`);
  return Number(value);
}

/** `-Q`: wget's byte count (k, m, g, t suffixes; "inf" and 0 are no quota). */
function quotaBytes(value: string): number {
  try {
    return parseRate(value);
  } catch {
    throw new UsageError(`--quota takes a number of bytes, not "${value}" (a k, m, g or t suffix may follow)`);
  }
}

function tags(key: "followTags" | "ignoreTags", values: readonly string[]): Partial<Recursion> {
  const names = values.flatMap((v) => v.split(",")).map((v) => v.trim().toLowerCase()).filter((v) => v !== "");
  return names.length === 0 ? {} : { [key]: names };
}
