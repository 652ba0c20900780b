/**
 * The options of a download, declared once: the command line fills them (src/cli), the download loop, each hop and
 * the transport read them.
 *
 * @module
 */

import type { Output } from "../save/mod.ts";
import type { TransportOptions } from "../transport/mod.ts";
import type { ProxySettings } from "./proxy.ts";
import type { AuthSettings } from "./auth.ts";

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
  /** `--http1.1`: ask in HTTP/1.1 (chunked responses decoded) instead of HTTP/1.0. */
  readonly http11?: boolean;
  /** `--trust-server-names`: name the file after the last URL of the redirect chain. */
  readonly trustServerNames?: boolean;
  /** `--ca-certificate`: a PEM file of CAs trusted besides the system's. */
  readonly caFile?: string;
  /** Refuse a certificate that does not verify (default true; false: `--no-check-certificate`, with a warning). */
  readonly checkCertificate?: boolean;
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
}

/** What a download tells its caller while it runs; every callback is optional. */
export interface FetchEvents {
  /** Messages every user sees unless `-q` (a redirect, a retry, a warning). */
  readonly notice?: (message: string) => void;
  /** The body starts: the file, the byte it starts at, the whole size when known. */
  readonly onBody?: (path: string, offset: number, total: number | null) => void;
  /** Bytes in the file so far, out of the whole size when known. */
  readonly onProgress?: (bytes: number, total: number | null) => void;
  /** Receives a function that interrupts the download (for signal handlers); called again for every hop. */
  readonly onInterruptible?: (interrupt: () => void) => void;
}
