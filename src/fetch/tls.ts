/**
 * TLS over our own TCP stack: `node:tls` runs over a `StreamDuplex` (see `tls_layer.ts`), so every byte of the handshake and the
 * records still travels in frames we build. Certificates are checked against the system store (read through ffi/,
 * the program has only `--allow-ffi`) or the files of `--ca-directory`, plus the user's `--ca-certificate`, and the
 * host name or IP address of the URL (RFC 9110 §4.3.4; RFC 6125); then, before a byte of the request, against the
 * CRLs of `--crl-file` and the pin of `--pinnedpubkey`, which `node:tls` does not check (see `tls_config.ts`).
 * Certificate failures become a {@linkcode TlsError} with one plain sentence.

 * The trusted roots come from `trust_store.ts`.
 *
 * @module
 */

import * as tls from "node:tls";
import type { Duplex } from "node:stream";
import { X509Certificate } from "node:crypto";
import { tryParseIpAddress } from "../wire/mod.ts";
import { type Crl, findRevocation } from "./crl.ts";
import { pinAccepts, type PublicKeyPin } from "./pin.ts";
import { TlsError } from "./tls_errors.ts";

/** Options of {@linkcode startTls}. */
export interface TlsOptions {
  /**
   * The URL's host: a name (sent as SNI, RFC 6066 §3) or an IPv4 or IPv6 literal (IPv6 without brackets; no SNI,
   * checked against the certificate's IP SANs).
   */
  readonly host: string;
  /** Trusted roots in PEM; absent: Deno's default roots. See {@linkcode loadTrustStore}. */
  readonly ca?: readonly string[];
  /** The lowest version offered (`--secure-protocol=TLSv1_3`); TLS 1.2 when absent. */
  readonly minVersion?: "TLSv1.3";
  /** A client certificate chain in PEM, sent when the server asks for one (RFC 8446 §4.4.2). */
  readonly cert?: string;
  /** The client certificate's private key (PEM). */
  readonly key?: string;
  /** CRLs the server's chain must not be listed in (see `crl.ts`). */
  readonly crls?: readonly Crl[];
  /** The server's public key must be one this pin accepts, even when the certificate is not verified. */
  readonly pin?: PublicKeyPin;
}

/** What {@linkcode tlsHandshake} checks besides `node:tls`, remembered by {@linkcode startTls} for its socket. */
const PEER_CHECKS = new WeakMap<tls.TLSSocket, Pick<TlsOptions, "ca" | "crls" | "pin">>();

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
  const secure = tls.connect({
    socket,
    // `host` is what the certificate is checked against; SNI must not carry an IP literal (RFC 6066 §3).
    host: options.host,
    servername: tryParseIpAddress(options.host) === null ? options.host : undefined,
    ca: options.ca === undefined ? undefined : [...options.ca],
    rejectUnauthorized: false,
    ALPNProtocols: ["http/1.1"],
    ...(options.minVersion === undefined ? {} : { minVersion: options.minVersion }),
    ...(options.cert === undefined ? {} : { cert: options.cert, key: options.key }),
  });
  PEER_CHECKS.set(secure, { ca: options.ca, crls: options.crls, pin: options.pin });
  return secure;
}

/**
 * Resolves once the handshake completed and the certificate verified, or (with `verify` false, for
 * `--no-check-certificate`) to the verification error that was ignored, for a warning; null when it verified.
 * Verified means: by `node:tls`, then not revoked by the CRLs and, whatever `verify` says, matching the pin that
 * {@linkcode startTls} was given. Rejects with a {@linkcode TlsError} (and destroys the socket) otherwise, also when
 * the socket closed first.
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
      const chain = peerChain(secure);
      const checks = PEER_CHECKS.get(secure) ?? {};
      const error = secure.authorized || why === null || why === undefined
        ? revocationError(chain, checks, host)
        : certificateError(String(why), host, secure.getPeerCertificate());
      // wget checks the pin even with --no-check-certificate; an unverified certificate is named first.
      const spki = chain.length > 0 ? spkiOf(chain[0]) : null;
      const pinned = checks.pin === undefined || (spki !== null && pinAccepts(checks.pin, spki));
      const fatal = error !== null && verify ? error : pinned ? null : pinError(host);
      if (fatal === null) return resolve(error);
      secure.destroy();
      reject(fatal);
    };
    secure.once("error", onError);
    secure.once("close", onClose);
    secure.once("secureConnect", onSecure);
  });
}

/** The server's certificates in DER, its own first, each issuer after it (as far as `node:tls` knows them). */
function peerChain(secure: tls.TLSSocket): Uint8Array[] {
  const chain: Uint8Array[] = [];
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = secure.getPeerCertificate(true);
  while (cert?.raw !== undefined && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(new Uint8Array(cert.raw));
    cert = cert.issuerCertificate;
  }
  return chain;
}

/** The certificate's DER SubjectPublicKeyInfo, or null when `node:crypto` cannot read it (no pin matches then). */
function spkiOf(der: Uint8Array): Uint8Array | null {
  try {
    return new Uint8Array(new X509Certificate(der).publicKey.export({ type: "spki", format: "der" }));
  } catch {
    return null;
  }
}

/** A certificate of the chain that a CRL lists, as a TlsError ("revoked"), or null. */
function revocationError(
  chain: readonly Uint8Array[],
  checks: Pick<TlsOptions, "ca" | "crls">,
  host: string,
): TlsError | null {
  if (checks.crls === undefined || chain.length === 0) return null;
  const roots = (checks.ca ?? []).flatMap((pem) => {
    try {
      return [new Uint8Array(new X509Certificate(pem).raw)];
    } catch {
      return []; // a bundle entry node:crypto cannot read cannot sign a CRL either
    }
  });
  let hit;
  try {
    hit = findRevocation(chain, [...chain, ...roots], checks.crls);
  } catch (e) {
    return new TlsError(
      "revoked",
      `The certificate of ${host} cannot be checked against the CRLs: ${(e as Error).message}`,
    );
  }
  if (hit === null) return null;
  const when = Number.isNaN(hit.at) ? "" : `, on ${new Date(hit.at).toISOString().replace(".000Z", "Z")}`;
  const of = `The certificate of ${host}`;
  return new TlsError(
    "revoked",
    hit.depth === 0
      ? `${of} has been revoked (serial ${hit.serial}${when})`
      : `${of} is not trusted: its issuer "${hit.subject}" has been revoked (serial ${hit.serial}${when})`,
  );
}

function pinError(host: string): TlsError {
  return new TlsError("pin", `The public key of ${host} does not match the pinned public key (--pinnedpubkey)`);
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
