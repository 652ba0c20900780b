/**
 * Whether a recursive retrieval follows a link: wget 1.21.3's `download_child` (src/recur.c) as a pure verdict, with
 * the matchers it calls (src/utils.c `acceptable`, `in_acclist`, `match_tail`, `accdir`, `dir_matches_p`,
 * `subdir_p`, `accept_url`, `has_html_suffix_p`; src/host.c `accept_domain`, `sufmatch`), and the lines of
 * `--rejected-log` (`write_reject_log_header`, `write_reject_log_reason`).
 *
 * The checks run in wget's order, the first failing one naming the reason: `--https-only`, `--relative`, `-D` and
 * `--exclude-domains`, `-np`, `-I`/`-X`, `--accept-regex`/`--reject-regex`, `-A`/`-R`, and `-H`. The visited set
 * ("blacklist"), links with other schemes ("non-http") and robots.txt ("robots") are the caller's to check. Pure.
 *
 * @module
 */

import { type ParsedUrl, quote } from "../http/mod.ts";
import { pcreSource, posixSource, UntranslatableRegex } from "./_regex.ts";
import { urlParts } from "./_url_parts.ts";
import { hasWildcards, wildcardRegExp } from "./_wildcard.ts";

/** The options that decide which links are followed (every list as wget holds it after splitting at commas). */
export interface LinkRules {
  /** `--https-only`: follow https links only. */
  readonly httpsOnly?: boolean;
  /** `--relative` (`-L`): follow relative links only. */
  readonly relativeOnly?: boolean;
  /** `-H` (`--span-hosts`): follow links to other hosts. */
  readonly spanHosts?: boolean;
  /** `-D`: hosts (and their subdomains) to follow. */
  readonly domains?: readonly string[];
  /** `--exclude-domains`: hosts (and their subdomains) never followed. */
  readonly excludeDomains?: readonly string[];
  /** `-np` (`--no-parent`): never go above the start URL's directory. */
  readonly noParent?: boolean;
  /** `-I`: directories to follow (prefixes or wildcards). */
  readonly includeDirectories?: readonly string[];
  /** `-X`: directories never followed (prefixes or wildcards). */
  readonly excludeDirectories?: readonly string[];
  /** `-A`: file name suffixes or wildcards to keep. */
  readonly accept?: readonly string[];
  /** `-R`: file name suffixes or wildcards to refuse. */
  readonly reject?: readonly string[];
  /** `--accept-regex`, made by {@linkcode compileRegex}: matched against the whole URL. */
  readonly acceptRegex?: RegExp;
  /** `--reject-regex`, made by {@linkcode compileRegex}. */
  readonly rejectRegex?: RegExp;
  /** `--ignore-case`: `-A`/`-R`/`-I`/`-X` and `-np` ignore case (the regexes do not, as in wget). */
  readonly ignoreCase?: boolean;
  /** `-l`: the depth limit, Infinity for `inf` (and for `-l 0`, which wget reads as `inf`); wget's default is 5. */
  readonly level: number;
  /** `-p` (`--page-requisites`). */
  readonly pageRequisites?: boolean;
}

/** Why a link is not followed: wget's `WG_RR_*` reasons. */
export type RejectReason =
  | "blacklist"
  | "not-https"
  | "non-http"
  | "absolute"
  | "domain"
  | "parent"
  | "list"
  | "regex"
  | "rules"
  | "spanned-host"
  | "robots";

/** A link found in a page, with what the rules need to know. */
export interface Candidate {
  /** The link, resolved. */
  readonly url: ParsedUrl;
  /** The page it was found in. */
  readonly parent: ParsedUrl;
  /** The URL the retrieval started from (`-np` is relative to it). */
  readonly start: ParsedUrl;
  /** The depth of the parent page (0 for the start URL). */
  readonly depth: number;
  /** A page requisite (wget's "inline" link). */
  readonly inline: boolean;
  /** Written as a relative link in the page. */
  readonly relative: boolean;
}

