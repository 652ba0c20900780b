/**
 * A stream session: one opened stream and what it holds, as the fetch application sees it. The raw-socket opener
 * (`connect.ts`) and the simulated one of the tests both build it with {@linkcode driverSession}.
 *
 * @module
 */

import type { ConnectionStats, TcpConnection } from "../tcp/mod.ts";
import type { Driver } from "./driver.ts";
import type { IpAddress } from "../wire/mod.ts";
import type { FrameCounters, IcmpMessage } from "./frames.ts";
import type { AbortReason, StreamHandler, StreamOutcome } from "./stream.ts";

/** Where a stream goes: a host name or address literal, and a TCP port. */
export interface Endpoint {
  /** Host name, or an IPv4 or IPv6 literal (without brackets). */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
}

/** One opened (not yet connected) stream and what it holds; {@linkcode StreamSession.run} connects it. */
export interface StreamSession {
  /** Connects and runs `handler` over the stream until the connection ends; resolves to how it ended. */
  run(handler: StreamHandler): Promise<StreamOutcome>;
  /** Ends the run at its next turn with an RST (a signal, or a handler's caller that has what it needs). */
  abort(why: AbortReason): void;
  /** The TCP engine's counters. */
  readonly tcpStats: ConnectionStats;
  /** The frame counters below TCP. */
  readonly frameCounters: Readonly<FrameCounters>;
  /** The last ICMP error about the connection that the engine believed, or null (see `Driver.lastIcmp`). */
  readonly lastIcmp: IcmpMessage | null;
  /** Releases everything the stream holds (sockets, port, firewall rule). */
  close(): Promise<void>;
}

/**
 * A session made of other sessions (several addresses, two families): its counters and last ICMP error are those of
 * the session that counts now, which `counting()` names.
 */
export abstract class CompositeSession implements StreamSession {
  /** The session whose counters stand for this one's. */
  protected abstract counting(): StreamSession;
  abstract run(handler: StreamHandler): Promise<StreamOutcome>;
  abstract abort(why: AbortReason): void;
  abstract close(): Promise<void>;

  /** The counting session's TCP counters. */
  get tcpStats(): ConnectionStats {
    return this.counting().tcpStats;
  }

  /** The counting session's frame counters. */
  get frameCounters(): Readonly<FrameCounters> {
    return this.counting().frameCounters;
  }

  /** The counting session's last believed ICMP error. */
  get lastIcmp(): IcmpMessage | null {
    return this.counting().lastIcmp;
  }
}

/** What one stream may ask of the opener beyond the run's options. */
export interface StreamRequest {
  /**
   * TCP receive buffer in bytes (the largest window advertised): a file's parts over several connections share the
   * window one connection would have.
   */
  readonly recvBufferSize?: number;
  /**
   * Leave the stream out of `--report` (its connection and segment watches): the recorder draws one connection at a
   * time, so the parts of a file over several connections are left out and the first one is drawn.
   */
  readonly unwatched?: boolean;
}

/** Opens streams: the raw-socket transport in the program, a simulated link in tests. */
export type OpenStream = (endpoint: Endpoint, request?: StreamRequest) => Promise<StreamSession>;

/**
 * The session of a driver and its connection: what a hop needs of an opened stream. `close` releases whatever the
 * opener acquired for it.
 *
 * @example
 * ```ts
 * const session = driverSession(driver, conn, async () => link.close());
 * ```
 */
export function driverSession(
  driver: Driver<IpAddress>,
  conn: TcpConnection,
  close: () => Promise<void>,
): StreamSession {
  return {
    run: (handler) => driver.run(handler),
    abort: (why) => driver.abort(why),
    get tcpStats() {
      return conn.stats;
    },
    get frameCounters() {
      return driver.frameCounters;
    },
    get lastIcmp() {
      return driver.lastIcmp;
    },
    close,
  };
}
