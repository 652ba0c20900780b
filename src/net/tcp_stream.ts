/**
 * One TCP connection through our stack, as a byte stream to `host:port`: resolve, route, reserve a port, open the raw
 * sockets with a BPF filter for our exact 4-tuple, silence the kernel's RSTs, and run a {@linkcode StreamApp} over
 * the connection. A download hop is "open a stream, run an HTTP exchange over it"; for `https://` the stream runs
 * the exchange over TLS (`node:tls` over a `TcpDuplex`, see `tls.ts`), so every byte still travels in
 * frames we build.
 *
 * @module
 */

import { Waker } from "../../ffi/poll.ts";
import { reservePort } from "../../ffi/port.ts";
import { openFlowReceiver, openRawSender } from "../../ffi/raw_socket.ts";
import { resolveIpv4 } from "../../ffi/resolve.ts";
import { bindToDevice, routeTo } from "../../ffi/route.ts";
import { formatAddr } from "../../ffi/_ipv4.ts";
import { TcpConnection } from "../tcp/connection.ts";
import type { ConnectionStats } from "../tcp/events.ts";
import { Driver, type DriverOutcome, type FrameTap, type StreamApp } from "./driver.ts";
import { type FirewallMode, type Guard, installRstGuard, OWN_RST_MARK } from "./firewall.ts";
import type { Flow } from "./flow.ts";
import type { FrameCounters } from "./frames.ts";
import type { Duplex } from "node:stream";
import { ConnectionError, OUTCOME_MESSAGES } from "./errors.ts";
import { type ByteStreamControl, TcpDuplex } from "./tcp_duplex.ts";
import { startTls, TlsError, tlsHandshake, type TlsOptions } from "./tls.ts";
import { timestampOffset } from "./ts_clock.ts";

/** Largest receive buffer the kernel is asked for (SO_RCVBUFFORCE): the default ~208 KiB overflows at speed. */
const SOCKET_RCVBUF = 32 * 1024 * 1024;

/** How to open a stream. */
export interface StreamOptions {
  /** Host name or IPv4 literal. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
  /** Silence tolerated before giving up, in ms. */
  readonly timeoutMs: number;
  /** How the kernel's RSTs are silenced (default "auto"). */
  readonly firewall?: FirewallMode;
  /** Our source address (`--source`), as a dotted quad. */
  readonly source?: number;
  /** The interface to leave by (`--interface`). */
  readonly device?: string;
  /** Frame observer (traces, pcap). */
  readonly tap?: FrameTap;
  /** Verbose messages. */
  readonly log?: (message: string) => void;
  /** TCP receive buffer in bytes (the largest advertised window). */
  readonly recvBufferSize?: number;
  /** SO_MARK of our raw sender, which lets our own RSTs past our RST guard (default `OWN_RST_MARK`). */
  readonly socketMark?: number;
  /** Run the app over TLS (an `https://` URL); absent: over the bare byte stream. */
  readonly tls?: SecureOptions;
}

/** An open (not yet connected) stream; {@linkcode TcpStream.run} connects and runs it to its end. */
export interface TcpStream {
  /** The 4-tuple. */
  readonly flow: Flow;
  /**
   * Connects, runs `app` over the byte stream (over TLS when `tls` was given: rejects with a TlsError when the
   * certificate is refused or the handshake fails) until the connection ends, and says how it ended.
   */
  run(app: StreamApp): Promise<DriverOutcome>;
  /** The event loop, for a Duplex over the connection (see `tcp_duplex.ts`) and its backpressure state. */
  readonly driver: Driver;
  /** Ends the run at its next turn with an RST. */
  stop(why: "interrupted" | "stopped"): void;
  /**
   * Stops handing received bytes to the app (a slow disk): the driver stops reading the receive ring, or, over TLS,
   * the Duplex under the TLS socket stops flowing and pauses the driver once its buffer is full; either way our
   * advertised window closes (RFC 9293 §3.8.6.2.2). {@linkcode TcpStream.resumeReading} undoes it.
   */
  pauseReading(): void;
  /** Hands received bytes to the app again; the window reopens. */
  resumeReading(): void;
  /** The TCP engine's counters. */
  readonly tcpStats: ConnectionStats;
  /** The frame counters below TCP. */
  readonly frameCounters: FrameCounters;
  /** Releases the sockets, the port and the firewall rule. */
  close(): Promise<void>;
}

