/**
 * The error of a TLS connection, in a module of its own: the program reads its reason and exit code without loading
 * `node:tls` and `node:crypto`, which only an https URL needs (they are loaded with `./secure.ts`).
 *
 * @module
 */

/** Why TLS failed: a certificate that did not verify, or a handshake that did not complete. */
export type TlsErrorReason =
  | "untrusted"
  | "expired"
  | "not-yet-valid"
  | "wrong-host"
  | "unverified"
  | "ca-file"
  | "revoked"
  | "pin"
  | "tls-file"
  | "handshake";

/**
 * TLS failed; `reason` says whether it was the certificate, its pin or the CA file (wget's exit code 5), a client
 * certificate, key or CRL file that cannot be used ("tls-file": wget's 1), or the handshake (exit 4).
 */
export class TlsError extends Error {
  /** Why. */
  readonly reason: TlsErrorReason;
  /** The code `node:tls` reported, e.g. `CERT_HAS_EXPIRED`, when there was one. */
  readonly code: string | undefined;

  /** Builds the error with a sentence for the user. */
  constructor(reason: TlsErrorReason, message: string, code?: string) {
    super(message);
    this.name = "TlsError";
    this.reason = reason;
    this.code = code;
  }

  /** Whether this is a certificate verification failure or an unusable CA file (not a failed handshake). */
  get isVerification(): boolean {
    return this.reason !== "handshake" && this.reason !== "tls-file";
  }
}
