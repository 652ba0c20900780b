/**
 * The packet-ring frame link: frames leave through the raw sender as on {@linkcode RawFrameLink}, and arrive in the
 * receive ring of the flow's packet socket (ffi/packet_ring.ts), read in place. A `receive` makes no system call;
 * only a wait on an empty ring polls the socket, which the kernel reports readable once the ring holds a frame.
 *
 * @module
 */

import { type PacketRing, RingBatch, TP_STATUS_CSUM_VALID, TP_STATUS_CSUMNOTREADY } from "./packet_ring.ts";
import { type RawFrameLink, registerWaitParts, waitLinks, waitLinksBriefly, waitPartsOf } from "./raw_link.ts";

/** Frames handed out per `receive`, as many as one recvmmsg batch. */
const RING_BATCH = 64;
const TRUSTED_CHECKSUM = TP_STATUS_CSUM_VALID | TP_STATUS_CSUMNOTREADY;

/** What one `receive` returned: views into the ring. */
class RingView {
  count = 0;
  readonly #ring: PacketRing;
  readonly #batch: RingBatch;

  constructor(ring: PacketRing, batch: RingBatch) {
    this.#ring = ring;
    this.#batch = batch;
  }

  frame(i: number): Uint8Array | null {
    const copy = this.#batch.copies[i];
    if (copy !== null) return copy;
    const length = this.#batch.lengths[i];
    if (length < 0) return null;
    const start = this.#batch.offsets[i];
    return this.#ring.memory.subarray(start, start + length);
  }

  checksumTrusted(i: number): boolean {
    return (this.#batch.status[i] & TRUSTED_CHECKSUM) !== 0;
  }
}

/**
 * A link that receives through a packet ring and sends through the raw sender; closing it unmaps the ring and closes
 * both sockets. Frames of a `receive` stay valid until the next `receive`, `waitBriefly` or `wait`: those give them
 * back to the kernel.
 *
 * @example
 * ```ts
 * const raw = new RawFrameLink(tx, rx, { remoteAddr });
 * const link = new RingFrameLink(raw, openPacketRing(rx.fd));
 * ```
 */
export class RingFrameLink {
  readonly #raw: RawFrameLink;
  readonly #ring: PacketRing;
  readonly #batch = new RingBatch(RING_BATCH);
  readonly #view: RingView;

  /** Takes ownership of the raw link (its sockets) and the ring. */
  constructor(raw: RawFrameLink, ring: PacketRing) {
    this.#raw = raw;
    this.#ring = ring;
    this.#view = new RingView(ring, this.#batch);
    // Waited on with other links: the raw link's socket and waker, the ring's frames given back first.
    const { fd, waker } = waitPartsOf(raw)!;
    registerWaitParts(this, { fd, waker, release: () => ring.release(), ready: () => ring.ready() });
  }

  /** The ring's layout, 2 or 3. */
  get version(): 2 | 3 {
    return this.#ring.version;
  }

  /** As {@linkcode RawFrameLink.transmit}. */
  transmit(frame: Uint8Array<ArrayBuffer>): boolean {
    return this.#raw.transmit(frame);
  }

  /** As {@linkcode RawFrameLink.refusals}. */
  refusals(): { count: number; last: string } | null {
    return this.#raw.refusals();
  }

  /** Gives back the frames of the last call and hands out up to 64 waiting ones, without a system call. */
  receive(): RingView {
    this.#view.count = this.#ring.collect(this.#batch);
    return this.#view;
  }

  /** True at once when a frame waits; otherwise a synchronous `poll` of the socket for up to `ms`. */
  waitBriefly(ms: number): boolean {
    const ring = this.#ring;
    ring.release();
    if (ring.ready()) return true;
    return this.#raw.waitBriefly(ms) || ring.ready();
  }

  /** A `poll` on a worker thread for a frame or a wake-up, up to `ms` (at once when the ring holds a frame). */
  wait(ms: number): Promise<void> {
    this.#ring.release();
    return this.#raw.wait(ms);
  }

  /** As {@linkcode RingFrameLink.waitBriefly} on this link and `others` at once (see {@linkcode waitLinksBriefly}). */
  waitBrieflyWith(others: readonly object[], ms: number): boolean | null {
    return waitLinksBriefly([this, ...others], ms);
  }

  /** As {@linkcode RingFrameLink.wait} on this link and `others` at once (see {@linkcode waitLinks}). */
  waitWith(others: readonly object[], ms: number): Promise<void> | null {
    return waitLinks([this, ...others], ms);
  }

  /** Wakes the current or next wait. */
  wake(): void {
    this.#raw.wake();
  }

  /** Unmaps the ring, then closes both sockets and the waker; calling it twice is harmless. */
  close(): void {
    this.#ring.close();
    this.#raw.close();
  }
}
