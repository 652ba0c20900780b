/**
 * One HTTPS hop (temporary integration seam for issue 8, until `download.ts` handles `https://`): our TCP connection,
 * `node:tls` over it as a Duplex, and the HTTP exchange over the TLS socket. No redirects, no retries: one GET.
 *
 * ```text
 *   HttpExchange ⇄ runOverStream ⇄ TLSSocket (node:tls) ⇄ TcpDuplex ⇄ Driver ⇄ TcpConnection ⇄ raw frames
 * ```
 *
 * @module
 */

import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import { buildGetRequest } from "../http/request.ts";
import { UrlError } from "../http/errors.ts";
import { fileNameFor, parseUrl } from "../http/url.ts";
import type { ConnectionStats } from "../tcp/events.ts";
import { openConnection } from "./connect.ts";
import { VERSION } from "./download.ts";
import type { DriverOutcome, FrameTap, StreamApp } from "./driver.ts";
import { ConnectionError, ServerStatusError } from "./errors.ts";
import { HttpExchange } from "./http_exchange.ts";
import { openOutput, type Output, uniqueName } from "./output.ts";
import { TcpDuplex } from "./tcp_duplex.ts";
import { loadTrustStore, startTls, type TlsError, tlsHandshake } from "./tls.ts";

/** Options of {@linkcode httpsGet}. */
export interface HttpsGetOptions {
  /** An `https://` URL. */
  readonly url: string;
  /** Output path ("-" for standard output); derived from the URL when absent. */
  readonly output?: string;
  /** Extra trusted CA file in PEM (`--ca-certificate`). */
  readonly caFile?: string;
  /** Do not refuse a certificate that does not verify (`--no-check-certificate`); `onWarning` is told. */
  readonly insecure?: boolean;
  /** Silence tolerated before giving up, in ms (default 60000). */
  readonly timeoutMs?: number;
  /** Frame observer. */
  readonly tap?: FrameTap;
  /** Told the verification error that `insecure` ignored. */
  readonly onWarning?: (message: string) => void;
}

/** What a successful hop produced. */
export interface HttpsGetResult {
  /** Where the file was saved. */
  readonly path: string;
  /** Bytes saved. */
  readonly bytes: number;
  /** The response status. */
  readonly status: number;
  /** From the first SYN to the end of the TLS stream, in ms. */
  readonly elapsedMs: number;
  /** The negotiated TLS version, e.g. "TLSv1.3". */
  readonly protocol: string | null;
  /** The TCP engine's counters. */
  readonly tcp: ConnectionStats;
}

/**
 * Downloads one `https://` URL through our TCP stack; throws TlsError, ConnectionError, ServerStatusError, HttpError.
 *
 * @example
 * ```ts
 * await httpsGet({ url: "https://198.18.2.2/file.bin", output: "file.bin", caFile: "ca.pem" });
 * ```
 */
export async function httpsGet(options: HttpsGetOptions): Promise<HttpsGetResult> {
  const url = parseUrl(options.url);
  if (url.scheme !== "https") throw new UrlError("unsupported-scheme", `Expected an https:// URL: "${options.url}"`);
  const path = options.output ?? uniqueName(fileNameFor(url));
  const ca = loadTrustStore(options.caFile);
  const c = await openConnection({
    host: url.host,
    port: url.port,
    timeoutMs: options.timeoutMs ?? 60_000,
    tap: options.tap,
  });
  let output: Output | null = null;
  try {
    const started = performance.now();
    const duplex = new TcpDuplex(c.driver);
    const secure = startTls(duplex, { host: url.host, ca });
    const handshake = tlsHandshake(secure, url.host, !options.insecure);
    const run = c.driver.run(duplex).then((outcome) => {
      duplex.connectionEnded(outcome === "normal" ? null : new ConnectionError(outcome, outcomeSentence(outcome)));
      return outcome;
    });
    let ignored: TlsError | null;
    try {
      ignored = await handshake;
    } catch (e) {
      secure.destroy();
      await run;
      throw e;
    }
    if (ignored !== null) options.onWarning?.(`${ignored.message} (checking was turned off)`);
    const request = buildGetRequest({
      host: url.host,
      port: url.port,
      defaultPort: url.defaultPort,
      path: url.path,
      userAgent: `rawhttpget/${VERSION}`,
      version: "1.0",
    });
    const exchange = new HttpExchange(request, (head) => {
      if (head.status < 200 || head.status > 299) throw new ServerStatusError(head.status, head.reason);
      return (output = openOutput(path));
    }, () => c.driver.stop("stopped"));
    const streamEnded = runOverStream(exchange, secure);
    const outcome = await run;
    await streamEnded;
    exchange.dispose();
    const out = output as Output | null;
    if (exchange.state === "complete") {
      out?.commit();
      output = null;
      return {
        path,
        bytes: exchange.written,
        status: exchange.head!.status,
        elapsedMs: performance.now() - started,
        protocol: secure.getProtocol(),
        tcp: c.conn.stats,
      };
    }
    if (exchange.state === "failed") throw exchange.error;
    throw new ConnectionError(outcome, `${outcomeSentence(outcome)} before the response was complete`);
  } finally {
    (output as Output | null)?.abandon(true);
    await c.close();
  }
}

/**
 * Runs a {@linkcode StreamApp} over a Node stream (the TLS socket): writes what `onConnected` returns, feeds it the
 * data, and its end. Resolves when the stream has ended or failed (the error itself is the connection's to report).
 *
 * @example
 * ```ts
 * await runOverStream(exchange, secure);
 * ```
 */
export function runOverStream(app: StreamApp, stream: Duplex | TLSSocket): Promise<void> {
  return new Promise((resolve) => {
    stream.on("data", (chunk: Uint8Array) => app.onData(chunk));
    stream.once("end", () => {
      app.onPeerClosed();
      resolve();
    });
    stream.once("error", () => resolve());
    stream.once("close", () => resolve());
    stream.write(app.onConnected());
  });
}

function outcomeSentence(outcome: DriverOutcome): string {
  const sentences: Record<DriverOutcome, string> = {
    normal: "The server closed the connection",
    reset: "The server reset the connection",
    refused: "The server refused the connection",
    timeout: "The server stopped answering",
    aborted: "The connection was aborted",
    interrupted: "The download was interrupted",
    stopped: "The download was stopped",
  };
  return sentences[outcome];
}
