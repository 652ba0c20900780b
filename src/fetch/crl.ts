/**
 * Certificate revocation lists (`--crl-file`, RFC 5280 §5) checked by us: Deno's `node:tls` accepts a `crl` option
 * but only parses it (rustls is never given it), so a revoked certificate would pass. Here the peer's chain is
 * looked up in the CRLs after the handshake, before a byte of the request.
 *
 * A certificate is revoked when a CRL whose issuer is the certificate's issuer (names compared as encoded), and whose
 * signature verifies with that issuer's public key, lists its serial number. Like GnuTLS (wget's TLS library), a
 * certificate with no CRL of its issuer passes; a CRL whose signature does not verify is not believed (it could only
 * revoke, so ignoring it trusts nothing new). Not read: the CRL's dates (an old CRL still revokes), delta and
 * indirect CRLs, entry and CRL extensions.
 *
 * @module
 */

import { verify, X509Certificate } from "node:crypto";
import {
  decodeBase64,
  DER,
  derChildren,
  DerError,
  derIntegerHex,
  derOid,
  derTime,
  type DerValue,
  expectDer,
  readDer,
  sameBytes,
} from "./_der.ts";

/** One parsed CRL. */
export interface Crl {
  /** The issuer's Name, as encoded. */
  readonly issuer: Uint8Array;
  /** Revoked serial numbers (upper-case hex, see {@linkcode derIntegerHex}) → revocation time (ms, NaN if unread). */
  readonly revoked: ReadonlyMap<string, number>;
  /** What the signature covers: the encoded tbsCertList. */
  readonly signed: Uint8Array;
  /** The signature algorithm's object identifier. */
  readonly algorithm: string;
  /** The signature value. */
  readonly signature: Uint8Array;
}

/** What a revocation check found: which certificate of the chain, and when it was revoked. */
export interface Revocation {
  /** 0 for the server's own certificate, 1 for its issuer, … */
  readonly depth: number;
  /** Its serial number in hex. */
  readonly serial: string;
  /** Its subject, e.g. "CN=server.test". */
  readonly subject: string;
  /** The revocation time, ms since the epoch (NaN when the CRL's time could not be read). */
  readonly at: number;
}

/** Signature algorithms a CRL may be signed with → the hash `node:crypto` verifies with (null: the key decides). */
const SIGNATURE_HASHES: Readonly<Record<string, string | null>> = {
  "1.2.840.10045.4.3.2": "sha256", // ecdsa-with-SHA256
  "1.2.840.10045.4.3.3": "sha384",
  "1.2.840.10045.4.3.4": "sha512",
  "1.2.840.113549.1.1.5": "sha1", // sha1WithRSAEncryption
  "1.2.840.113549.1.1.11": "sha256", // sha256WithRSAEncryption
  "1.2.840.113549.1.1.12": "sha384",
  "1.2.840.113549.1.1.13": "sha512",
  "1.3.101.112": null, // Ed25519
};

const PEM_CRL = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/g;

/**
 * The CRLs of a PEM file (`-----BEGIN X509 CRL-----` blocks, as wget reads `--crl-file`). Throws DerError for a
 * block that is not a CRL; an empty list means the file holds none.
 *
 * @example
 * ```ts
 * parseCrlPem(await Deno.readTextFile("crl.pem"))[0].revoked.has("1001");
 * ```
 */
export function parseCrlPem(text: string): Crl[] {
  return [...text.matchAll(PEM_CRL)].map((m) => {
    const der = decodeBase64(m[1].replace(/\s+/g, ""));
    if (der === null) throw new DerError("Cannot read a CRL: its PEM block is not base64");
    return parseCrl(der);
  });
}

/**
 * One CRL from its DER encoding (RFC 5280 §5.1).
 *
 * ```text
 * CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
 * TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature AlgorithmIdentifier, issuer Name, thisUpdate Time,
 *   nextUpdate Time OPTIONAL, revokedCertificates SEQUENCE OF SEQUENCE { userCertificate INTEGER,
 *   revocationDate Time, crlEntryExtensions Extensions OPTIONAL } OPTIONAL, crlExtensions [0] EXPLICIT OPTIONAL }
 * ```
 */
