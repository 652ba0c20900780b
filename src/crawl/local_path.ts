/**
 * The local file name of a URL in a recursive retrieval, as wget 1.21.3 builds it (src/url.c `url_file_name`,
 * `append_dir_structure`, `append_uri_pathel`, `convert_fname`), and `-E`'s extension (src/http.c
 * `ensure_extension`):
 *
 * ```
 * [P/][scheme/][host[:port]/][directories after --cut-dirs/]file[?query]
 * ```
 *
 * - Every directory and the file are %XX decoded, then escaped by `--restrict-file-names` (file_name_rules.ts), and
 *   each is cut to 236 bytes (wget: `NAME_MAX` 255 less its `CHOMP_BUFFER` of 19), never inside an escape.
 * - Empty directories (`a//b`) are dropped, but `--cut-dirs` counts them, as wget's loop does.
 * - The file is the last segment, the default page when it is empty; the query follows it after "?" ("@" in
 *   `windows` mode). wget decodes "file?query" once more as a whole, so "%2541" in the file name is written "A":
 *   kept, since it cannot escape the directory (a decoded "/" is escaped again).
 * - A component that is ".." is written "%2E%2E" as wget writes it; "." (which wget does not meet) "%2E".
 * - The port follows the host after ":" ("+" in `windows` mode) unless it is the scheme's default.
 * - The name is converted from the remote to the local encoding as a whole, and left as it is when that fails.
 *
 * Pure: no I/O; whether the file exists (wget's `.1` suffixes) is the caller's business.
 *
 * @module
 */

import { DEFAULT_FILE_NAME_RULES, type FileNameRules, type ParsedUrl, restrictFileName, UTF8 } from "../http/mod.ts";
import { bytesAsName, type UrlEncodings } from "../http/mod.ts";
import { unescapeBytes, urlParts } from "./_url_parts.ts";

/** How local names are built (wget's `-P`, `-x`/`-nd`, `-nH`, `--cut-dirs`, `--protocol-directories`, …). */
export interface NamingRules {
  /**
   * `-P`: the directory files go under, its trailing slashes removed (as wget's `cmd_directory` does); unset or ""
   * for the current directory, where wget puts no prefix at all.
   */
  readonly directory?: string;
  /** Host and directories (`-r`, `-x`); false with `-nd`, which keeps the file name only. */
  readonly structure: boolean;
  /** The host directory (default true); false with `-nH`. */
  readonly hostDirectories?: boolean;
  /** `--cut-dirs`: how many leading directories to drop (default 0). */
  readonly cutDirs?: number;
  /** `--protocol-directories`: an "http" or "https" directory first (default false). */
  readonly protocolDirectories?: boolean;
  /** `--default-page`: the name of a path ending in "/" (default "index.html"). */
  readonly defaultPage?: string;
  /** `--restrict-file-names` (default: wget's Linux default, `unix`). */
  readonly fileNameRules?: FileNameRules;
  /** The remote and local encodings (default UTF-8 both). */
  readonly encodings?: UrlEncodings;
}

/** Longest component written, in bytes: wget's `NAME_MAX - CHOMP_BUFFER` on Linux. */
export const MAX_COMPONENT_BYTES = 255 - 19;

/**
 * The local path wget saves `url` to under `rules`, relative to the current directory unless `directory` is absolute.
 *
 * @example
 * ```ts
 * localPath(parseUrl("http://example.com:8080/a/b/"), { structure: true }); // "example.com:8080/a/b/index.html"
 * localPath(parseUrl("http://example.com/a/b/c.php?x=1"), { structure: true, cutDirs: 1, hostDirectories: false });
 * // "b/c.php?x=1"
 * localPath(parseUrl("http://example.com/a/c.html"), { structure: false, directory: "out/" }); // "out/c.html"
 * ```
 */
export function localPath(url: ParsedUrl, rules: NamingRules): string {
  const names = rules.fileNameRules ?? DEFAULT_FILE_NAME_RULES;
  const windows = names.os === "windows";
  const parts = urlParts(url);
  const components: Uint8Array[] = [];
  if (rules.structure) {
    if (rules.protocolDirectories ?? false) components.push(ascii(url.scheme));
    if (rules.hostDirectories ?? true) {
      // The host is written as it is, but a ".." from a malicious resolver would climb out; wget defangs it too.
      const host = url.host === ".." ? "%2E%2E" : url.host;
      const port = url.port === url.defaultPort ? "" : `${windows ? "+" : ":"}${url.port}`;
      components.push(ascii(host + port));
    }
    let cut = rules.cutDirs ?? 0;
    for (const segment of parts.dirSegments) {
      if (cut-- > 0 || segment === "") continue;
      components.push(pathElement(unescapeBytes(ascii(segment)), names));
    }
  }
  // u->file is already decoded; wget decodes "file?query" again as a whole.
  const fileBytes = parts.rawFile === ""
    ? ascii(rules.defaultPage ?? "index.html")
    : unescapeBytes(ascii(parts.rawFile));
  const withQuery = parts.query === null
    ? unescapeBytes(fileBytes)
    : unescapeBytes(concat([fileBytes, ascii(windows ? "@" : "?"), ascii(parts.query)]));
  components.push(pathElement(withQuery, names));
  const name = converted(join(components), rules.encodings ?? {});
  const prefix = prefixOf(rules.directory);
  return prefix === "" ? name : prefix.endsWith("/") ? prefix + name : `${prefix}/${name}`;
}