function randomU32(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

/**
 * Prepares a connection to `host:port`; everything acquired is released by `close()` (or here, on failure).
 *
 * @example
 * ```ts
 * const stream = await openTcpStream({ host: "198.18.2.2", port: 80, timeoutMs: 60000, log });
 * try { await stream.run(app); } finally { await stream.close(); }
 * ```
 */
export async function openTcpStream(options: StreamOptions): Promise<TcpStream> {
  const log = options.log ?? (() => {});
  log(`Resolving ${options.host}…`);
  const remoteAddr = await resolveIpv4(options.host);
  const route = routeTo(remoteAddr, { srcAddr: options.source, device: options.device });
  const mss = Math.min(route.mtu, 65535) - 40;
  const cleanups: Array<() => void | Promise<void>> = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const reserved = reservePort(route.srcAddr);
    cleanups.push(() => reserved.close());
    const flow: Flow = { localAddr: route.srcAddr, localPort: reserved.port, remoteAddr, remotePort: options.port };
    // AF_PACKET + the guard's incoming drop: the kernel's TCP never sees our segments, so it builds no RST for each.
    const rx = openFlowReceiver({
      srcAddr: flow.remoteAddr,
      srcPort: flow.remotePort,
      dstAddr: flow.localAddr,
      dstPort: flow.localPort,
    }, { rcvbuf: SOCKET_RCVBUF });
    cleanups.push(() => rx.close());
    const tx = openRawSender({ mark: options.socketMark ?? OWN_RST_MARK });
    cleanups.push(() => tx.close());
    if (options.device !== undefined) bindToDevice(tx.fd, options.device);
    const guard: Guard = await installRstGuard(flow, {
      mode: options.firewall ?? "auto",
      dropIncoming: true,
      ownMark: tx.mark,
    });
    cleanups.push(() => guard.close());
    log(guard.description);
    const waker = new Waker();
    cleanups.push(() => waker.close());
    const conn = new TcpConnection({
      localPort: flow.localPort,
      remotePort: flow.remotePort,
      mss,
      isn: randomU32(),
      tsOffset: timestampOffset(flow),
      userTimeoutMs: options.timeoutMs,
      recvBufferSize: options.recvBufferSize,
    });
    const ownRstsDropped = guard.ownMark === null; // our RSTs may meet a DROP: tolerate EPERM on them
    const driver = new Driver(tx, rx, conn, flow, { mss, tap: options.tap, waker, ownRstsDropped });
    log(
      `Connecting to ${formatAddr(remoteAddr)}:${options.port} from ${
        formatAddr(flow.localAddr)
      }:${flow.localPort} (mss ${mss})…`,
    );
    // What pauseReading acts on: the driver, or under TLS the TcpDuplex the TLS socket reads (pausing the driver
    // would fight the Duplex, which resumes it whenever the TLS socket asks for more; and in Deno 2.9.6
    // `TLSSocket.pause()` does not stop it reading its stream, and once resumed after that stream ended it never
    // emits "end"). A paused Duplex fills up to its high-water mark, then pauses the driver itself.
    let reader: { pause(): void; resume(): void } = {
      pause: () => driver.pauseReading(),
      resume: () => driver.resumeReading(),
    };
    const tls = options.tls === undefined ? undefined : { ...options.tls, onDuplex: (d: Duplex) => (reader = d) };
    return {
      flow,
      run: (app) => tls === undefined ? driver.run(app) : runOverTls(driver, app, tls),
      driver,
      stop: (why) => driver.stop(why),
      pauseReading: () => reader.pause(),
      resumeReading: () => reader.resume(),
      get tcpStats() {
        return conn.stats;
      },
      get frameCounters() {
        return driver.frameCounters;
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** TLS over one of our TCP connections: what {@linkcode runOverTls} needs of the driver (a `Driver` has it). */
export interface TlsTransport extends ByteStreamControl {
  /** Connects and runs `app` over the byte stream until the connection ends. */
  run(app: StreamApp): Promise<DriverOutcome>;
}

/** Options of {@linkcode runOverTls}. */
export interface SecureOptions extends TlsOptions {
  /** Refuse a certificate that does not verify (false: `--no-check-certificate`). */
  readonly verify: boolean;
  /** Told the verification error that `verify: false` ignored, for a warning. */
  readonly onUnverified?: (error: TlsError) => void;
  /** Verbose messages (the negotiated version). */
  readonly log?: (message: string) => void;
  /** Told the Duplex under the TLS socket when it is made (to pause and resume reading the connection). */
  readonly onDuplex?: (duplex: Duplex) => void;
}

/**
 * Runs `app` (an HTTP exchange) over TLS over our TCP connection:
 *
 * ```text
 *   app ⇄ runOverStream ⇄ TLSSocket (node:tls) ⇄ TcpDuplex ⇄ Driver ⇄ TcpConnection ⇄ raw frames
 * ```
 *
 * The app hears `onConnected` once the handshake completed and the certificate was accepted. Resolves to how the TCP
 * connection ended (a connection that ended during the handshake on its own, e.g. refused or reset, is reported as
 * such: the app never connected); rejects with the {@linkcode TlsError} of a refused certificate or a failed
 * handshake.
 *
 * @example
 * ```ts
 * const outcome = await runOverTls(driver, exchange, { host: "198.18.2.2", ca: loadTrustStore(), verify: true });
 * ```
 */
export async function runOverTls(
  transport: TlsTransport,
  app: StreamApp,
  options: SecureOptions,
): Promise<DriverOutcome> {
  const duplex = new TcpDuplex(transport);
  options.onDuplex?.(duplex);
  const secure = startTls(duplex, options);
  const handshake = tlsHandshake(secure, options.host, options.verify).then(
    (ignored) => ({ ok: true as const, ignored }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const run = transport.run(duplex).then((outcome) => {
    duplex.connectionEnded(
      outcome === "normal" ? null : new ConnectionError(outcome, OUTCOME_MESSAGES[outcome]),
    );
    return outcome;
  }, (e) => {
    duplex.connectionEnded(e instanceof Error ? e : new Error(String(e)));
    throw e;
  });
  run.catch(() => {}); // awaited below
  const first = await Promise.race([handshake, run.then(() => null, () => null)]);
  if (first === null || !first.ok) {
    secure.destroy();
    const outcome = await run;
    const settled = first ?? await handshake; // settles once the TLS socket closed
    // Before the app connected, only the TLS layer stops the connection (a failed handshake, a refused
    // certificate); any other end (refused, reset, timeout) is the connection's own failure.
    const tlsFailed = !settled.ok && (outcome === "stopped" ||
      (settled.error instanceof TlsError && settled.error.isVerification));
    if (tlsFailed) throw settled.error;
    return outcome;
  }
  const ignored = first.ignored;
  if (ignored !== null) options.onUnverified?.(ignored);
  options.log?.(
    `${secure.getProtocol()} with ${options.host}: certificate ${ignored === null ? "verified" : "NOT verified"}`,
  );
  const ended = runOverStream(app, secure);
  const outcome = await run;
  // After an orderly close the TLS socket still hands over what it decrypted; otherwise nothing more will come.
  if (outcome !== "normal") secure.destroy();
  await ended;
  return outcome;
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
export function runOverStream(app: StreamApp, stream: Duplex): Promise<void> {
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
