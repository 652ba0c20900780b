/**
 * One download, end to end: resolve, route, reserve a port, open the raw sockets with a BPF filter for our exact
 * 4-tuple, silence the kernel's RSTs, run the TCP connection and the HTTP exchange, and save the file. Every
 * resource is released however the download ends.
 *
 * @module
 */

import { tcpFlowFilter } from "../../ffi/bpf.ts";
import { Waker } from "../../ffi/poll.ts";
import { reservePort } from "../../ffi/port.ts";
import { openRawReceiver, openRawSender } from "../../ffi/raw_socket.ts";
import { resolveIpv4 } from "../../ffi/resolve.ts";
import { routeTo } from "../../ffi/route.ts";
import { buildGetRequest } from "../http/request.ts";
import type { HeadEvent } from "../http/response_parser.ts";
import { fileNameFor, type ParsedUrl, parseUrl } from "../http/url.ts";
import { UrlError } from "../http/errors.ts";
import { TcpConnection } from "../tcp/connection.ts";
import type { ConnectionStats } from "../tcp/events.ts";
import { Driver, type DriverOutcome, type FrameTap } from "./driver.ts";
import { ConnectionError } from "./errors.ts";
import { type FirewallMode, type Guard, installRstGuard } from "./firewall.ts";
import type { Flow } from "./flow.ts";
import type { FrameCounters } from "./frames.ts";
import { HttpExchange } from "./http_exchange.ts";
import { checkWritableDirectory, openOutput, type Output, uniqueName } from "./output.ts";

/** The program's version, sent as `User-Agent: rawhttpget/<version>`. */
export const VERSION = "0.1.0";

/** Largest receive buffer the kernel is asked for (SO_RCVBUFFORCE): the default ~208 KiB overflows at speed. */
const SOCKET_RCVBUF = 32 * 1024 * 1024;

/** What a download needs to know. */
export interface DownloadOptions {
  /** The URL as the user typed it. */
  readonly url: string;
  /** Output path; "-" for standard output; derived from the URL when absent. */
  readonly output?: string;
  /** Silence tolerated before giving up, in ms (default 60000). */
  readonly timeoutMs?: number;
  /** How the kernel's RSTs are silenced (default "auto"). */
  readonly firewall?: FirewallMode;
  /** Frame observer (traces, pcap). */
  readonly tap?: FrameTap;
  /** Verbose messages ("resolving…", what the firewall did). */
  readonly log?: (message: string) => void;
  /** Progress of the body. */
  readonly onProgress?: (received: number, total: number | null) => void;
  /** The response head. */
  readonly onHead?: (head: HeadEvent) => void;
  /** Receives a function that interrupts the download (for signal handlers). */
  readonly onInterruptible?: (interrupt: () => void) => void;
  /** TCP receive buffer in bytes (the largest advertised window). */
  readonly recvBufferSize?: number;
}

/** What a successful download produced. */
export interface DownloadResult {
  /** Where the file was saved ("-" for standard output). */
  readonly path: string;
  /** Bytes saved (after content decoding). */
  readonly bytes: number;
  /** From the first SYN to the connection's end, in ms. */
  readonly elapsedMs: number;
  /** The response status. */
  readonly status: number;
  /** The TCP engine's counters. */
  readonly tcp: ConnectionStats;
  /** The frame counters below TCP. */
  readonly frames: FrameCounters;
}

function randomU32(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

const OUTCOME_MESSAGES: Record<DriverOutcome, string> = {
  normal: "The server closed the connection before the response was complete",
  reset: "The server reset the connection",
  refused: "The server refused the connection",
  timeout: "The server stopped answering",
  aborted: "The connection was aborted",
  interrupted: "The download was interrupted",
  stopped: "The download was stopped",
};

/** Downloads one URL; throws a typed error on any failure (the partial `.part` file is kept for a resume). */
export async function download(options: DownloadOptions): Promise<DownloadResult> {
  const log = options.log ?? (() => {});
  const url: ParsedUrl = parseUrl(options.url);
  if (url.scheme !== "http") {
    throw new UrlError("unsupported-scheme", `The scheme "${url.scheme}" is not supported yet: use http://`);
  }
  const outputPath = options.output ?? uniqueName(fileNameFor(url));
  if (outputPath !== "-") checkWritableDirectory(outputPath);

  log(`Resolving ${url.host}…`);
  const remoteAddr = await resolveIpv4(url.host);
  const route = routeTo(remoteAddr);
  const mss = Math.min(route.mtu, 65535) - 40;
  const reserved = reservePort(route.srcAddr);
  const flow: Flow = {
    localAddr: route.srcAddr,
    localPort: reserved.port,
    remoteAddr,
    remotePort: url.port,
  };
  const timeoutMs = options.timeoutMs ?? 60_000;
  const cleanups: Array<() => void> = [() => reserved.close()];
  let guard: Guard | null = null;
  try {
    const rx = openRawReceiver({ rcvbuf: SOCKET_RCVBUF });
    cleanups.push(() => rx.close());
    rx.attachFilter(tcpFlowFilter({
      srcAddr: flow.remoteAddr,
      dstAddr: flow.localAddr,
      srcPort: flow.remotePort,
      dstPort: flow.localPort,
    }));
    const tx = openRawSender();
    cleanups.push(() => tx.close());
    guard = await installRstGuard(flow, { mode: options.firewall ?? "auto" });
    log(guard.description);
    const waker = new Waker();
    cleanups.push(() => waker.close());

    const conn = new TcpConnection({
      localPort: flow.localPort,
      remotePort: flow.remotePort,
      mss,
      isn: randomU32(),
      userTimeoutMs: timeoutMs,
      recvBufferSize: options.recvBufferSize,
    });
    const driver = new Driver(tx, rx, conn, flow, { mss, tap: options.tap, waker });
    options.onInterruptible?.(() => driver.stop("interrupted"));
    const request = buildGetRequest({
      host: url.host,
      port: url.port,
      defaultPort: url.defaultPort,
      path: url.path,
      userAgent: `rawhttpget/${VERSION}`,
      version: "1.0",
    });
    let output: Output | null = null;
    const exchange = new HttpExchange(request, () => (output = openOutput(outputPath)), () => driver.stop("stopped"), {
      onHead: options.onHead,
      onProgress: options.onProgress,
    });
    log(`Connecting to ${url.host} (mss ${mss})…`);
    const started = performance.now();
    let outcome: DriverOutcome;
    try {
      outcome = await driver.run(exchange);
    } finally {
      exchange.dispose();
    }
    const elapsedMs = performance.now() - started;
    const out = output as Output | null;
    if (exchange.state === "complete") {
      out?.commit();
      return {
        path: outputPath,
        bytes: out?.written ?? 0,
        elapsedMs,
        status: exchange.head!.status,
        tcp: conn.stats,
        frames: driver.frameCounters,
      };
    }
    out?.abandon(true);
    if (exchange.state === "failed") throw exchange.error;
    throw new ConnectionError(outcome, `${OUTCOME_MESSAGES[outcome]}${describeProgress(exchange.state, out)}`);
  } finally {
    await guard?.close();
    for (const cleanup of cleanups.reverse()) cleanup();
  }
}

function describeProgress(state: string, out: Output | null): string {
  if (state === "waiting") return " before the response headers arrived";
  return out === null ? "" : ` after ${out.written} bytes (kept in ${out.path}.part)`;
}
