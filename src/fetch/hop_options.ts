/**
 * What a hop derives from the run's options on its way: the TLS options of an https hop, and the file name that a
 * response's Content-Disposition offers.
 *
 * @module
 */

import { dispositionFileName, type HeadEvent, type ParsedUrl, quote, safeFileName } from "../http/mod.ts";
import { joinPath } from "../save/mod.ts";
import type { FetchEvents, FetchOptions } from "./options.ts";
import type { SecureModule } from "./secure_loader.ts";
import type { SecureOptions } from "./tls_layer.ts";

/**
 * `--content-disposition`: the response's Content-Disposition filename inside `-P DIR`, made safe like every name,
 * or null (none, or nothing usable in it: the URL names the file). A resumed (`-c`) or timestamped (`-N`) file
 * keeps the URL's name: it had to be chosen before the request.
 *
 * @example
 * ```ts
 * dispositionPath(head, { contentDisposition: true, directory: "dl" }); // "dl/report.pdf"
 * ```
 */
export function dispositionPath(head: HeadEvent, options: FetchOptions): string | null {
  const field = options.contentDisposition ? head.headers.get("content-disposition") : null;
  if (field === null) return null;
  const offered = dispositionFileName(field, options.encodings?.remote);
  const name = offered === null ? null : safeFileName(offered, options.encodings?.local, options.fileNameRules);
  if (name === null) return null;
  options.log?.(`Content-Disposition names the file ${quote(name)}`);
  return joinPath(options.directory ?? ".", name);
}

/**
 * The TLS options of an https hop to `url`: the system bundle (or `--ca-directory`), the CA file and the other TLS
 * files, read again for each hop; certificate checking as `--no-check-certificate` says.
 *
 * @example
 * ```ts
 * const secure = secureOptions(url, options, events, await loadSecure());
 * ```
 */
export function secureOptions(
  url: ParsedUrl,
  options: FetchOptions,
  events: FetchEvents,
  tls: SecureModule,
): SecureOptions {
  return {
    host: url.host,
    ...tls.loadTlsConfig(options.tls ?? {}, options.caFile, (message) => events.notice?.(message), options.readFile),
    verify: options.checkCertificate ?? true,
    onUnverified: (e: Error) => {
      events.notice?.(`WARNING: ${e.message}; downloading anyway (--no-check-certificate)`);
    },
    log: options.log,
  };
}
