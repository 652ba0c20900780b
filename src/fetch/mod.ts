/**
 * The fetch application: a download loop (redirects, retries, resume decisions) of hops, each an HTTP exchange over a
 * byte stream of the transport, inside a TLS layer for `https://`; what a response head means (head policy); server
 * timestamps and `-N`; the errors of a download.
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
export { RangeMismatchError, RedirectError, type RedirectFailure, retryable, ServerStatusError } from "./errors.ts";
export { type HeadVerdict, judgeHead, REDIRECT_STATUSES } from "./head_policy.ts";
export { Hop } from "./hop.ts";
export { type Carry, derivedPath, type DownloadContext, type HopDone, type HopResult } from "./hop_types.ts";
export { type ExchangeListener, type ExchangeState, type HeadHandler, HttpExchange } from "./http_exchange.ts";
export { type FetchEvents, type FetchOptions, VERSION } from "./options.ts";
export { requestTrace, responseTrace } from "./head_trace.ts";
export { StreamDuplex } from "./stream_duplex.ts";
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
export {
  certificateError,
  type CertificateFacts,
  loadTrustStore,
  splitPem,
  startTls,
  TlsError,
  type TlsErrorReason,
  tlsHandshake,
  type TlsOptions,
} from "./tls.ts";
export { type SecureOptions, TlsLayer } from "./tls_layer.ts";
