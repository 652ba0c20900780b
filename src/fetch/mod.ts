/**
 * The fetch application: a download loop (redirects, retries, resume decisions) of hops, each an HTTP exchange over a
 * byte stream of the transport, inside a TLS layer for `https://`; what a response head means (head policy); server
 * timestamps and `-N`; cookies and cookies.txt; the errors of a download.
 *
 * @example
 * ```ts
 * import { download } from "./mod.ts";
 * const result = await download("http://198.18.2.2/file.bin", { tries: 1 });
 * ```
 *
 * @module
 */

export { download, type DownloadResult } from "./download.ts";
export {
  BodyFileError,
  FileChangedError,
  RangeMismatchError,
  RedirectError,
  type RedirectFailure,
  retryable,
  SavedErrorStatus,
  ServerStatusError,
} from "./errors.ts";
export { type HeadVerdict, judgeHead, REDIRECT_STATUSES } from "./head_policy.ts";
export { Hop } from "./hop.ts";
export { Connection, type ConnectionLayers, ConnectionPool } from "./connection.ts";
export { type Carry, derivedPath, type DownloadContext, type HopDone, type HopResult } from "./hop_types.ts";
export { type ExchangeListener, type ExchangeState, type HeadHandler, HttpExchange } from "./http_exchange.ts";
export { type FetchEvents, type FetchOptions, VERSION } from "./options.ts";
export { DEFAULT_WAIT_RETRY, Pacing, type PacingSettings } from "./pacing.ts";
export { requestTrace, responseTrace, serverResponseText } from "./head_trace.ts";
export {
  afterRedirect,
  FORM_TYPE,
  PLAIN_GET,
  requestBody,
  type RequestMethod,
  requestMethod,
} from "./request_method.ts";
export { BROKEN_LINK, judgeSpider, type SpiderVerdict } from "./spider.ts";
export type { StreamDuplex } from "./stream_duplex.ts";
export {
  HopTimestamps,
  judgeTimestamp,
  type LocalFile,
  localFile,
  serverTime,
  type StampedHead,
  type TimestampCheck,
  type TimestampVerdict,
} from "./timestamps.ts";
export { bypassesProxy, proxyEnvironment, ProxyError, proxyFor, type ProxyRoute, type ProxySettings } from "./proxy.ts";
export { ConnectTunnel } from "./tunnel.ts";
export { Authenticator, AuthError, type AuthSettings, type AuthTools } from "./auth.ts";
export { type NetrcEntry, netrcFor, parseNetrc } from "./netrc.ts";
// TLS is loaded only when needed (./secure.ts, through loadSecure); from here its errors, options and types.
export { TlsError, type TlsErrorReason } from "./tls_errors.ts";
export {
  parseSecureProtocol,
  protocolRange,
  SECURE_PROTOCOLS,
  type SecureProtocol,
  type TlsSettings,
} from "./tls_protocols.ts";
export { loadSecure, type SecureModule } from "./secure_loader.ts";
export type { CertificateFacts, TlsOptions } from "./tls.ts";
export type { SecureOptions } from "./tls_layer.ts";
export type { TlsConfig } from "./tls_config.ts";
export type { PublicKeyPin } from "./pin.ts";
export type { Crl, Revocation } from "./crl.ts";
export { formatHstsFile, type HstsEntry, HstsStore, parseHstsFile } from "./hsts.ts";
export { type FileReader, preloadFiles } from "./file_preload.ts";
export { holdHstsFile, type HstsDatabase, openHstsDatabase, saveHstsDatabase } from "./hsts_file.ts";
export { type Cookie, CookieJar, type CookieUrl } from "./cookie_jar.ts";
export {
  type CookiesTxtOptions,
  formatCookiesTxt,
  loadCookieFile,
  parseCookiesTxt,
  saveCookieFile,
} from "./cookies_txt.ts";
export { nowSeconds } from "./clock.ts";
