/**
 * Options of a {@link TcpConnection} and their defaults.
 *
 * RFCs: 9293 §3.7.1 (MSS), 7323 §2 (window scale), 6298 (RTO bounds), 5482 (user timeout).
 *
 * @module
 */

/**
 * Where a connection's two large buffers (the receive ring and the send buffer) come from and go back to: a caller
 * that opens connection after connection hands the same memory on instead of leaving megabytes per connection to the
 * allocator. `take` may return a buffer that held another connection's bytes: the engine reads only what it wrote.
 */
export interface BufferSource {
  /** A buffer of exactly `bytes` bytes. */
  take(bytes: number): Uint8Array;
  /** A buffer `take` returned, no longer used. */
  give(buffer: Uint8Array): void;
}

/** Fresh zeroed memory each time; given buffers are left to the garbage collector. */
const FRESH: BufferSource = { take: (bytes) => new Uint8Array(bytes), give: () => {} };

/** What the caller chooses for one active-open connection. Buffer sizes and ISN are never implicit. */
export interface ConnectionOptions {
  /** Our port (1..65535). */
  localPort: number;
  /** The server's port (1..65535). */
  remotePort: number;
  /** The MSS we announce: path MTU minus 40 (IPv4 + TCP headers), e.g. 1460. */
  mss: number;
  /** Initial send sequence number (RFC 9293 §3.4.1): the driver draws it from a crypto RNG. */
  isn: number;
  /** Receive ring size in bytes (default 8 MiB); the advertised window never exceeds it (see `limitReceiveWindow`). */
  recvBufferSize?: number;
  /** Send buffer size in bytes (default 256 KiB); `write()` accepts at most the free space. */
  sendBufferSize?: number;
  /** Silence (or unacknowledged data without progress) tolerated before closing with "timeout" (default 60000). */
  userTimeoutMs?: number;
  /**
   * How long SYN-SENT may last before closing with "timeout" (default: `userTimeoutMs`): a bound on the handshake
   * alone, like a socket's connect timeout; once established only the user timeout applies.
   */
  connectTimeoutMs?: number;
  /** Consecutive retransmissions of the same segment before closing with "timeout" (default 15). */
  maxRetransmissions?: number;
  /** TIME-WAIT duration in ms (default 1000: shorter than 2×MSL, enough for a client with a random port). */
  timeWaitMs?: number;
  /** Delayed-ACK timer in ms (default 40, RFC 9293 §3.8.6.3 allows up to 500; RFC 5681 §4.2). */
  delayedAckMs?: number;
  /** Lower bound of the RTO in ms (default 200; RFC 6298 §2.4 says 1 s, modern stacks use 200). */
  minRtoMs?: number;
  /** Upper bound of the RTO in ms (default 60000, RFC 6298 §2.5). */
  maxRtoMs?: number;
  /** RTO before the first RTT sample in ms (default 1000, RFC 6298 §2.1). */
  initialRtoMs?: number;
  /** Our window scale shift 0..14 (default: the smallest shift that lets the window cover the receive buffer). */
  windowScale?: number;
  /** Offer SACK (RFC 2018), default true. */
  sack?: boolean;
  /** Offer timestamps (RFC 7323), default true. */
  timestamps?: boolean;
  /**
   * In-order data segments ACKed one by one at the start of the connection (default 0: every second one, RFC 5681
   * §4.2). Linux's receiver does this in slow start ("quick ACK" mode): each ACK lets the sender's window grow and
   * clock out the next segments a little sooner, which shortens small downloads over long paths.
   */
  quickAcks?: number;
  /** Bytes of the network header under each segment (20 for IPv4, the default; 40 for IPv6): path MTU → MSS. */
  networkHeaderLength?: number;
  /** The smallest path MTU segments are ever sized for (576 for IPv4, the default; 1280 for IPv6, RFC 8200 §5). */
  minPathMtu?: number;
  /** Where the receive ring and the send buffer come from (default: fresh memory; see `TcpConnection.release`). */
  buffers?: BufferSource;
  /**
   * Ask for ECN in the first SYN (RFC 3168 §6.1.1), default true: a router may then mark the server's data CE
   * instead of dropping it, and we echo ECE until the server says CWR.
   */
  ecn?: boolean;
  /**
   * Added to `now` to make TSval (RFC 7323 §5.4). Default: derived from the ISN, so random per connection. A caller
   * that opens connection after connection to one host passes an offset that keeps TSval growing from one to the next
   * (a wall clock), so that a server still holding an earlier connection of the same 4-tuple in TIME-WAIT accepts
   * the new SYN (RFC 6191) instead of answering it with the old connection's ACK.
   */
  tsOffset?: number;
}

