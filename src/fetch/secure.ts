/**
 * Everything TLS needs at run time, behind one dynamic import: `node:tls`, `node:crypto`, `node:stream` and
 * `node:buffer` cost the program's start-up about 30 ms and only an https URL (or a TLS file to check) needs them.
 * Load it with {@linkcode loadSecure}; its types are exported from `./mod.ts` (type exports load nothing).
 *
 * @module
 */

export { certificateError, startTls, tlsHandshake } from "./tls.ts";
export { TlsLayer } from "./tls_layer.ts";
export { loadTrustStore, splitPem } from "./trust_store.ts";
export { loadClientIdentity, loadTlsConfig } from "./tls_config.ts";
export { isHashPin, keyFilePin, parseHashPin, pinAccepts, spkiSha256Base64 } from "./pin.ts";
export { certificateNames, findRevocation, parseCrl, parseCrlPem } from "./crl.ts";
export { StreamDuplex } from "./stream_duplex.ts";
