/**
 * Public key pinning (`--pinnedpubkey`, as wget and curl read it): the server's own certificate must carry one of the
 * pinned public keys, compared as its DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7). The pin is either a list of
 * SHA-256 hashes (`sha256//BASE64[;sha256//BASE64…]`, the form of RFC 7469 §2.4 hashes) or a file holding the key
 * itself (PEM `PUBLIC KEY` or DER). The check runs even with `--no-check-certificate`: a pin is not a verification
 * that can be waived.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { decodeBase64, sameBytes } from "./_der.ts";

/** A parsed pin: the hashes it accepts (and the entries it skipped), or the key it holds. */
export type PublicKeyPin =
  | {
    readonly kind: "sha256";
    /** The 32-byte SHA-256 hashes of accepted keys. */
    readonly hashes: readonly Uint8Array[];
    /** Entries that are not base64 of 32 bytes (wget skips them too, saying so with -v). */
    readonly skipped: readonly string[];
  }
  | {
    readonly kind: "key";
    /** The accepted key, DER SubjectPublicKeyInfo. */
    readonly spki: Uint8Array;
  };

const SHA256_PREFIX = "sha256//";
const PEM_PUBLIC_KEY = /(?:^|\n)-----BEGIN PUBLIC KEY-----\r?\n([\s\S]*?)\n-----END PUBLIC KEY-----/;

/**
 * Whether `--pinnedpubkey`'s value is a list of hashes (else it names a file).
 *
 * @example
 * ```ts
 * isHashPin("sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE="); // true
 * ```
 */
export function isHashPin(value: string): boolean {
  return value.startsWith(SHA256_PREFIX);
}

/**
 * Parses `sha256//A;sha256//B`: the list is split at each `;sha256//`, as wget splits it; an entry that is not the
 * base64 of 32 bytes is skipped, not an error.
 *
 * @example
 * ```ts
 * parseHashPin("sha256//AAAA;sha256//" + btoa("x".repeat(32))); // { kind: "sha256", hashes: [32 bytes], skipped: ["AAAA"] }
 * ```
 */
export function parseHashPin(value: string): PublicKeyPin {
  if (!isHashPin(value)) throw new TypeError(`Cannot read the pin "${value}": it does not start with sha256//`);
  const hashes: Uint8Array[] = [];
  const skipped: string[] = [];
  for (const entry of value.slice(SHA256_PREFIX.length).split(`;${SHA256_PREFIX}`)) {
    const bytes = decodeBase64(entry);
    if (bytes?.length === 32) hashes.push(bytes);
    else skipped.push(entry);
  }
  return { kind: "sha256", hashes, skipped };
}

/**
 * A pin from the bytes of a key file: PEM `PUBLIC KEY` when the file holds one, else the DER key itself. Null when a
 * PEM block is there but its base64 is broken (no key can match it; wget fails the pin the same way).
 *
 * @example
 * ```ts
 * keyFilePin(Deno.readFileSync("server-key.pub.pem"));
 * ```
 */
export function keyFilePin(bytes: Uint8Array): PublicKeyPin | null {
  const text = new TextDecoder().decode(bytes);
  if (!text.includes("-----BEGIN PUBLIC KEY-----")) return { kind: "key", spki: bytes };
  const m = PEM_PUBLIC_KEY.exec(text);
  const spki = m === null ? null : decodeBase64(m[1].replace(/[\r\n]/g, ""));
  return spki === null ? null : { kind: "key", spki };
}

/**
 * Whether a public key (DER SubjectPublicKeyInfo of the server's certificate) is one the pin accepts.
 *
 * @example
 * ```ts
 * pinAccepts(parseHashPin(`sha256//${spkiSha256Base64(spki)}`), spki); // true
 * ```
 */
export function pinAccepts(pin: PublicKeyPin, spki: Uint8Array): boolean {
  if (pin.kind === "key") return sameBytes(pin.spki, spki);
  const digest = new Uint8Array(createHash("sha256").update(spki).digest());
  return pin.hashes.some((hash) => sameBytes(hash, digest));
}

/**
 * The `sha256//…` value that pins this key: what `openssl x509 -pubkey | openssl pkey -pubin -outform der |
 * openssl dgst -sha256 -binary | base64` prints.
 *
 * @example
 * ```ts
 * `sha256//${spkiSha256Base64(new X509Certificate(pem).publicKey.export({ type: "spki", format: "der" }))}`;
 * ```
 */
export function spkiSha256Base64(spki: Uint8Array): string {
  return createHash("sha256").update(spki).digest("base64");
}
