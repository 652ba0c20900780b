/**
 * The roots a TLS client trusts: the system's CA bundle, or the files of `--ca-directory`, plus `--ca-certificate`,
 * read through ffi/ (the program has only `--allow-ffi`).
 *
 * Why the store is passed explicitly: in Deno, `tls.rootCertificates` and `tls.getCACertificates()` need
 * `--allow-sys`, and a `ca` option replaces the default roots (Deno's bundled Mozilla roots, or the system's with
 * `DENO_TLS_CA_STORE=system`) instead of adding to them. So the system bundle is read here and the extra CA appended.
 *
 * @module
 */

import { fileInfo, getEnv, listDirectory, OsError, readFileBytes, strerror } from "../../ffi/mod.ts";
import { TlsError } from "./tls_errors.ts";

/** Where Linux distributions keep the system's CA bundle (Debian, Fedora/RHEL, Alpine/others). */
const SYSTEM_BUNDLES = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"];

/**
 * The PEM certificates in a text (a bundle or a single file).
 *
 * @example
 * ```ts
 * splitPem(readBundleText()).length; // 144 on Debian 12
 * ```
 */
export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

/**
 * The roots to trust: the system bundle (`SSL_CERT_FILE`, else the distribution's bundle), or instead, as wget does
 * with GnuTLS, the certificates of every regular file in `caDirectory` (`--ca-directory`: `*.pem`, hashed links,
 * bundles; files without a PEM certificate are skipped), plus `caFile` (`--ca-certificate`). Undefined when there is
 * no directory and neither file: Deno's default roots apply. Throws TlsError ("ca-file") when `caFile` cannot be
 * read or holds no certificate (wget's exit code 5 too); a directory that cannot be listed is only a warning, as in
 * wget, and then trusts nothing.
 *
 * @example
 * ```ts
 * const ca = loadTrustStore("/tmp/test-ca.pem");
 * ```
 */
export function loadTrustStore(
  caFile?: string,
  caDirectory?: string,
  warn: (message: string) => void = () => {},
  read: (path: string) => Uint8Array = readFileBytes,
): string[] | undefined {
  const roots: string[] = [];
  if (caDirectory !== undefined) {
    roots.push(...directoryRoots(caDirectory, warn));
  } else {
    const candidates = [getEnv("SSL_CERT_FILE"), ...SYSTEM_BUNDLES].filter((p): p is string => !!p);
    for (const path of candidates) {
      const text = readTextIfPresent(path);
      if (text === null) continue;
      roots.push(...splitPem(text));
      break;
    }
  }
  if (caFile !== undefined) {
    const text = readTextIfPresent(caFile, read);
    if (text === null) throw new TlsError("ca-file", `Cannot read the CA certificate file "${caFile}"`);
    const extra = splitPem(text);
    if (extra.length === 0) throw new TlsError("ca-file", `No PEM certificate found in "${caFile}"`);
    roots.push(...extra);
  }
  // With a directory, an empty list stays empty: falling back to Deno's roots would trust what was not asked for.
  return roots.length > 0 || caDirectory !== undefined ? roots : undefined;
}

/** The certificates of the regular files in `dir`, each once (hashed names link to the same files). */
function directoryRoots(dir: string, warn: (message: string) => void): string[] {
  let names: string[];
  try {
    names = listDirectory(dir);
  } catch (e) {
    warn(`Cannot open the CA directory "${dir}": ${fileReason(e)}; no certificate from it is trusted`);
    return [];
  }
  const found = new Set<string>();
  for (const name of names.sort()) {
    const path = `${dir.replace(/\/+$/, "")}/${name}`;
    let regular = false;
    try {
      regular = fileInfo(path)?.isFile ?? false;
    } catch { /* a file we may not stat: skipped as wget skips it */ }
    const text = regular ? readTextIfPresent(path) : null;
    if (text !== null) { for (const pem of splitPem(text)) found.add(pem); }
  }
  return [...found];
}

function readTextIfPresent(path: string, read: (path: string) => Uint8Array = readFileBytes): string | null {
  try {
    return new TextDecoder().decode(read(path));
  } catch {
    return null; // a missing or unreadable file
  }
}

/**
 * Why a file could not be read, for a sentence: "no such file or directory" for an OsError, the message otherwise.
 *
 * @example
 * ```ts
 * `Cannot read "${path}": ${fileReason(e)}`;
 * ```
 */
export function fileReason(e: unknown): string {
  return e instanceof OsError ? strerror(e.errno).toLowerCase() : (e as Error).message;
}