/**
 * Judges a link as wget's `download_child` does (its checks 1 to 7): the first reason to refuse it, or null to
 * follow it. An HTML file (see {@linkcode hasHtmlSuffix}) escapes `-A`/`-R` while its links can still be followed
 * (its parent's depth below `level - 1`, `level` infinite, or `-p`), since it may lead to files that are wanted.
 *
 * @example
 * ```ts
 * const start = parseUrl("http://example.com/docs/");
 * const url = parseUrl("http://example.com/other/a.html");
 * judgeLink({ url, parent: start, start, depth: 0, inline: false, relative: true }, { level: 5, noParent: true });
 * // "parent"
 * ```
 */
export function judgeLink(c: Candidate, rules: LinkRules): RejectReason | null {
  const fold = rules.ignoreCase ?? false;
  if ((rules.httpsOnly ?? false) && c.url.scheme !== "https") return "not-https";
  if ((rules.relativeOnly ?? false) && !c.relative) return "absolute";
  if (rules.domains !== undefined && rules.domains.length > 0 && !suffixMatch(rules.domains, c.url.host)) {
    return "domain";
  }
  if (rules.excludeDomains !== undefined && suffixMatch(rules.excludeDomains, c.url.host)) return "domain";
  const parts = urlParts(c.url);
  // http and https are "similar" schemes: -np holds across them on the same host, and the port only counts when
  // the scheme is the same.
  const sameSite = c.url.host === c.start.host && (c.url.scheme !== c.start.scheme || c.url.port === c.start.port);
  if ((rules.noParent ?? false) && sameSite && !((rules.pageRequisites ?? false) && c.inline)) {
    if (!isSubdirectory(urlParts(c.start).dir, parts.dir, fold)) return "parent";
  }
  const includes = rules.includeDirectories ?? [];
  const excludes = rules.excludeDirectories ?? [];
  if (includes.length > 0 && !directoryMatches(includes, parts.dir, fold)) return "list";
  if (excludes.length > 0 && directoryMatches(excludes, parts.dir, fold)) return "list";
  if (rules.acceptRegex !== undefined && !rules.acceptRegex.test(c.url.href)) return "regex";
  if (rules.rejectRegex !== undefined && rules.rejectRegex.test(c.url.href)) return "regex";
  const nonLeaf = rules.level === Infinity || c.depth < rules.level - 1 || (rules.pageRequisites ?? false);
  if (parts.file !== "" && !(hasHtmlSuffix(parts.file) && nonLeaf) && !acceptableFile(parts.file, rules)) {
    return "rules";
  }
  if (!(rules.spanHosts ?? false) && c.parent.host !== c.url.host) return "spanned-host";
  return null;
}

/**
 * wget's `acceptable`: whether a file name (the part after its last "/") passes `-A` and `-R`. A pattern holding
 * one of `*?[]` is a shell wildcard matched against the whole name (`*` matching "/" and a leading "." too); any
 * other is a suffix ("gif" matches "a.gif" and "agif"). With both lists the name must be accepted and not rejected.
 *
 * @example
 * ```ts
 * acceptableFile("a.GIF", { level: 5, accept: ["gif", "jpg"], ignoreCase: true }); // true
 * acceptableFile("a.html", { level: 5, reject: ["*.htm?"] }); // false
 * ```
 */
export function acceptableFile(name: string, rules: LinkRules): boolean {
  const base = name.slice(name.lastIndexOf("/") + 1);
  const fold = rules.ignoreCase ?? false;
  if (rules.accept !== undefined && rules.accept.length > 0 && !inList(rules.accept, base, fold)) return false;
  return !(rules.reject !== undefined && rules.reject.length > 0 && inList(rules.reject, base, fold));
}

/**
 * wget's `has_html_suffix_p`: the text after the last "." is "html", "htm", or one character then "html" ("shtml",
 * "xhtml"), in any case.
 *
 * @example
 * ```ts
 * hasHtmlSuffix("a.SHTML"); // true
 * hasHtmlSuffix("a.php"); // false
 * ```
 */
export function hasHtmlSuffix(name: string): boolean {
  const dot = name.lastIndexOf(".");
  if (dot < 0 || name.includes("/", dot)) return false;
  return /^(?:html?|[\s\S]html)$/i.test(name.slice(dot + 1));
}

