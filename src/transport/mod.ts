/**
 * The transport: byte streams through our own TCP/IP stack. A frame link moves IP frames (raw sockets, or a
 * simulated link in tests), the driver runs one sans-IO TCP connection over it, and a handler reads and writes the
 * byte stream through one contract (`stream.ts`). `openTcpStream` does the set-up: resolve, route, port, link,
 * firewall.
 *
 * @example
 * ```ts
 * import { openTcpStream } from "./mod.ts";
 * const session = await openTcpStream({ host: "198.18.2.2", port: 80 });
 * try { await session.run(handler); } finally { await session.close(); }
 * ```
 *
 * @module
 */

export { DEFAULT_TIMEOUT_MS, openTcpStream, type TransportOptions } from "./connect.ts";
export { Driver, type DriverOptions } from "./driver.ts";
export { DriverLoop, type LoopDriver } from "./driver_loop.ts";
export {
  COMMAND_TIMEOUT_MS,
  type FirewallAttempt,
  FirewallCommandError,
  FirewallError,
  type FirewallMode,
  type Guard,
  type GuardMethod,
  guardTableName,
  installRstGuard,
  OWN_RST_MARK,
  type RstGuardOptions,
} from "./firewall.ts";
export { type Flow, formatFlow } from "./flow.ts";
export {
  type FrameCounters,
  FrameDecoder,
  FrameEncoder,
  type IcmpMessage,
  icmpTraceOf,
  icmpWords,
  newFrameCounters,
  segmentOf,
} from "./frames.ts";
export { BufferPool, CONNECTION_BUFFERS } from "./buffer_pool.ts";
export { type FailoverOptions, failoverSession, failureWords, type OpenAttempt } from "./failover.ts";
export {
  CONNECTION_ATTEMPT_DELAY_MS,
  familyLanes,
  happyEyeballs,
  type HappyEyeballsOptions,
  type OpenLane,
} from "./happy_eyeballs.ts";
export { type FrameLink, type FrameTap, type ReceivedFrames, TracingLink } from "./link.ts";
export {
  type ChosenLink,
  DEFAULT_FRAME_LINK,
  type FrameLinkChoice,
  type FrameLinkKind,
  openFrameLink,
  type RingOutcome,
  startReceiveRing,
} from "./link_choice.ts";
export {
  type Datagram,
  type IcmpReading,
  type IpAddress,
  IPV4,
  IPV6,
  type NetworkLayer,
  networkOf,
} from "./network.ts";
export { directOpener, type OpenerSettings, type PrivilegedOpener, SOCKET_RCVBUF } from "./opener.ts";
export {
  type AbortReason,
  type ByteStream,
  ConnectionError,
  OUTCOME_MESSAGES,
  type StreamHandler,
  type StreamOutcome,
} from "./stream.ts";
export { driverSession, type Endpoint, type OpenStream, type StreamRequest, type StreamSession } from "./session.ts";
export { RateLimit, RatePacer } from "./rate_limit.ts";
export { SendQueue } from "./send_queue.ts";
export { timestampOffset } from "./ts_clock.ts";
export {
  type ConnectionWatch,
  type EngineGauges,
  type Milestone,
  type OpenedStream,
  type SegmentWatch,
} from "./watch.ts";
