/**
 * `--limit-rate`: a token bucket that decides how many received bytes the driver may hand to its handler, and the
 * receive window that goes with it. Bytes the handler is not given stay in the TCP receive ring; with the window
 * limited to about rate × RTT, the ring cannot hold more than that, so the server is held to the rate by our
 * advertised window (it sends what the window allows, one read's worth at a time) instead of sending a burst that
 * then waits in our buffer. The clock is the caller's: times are its `now`, in ms.
 *
 * @module
 */

import type { TcpConnection } from "../tcp/mod.ts";

/** Budget of one read, in ms of the rate: at most 50 wake-ups a second, each worth this much. */
const GRANULE_MS = 20;

/**
 * A token bucket of `bytesPerSecond`, refilled continuously, holding at most two granules (so a wake-up that comes
 * late loses nothing), starting with one (the response head goes at once).
 *
 * @example
 * ```ts
 * const bucket = new RateLimit(512_000, 1460, 0);
 * bucket.available(0); // 10240: one granule (20 ms at 500 KiB/s)
 * bucket.take(10240);
 * bucket.dueAt(0); // 20: when the next granule is there
 * ```
 */
export class RateLimit {
  /** The rate, in bytes per second. */
  readonly bytesPerSecond: number;
  /** Bytes one wake-up is worth: 20 ms of the rate, but at least a segment (a second's worth below 1460 B/s). */
  readonly granule: number;
  readonly #mss: number;
  #tokens: number;
  #at: number;

  /** A bucket of `bytesPerSecond` (> 0) for segments of `mss` bytes, full to one granule at `now`. */
  constructor(bytesPerSecond: number, mss: number, now: number) {
    if (!(bytesPerSecond > 0)) throw new RangeError(`Cannot limit the rate to ${bytesPerSecond} bytes per second`);
    this.bytesPerSecond = bytesPerSecond;
    this.#mss = mss;
    this.granule = Math.ceil(Math.max(bytesPerSecond * GRANULE_MS / 1000, Math.min(bytesPerSecond, mss)));
    this.#tokens = this.granule;
    this.#at = now;
  }

  /** Whole bytes that may be read at `now`. */
  available(now: number): number {
    this.#refill(now);
    return Math.floor(this.#tokens);
  }

  /** `n` bytes were read. */
  take(n: number): void {
    this.#tokens -= n;
  }

  /** When a whole granule will be available again (now or later), for the caller's next wake-up. */
  dueAt(now: number): number {
    this.#refill(now);
    const missing = this.granule - this.#tokens;
    return missing <= 0 ? now : now + missing * 1000 / this.bytesPerSecond;
  }

  /**
   * The receive window for a smoothed RTT of `srttMs` (0: not measured yet): what the rate sends in one RTT, plus
   * the two granules the bucket may release at once, so the reads never wait for the network; at least two
   * segments, as a sender may not split a segment to fill a smaller window.
   */
  window(srttMs: number): number {
    const inFlight = this.bytesPerSecond * srttMs / 1000;
    return Math.ceil(Math.max(2 * this.granule + inFlight, 2 * this.#mss));
  }

  #refill(now: number): void {
    if (now <= this.#at) return;
    this.#tokens = Math.min(2 * this.granule, this.#tokens + (now - this.#at) * this.bytesPerSecond / 1000);
    this.#at = now;
  }
}

/**
 * The driver's side of `--limit-rate`: how many bytes it may hand over now (and when it may go on), and the receive
 * window the connection is held to, set again whenever the SRTT moved by more than an eighth.
 *
 * @example
 * ```ts
 * const pacer = new RatePacer(512_000, 1460, conn, now); // before the SYN, which offers the window
 * const n = pacer.budget(now, 65536); // 0: wait until pacer.due
 * ```
 */
export class RatePacer {
  /** When bytes held back may be handed over (null: none held back). */
  due: number | null = null;
  readonly #bucket: RateLimit;
  readonly #conn: TcpConnection;
  #windowRtt = -1;

  /** Paces `conn` at `bytesPerSecond` from `now` on, and limits its window at once. */
  constructor(bytesPerSecond: number, mss: number, conn: TcpConnection, now: number) {
    this.#bucket = new RateLimit(bytesPerSecond, mss, now);
    this.#conn = conn;
    this.limitWindow();
  }

  /** Bytes that may be handed over at `now`, at most `max`; when none, `due` says when. */
  budget(now: number, max: number): number {
    const n = Math.min(max, this.#bucket.available(now));
    if (n === 0) this.due = this.#bucket.dueAt(now);
    return n;
  }

  /** `n` bytes were handed over. */
  took(n: number): void {
    this.#bucket.take(n);
  }

  /** Holds the receive window to what the rate needs for the current SRTT. */
  limitWindow(): void {
    const srtt = this.#conn.srttMs;
    if (this.#windowRtt >= 0 && Math.abs(srtt - this.#windowRtt) * 8 <= this.#windowRtt) return;
    this.#windowRtt = srtt;
    this.#conn.limitReceiveWindow(this.#bucket.window(srtt));
  }
}
