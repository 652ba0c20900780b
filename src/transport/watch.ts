/**
 * What an observer of whole connections hears: when a hop starts, when its stream is ready and with which facts, the
 * application's milestones and the response head ({@linkcode ConnectionWatch}, none of them per segment), and every
 * segment the driver sent or accepted, as the driver already holds it ({@linkcode SegmentWatch}). The `--report`
 * recorder (src/report) is the one observer today.
 *
 * @module
 */

import type { TcpRepr } from "../wire/mod.ts";
import type { IpAddress } from "../wire/mod.ts";
import type { Flow } from "./flow.ts";

/**
 * Read-only gauges of a TCP engine, read by an observer when it records a segment (see `TcpConnection`): reading them
 * allocates nothing.
 */
export interface EngineGauges {
  /** Smoothed RTT in ms as the engine computed it (RFC 6298 SRTT; 0 before the first sample). */
  readonly srttMs: number;
  /** The retransmission timeout in ms, backoff included. */
  readonly rtoMs: number;
  /** Bytes the receive buffer holds: unread in-order bytes and the span of out-of-order ones. */
  readonly receiveBufferFill: number;
  /** The receive buffer's size in bytes (the largest window we advertise). */
  readonly receiveBufferSize: number;
  /** Data segments that arrived beyond RCV.NXT, as the engine counted them (the CLI's summary shows this count). */
  readonly outOfOrderSegments: number;
}

/** The facts of a stream once it is ready to connect (sockets, route and guard in place; the SYN comes next). */
export interface OpenedStream {
  /** The 4-tuple. */
  readonly flow: Flow<IpAddress>;
  /** "IPv4" (the network layer's name). */
  readonly family: string;
  /** The route's MTU (the path MTU we start from). */
  readonly mtu: number;
  /** The MSS we announce. */
  readonly mss: number;
  /** When name resolution ended, on the driver's clock. */
  readonly resolvedAt: number;
  /** The engine, to read its gauges while the connection runs. */
  readonly engine: EngineGauges;
}

/** The application's milestones on a connection, in the order they usually come. */
export type Milestone = "connected" | "request" | "first-byte" | "last-byte" | "closed";

/**
 * Observes connections (one at a time: a run's hops follow each other). The observer reads its own clock, the one
 * the driver stamps frames with (`performance.now` in the program, a virtual clock in tests).
 *
 * @example
 * ```ts
 * const watch: ConnectionWatch = {
 *   hop: (url, secure) => console.log(url, secure),
 *   opened: (facts) => console.log(facts.flow),
 *   milestone: (name) => console.log(name),
 *   head: (lines) => console.log(lines[0]),
 * };
 * ```
 */
export interface ConnectionWatch {
  /** A hop starts (before its name is resolved): the URL asked for, and whether TLS runs over the connection. */
  hop(url: string, secure: boolean): void;
  /** The hop's stream is ready; its segments follow through the {@linkcode SegmentWatch}. */
  opened(facts: OpenedStream): void;
  /** A milestone of the application on the current connection. */
  milestone(name: Milestone): void;
  /** The response head: its status line, then one line per field, as received. */
  head(lines: readonly string[]): void;
}

/**
 * Sees every TCP segment of the current connection as the driver handles it, so that an observer need not parse the
 * frames again: each received frame that decoded into a segment of our flow (frames dropped below TCP are in the
 * driver's `frameCounters` instead), before the engine takes it, and each segment the engine sent, as it goes to the
 * link. The segment and the frame are views valid only during the call (the frame of a sent segment is the
 * encoder's reused buffer): an observer copies what it keeps. `now` is the driver's clock.
 *
 * @example
 * ```ts
 * const segments: SegmentWatch = {
 *   received: (now, segment, frame) => console.log(now, "<--", segment.seq, frame.length),
 *   sent: (now, segment, frame) => console.log(now, "-->", segment.seq, frame.length),
 * };
 * ```
 */
export interface SegmentWatch {
  /** A segment of our flow arrived in `frame` (a whole IP datagram). */
  received(now: number, segment: TcpRepr, frame: Uint8Array): void;
  /** The engine sent `segment`, encoded as `frame`. */
  sent(now: number, segment: TcpRepr, frame: Uint8Array): void;
}