export function parseCrl(der: Uint8Array): Crl {
  const list = derChildren(readDer(der));
  const tbs = expectDer(list, 0, DER.SEQUENCE, "CRL's signed part");
  const algorithm = derOid(
    expectDer(
      derChildren(expectDer(list, 1, DER.SEQUENCE, "CRL's algorithm")),
      0,
      DER.OBJECT_IDENTIFIER,
      "CRL's algorithm",
    ).content,
  );
  const signatureBits = expectDer(list, 2, DER.BIT_STRING, "CRL's signature");
  const fields = derChildren(tbs);
  let i = fields[0]?.tag === DER.INTEGER ? 1 : 0; // version, present in v2 CRLs
  expectDer(fields, i++, DER.SEQUENCE, "CRL's signature algorithm");
  const issuer = expectDer(fields, i++, DER.SEQUENCE, "CRL's issuer").tlv;
  if (!isTime(fields[i++])) throw new DerError("Cannot read the CRL's thisUpdate time");
  if (isTime(fields[i])) i++; // nextUpdate
  const revoked = new Map<string, number>();
  if (fields[i]?.tag === DER.SEQUENCE) {
    for (const entry of derChildren(fields[i])) {
      const parts = derChildren(entry);
      const serial = expectDer(parts, 0, DER.INTEGER, "revoked certificate's serial number");
      revoked.set(derIntegerHex(serial.content), isTime(parts[1]) ? derTime(parts[1]) : NaN);
    }
  }
  // The first content byte of a BIT STRING counts the unused bits of the last byte; a signature has none.
  return { issuer, revoked, signed: tbs.tlv, algorithm, signature: signatureBits.content.subarray(1) };
}

function isTime(value: DerValue | undefined): boolean {
  return value?.tag === DER.UTC_TIME || value?.tag === DER.GENERALIZED_TIME;
}

/** A certificate's serial number, issuer and subject, as encoded (RFC 5280 §4.1). */
export interface CertificateNames {
  /** Upper-case hex, as in {@linkcode Crl.revoked}. */
  readonly serial: string;
  /** The issuer's Name, as encoded. */
  readonly issuer: Uint8Array;
  /** The subject's Name, as encoded. */
  readonly subject: Uint8Array;
}

/**
 * The serial number and names of a DER certificate.
 *
 * ```text
 * TBSCertificate ::= SEQUENCE { version [0] EXPLICIT OPTIONAL, serialNumber INTEGER, signature AlgorithmIdentifier,
 *   issuer Name, validity Validity, subject Name, … }
 * ```
 */
export function certificateNames(der: Uint8Array): CertificateNames {
  const fields = derChildren(expectDer(derChildren(readDer(der)), 0, DER.SEQUENCE, "certificate's signed part"));
  let i = fields[0]?.tag === DER.CONTEXT_0 ? 1 : 0;
  const serial = derIntegerHex(expectDer(fields, i++, DER.INTEGER, "certificate's serial number").content);
  i++; // signature
  const issuer = expectDer(fields, i++, DER.SEQUENCE, "certificate's issuer").tlv;
  i++; // validity
  return { serial, issuer, subject: expectDer(fields, i, DER.SEQUENCE, "certificate's subject").tlv };
}

/**
 * The first certificate of `chain` (DER, the server's own first) that a CRL of its issuer lists, or null. `issuers`
 * are the certificates a CRL's signer may be (the chain itself and the trusted roots).
 *
 * @example
 * ```ts
 * const hit = findRevocation([leafDer, caDer], [leafDer, caDer], parseCrlPem(crlText));
 * if (hit !== null) console.log(`revoked: serial ${hit.serial}`);
 * ```
 */
export function findRevocation(
  chain: readonly Uint8Array[],
  issuers: readonly Uint8Array[],
  crls: readonly Crl[],
): Revocation | null {
  if (crls.length === 0) return null;
  const known = issuers.map((der) => ({ der, names: certificateNames(der) }));
  for (const [depth, der] of chain.entries()) {
    const names = certificateNames(der);
    // A self-signed root is trusted as it is: no CRL revokes a trust anchor.
    if (sameBytes(names.issuer, names.subject)) continue;
    for (const crl of crls) {
      if (!sameBytes(crl.issuer, names.issuer) || !crl.revoked.has(names.serial)) continue;
      const signer = known.find((k) => sameBytes(k.names.subject, crl.issuer) && signedBy(crl, k.der));
      if (signer === undefined) continue;
      const subject = new X509Certificate(der).subject.replaceAll("\n", ", ");
      return { depth, serial: names.serial, subject, at: crl.revoked.get(names.serial)! };
    }
  }
  return null;
}

/** Whether `crl`'s signature verifies with the public key of the certificate `issuerDer`. */
export function signedBy(crl: Crl, issuerDer: Uint8Array): boolean {
  const hash = SIGNATURE_HASHES[crl.algorithm];
  if (hash === undefined) return false; // an algorithm we cannot check (RSA-PSS, DSA…): not believed
  try {
    return verify(hash, crl.signed, new X509Certificate(issuerDer).publicKey, crl.signature);
  } catch {
    return false;
  }
}