/**
 * Compiles `--accept-regex`/`--reject-regex` as `--regex-type` says.
 *
 * - `posix` (wget's default, glibc `regcomp` with `REG_EXTENDED`): translated token by token. "." matches any
 *   character; bracket expressions keep POSIX rules ("\\" literal inside, `[:alpha:]` and friends over ASCII,
 *   `[=a=]`, `[.a.]` for one character); `\<` and `\>` become word-boundary lookarounds, `\`` and `\'` the ends of
 *   the text; another escaped character is literal (`\d` is "d", as in glibc); "(" always captures; an unmatched ")"
 *   is literal; stacked repetitions such as `a+*` are kept. Multi-character collating elements and equivalence
 *   classes of several characters are not supported.
 * - `pcre`: compiled as JavaScript reads it, after rewriting leading `(?i)`, `(?s)`, `(?m)`, `(?P<name>…)`,
 *   `(?P=name)`, `\A`, `\z`, `\Z`, `\Q…\E`, `\x{…}`, `\h`, `\e` and POSIX classes in brackets. Possessive
 *   quantifiers, atomic groups, recursion, conditionals, backtracking verbs, `\K \G \R \X \C \p \g`, `(?x)` and
 *   option settings after the start are refused.
 *
 * Either way only whether the URL matches counts, so POSIX's longest-match rule changes nothing.
 *
 * @example
 * ```ts
 * compileRegex("\\.(gif|jpe?g)$", "posix").test("http://h/a.jpg"); // true
 * compileRegex("(?i)^https?://[^/]+/docs/", "pcre").test("HTTP://h/docs/x"); // true
 * compileRegex("a(?>b)", "pcre"); // throws RangeError
 * ```
 */
export function compileRegex(source: string, type: "posix" | "pcre"): RegExp {
  try {
    if (type === "posix") return new RegExp(posixSource(source), "s");
    const pcre = pcreSource(source);
    return new RegExp(pcre.source, pcre.flags);
  } catch (e) {
    const why = e instanceof UntranslatableRegex
      ? e.message
      : `JavaScript cannot read it (${e instanceof Error ? e.message : String(e)})`;
    throw new RangeError(`Cannot use ${type} regular expression ${quote(source)}: ${why}`);
  }
}

/**
 * The first line of `--rejected-log`, without its line feed: the tab-separated column names wget writes.
 *
 * @example
 * ```ts
 * rejectedLogHeader().split("\t").length; // 17
 * ```
 */
export function rejectedLogHeader(): string {
  const columns = (who: string) =>
    ["URL", "SCHEME", "HOST", "PORT", "PATH", "PARAMS", "QUERY", "FRAGMENT"].map((c) => `${who}_${c}`);
  return ["REASON", ...columns("U"), ...columns("P")].join("\t");
}

/**
 * One line of `--rejected-log`, without its line feed: the reason in wget's spelling, then the link's and its
 * parent's URL (escaped again, as wget's `url_escape` does, so "%" becomes "%25"), scheme, host, port, path
 * without its leading "/", params (always empty for http), query and fragment (empty: links lose it). A link with
 * no parent page (a redirect of a start URL) has eight empty parent columns.
 *
 * @example
 * ```ts
 * rejectedLogLine("spanned-host", parseUrl("http://b.example/x?q"), parseUrl("http://a.example/"));
 * // "SPANNEDHOST\thttp://b.example/x?q\tSCHEME_HTTP\tb.example\t80\tx\t\tq\t\thttp://a.example/\tSCHEME_HTTP\ta.example\t80\t\t\t\t"
 * ```
 */
export function rejectedLogLine(
  reason: RejectReason,
  url: ParsedUrl | ForeignUrl,
  parent: ParsedUrl | null,
  fragment = "",
): string {
  const columns = "href" in url ? logColumns(url, fragment) : foreignColumns(url, fragment);
  return [REASON_NAMES[reason], ...columns, ...(parent === null ? Array(8).fill("") : logColumns(parent, ""))]
    .join("\t");
}

