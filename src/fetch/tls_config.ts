/**
 * wget's TLS options, read into what one TLS connection needs: the protocol versions (`--secure-protocol`), the
 * trusted roots (`--ca-certificate`, `--ca-directory`), a client certificate (`--certificate`, `--private-key`), the
 * CRLs (`--crl-file`) and the public key pin (`--pinnedpubkey`). Files are read when an https connection is about to
 * open, as wget reads them, through ffi/ (the program has only `--allow-ffi`).
 *
 * What Deno's `node:tls` (rustls) can do decides the mapping, measured with Deno 2.9.6:
 * - it speaks TLS 1.2 and 1.3 only, and `minVersion`/`maxVersion` hold; `ciphers` is accepted and ignored;
 * - every suite it offers has forward secrecy (ECDHE, or TLS 1.3), none uses RSA key exchange, so wget's `PFS` is
 *   what it always does (a server that offers only RSA key exchange fails with `auto` too, where wget's GnuTLS would
 *   connect);
 * - a client certificate works with `cert`/`key`, but a key that does not match the certificate throws inside Deno
 *   instead of failing the handshake: the pair is checked here first;
 * - `crl` is parsed and then unused, so revocation is checked by us (see `crl.ts`).
 *
 * @module
 */

import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from "node:crypto";
import { readFileBytes } from "../../ffi/mod.ts";
import { type Crl, parseCrlPem } from "./crl.ts";
import { isHashPin, keyFilePin, parseHashPin, type PublicKeyPin } from "./pin.ts";
import type { TlsOptions } from "./tls.ts";
import { TlsError } from "./tls_errors.ts";
import { protocolRange, type TlsSettings } from "./tls_protocols.ts";
import { fileReason, loadTrustStore, splitPem } from "./trust_store.ts";

/** What a TLS connection is opened with, besides its host. */
export type TlsConfig = Omit<TlsOptions, "host">;

/**
 * Reads every file the TLS options name and checks them; throws TlsError with one sentence when one cannot be used:
 * "tls-file" for a client certificate, key or CRL file (wget exits 1 when its CRL file does not load), "ca-file"
 * for `--ca-certificate` (5), "pin" for a pin file (5). `warn` hears what wget only warns about (a CA directory that
 * cannot be opened).
 *
 * @example
 * ```ts
 * const config = loadTlsConfig({ crlFile: "crl.pem" }, "ca.pem", console.error);
 * ```
 */
export function loadTlsConfig(
  settings: TlsSettings,
  caFile: string | undefined,
  warn: (message: string) => void = () => {},
  read: (path: string) => Uint8Array = readFileBytes,
): TlsConfig {
  const range = protocolRange(settings.secureProtocol ?? "auto");
  return {
    ...range,
    ca: loadTrustStore(caFile, settings.caDirectory, warn, read),
    ...loadClientIdentity(settings.certificate, settings.privateKey, read),
    ...(settings.crlFile === undefined ? {} : { crls: loadCrls(settings.crlFile, read) }),
    ...(settings.pinnedPublicKey === undefined ? {} : { pin: loadPin(settings.pinnedPublicKey, read) }),
  };
}

/**
 * The client certificate and key, checked to belong together. Like wget, either file alone serves for both (a PEM
 * file holding the certificate and its key).
 */
export function loadClientIdentity(
  certificate: string | undefined,
  privateKey: string | undefined,
  read: (path: string) => Uint8Array = readFileBytes,
): { cert?: string; key?: string } {
  const certFile = certificate ?? privateKey;
  const keyFile = privateKey ?? certificate;
  if (certFile === undefined || keyFile === undefined) return {};
  const chain = splitPem(readText(certFile, "client certificate", read));
  if (chain.length === 0) throw new TlsError("tls-file", `No PEM certificate found in "${certFile}"`);
  const keyPem = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/.exec(
    readText(keyFile, "private key", read),
  );
  if (keyPem === null) throw new TlsError("tls-file", `No PEM private key found in "${keyFile}"`);
  if (keyPem[1] === "ENCRYPTED ") {
    throw new TlsError("tls-file", `The private key in "${keyFile}" is encrypted; give it unencrypted`);
  }
  let key, leaf;
  try {
    key = createPrivateKey(keyPem[0]);
  } catch (e) {
    throw new TlsError("tls-file", `Cannot read the private key in "${keyFile}": ${(e as Error).message}`);
  }
  try {
    leaf = new X509Certificate(chain[0]);
  } catch (e) {
    throw new TlsError("tls-file", `Cannot read the certificate in "${certFile}": ${(e as Error).message}`);
  }
  const spki = (k: KeyObject) => k.export({ type: "spki", format: "der" }).toString("base64");
  if (spki(createPublicKey(key)) !== spki(leaf.publicKey)) {
    throw new TlsError(
      "tls-file",
      `The private key in "${keyFile}" does not belong to the certificate in "${certFile}"`,
    );
  }
  return { cert: chain.join("\n"), key: key.export({ type: "pkcs8", format: "pem" }).toString() };
}

/** The CRLs of a PEM file; wget refuses a file with none ("Failed to load CRL file"). */
function loadCrls(path: string, read: (path: string) => Uint8Array): Crl[] {
  let crls: Crl[];
  try {
    crls = parseCrlPem(readText(path, "CRL", read));
  } catch (e) {
    if (e instanceof TlsError) throw e;
    throw new TlsError("tls-file", `Cannot read the CRL file "${path}": ${(e as Error).message}`);
  }
  if (crls.length === 0) throw new TlsError("tls-file", `No PEM CRL found in "${path}"`);
  return crls;
}

/** A pin from hashes or from a key file; an unreadable file is a pin no key matches, as in wget (exit 5). */
function loadPin(value: string, read: (path: string) => Uint8Array): PublicKeyPin {
  if (isHashPin(value)) return parseHashPin(value);
  let bytes: Uint8Array;
  try {
    bytes = read(value);
  } catch {
    throw new TlsError("pin", `Cannot read the pinned public key file "${value}"`);
  }
  const pin = keyFilePin(bytes);
  if (pin === null) throw new TlsError("pin", `No public key found in the pinned public key file "${value}"`);
  return pin;
}

function readText(path: string, what: string, read: (path: string) => Uint8Array): string {
  try {
    return new TextDecoder().decode(read(path));
  } catch (e) {
    throw new TlsError("tls-file", `Cannot read the ${what} file "${path}": ${fileReason(e)}`);
  }
}
