/**
 * The TLS and HSTS options of the command line, checked and typed: `--secure-protocol`, `--certificate`,
 * `--private-key` and their `-type`, `--crl-file`, `--pinnedpubkey`, `--ca-directory`, `--hsts-file`, `--no-hsts`.
 * Files are not read here: a hop reads the TLS files before its connection, `main.ts` the HSTS file before the first
 * download.
 *
 * @module
 */

import { parseSecureProtocol, SECURE_PROTOCOLS, type TlsSettings } from "../fetch/mod.ts";
import { UsageError } from "./options.ts";

/** What {@linkcode tlsSettings} adds to the settings. */
export interface TlsCommandLine {
  /** The TLS options, absent when none was given. */
  readonly tls?: TlsSettings;
  /**
   * The HSTS database: `--hsts-file`, else `$HOME/.wget-hsts` (wget's default, used unless `--no-hsts`); null when
   * there is no home directory (HSTS is then off, with wget's message); absent with `--no-hsts`.
   */
  readonly hstsFile?: string | null;
}

/**
 * Reads the TLS and HSTS options; throws UsageError (exit 2) for a value wget does not know, and for the DER type,
 * which wget knows and rawhttpget does not read.
 *
 * @example
 * ```ts
 * tlsSettings((name) => name === "secure-protocol" ? "tlsv1_3" : undefined, () => false, () => "/root");
 * // { tls: { secureProtocol: "TLSv1_3" }, hstsFile: "/root/.wget-hsts" }
 * ```
 */
export function tlsSettings(
  text: (name: string) => string | undefined,
  flag: (name: string) => boolean,
  env: (name: string) => string | undefined,
): TlsCommandLine {
  const protocolText = text("secure-protocol");
  const secureProtocol = protocolText === undefined ? undefined : parseSecureProtocol(protocolText);
  if (secureProtocol === null) {
    throw new UsageError(
      `--secure-protocol takes one of ${SECURE_PROTOCOLS.join(", ")}, not "${protocolText}"`,
    );
  }
  checkPemType("certificate-type", text("certificate-type"), "openssl x509 -inform DER -in FILE -out FILE.pem");
  checkPemType("private-key-type", text("private-key-type"), "openssl pkey -inform DER -in FILE -out FILE.pem");
  const tls: TlsSettings = {
    secureProtocol,
    caDirectory: text("ca-directory"),
    certificate: text("certificate"),
    privateKey: text("private-key"),
    crlFile: text("crl-file"),
    pinnedPublicKey: text("pinnedpubkey"),
  };
  const given = Object.values(tls).some((value) => value !== undefined);
  if (flag("no-hsts")) return given ? { tls } : {};
  const home = env("HOME");
  const hstsFile = text("hsts-file") ?? (home === undefined || home === "" ? null : `${home}/.wget-hsts`);
  return given ? { tls, hstsFile } : { hstsFile };
}

/** wget knows PEM, DER and ASN1 (DER by another name), in any case; only PEM is read here. */
function checkPemType(option: string, value: string | undefined, convert: string): void {
  if (value === undefined || value.toUpperCase() === "PEM") return;
  if (value.toUpperCase() === "DER" || value.toUpperCase() === "ASN1") {
    throw new UsageError(`--${option}=${value} is not supported: give the file in PEM (${convert})`);
  }
  throw new UsageError(`--${option} takes PEM, not "${value}"`);
}
