/**
 * The options of a download, declared once: the command line fills them (src/cli), the download loop, each hop and
 * the transport read them.
 *
 * @module
 */

import type { ConnectionPool } from "./connection.ts";
import type { FileReader } from "./file_preload.ts";
import type { FileNameRules, ParsedUrl, UrlEncodings } from "../http/mod.ts";
import type { Output } from "../save/mod.ts";
import type { TransportOptions } from "../transport/mod.ts";
import type { ProxySettings } from "./proxy.ts";
import type { AuthSettings } from "./auth.ts";
import type { CookieJar } from "./cookie_jar.ts";
import type { TlsSettings } from "./tls_protocols.ts";
import type { HstsStore } from "./hsts.ts";
import type { Pacing } from "./pacing.ts";

/** The program's version, sent as `User-Agent: rawhttpget/<version>`. */
export const VERSION = "0.2.0";

/** What a download needs to know (every field has wget's default when absent, unless said). */
export interface FetchOptions extends TransportOptions {
  /** `-O`: the output path, "-" for standard output; derived from the URL (inside `directory`) when absent. */
  readonly output?: string;
  /** A sink shared by several downloads (`-O FILE` with several URLs): flushed after each download, not closed. */
  readonly sink?: Output;
  /** `-P`: directory for derived names, "." by default. */
  readonly directory?: string;
  /** `-c`: continue a partial file. */
  readonly resume?: boolean;
  /** `-t`: attempts in all (default 3). */
  readonly tries?: number;
  /** `--max-redirect`: redirects followed at most (default 20). */
  readonly maxRedirects?: number;
  /** `--http1.0`: ask in HTTP/1.0 (and close each connection) instead of HTTP/1.1. */
  readonly http10?: boolean;
  /**
   * The idle connections of the run (HTTP/1.1 keep-alive): hops to the same origin reuse one. Absent: every hop has
   * its own connection and asks `Connection: close` (`--no-http-keep-alive`, `--http1.0`).
   */
  readonly connections?: ConnectionPool;
  /** `--trust-server-names`: name the file after the last URL of the redirect chain. */
  readonly trustServerNames?: boolean;
  /**
   * `--content-disposition`: name the file after the Content-Disposition filename of the response (RFC 6266), made
   * safe like every name; the URL's name when there is none (default false).
   */
  readonly contentDisposition?: boolean;
  /** `--iri`/`--no-iri`, `--local-encoding`, `--remote-encoding`: how URLs and names are read (IRIs in UTF-8). */
  readonly encodings?: UrlEncodings;
  /** `--restrict-file-names`: wget's escaping of names taken from URLs; absent: our "_" rule (see `safeFileName`). */
  readonly fileNameRules?: FileNameRules;
  /**
   * `-nc`: a download whose file exists already is skipped before connecting (wget's "already there"), checked for
   * each URL of a redirect chain that would name the file; with `output` (a file `-O` names) it is checked once, at
   * the start (see main.ts).
   */
  readonly noClobber?: boolean;
  /**
   * `--start-pos`: ask for the server's bytes from this offset (a Range) and write them from the file's start, as wget
   * does; a server that ignores the range has the first bytes of its body skipped. 0 or absent: the whole file.
   */
  readonly startPos?: number;
  /** `--ca-certificate`: a PEM file of CAs trusted besides the system's. */
  readonly caFile?: string;
  /** Refuse a certificate that does not verify (default true; false: `--no-check-certificate`, with a warning). */
  readonly checkCertificate?: boolean;
  /** The other TLS options (`--secure-protocol`, `--certificate`, `--crl-file`, `--pinnedpubkey`, `--ca-directory`). */
  readonly tls?: TlsSettings;
  /** Reads the files the options name (default: from disk when needed; the program passes `preloadFiles`'s reader). */
  readonly readFile?: FileReader;
  /** Known HSTS hosts: http:// URLs to them become https://, https responses add to them; absent: `--no-hsts`. */
  readonly hsts?: HstsStore;
  /** Credentials for servers that ask (`--user`, `--http-user`, `--auth-no-challenge`, `~/.netrc`). */
  readonly auth?: AuthSettings;
  /** The proxies (`http_proxy`, `https_proxy`, `no_proxy`, `--proxy-user`); absent: direct (`--no-proxy`). */
  readonly proxy?: ProxySettings;
  /**
   * `-N`: fetch the file only when the server's copy is newer than the local one or differs in size (ignored with
   * `output`, as wget does). Default false.
   */
  readonly timestamping?: boolean;
  /** With `timestamping`, ask with `If-Modified-Since` (default true); false: a HEAD request first. */
  readonly ifModifiedSince?: boolean;
  /** Set the saved file's modification time from `Last-Modified` (default true; false: `--no-use-server-timestamps`). */
  readonly useServerTimestamps?: boolean;
  /** `-d`: also log each request and response head (through `log`). */
  readonly debug?: boolean;
  /** Pause before retry `n` (1-based), in ms; 1 s, 2 s, … up to 10 s by default. */
  readonly retryDelayMs?: (n: number) => number;
  /**
   * `-w`, `--random-wait`, `--waitretry`: the pauses before requests, shared by every download of a run (the first
   * request of the run waits for nothing). Absent: no pause between requests, and wget's retry back-off (1 s, 2 s, …
   * 10 s) unless `retryDelayMs` says otherwise.
   */
  readonly pacing?: Pacing;
  /** `--retry-connrefused`: a refused connection is retried like a network failure (default false). */
  readonly retryConnRefused?: boolean;
  /** Keep and send cookies (default true; false: `--no-cookies`). */
  readonly cookies?: boolean;
  /** The run's cookies, shared by its downloads (absent: a download keeps its own, across its hops). */
  readonly cookieJar?: CookieJar;
  /** `--method` (upper case); GET by default. `--post-data`/`--post-file` mean POST. */
  readonly method?: string;
  /** `--body-data`/`--post-data`: the requests' content (sent as UTF-8). */
  readonly bodyData?: string;
  /** `--body-file`/`--post-file`: a file whose bytes are the requests' content (read once per URL). */
  readonly bodyFile?: string;
  /** `--header`: fields sent with every request (not CONNECT), each replacing ours of the same name. */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  /** `-U`: the User-Agent value, "" for none; `rawhttpget/VERSION` by default. */
  readonly userAgent?: string;
  /** `--referer`: a Referer field for every request. */
  readonly referer?: string;
  /** `--spider`: only check that the URL exists (a HEAD; a GET when the HEAD gets 500 or 501); save nothing. */
  readonly spider?: boolean;
  /**
   * `--spider -r`: a page that may hold links (HTML, CSS) is fetched after its HEAD and saved, for the crawl to read
   * (and remove), as wget does; other files are only checked.
   */
  readonly spiderFetchesPages?: boolean;
  /**
   * The local name of a URL when the URL's file name alone is not it: a recursive retrieval's `host/dir/file`, `-x`.
   * `contentType` is the response's media type once its head came (`-E` names a page after it), null when the
   * response had no Content-Type. Absent: the URL's file name inside `directory`.
   */
  readonly localName?: (url: ParsedUrl, contentType?: string | null) => string;
  /**
   * Replace a file that exists under the name instead of saving as `NAME.1`, … (wget `-r` and `-p` without `-nd`).
   * Default false.
   */
  readonly replaceExisting?: boolean;
  /** `--content-on-error`: save the body of an error response too (the download still fails). */
  readonly contentOnError?: boolean;
  /** `--ignore-length`: disregard Content-Length; bodies run to the end of the connection. */
  readonly ignoreLength?: boolean;
  /**
   * `--connections N` (`--max-threads`): fetch a file over up to N connections at once, in byte ranges, when its
   * server allows it (see `parallel_policy.ts`); 1 or absent: one connection.
   */
  readonly parallelConnections?: number;
  /** `--chunk-size`: the largest range a connection asks for at once; absent: the file shared evenly. */
  readonly chunkSize?: number;
}

/** What a download tells its caller while it runs; every callback is optional. */
export interface FetchEvents {
  /** Messages every user sees unless `-q` (a redirect, a retry, a warning). */
  readonly notice?: (message: string) => void;
  /** The body starts: the file, the byte it starts at, the whole size when known. */
  readonly onBody?: (path: string, offset: number, total: number | null) => void;
  /** Bytes in the file so far, out of the whole size when known. */
  readonly onProgress?: (bytes: number, total: number | null) => void;
  /** How many connections a download over several connections has open now (progress shows it). */
  readonly onConnections?: (live: number) => void;
  /** Receives a function that interrupts the download (for signal handlers); called again for every hop. */
  readonly onInterruptible?: (interrupt: () => void) => void;
  /** `-S`: each response head as received, every line indented by two spaces (wget prints it even with `-q`). */
  readonly serverResponse?: (head: string) => void;
}
