/**
 * Temporary seam for HTTPS (issue 8): the connection setup of a download (resolve, route, reserve a port, raw
 * sockets with a BPF filter for our 4-tuple, RST guard, TCP connection, driver), returning the {@linkcode Driver}
 * itself so a stream app can call `send`/`pauseReading` on it. The same sequence lives in `tcp_stream.ts`; merge by
 * exposing the driver there and deleting this file.
 *
 * @module
 */

import { Waker } from "../../ffi/poll.ts";
import { reservePort } from "../../ffi/port.ts";
import { openFlowReceiver, openRawSender } from "../../ffi/raw_socket.ts";
import { resolveIpv4 } from "../../ffi/resolve.ts";
import { routeTo } from "../../ffi/route.ts";
import { TcpConnection } from "../tcp/connection.ts";
import { Driver, type FrameTap } from "./driver.ts";
import { type FirewallMode, installRstGuard } from "./firewall.ts";
import type { Flow } from "./flow.ts";
import { timestampOffset } from "./ts_clock.ts";

/** Options of {@linkcode openConnection}. */
export interface ConnectOptions {
  /** Host name or IPv4 literal. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
  /** Silence tolerated before giving up, in ms. */
  readonly timeoutMs: number;
  /** How the kernel's RSTs are silenced (default "auto"). */
  readonly firewall?: FirewallMode;
  /** Frame observer. */
  readonly tap?: FrameTap;
  /** TCP receive buffer in bytes. */
  readonly recvBufferSize?: number;
}

/** A prepared connection: run `driver.run(app)`, then `close()`. */
export interface OpenConnection {
  /** The 4-tuple. */
  readonly flow: Flow;
  /** The event loop of the connection. */
  readonly driver: Driver;
  /** The TCP engine (for its counters). */
  readonly conn: TcpConnection;
  /** Releases the sockets, the port and the firewall rule. */
  close(): Promise<void>;
}

const SOCKET_RCVBUF = 32 * 1024 * 1024;

/**
 * Prepares a connection to `host:port`; everything acquired is released by `close()` (or here, on failure).
 *
 * @example
 * ```ts
 * const c = await openConnection({ host: "198.18.2.2", port: 443, timeoutMs: 60000 });
 * try { await c.driver.run(app); } finally { await c.close(); }
 * ```
 */
export async function openConnection(options: ConnectOptions): Promise<OpenConnection> {
  const remoteAddr = await resolveIpv4(options.host);
  const route = routeTo(remoteAddr);
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
    const guard = await installRstGuard(flow, { mode: options.firewall ?? "auto", dropIncoming: true });
    cleanups.push(() => guard.close());
    const waker = new Waker();
    cleanups.push(() => waker.close());
    const conn = new TcpConnection({
      localPort: flow.localPort,
      remotePort: flow.remotePort,
      mss,
      isn: crypto.getRandomValues(new Uint32Array(1))[0],
      tsOffset: timestampOffset(flow),
      userTimeoutMs: options.timeoutMs,
      recvBufferSize: options.recvBufferSize,
    });
    const driver = new Driver(tx, rx, conn, flow, { mss, tap: options.tap, waker });
    return { flow, driver, conn, close };
  } catch (e) {
    await close();
    throw e;
  }
}
