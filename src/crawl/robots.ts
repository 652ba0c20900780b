/**
 * robots.txt as wget 1.21.3 reads it (src/res.c `res_parse`, `match_user_agent`, `res_match_path`), the draft
 * robots exclusion RFC of 1996 (norobots-rfc.txt §3.2.2) without later extensions (no `*` or `$` wildcards):
 *
 * - Lines end at LF; surrounding whitespace (a CR too) is ignored, and so is a "#" comment that starts the line or
 *   follows whitespace ("/a#b" is a path).
 * - A line is `field: value`, the field made of letters, digits and "-", in any case; other lines and other fields
 *   are ignored.
 * - A record is one or more `User-agent` lines, then `Allow`/`Disallow` lines. It applies when one of its agents is
 *   exactly "wget" (in any case; "Wget/1.21" does not count) or "*". When a "wget" record exists, the "*" records
 *   are ignored. As in wget, once an agent of a run of `User-agent` lines applies the others of that run are not
 *   read, so "*" then "wget" in one record makes it a "*" record.
 * - An empty `Disallow` allows everything.
 * - A path is allowed by the first rule, in file order, whose path is a prefix of it (not the longest one); by
 *   default everything is allowed. %XX escapes are decoded on both sides before comparing, except `%2F`; the
 *   comparison is case-sensitive.
 *
 * Pure: the caller fetches robots.txt (and uses empty rules when there is none).
 *
 * @module
 */

/** One `Allow` or `Disallow` line that applies to wget. */
export interface RobotsRule {
  /** The path prefix, without its leading "/" ("" matches every path). */
  readonly path: string;
  /** `Allow`, or an empty `Disallow`. */
  readonly allow: boolean;
}

/** The rules of a robots.txt that apply to wget, in file order. */
export interface RobotsRules {
  readonly rules: readonly RobotsRule[];
}

/**
 * Reads a robots.txt, decoded as UTF-8 (its paths are compared with a URL's as UTF-8 bytes, as wget compares bytes).
 *
 * @example
 * ```ts
 * parseRobots("User-agent: *\nDisallow: /private\n");
 * // { rules: [{ path: "private", allow: false }] }
 * ```
 */
export function parseRobots(text: string): RobotsRules {
  const rules: (RobotsRule & { exact: boolean })[] = [];
  let applies = false;
  let exact = false;
  let foundExact = false;
  /** Allow/Disallow lines since the last User-agent line. */
  let recordLines = 0;
  for (const rawLine of text.split("\n")) {
    const line = withoutComment(rawLine);
    const field = /^([A-Za-z0-9-]+)[ \t\n\v\f\r]*:[ \t\n\v\f\r]*/.exec(line);
    if (field === null) continue;
    const name = field[1].toLowerCase();
    const value = line.slice(field[0].length);
    if (name === "user-agent") {
      // A new run of agents starts a new record; within a run, the first agent that applies decides.
      if (recordLines !== 0 || !applies) {
        applies = value === "*" || value.toLowerCase() === "wget";
        exact = value !== "*" && applies;
      }
      if (exact) foundExact = true;
      recordLines = 0;
    } else if (name === "allow" || name === "disallow") {
      if (applies) rules.push({ path: value.replace(/^\//, ""), allow: name === "allow" || value === "", exact });
      recordLines++;
    }
  }
  const kept = foundExact ? rules.filter((r) => r.exact) : rules;
  return { rules: kept.map(({ path, allow }) => ({ path, allow })) };
}

/**
 * Whether `rules` allow a request path (`/dir/file?query`, as `ParsedUrl.path` holds it): wget matches the path
 * without its leading "/" and without the query.
 *
 * @example
 * ```ts
 * const rules = parseRobots("User-agent: *\nAllow: /a/public\nDisallow: /a\n");
 * robotsAllows(rules, "/a/public/x.html"); // true
 * robotsAllows(rules, "/a/b"); // false
 * robotsAllows(rules, "/%61/b"); // false
 * ```
 */
export function robotsAllows(rules: RobotsRules, path: string): boolean {
  const target = binary(path.replace(/\?[\s\S]*$/, "").replace(/^\//, ""));
  const rule = rules.rules.find((r) => isPrefix(binary(r.path), target));
  return rule === undefined || rule.allow;
}

/** The line without its comment and surrounding whitespace (C `isspace`). */
function withoutComment(line: string): string {
  const start = line.search(/[^ \t\n\v\f\r]/);
  if (start < 0 || line[start] === "#") return "";
  const comment = /(?:^|[ \t\n\v\f\r])#/.exec(line.slice(start));
  const body = comment === null ? line.slice(start) : line.slice(start, start + comment.index);
  return body.replace(/[ \t\n\v\f\r]+$/, "");
}

/** `text` as its UTF-8 bytes, one character per byte. */
function binary(text: string): string {
  return Array.from(new TextEncoder().encode(text), (b) => String.fromCharCode(b)).join("");
}

/** wget's `matches`: `prefix` starts `path`, both compared a character at a time with %XX decoded (but not %2F). */
function isPrefix(prefix: string, path: string): boolean {
  let p = 0;
  let u = 0;
  for (;;) {
    if (p >= prefix.length) return true;
    if (u >= path.length) return false;
    const [rc, rn] = decoded(prefix, p);
    const [uc, un] = decoded(path, u);
    if (rc !== uc) return false;
    p += rn;
    u += un;
  }
}

/** The character at `i` (an %XX escape decoded unless it is "/") and how many characters it took. */
function decoded(text: string, i: number): [string, number] {
  if (text[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
    const byte = parseInt(text.slice(i + 1, i + 3), 16);
    if (byte !== 0x2f) return [String.fromCharCode(byte), 3];
  }
  return [text[i], 1];
}
