/**
 * What a run opens and reads while it may still be root, before the privilege drop: the `--report` files, the HSTS
 * database (held open when root's own), the cookies of `--load-cookies`, and the files the options name (TLS
 * material, `--post-file`, `-i`). After the drop a root-only file would be out of reach; everything the run creates
 * later is created as the user it becomes.
 *
 * @module
 */

import { currentUids } from "../../ffi/mod.ts";
import { openReportOutput, ReportFileError, type ReportOutput, type Settings } from "../cli/mod.ts";
import {
  CookieJar,
  type FileReader,
  holdHstsFile,
  type HstsDatabase,
  loadCookieFile,
  nowSeconds,
  openHstsDatabase,
  preloadFiles,
  VERSION,
} from "../fetch/mod.ts";
import { sudoOwner } from "../save/mod.ts";

/** What a run holds from before the drop. */
export interface HeldFiles {
  /** `--report`/`--report-json`, written when the run ends; null without them. */
  readonly report: ReportOutput | null;
  /** The HSTS database; null with `--no-hsts` or when it cannot be used. */
  readonly hsts: HstsDatabase | null;
  /** The one cookie jar of the run (absent with `--no-cookies`), with `--load-cookies`' cookies in it. */
  readonly cookieJar?: CookieJar;
  /** The files the options name, read now. */
  readonly readFile: FileReader;
}

/**
 * Opens and reads them; `notice` hears wget's notes (a cookie file that cannot be read, an HSTS database not used).
 * Returns the sentence of a report file that cannot be written instead (exit 3, before any download).
 *
 * @example
 * ```ts
 * const held = await holdFiles(settings, console.error);
 * ```
 */
export async function holdFiles(
  s: Settings,
  notice: ((line: string) => void) | undefined,
): Promise<HeldFiles | string> {
  // --report: written through descriptors opened now, when the run ends.
  let report: ReportOutput | null;
  try {
    report = await openReportOutput({ html: s.report, json: s.reportJson }, `rawhttpget ${VERSION}`, {
      owner: sudoOwner(),
    });
  } catch (e) {
    if (!(e instanceof ReportFileError)) throw e;
    return e.message;
  }
  // wget reads its HSTS database before the first URL and writes it back after the last (not after a signal).
  const read = s.hstsFile === undefined ? null : openHstsDatabase(s.hstsFile, (line) => notice?.(line));
  // Root's ~/.wget-hsts stays writable after the drop through a descriptor opened now.
  const hsts = read !== null && currentUids().euid === 0 && !s.noDropPrivileges ? holdHstsFile(read) : read;
  // One jar for all the URLs: what one response sets goes with every later request, as in wget.
  const cookieJar = s.cookies ? new CookieJar() : undefined;
  if (cookieJar !== undefined && s.loadCookies !== undefined) {
    const note = loadCookieFile(cookieJar, s.loadCookies, nowSeconds());
    if (note !== null) notice?.(note);
  }
  const readFile = preloadFiles([
    s.tls?.certificate,
    s.tls?.privateKey,
    s.tls?.crlFile,
    s.tls?.pinnedPublicKey,
    s.caFile,
    s.bodyFile,
    s.inputFile === "-" ? undefined : s.inputFile,
  ]);
  return { report, hsts, cookieJar, readFile };
}