/** A link to a scheme the crawl does not fetch (`ftp://`), as wget's `--rejected-log` still names it. */
export interface ForeignUrl {
  /** Lower case, as in the link: "ftp", "ftps". */
  readonly scheme: string;
  readonly host: string;
  readonly port: number;
  /** The path without its leading "/", and the query. */
  readonly path: string;
  readonly query: string;
  /** The link as it was resolved (`scheme://host[:port]/path[?query]`). */
  readonly text: string;
}

function foreignColumns(url: ForeignUrl, fragment: string): string[] {
  const scheme = `SCHEME_${url.scheme.toUpperCase()}`;
  return [escapeUnsafe(url.text), scheme, url.host, String(url.port), url.path, "", url.query, fragment];
}

const REASON_NAMES: Readonly<Record<RejectReason, string>> = {
  "blacklist": "BLACKLIST",
  "not-https": "NOTHTTPS",
  "non-http": "NONHTTP",
  "absolute": "ABSOLUTE",
  "domain": "DOMAIN",
  "parent": "PARENT",
  "list": "LIST",
  "regex": "REGEX",
  "rules": "RULES",
  "spanned-host": "SPANNEDHOST",
  "robots": "ROBOTS",
};

/** wget's `write_reject_log_url` columns. */
function logColumns(url: ParsedUrl, fragment: string): string[] {
  const parts = urlParts(url);
  const scheme = url.scheme === "https" ? "SCHEME_HTTPS" : "SCHEME_HTTP";
  return [escapeUnsafe(url.href), scheme, url.host, String(url.port), parts.path, "", parts.query ?? "", fragment];
}

/** wget's `url_escape`: %XX for controls, space, `"#%:<>@[\]^`{|}`, DEL and every byte above 127. */
function escapeUnsafe(text: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(text)) {
    const unsafe = byte <= 0x20 || byte >= 0x7f || '"#%:<>@[\\]^`{|}'.includes(String.fromCharCode(byte));
    out += unsafe ? `%${byte.toString(16).toUpperCase().padStart(2, "0")}` : String.fromCharCode(byte);
  }
  return out;
}

/** wget's `sufmatch`: `host` is an entry, or ends with "." and an entry, or ends with an entry starting with ".". */
function suffixMatch(list: readonly string[], host: string): boolean {
  const name = host.toLowerCase();
  return list.some((entry) => {
    const suffix = entry.toLowerCase();
    if (!name.endsWith(suffix)) return false;
    const before = name.length - suffix.length - 1;
    return before < 0 || name[before] === "." || suffix.startsWith(".");
  });
}

/** wget's `in_acclist` with `backward`: wildcards match the whole name, anything else its end. */
function inList(list: readonly string[], name: string, fold: boolean): boolean {
  return list.some((pattern) => {
    if (hasWildcards(pattern)) return wildcardRegExp(pattern, false, fold).test(name);
    return fold ? asciiLower(name).endsWith(asciiLower(pattern)) : name.endsWith(pattern);
  });
}

/** wget's `dir_matches_p`: a wildcard matches the whole directory ("*" not crossing "/"), a name a leading part. */
function directoryMatches(list: readonly string[], dir: string, fold: boolean): boolean {
  return list.some((entry) => {
    // As wget's option parser and matcher do: one trailing "/" (not of "/" itself) and one leading "/" go.
    const trimmed = entry.length > 1 && entry.endsWith("/") ? entry.slice(0, -1) : entry;
    const pattern = trimmed.startsWith("/") ? trimmed.slice(1) : trimmed;
    if (hasWildcards(pattern)) return wildcardRegExp(pattern, true, fold).test(dir);
    return isSubdirectory(pattern, dir, fold);
  });
}

/** wget's `subdir_p`: `dir` is `parent` or below it ("" is the root, above everything). */
function isSubdirectory(parent: string, dir: string, fold: boolean): boolean {
  if (parent === "") return true;
  const [p, d] = fold ? [asciiLower(parent), asciiLower(dir)] : [parent, dir];
  return d.startsWith(p) && (d.length === p.length || d[p.length] === "/");
}

/** `c_tolower` over a string: ASCII letters only. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}