/** Options with every default filled in. */
export type ResolvedOptions = Required<ConnectionOptions>;

const MIB = 1024 * 1024;

function checkInt(name: string, v: number, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`Option ${name} must be an integer, got ${v}`);
  if (v < min || v > max) throw new RangeError(`Option ${name} ${v} is outside ${min}..${max}`);
  return v;
}

/**
 * The smallest window scale shift (RFC 7323 §2.3, at most 14) for which a 16-bit window covers `bufferSize`.
 *
 * @example
 * ```ts
 * defaultWindowScale(8 * 1024 * 1024); // 8
 * ```
 */
export function defaultWindowScale(bufferSize: number): number {
  let shift = 0;
  while (shift < 14 && (bufferSize >>> shift) > 0xffff) shift++;
  return shift;
}

/**
 * Validates options and fills in defaults; local misuse throws `TypeError`/`RangeError`.
 *
 * @example
 * ```ts
 * resolveOptions({ localPort: 40000, remotePort: 80, mss: 1460, isn: 1 }).recvBufferSize; // 8388608
 * ```
 */
export function resolveOptions(o: ConnectionOptions): ResolvedOptions {
  const recvBufferSize = checkInt("recvBufferSize", o.recvBufferSize ?? 8 * MIB, 1, 1 << 30);
  return {
    localPort: checkInt("localPort", o.localPort, 1, 0xffff),
    remotePort: checkInt("remotePort", o.remotePort, 1, 0xffff),
    mss: checkInt("mss", o.mss, 64, 0xffff - 40),
    isn: checkInt("isn", o.isn, 0, 0xffffffff),
    recvBufferSize,
    sendBufferSize: checkInt("sendBufferSize", o.sendBufferSize ?? 256 * 1024, 1, 1 << 30),
    userTimeoutMs: checkInt("userTimeoutMs", o.userTimeoutMs ?? 60000, 1, 2 ** 31),
    connectTimeoutMs: checkInt("connectTimeoutMs", o.connectTimeoutMs ?? o.userTimeoutMs ?? 60000, 1, 2 ** 31),
    maxRetransmissions: checkInt("maxRetransmissions", o.maxRetransmissions ?? 15, 0, 1000),
    timeWaitMs: checkInt("timeWaitMs", o.timeWaitMs ?? 1000, 0, 240000),
    delayedAckMs: checkInt("delayedAckMs", o.delayedAckMs ?? 40, 0, 500),
    minRtoMs: checkInt("minRtoMs", o.minRtoMs ?? 200, 1, 60000),
    maxRtoMs: checkInt("maxRtoMs", o.maxRtoMs ?? 60000, 1, 600000),
    initialRtoMs: checkInt("initialRtoMs", o.initialRtoMs ?? 1000, 1, 600000),
    windowScale: checkInt("windowScale", o.windowScale ?? defaultWindowScale(recvBufferSize), 0, 14),
    sack: o.sack ?? true,
    timestamps: o.timestamps ?? true,
    ecn: o.ecn ?? true,
    buffers: o.buffers ?? FRESH,
    networkHeaderLength: checkInt("networkHeaderLength", o.networkHeaderLength ?? 20, 20, 60),
    minPathMtu: checkInt("minPathMtu", o.minPathMtu ?? 576, 68, 65535),
    quickAcks: checkInt("quickAcks", o.quickAcks ?? 0, 0, 1 << 20),
    tsOffset: o.tsOffset === undefined
      ? Math.imul(o.isn ^ 0x5bd1e995, 0x9e3779b1) >>> 0
      : checkInt("tsOffset", o.tsOffset, 0, 0xffffffff),
  };
}
