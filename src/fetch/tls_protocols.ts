/**
 * wget's TLS options as the command line gives them, and what `--secure-protocol` allows: no `node:` module here, so
 * the command line is read without loading TLS (see `./secure.ts`).
 *
 * @module
 */

import { TlsError } from "./tls_errors.ts";

/** wget's `--secure-protocol` values, spelled as its manual spells them (the command line is case-insensitive). */
export const SECURE_PROTOCOLS = ["auto", "SSLv2", "SSLv3", "TLSv1", "TLSv1_1", "TLSv1_2", "TLSv1_3", "PFS"] as const;

/** One `--secure-protocol` value. */
export type SecureProtocol = typeof SECURE_PROTOCOLS[number];

/** The TLS options of the command line, as given (files are read by {@linkcode loadTlsConfig}). */
export interface TlsSettings {
  /** `--secure-protocol` (default `auto`). */
  readonly secureProtocol?: SecureProtocol;
  /** `--ca-directory`: trust the certificates of the files in this directory instead of the system's bundle. */
  readonly caDirectory?: string;
  /** `--certificate`: the client certificate (PEM; the key too when `privateKey` is absent). */
  readonly certificate?: string;
  /** `--private-key`: the client certificate's key (PEM; the certificate too when `certificate` is absent). */
  readonly privateKey?: string;
  /** `--crl-file`: PEM CRLs the server's chain is checked against. */
  readonly crlFile?: string;
  /** `--pinnedpubkey`: `sha256//BASE64[;sha256//BASE64…]`, or a file with the public key (PEM or DER). */
  readonly pinnedPublicKey?: string;
}

/**
 * Reads a `--secure-protocol` value as wget does (any case), or null when wget would not know it either.
 *
 * @example
 * ```ts
 * parseSecureProtocol("tlsv1_3"); // "TLSv1_3"
 * ```
 */
export function parseSecureProtocol(value: string): SecureProtocol | null {
  return SECURE_PROTOCOLS.find((p) => p.toLowerCase() === value.toLowerCase()) ?? null;
}

/**
 * The TLS versions a `--secure-protocol` value allows, as `node:tls` options. wget's `TLSv1`, `TLSv1_1` and `TLSv1_2`
 * mean "this version or newer" (GnuTLS priorities `NORMAL:-VERS-SSL3.0…`), which TLS 1.2 and 1.3 satisfy;
 * `TLSv1_3` means 1.3 only. SSLv2/SSLv3 throw TlsError ("handshake", wget's exit code 4: its GnuTLS refuses them
 * too, with "No or insufficient priorities were set").
 *
 * @example
 * ```ts
 * protocolRange("TLSv1_3"); // { minVersion: "TLSv1.3" }
 * ```
 */
export function protocolRange(protocol: SecureProtocol): { minVersion?: "TLSv1.3" } {
  if (protocol === "SSLv2" || protocol === "SSLv3") {
    throw new TlsError(
      "handshake",
      `--secure-protocol=${protocol} is not supported: node:tls speaks only TLS 1.2 and TLS 1.3`,
    );
  }
  return protocol === "TLSv1_3" ? { minVersion: "TLSv1.3" } : {};
}
