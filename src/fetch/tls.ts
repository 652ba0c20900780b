/**
 * TLS over our own TCP stack: `node:tls` runs over a `StreamDuplex` (see `tls_layer.ts`), so every byte of the handshake and the
 * records still travels in frames we build. Certificates are checked against the system store (read through ffi/,
 * the program has only `--allow-ffi`) plus the user's `--ca-certificate`, and the host name or IP address of the
 * URL (RFC 9110 §4.3.4; RFC 6125). Certificate failures become a {@linkcode TlsError} with one plain sentence.
 *
 * Why the store is passed explicitly: in Deno, `tls.rootCertificates` and `tls.getCACertificates()` need
 * `--allow-sys`, and a `ca` option replaces the default roots (Deno's bundled Mozilla roots, or the system's with
 * `DENO_TLS_CA_STORE=system`) instead of adding to them. So the system bundle is read here and the extra CA appended.
 *
 * @module
 */

import * as tls from "node:tls";
import type { Duplex } from "node:stream";
import { getEnv, readFileBytes } from "../../ffi/mod.ts";
import { tryParseIpv4Address } from "../wire/mod.ts";

/** Why TLS failed: a certificate that did not verify, or a handshake that did not complete. */
export type TlsErrorReason =
  | "untrusted"
  | "expired"
  | "not-yet-valid"
  | "wrong-host"
  | "unverified"
  | "ca-file"
  | "handshake";

/**
 * TLS failed; `reason` says whether it was the certificate or the CA file (wget's exit code 5) or the handshake
 * (exit 4).
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
    return this.reason !== "handshake";
  }
}

/** Options of {@linkcode startTls}. */
export interface TlsOptions {
  /** The URL's host: a name (sent as SNI, RFC 6066 §3) or an IPv4 literal (no SNI; checked against IP SANs). */
  readonly host: string;
  /** Trusted roots in PEM; absent: Deno's default roots. See {@linkcode loadTrustStore}. */
  readonly ca?: readonly string[];
}

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
 * The roots to trust: the system bundle (`SSL_CERT_FILE`, else the distribution's bundle) plus `caFile`
 * (`--ca-certificate`). Undefined when there is neither: Deno's default roots apply. Throws TlsError ("ca-file") when
 * `caFile` cannot be read or holds no certificate (wget's exit code 5 too).
 *
 * @example
 * ```ts
 * const ca = loadTrustStore("/tmp/test-ca.pem");
 * ```
 */
export function loadTrustStore(caFile?: string): string[] | undefined {
  const roots: string[] = [];
  const candidates = [getEnv("SSL_CERT_FILE"), ...SYSTEM_BUNDLES].filter((p): p is string => !!p);
  for (const path of candidates) {
    const text = readTextIfPresent(path);
    if (text === null) continue;
    roots.push(...splitPem(text));
    break;
  }
  if (caFile !== undefined) {
    const text = readTextIfPresent(caFile);
    if (text === null) throw new TlsError("ca-file", `Cannot read the CA certificate file "${caFile}"`);
    const extra = splitPem(text);
    if (extra.length === 0) throw new TlsError("ca-file", `No PEM certificate found in "${caFile}"`);
    roots.push(...extra);
  }
  return roots.length > 0 ? roots : undefined;
}

function readTextIfPresent(path: string): string | null {
  try {
    return new TextDecoder().decode(readFileBytes(path));
  } catch {
    return null; // a missing or unreadable file
  }
}

/**
 * Starts a TLS 1.2/1.3 client over `socket` (ALPN `http/1.1`, RFC 7301); await {@linkcode tlsHandshake} before use:
 * it decides whether the certificate is accepted.
 *
 * The handshake itself never refuses the certificate (`rejectUnauthorized: false`): Deno's TLS reports every chain
 * failure, an expired certificate included, as `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, so the verdict and its reason are
 * worked out at `secureConnect` from `authorizationError` and the peer certificate, before a byte of the request.
 *
 * @example
 * ```ts
 * const secure = startTls(new StreamDuplex(stream), { host: "198.18.2.2", ca: loadTrustStore("ca.pem") });
 * ```
 */
export function startTls(socket: Duplex, options: TlsOptions): tls.TLSSocket {
  return tls.connect({
    socket,
    // `host` is what the certificate is checked against; SNI must not carry an IP literal (RFC 6066 §3).
    host: options.host,
    servername: tryParseIpv4Address(options.host) === null ? options.host : undefined,
    ca: options.ca === undefined ? undefined : [...options.ca],
    rejectUnauthorized: false,
    ALPNProtocols: ["http/1.1"],
  });
}

/**
 * Resolves once the handshake completed and the certificate verified, or (with `verify` false, for
 * `--no-check-certificate`) to the verification error that was ignored, for a warning; null when it verified.
 * Rejects with a {@linkcode TlsError} (and destroys the socket) otherwise, also when the socket closed first.
 *
 * @example
 * ```ts
 * const ignored = await tlsHandshake(secure, "198.18.2.2", true); // null: verified
 * ```
 */
export function tlsHandshake(secure: tls.TLSSocket, host: string, verify: boolean): Promise<TlsError | null> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      secure.off("secureConnect", onSecure);
      secure.off("close", onClose);
      reject(
        e instanceof TlsError ? e : new TlsError("handshake", `The TLS handshake with ${host} failed: ${e.message}`),
      );
    };
    // Destroyed without an error (the connection under it ended first): the handshake did not complete either.
    const onClose = () => onError(new Error("the connection closed"));
    const onSecure = () => {
      secure.off("error", onError);
      secure.off("close", onClose);
      const why = secure.authorizationError;
      if (secure.authorized || why === null || why === undefined) return resolve(null);
      const error = certificateError(String(why), host, secure.getPeerCertificate());
      if (!verify) return resolve(error);
      secure.destroy();
      reject(error);
    };
    secure.once("error", onError);
    secure.once("close", onClose);
    secure.once("secureConnect", onSecure);
  });
}

