/**
 * What a `Driver` (driver.ts) is told, and the constants that pace its turns: how many frames a turn takes, how often it
 * ACKs and yields, how long it waits.
 *
 * @module
 */

import type { Ipv4Address } from "../wire/mod.ts";
import type { DriverLoop } from "./driver_loop.ts";
import type { IpAddress, NetworkLayer } from "./network.ts";
import type { SegmentWatch } from "./watch.ts";

/** Options of a `Driver`. */
export interface DriverOptions<A extends IpAddress = Ipv4Address> {
  /** Monotonic clock in milliseconds (default `performance.now`). */
  readonly clock?: () => number;
  /** The MSS we announced (a larger received segment was coalesced locally). */
  readonly mss: number;
  /** The network layer of the flow (IPv4 by default). */
  readonly network?: NetworkLayer<A>;
  /** Segments handled between two flushes of the transmit queue (default 64; a quarter while holes are filled). */
  readonly flushEvery?: number;
  /**
   * `--limit-rate`: bytes per second handed to the handler at most (absent: no limit). The receive window is held to
   * about rate × RTT meanwhile, so the server sends at the rate (see `rate_limit.ts`).
   */
  readonly rateLimit?: number;
  /** Verify every TCP checksum, even those the link says the kernel verified (default false). */
  readonly alwaysVerifyChecksums?: boolean;
  /**
   * End the run once the peer closed first, everything it sent was delivered and our FIN is out, without waiting
   * in LAST-ACK for the ACK of our FIN (default false: the full close, which the engine's tests check).
   */
  readonly endAtLastAck?: boolean;
  /** Shown every segment sent and accepted (`--report`); absent, the hot path tests one null per segment. */
  readonly segments?: SegmentWatch;
  /**
   * The loop that runs this driver's turns with other drivers' (the connections of one run); absent: `run` makes a
   * loop of the driver's own.
   */
  readonly loop?: DriverLoop;
}

/** Most frames handled in one turn, so that deadlines and the event loop keep their turn under a flood. */
export const MAX_FRAMES_PER_TURN = 1024;
/** Segments between two flushes of the transmit queue while data arrives in order (see `flushEvery`). */
export const DEFAULT_FLUSH_EVERY = 64;
/** Longest idle wait: a wait is also a chance for the caller to notice a stop request. */
export const IDLE_WAIT_CAP_MS = 250;
/** The event loop runs at least this often while frames keep arriving. */
export const YIELD_EVERY_MS = 25;
/** Longest synchronous wait for the next frame while a transfer runs (see `FrameLink.waitBriefly`). */
export const BRIEF_WAIT_MS = 2;
/**
 * Largest piece handed to the handler at once (one GRO frame's worth). After a pause the ring may hold the whole
 * window (8 MiB): in pieces, the handler can pause again after any of them instead of having to buffer it all.
 */
export const MAX_DELIVERY = 65536;
