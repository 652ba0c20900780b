/**
 * The raw-socket frame link: frames leave through an `IPPROTO_RAW` sender and arrive through a receiver (an
 * `AF_PACKET` socket with the flow's BPF filter) in `recvmmsg` batches; waits are `poll` on the receiver and a
 * {@linkcode Waker}. It has the shape of the transport's `FrameLink`. Links of ours (this one and the packet-ring link)
 * can also be waited on together, with one `poll` over all their receivers and wakers ({@linkcode waitLinks}).
 *
 * @module
 */

import { type IpAddress, IPPROTO_TCP, IPV6_HEADER_LEN } from "../src/wire/mod.ts";
import { OsError } from "./os_error.ts";
import { libc } from "./libc.ts";
import { pollAnyReadable, POLLIN, waitAnyReadable, waitReadableOrWoken, Waker } from "./poll.ts";
import type { RawReceiver, RawSender } from "./raw_socket.ts";
import { RecvBatch } from "./recv_batch.ts";

/**
 * What `sendto` says when this host will not send a frame: a firewall rule drops it (EPERM, EACCES), or there is no
 * route now (ENETUNREACH, EHOSTUNREACH).
 */
const REFUSALS: ReadonlySet<string> = new Set(["EPERM", "EACCES", "ENETUNREACH", "EHOSTUNREACH"]);

/** Frames per recvmmsg call, and the largest frame kept (GRO/LRO merges stay within 64 KiB). */
const RECV_SLOTS = 64;
const RECV_SLOT_SIZE = 65536;
const TCP_FLAG_RST = 0x04;

/**
 * Batches of closed links, for the next link of the run: 4 MiB each, which freed and allocated again per connection
 * would stay in glibc's heap rather than go back to the system (see src/transport/buffer_pool.ts).
 */
const SPARE_BATCHES: RecvBatch[] = [];

/** What a wait over several links of ours needs of each of them. */
export interface LinkWaitParts {
  /** The receiver's fd: readable when a frame waits. */
  readonly fd: number;
  /** The link's waker (its `wake`). */
  readonly waker: Waker;
  /** Gives back frames handed out by the last `receive` (a ring's), before a wait. */
  readonly release: () => void;
  /** Whether a frame waits already where a `poll` of the fd would not say so at once (a ring's slots). */
  readonly ready: () => boolean;
}

/** The wait parts of every link of ours, by link: kept out of the classes so their fields stay private. */
const WAIT_PARTS = new WeakMap<object, LinkWaitParts>();

/**
 * Records what {@linkcode waitLinks} needs of `link` (a link of this folder, at construction).
 *
 * @example
 * ```ts
 * registerWaitParts(this, { fd: rx.fd, waker, release: () => {}, ready: () => false });
 * ```
 */
export function registerWaitParts(link: object, parts: LinkWaitParts): void {
  WAIT_PARTS.set(link, parts);
}

/** The wait parts of `link`, or undefined for a link of another kind. */
export function waitPartsOf(link: object): LinkWaitParts | undefined {
  return WAIT_PARTS.get(link);
}

/** The wait parts of every link, with their frames given back; null when one is not a link of ours. */
function preparedParts(links: readonly object[]): LinkWaitParts[] | null {
  const parts: LinkWaitParts[] = [];
  for (const link of links) {
    const p = WAIT_PARTS.get(link);
    if (p === undefined) return null;
    p.release();
    parts.push(p);
  }
  return parts;
}

/**
 * Waits synchronously up to `ms` (a few milliseconds at most) until a frame waits on any of `links`, with one
 * `poll`; true when one does. Null, without waiting, when one of them is not a link of ours.
 *
 * @example
 * ```ts
 * if (waitLinksBriefly([a, b], 2)) turn();
 * ```
 */
export function waitLinksBriefly(links: readonly object[], ms: number): boolean | null {
  const parts = preparedParts(links);
  if (parts === null) return null;
  if (parts.some((p) => p.ready())) return true;
  const revents = pollAnyReadable(parts.map((p) => p.fd), ms);
  return revents.some((r) => (r & POLLIN) !== 0) || parts.some((p) => p.ready());
}

/**
 * Waits up to `ms` for a frame on any of `links` or a wake-up of any of them, with one `poll` on a worker thread
 * over all their receivers and wakers; the wake-ups it saw are consumed (the caller's next turn serves them all).
 * Null, without waiting, when one of them is not a link of ours.
 *
 * @example
 * ```ts
 * await (waitLinks([a, b], 250) ?? Promise.race([a.wait(250), b.wait(250)]));
 * ```
 */
export function waitLinks(links: readonly object[], ms: number): Promise<void> | null {
  const parts = preparedParts(links);
  if (parts === null) return null;
  // A ring that holds a frame already: only a trip through the event loop.
  const timeout = parts.some((p) => p.ready()) ? 0 : ms;
  const fds = [...parts.map((p) => p.fd), ...parts.map((p) => p.waker.readFd)];
  return waitAnyReadable(fds, timeout).then((revents) => {
    // A wake-up written after the poll returned stays: the next wait returns at once, for a turn that serves it.
    for (const [i, p] of parts.entries()) if (revents[parts.length + i] !== 0) p.waker.clear();
  });
}

/** Options of {@linkcode RawFrameLink}. */
export interface RawFrameLinkOptions {
  /** The peer's address (of the sender's IP version): the kernel routes every frame by it. */
  readonly remoteAddr: IpAddress;
  /**
   * A firewall rule drops our own RSTs (an RST guard whose sender could not be marked): EPERM from `sendto` on an
   * RST is then expected, and not counted as a refused send.
   */
  readonly ownRstsDropped?: boolean;
}