/** What {@linkcode certificateError} reads of the peer certificate (a subset of `tls.PeerCertificate`). */
export interface CertificateFacts {
  /** e.g. "Jan  1 00:00:00 2020 GMT". */
  readonly valid_from?: string;
  /** e.g. "Jan  2 00:00:00 2020 GMT". */
  readonly valid_to?: string;
  /** e.g. "DNS:server.test, IP Address:198.18.2.2". */
  readonly subjectaltname?: string;
  /** The issuer's name fields. */
  readonly issuer?: { readonly CN?: string | string[] };
}

/**
 * Explains a verification failure (`authorizationError` code) with the peer certificate in one sentence.
 *
 * @example
 * ```ts
 * certificateError("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "a.test", { valid_to: "Jan  2 00:00:00 2020 GMT" }).message;
 * // "The certificate of a.test has expired (on Jan  2 00:00:00 2020 GMT)"
 * ```
 */
export function certificateError(code: string, host: string, cert: CertificateFacts, now = Date.now()): TlsError {
  const of = `The certificate of ${host}`;
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID" || code === "HOSTNAME_MISMATCH") {
    return new TlsError("wrong-host", `${of} is for another name: ${cert.subjectaltname ?? "it has no names"}`, code);
  }
  const to = cert.valid_to === undefined ? NaN : Date.parse(cert.valid_to);
  const from = cert.valid_from === undefined ? NaN : Date.parse(cert.valid_from);
  if (code === "CERT_HAS_EXPIRED" || now > to) {
    return new TlsError("expired", `${of} has expired (on ${cert.valid_to})`, code);
  }
  if (code === "CERT_NOT_YET_VALID" || now < from) {
    return new TlsError("not-yet-valid", `${of} is not valid yet (from ${cert.valid_from})`, code);
  }
  const issuer = [cert.issuer?.CN ?? []].flat()[0];
  const by = issuer === undefined ? "" : ` (issued by "${issuer}")`;
  return new TlsError("untrusted", `${of} is not trusted${by}: ${describeCode(code)}`, code);
}

function describeCode(code: string): string {
  const known: Record<string, string> = {
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: "unable to verify the first certificate",
    UNABLE_TO_GET_ISSUER_CERT: "unable to get the issuer certificate",
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "unable to get the local issuer certificate",
    DEPTH_ZERO_SELF_SIGNED_CERT: "it is self-signed",
    SELF_SIGNED_CERT_IN_CHAIN: "a self-signed certificate is in its chain",
  };
  return known[code] ?? code;
}
