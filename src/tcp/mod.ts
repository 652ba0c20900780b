/**
 * The sans-IO TCP engine: one active-open connection as a state machine (see `connection.ts` for the call order).
 *
 * @example
 * ```ts
 * import { TcpConnection } from "./mod.ts";
 * const conn = new TcpConnection({ localPort: 40000, remotePort: 80, mss: 1460, isn: 7 });
 * conn.connect(0);
 * ```
 *
 * @module
 */

export { TcpConnection } from "./connection.ts";
export { type CloseReason, type ConnectionEvent, type ConnectionStats, newStats } from "./events.ts";
export { type BufferSource, type ConnectionOptions, defaultWindowScale } from "./options.ts";
export type { TcpState } from "./states.ts";
export { type IcmpNotice, type IcmpOutcome, MIN_PATH_MTU } from "./path_mtu.ts";