/**
 * The path `-E` (`--adjust-extension`) saves a file to, given the response's Content-Type value (null when there
 * was none, which wget takes for text/html): ".html" added to HTML (`text/html`, `application/xhtml+xml`) unless the
 * text after the path's last "." is "html" or "htm" in any case, ".css" to `text/css` unless it ends in ".css". The
 * last "." may be in the query or a directory, as in wget: "a.php?x=1" becomes "a.php?x=1.html".
 *
 * @example
 * ```ts
 * adjustedPath("h/a.php?x=1", "text/html; charset=utf-8"); // "h/a.php?x=1.html"
 * adjustedPath("h/page.HTM", "text/html"); // "h/page.HTM"
 * adjustedPath("h/style", "text/css"); // "h/style.css"
 * ```
 */
export function adjustedPath(path: string, contentType: string | null): string {
  const type = contentType === null ? "text/html" : contentType.split(";")[0].trim().toLowerCase();
  const extension = type === "text/html" || type === "application/xhtml+xml"
    ? ".html"
    : type === "text/css"
    ? ".css"
    : null;
  if (extension === null) return path;
  const dot = path.lastIndexOf(".");
  const tail = dot < 0 ? null : path.slice(dot).toLowerCase();
  // wget also accepts the extension without its last letter (".htm"), which only a five-letter one has.
  const short = extension.length === 5 ? extension.slice(0, 4) : null;
  return tail === extension || (short !== null && tail === short) ? path : path + extension;
}

/** `-P` without its trailing slashes ("/" stays the root); "" when unset. */
function prefixOf(directory: string | undefined): string {
  if (directory === undefined || directory === "") return "";
  const trimmed = directory.replace(/\/+$/, "");
  return trimmed === "" ? "/" : trimmed;
}

/**
 * One decoded path element as wget's `append_uri_pathel` writes it: ".." (and ".") defanged, the bytes the rules
 * name escaped as %XX, the case changed, and the result cut to {@linkcode MAX_COMPONENT_BYTES} before an escape or
 * a UTF-8 sequence that would not fit (wget may cut a sequence in two; a name here stays whole characters).
 */
function pathElement(bytes: Uint8Array, rules: FileNameRules): Uint8Array {
  if (isDots(bytes)) return ascii(restrictFileName(bytes.length === 1 ? "." : "..", rules));
  const pieces: number[][] = [];
  for (const byte of bytes) {
    const last = pieces.at(-1);
    if (byte < 0x80) {
      // A dot alone would be defanged as a whole name; within a name it is never escaped.
      pieces.push([...(byte === DOT ? [DOT] : ascii(restrictFileName(String.fromCharCode(byte), rules)))]);
    } else if (rules.ascii) {
      pieces.push([...ascii(`%${hex(byte, rules)}`)]);
    } else if (byte < 0xc0 && last !== undefined && last[0] >= 0xc0 && last.length < sequenceLength(last[0])) {
      last.push(byte);
    } else {
      pieces.push([byte]);
    }
  }
  const out: number[] = [];
  for (const piece of pieces) {
    if (out.length + piece.length > MAX_COMPONENT_BYTES) break;
    out.push(...piece);
  }
  return Uint8Array.from(out);
}

const DOT = 0x2e;

function isDots(bytes: Uint8Array): boolean {
  return (bytes.length === 1 || bytes.length === 2) && bytes.every((b) => b === DOT);
}

/** The two hex digits of `byte` in the case the rules write escapes in. */
function hex(byte: number, rules: FileNameRules): string {
  const digits = byte.toString(16).toUpperCase().padStart(2, "0");
  return rules.case === "lower" ? digits.toLowerCase() : digits;
}

/** How many bytes a UTF-8 sequence starting with `lead` has (1 for a byte that cannot start one). */
function sequenceLength(lead: number): number {
  return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
}

/** The components joined by "/", converted from the remote encoding to the local one (wget's `convert_fname`). */
function converted(bytes: Uint8Array, encodings: UrlEncodings): string {
  const text = (encodings.remote ?? UTF8).decode(bytes);
  const local = text === null ? null : (encodings.local ?? UTF8).encode(text);
  return bytesAsName(local ?? bytes);
}

function join(components: readonly Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [];
  components.forEach((c, i) => parts.push(...(i === 0 ? [c] : [ascii("/"), c])));
  return concat(parts);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