/** What one `receive` returned: views into the batch's slots. */
class BatchView {
  count = 0;
  readonly #batch: RecvBatch;

  constructor(batch: RecvBatch) {
    this.#batch = batch;
  }

  frame(i: number): Uint8Array | null {
    return this.#batch.length(i) > this.#batch.slotSize ? null : this.#batch.frame(i);
  }
}

/**
 * A link over a raw sender and receiver; closing it closes both sockets and the waker.
 *
 * @example
 * ```ts
 * const link = new RawFrameLink(openRawSender(), openFlowReceiver(flow), { remoteAddr: flow.srcAddr });
 * link.transmit(frame);
 * ```
 */
export class RawFrameLink {
  readonly #tx: RawSender;
  readonly #rx: RawReceiver;
  readonly #ownRstsDropped: boolean;
  readonly #batch = SPARE_BATCHES.pop() ?? new RecvBatch(RECV_SLOTS, RECV_SLOT_SIZE);
  readonly #view = new BatchView(this.#batch);
  readonly #waker = new Waker();
  readonly #pollBuf = new Uint8Array(8);
  readonly #pollFds = new DataView(this.#pollBuf.buffer);
  readonly #dst: IpAddress;
  #closed = false;
  #refused = 0;
  #lastRefusal: string | null = null;

  /** Takes ownership of both sockets. */
  constructor(tx: RawSender, rx: RawReceiver, options: RawFrameLinkOptions) {
    this.#dst = options.remoteAddr;
    this.#tx = tx;
    this.#rx = rx;
    this.#ownRstsDropped = options.ownRstsDropped ?? tx.mark === null;
    registerWaitParts(this, { fd: rx.fd, waker: this.#waker, release: () => {}, ready: () => false });
  }

  /** Sends one IP frame to its destination address; false when the device queue is full (a lost frame). */
  transmit(frame: Uint8Array<ArrayBuffer>): boolean {
    try {
      return this.#tx.send(frame, this.#dst);
    } catch (e) {
      if (!(e instanceof OsError) || !REFUSALS.has(e.code)) throw e;
      // Our RST guard lets our marked RSTs through. Without a mark it drops them with the kernel's, and sendto
      // reports EPERM: the RST is lost (as on a lossy path; the server times out), which must not fail the run.
      if (this.#ownRstsDropped && e.code === "EPERM" && isRst(frame)) return false;
      // A local rule or a route that refuses one frame may let the next one pass (a rule that rate-limits, a route
      // that comes back): a frame TCP can send again is a lost frame, counted and said if the connection fails.
      this.#refused++;
      this.#lastRefusal = e.code;
      return false;
    }
  }

  /** Frames this host refused to send (a firewall rule, no route), and the last errno: see `FrameLink.refusals`. */
  refusals(): { count: number; last: string } | null {
    return this.#refused === 0 ? null : { count: this.#refused, last: this.#lastRefusal! };
  }

  /** Reads up to 64 queued frames with one `recvmmsg`. */
  receive(): BatchView {
    this.#view.count = this.#rx.recvBatch(this.#batch);
    return this.#view;
  }

  /** A synchronous `poll` of the receiver for up to `ms`. */
  waitBriefly(ms: number): boolean {
    const fds = this.#pollFds;
    fds.setInt32(0, this.#rx.fd, true);
    fds.setInt16(4, POLLIN, true);
    fds.setInt16(6, 0, true);
    return libc().poll(this.#pollBuf, 1n, Math.max(0, Math.floor(ms))) > 0 && (fds.getInt16(6, true) & POLLIN) !== 0;
  }

  /** A `poll` on a worker thread for a frame or a wake-up, up to `ms`. */
  async wait(ms: number): Promise<void> {
    await waitReadableOrWoken(this.#rx.fd, this.#waker, ms);
  }

  /** As {@linkcode RawFrameLink.waitBriefly} on this link and `others` at once (see {@linkcode waitLinksBriefly}). */
  waitBrieflyWith(others: readonly object[], ms: number): boolean | null {
    return waitLinksBriefly([this, ...others], ms);
  }

  /** As {@linkcode RawFrameLink.wait} on this link and `others` at once (see {@linkcode waitLinks}). */
  waitWith(others: readonly object[], ms: number): Promise<void> | null {
    return waitLinks([this, ...others], ms);
  }

  /** Wakes the current or next wait. */
  wake(): void {
    this.#waker.wake();
  }

  /** Closes both sockets and the waker; calling it twice is harmless. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#rx.close();
    this.#tx.close();
    this.#waker.close();
    if (SPARE_BATCHES.length < 2) SPARE_BATCHES.push(this.#batch);
  }
}

/**
 * Whether an IPv4 or IPv6 frame (told by its version nibble) carries a TCP segment with RST set. An IPv6 frame
 * counts only when TCP follows the fixed header directly: we build our frames without extension headers.
 *
 * @example
 * ```ts
 * if (isRst(frame)) return false; // our RST guard dropped our own RST
 * ```
 */
export function isRst(frame: Uint8Array): boolean {
  if (frame[0] >> 4 === 6) {
    // Next header at byte 6, the TCP header after the 40-byte fixed header (RFC 8200 §3); flags at TCP byte 13.
    return frame.length > IPV6_HEADER_LEN + 13 && frame[6] === IPPROTO_TCP &&
      (frame[IPV6_HEADER_LEN + 13] & TCP_FLAG_RST) !== 0;
  }
  const headerLength = (frame[0] & 0x0f) * 4;
  return frame[9] === IPPROTO_TCP && (frame[headerLength + 13] & TCP_FLAG_RST) !== 0;
}
