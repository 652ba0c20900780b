/**
 * A new connection for a hop: the stream to the origin (or its proxy), then the layers it needs around the relay of
 * its exchanges: TLS for https, inside a CONNECT tunnel through a proxy, and `--report`'s watch.
 *
 * @module
 */

import type { ParsedUrl } from "../http/mod.ts";
import type { OpenStream } from "../transport/mod.ts";
import { Connection } from "./connection.ts";
import { USER_AGENT } from "./hop_request.ts";
import type { FetchOptions } from "./options.ts";
import type { ProxyRoute } from "./proxy.ts";
import type { SecureModule } from "./secure_loader.ts";
import type { SecureOptions } from "./tls_layer.ts";
import { ConnectTunnel } from "./tunnel.ts";
import { WatchedHandler } from "./watched_handler.ts";

/** What {@linkcode openConnection} needs. */
export interface ConnectionRequest {
  /** How streams are opened. */
  readonly openStream: OpenStream;
  /** The pool key of the connection (scheme, proxy, host and port). */
  readonly key: string;
  /** The URL asked for. */
  readonly url: ParsedUrl;
  /** The proxy the connection goes through, or null. */
  readonly proxy: ProxyRoute | null;
  /** The TLS module and options of an https hop, or null. */
  readonly tlsModule: SecureModule | null;
  readonly secure: SecureOptions | null;
  /** The run's options (User-Agent of the CONNECT request, `--report`'s watch). */
  readonly options: FetchOptions;
  /** The certificate was accepted without verifying (`--no-check-certificate`). */
  readonly onUnverified: () => void;
}

/**
 * Opens the stream and starts the connection with its layers; the first exchange is attached by `Connection.carry`.
 *
 * @example
 * ```ts
 * const conn = await openConnection({ openStream, key, url, proxy: null, tlsModule: null, secure: null, options,
 *   onUnverified: () => {} });
 * ```
 */
export async function openConnection(request: ConnectionRequest): Promise<Connection> {
  const { url, proxy, tlsModule, secure, options } = request;
  const endpoint = proxy ?? { host: url.lookupHost ?? url.host, port: url.port };
  const conn = new Connection(request.key, await request.openStream(endpoint));
  const onUnverified: SecureOptions["onUnverified"] = (e) => {
    conn.unverified = true;
    request.onUnverified();
    secure?.onUnverified?.(e);
  };
  const tls = tlsModule !== null && secure !== null
    ? new tlsModule.TlsLayer(conn.relay, { ...secure, onUnverified })
    : null;
  // https through a proxy: TLS runs inside a CONNECT tunnel, end to end with the server (RFC 9110 §9.3.6).
  const agent = options.userAgent ?? USER_AGENT;
  const tunnel = tls !== null && proxy !== null ? new ConnectTunnel(tls, proxy, url, agent) : null;
  const top = tunnel ?? tls ?? conn.relay;
  // --report: the milestones of the connection and of each exchange inside it (see watched_handler.ts).
  const watch = options.watch;
  conn.start({
    top: watch === undefined ? top : new WatchedHandler(top, watch, "stream"),
    failure: () => tunnel?.failure ?? tls?.failure ?? null,
  });
  return conn;
}
