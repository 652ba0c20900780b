/**
 * An HTTP tunnel through a proxy as a layer between the driver and a handler (the TLS layer of an https:// URL): it
 * sends `CONNECT host:port`, reads the proxy's answer, and on a 2xx opens the inner handler over the same stream,
 * handing it the bytes that followed the answer (RFC 9110 §9.3.6). Any other answer, or a proxy that closes first,
 * is kept in {@linkcode ConnectTunnel.failure} and ends the stream.
 *
 * @module
 */

import { buildConnectRequest, hostPort, TunnelReader } from "../http/mod.ts";
import type { ByteStream, StreamHandler, StreamOutcome } from "../transport/mod.ts";
import { ProxyError, type ProxyRoute } from "./proxy.ts";

/**
 * Runs a handler through a CONNECT tunnel.
 *
 * @example
 * ```ts
 * const tunnel = new ConnectTunnel(new TlsLayer(exchange, secure), route, { host: "a.test", port: 443 }, "rawhttpget/1");
 * await session.run(tunnel); // the session was opened to the proxy
 * if (tunnel.failure !== null) throw tunnel.failure;
 * ```
 */
export class ConnectTunnel implements StreamHandler {
  readonly #inner: StreamHandler;
  readonly #request: Uint8Array;
  readonly #proxy: ProxyRoute;
  readonly #target: string;
  readonly #reader = new TunnelReader();
  #stream: ByteStream | null = null;
  #open = false;
  #failure: ProxyError | null = null;

  /** A tunnel to `target` through `proxy` for `inner`. */
  constructor(
    inner: StreamHandler,
    proxy: ProxyRoute,
    target: { readonly host: string; readonly port: number },
    userAgent: string,
  ) {
    this.#inner = inner;
    this.#proxy = proxy;
    this.#target = hostPort(target.host, target.port);
    const extraHeaders: Array<[string, string]> = [];
    if (proxy.authorization !== undefined) extraHeaders.push(["Proxy-Authorization", proxy.authorization]);
    this.#request = buildConnectRequest({ host: target.host, port: target.port, userAgent, extraHeaders });
  }

  /** Why the tunnel did not open, if it did not. */
  get failure(): ProxyError | null {
    return this.#failure;
  }

  /** Asks the proxy for the tunnel. */
  onOpen(stream: ByteStream): void {
    this.#stream = stream;
    stream.write(this.#request);
  }

  /** The proxy's answer, then the tunnel's bytes. */
  onData(bytes: Uint8Array): void {
    if (this.#open) return this.#inner.onData(bytes);
    if (this.#failure !== null) return;
    let answer;
    try {
      answer = this.#reader.receive(bytes);
    } catch (e) {
      return this.#fail(`The proxy ${this.#proxy.label} sent a malformed answer to CONNECT: ${(e as Error).message}`);
    }
    if (answer === null) return;
    if (answer.status < 200 || answer.status > 299) {
      const reason = answer.reason === "" ? "" : ` ${answer.reason}`;
      return this.#fail(
        `The proxy ${this.#proxy.label} refused the tunnel to ${this.#target}: ${answer.status}${reason}`,
      );
    }
    this.#open = true;
    this.#inner.onOpen(this.#stream!);
    if (answer.rest.length > 0) this.#inner.onData(answer.rest);
  }

  /** The far end (or the proxy) closed. */
  onEnd(): void {
    if (this.#open) this.#inner.onEnd();
    else if (this.#failure === null) {
      this.#fail(`The proxy ${this.#proxy.label} closed the connection before opening the tunnel to ${this.#target}`);
    }
  }

  /** The connection ended. */
  onClosed(outcome: StreamOutcome): void {
    this.#inner.onClosed(outcome);
  }

  #fail(message: string): void {
    this.#failure = new ProxyError("tunnel", message);
    this.#stream?.abort("stopped");
  }
}
