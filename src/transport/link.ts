/**
 * The frame link: where the driver's IP frames go and come from. The raw-socket link (ffi/raw_link.ts) sends with
 * an `IPPROTO_RAW` socket and receives from an `AF_PACKET` socket in `recvmmsg` batches; tests use a simulated link
 * on a virtual clock. Tracing (`-v`, `--pcap`) is a wrapper around a link, not a driver option.
 *
 * @module
 */

/** Frames read by one {@linkcode FrameLink.receive} call; valid until the next call. */
export interface ReceivedFrames {
  /** How many frames were read (0: none was queued). */
  readonly count: number;
  /** Frame `i` (a whole IP datagram), or null when it was longer than the link's buffer and was cut. */
  frame(i: number): Uint8Array | null;
  /**
   * Whether the kernel vouches for frame `i`'s TCP checksum: the device or GRO verified it, or the segment was made on
   * this host with its checksum left to an offload (packet(7) `TP_STATUS_CSUM_VALID`, `TP_STATUS_CSUMNOTREADY`).
   * Absent: the link cannot tell, and every checksum is verified.
   */
  checksumTrusted?(i: number): boolean;
}

/** Moves whole IP frames; nothing here blocks but `wait`. */
export interface FrameLink {
  /** Sends one frame. False when the device queue is full: the frame is lost (TCP recovers it like any loss). */
  transmit(frame: Uint8Array<ArrayBuffer>): boolean;
  /** Reads the frames queued now, many per call. */
  receive(): ReceivedFrames;
  /**
   * Waits synchronously up to `ms` (a few milliseconds at most) for a frame; true when one is queued. Between two
   * frames of a transfer this costs less than an asynchronous wait's thread hand-off.
   */
  waitBriefly(ms: number): boolean;
  /** Waits up to `ms` for a frame or a {@linkcode FrameLink.wake}, letting the event loop run meanwhile. */
  wait(ms: number): Promise<void>;
  /** Makes the current or next `wait` return at once (a signal, a resumed reader, a write). */
  wake(): void;
  /**
   * As {@linkcode FrameLink.waitBriefly}, on this link and `others` at once: true when a frame is queued on any of
   * them. Null, without waiting, when this link cannot wait with one of `others` (a link of another kind). Absent:
   * the link waits only alone (a `DriverLoop` of several drivers then skips the brief wait).
   */
  waitBrieflyWith?(others: readonly FrameLink[], ms: number): boolean | null;
  /**
   * As {@linkcode FrameLink.wait}, on this link and `others` at once: returns when a frame arrives on any of them, one
   * of them is woken, or `ms` passes; the wake-ups it saw are consumed (the caller's next turn serves every link).
   * Null, without waiting, when this link cannot wait with one of `others`. Absent (or null): a `DriverLoop` races the
   * links' own waits and wakes the others once one returned.
   */
  waitWith?(others: readonly FrameLink[], ms: number): Promise<void> | null;
  /** Releases the link; calling it twice is harmless. */
  close(): void;
  /**
   * Frames this host refused to send (a local firewall rule, no route: each a lost frame to TCP) and the last
   * errno, or null when none was; absent on links that cannot be refused.
   */
  refusals?(): { count: number; last: string } | null;
}

/** Observes every frame, for `-v` traces and `--pcap`. */
export interface FrameTap {
  /** A frame we sent, at `now` on the driver's clock. */
  sent(frame: Uint8Array, now: number): void;
  /** A frame we received. */
  received(frame: Uint8Array, now: number): void;
}

/**
 * A link that shows every frame to a tap on its way.
 *
 * @example
 * ```ts
 * const link = new TracingLink(rawLink, { sent: (f) => pcap.frame(0, f), received: (f) => pcap.frame(0, f) }, clock);
 * ```
 */
export class TracingLink implements FrameLink {
  readonly #inner: FrameLink;
  readonly #tap: FrameTap;
  readonly #clock: () => number;

  /** Wraps `inner`; `clock` stamps the frames. */
  constructor(inner: FrameLink, tap: FrameTap, clock: () => number) {
    this.#inner = inner;
    this.#tap = tap;
    this.#clock = clock;
  }

  /** Shows the frame, then sends it. */
  transmit(frame: Uint8Array<ArrayBuffer>): boolean {
    this.#tap.sent(frame, this.#clock());
    return this.#inner.transmit(frame);
  }

  /** Reads, then shows every frame read. */
  receive(): ReceivedFrames {
    const frames = this.#inner.receive();
    const now = this.#clock();
    for (let i = 0; i < frames.count; i++) {
      const frame = frames.frame(i);
      if (frame !== null) this.#tap.received(frame, now);
    }
    return frames;
  }

  /** As the inner link. */
  waitBriefly(ms: number): boolean {
    return this.#inner.waitBriefly(ms);
  }

  /** As the inner link. */
  wait(ms: number): Promise<void> {
    return this.#inner.wait(ms);
  }

  /** As the inner link, with the inner links of other tracing links. */
  waitBrieflyWith(others: readonly FrameLink[], ms: number): boolean | null {
    return this.#inner.waitBrieflyWith?.(others.map(TracingLink.unwrap), ms) ?? null;
  }

  /** As the inner link, with the inner links of other tracing links. */
  waitWith(others: readonly FrameLink[], ms: number): Promise<void> | null {
    return this.#inner.waitWith?.(others.map(TracingLink.unwrap), ms) ?? null;
  }

  /**
   * The link a tracing link wraps, or `link` itself.
   *
   * @example
   * ```ts
   * const raw = TracingLink.unwrap(link); // waited on with other links of its kind
   * ```
   */
  static unwrap(link: FrameLink): FrameLink {
    return #inner in link ? link.#inner : link;
  }

  /** As the inner link. */
  wake(): void {
    this.#inner.wake();
  }

  /** Closes the inner link. */
  close(): void {
    this.#inner.close();
  }

  /** As the inner link. */
  refusals(): { count: number; last: string } | null {
    return this.#inner.refusals?.() ?? null;
  }
}
