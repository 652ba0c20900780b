/**
 * One TCP connection through our stack, as a byte stream to `host:port`: resolve, route, reserve a port, open the raw
 * sockets with a BPF filter for our exact 4-tuple, silence the kernel's RSTs, and run a {@linkcode StreamApp} over
 * the connection. A download hop is "open a stream, run an HTTP exchange over it"; a TLS layer can sit in between.
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
import { type FirewallMode, type Guard, installRstGuard } from "./firewall.ts";
import type { Flow } from "./flow.ts";
import type { FrameCounters } from "./frames.ts";
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
  /** How the kernel's RSTs are silenced. */
  readonly firewall: FirewallMode;
  /** Our source address (`--source`), as a dotted quad. */
  readonly source?: number;
  /** The interface to leave by (`--interface`). */
  readonly device?: string;
  /** Frame observer (traces, pcap). */
  readonly tap?: FrameTap;
  /** Verbose messages. */
  readonly log: (message: string) => void;
  /** TCP receive buffer in bytes (the largest advertised window). */
  readonly recvBufferSize?: number;
}

/** An open (not yet connected) stream; {@linkcode TcpStream.run} connects and runs it to its end. */
export interface TcpStream {
  /** The 4-tuple. */
  readonly flow: Flow;
  /** Connects, runs `app` over the byte stream until the connection ends, and says how it ended. */
  run(app: StreamApp): Promise<DriverOutcome>;
  /** Ends the run at its next turn with an RST. */
  stop(why: "interrupted" | "stopped"): void;
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
 * const stream = await openTcpStream({ host: "198.18.2.2", port: 80, timeoutMs: 60000, firewall: "auto", log });
 * try { await stream.run(app); } finally { await stream.close(); }
 * ```
 */
export async function openTcpStream(options: StreamOptions): Promise<TcpStream> {
  const log = options.log;
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
    const tx = openRawSender();
    cleanups.push(() => tx.close());
    if (options.device !== undefined) bindToDevice(tx.fd, options.device);
    const guard: Guard = await installRstGuard(flow, { mode: options.firewall, dropIncoming: true });
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
    const driver = new Driver(tx, rx, conn, flow, { mss, tap: options.tap, waker });
    log(
      `Connecting to ${formatAddr(remoteAddr)}:${options.port} from ${
        formatAddr(flow.localAddr)
      }:${flow.localPort} (mss ${mss})…`,
    );
    return {
      flow,
      run: (app) => driver.run(app),
      stop: (why) => driver.stop(why),
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
