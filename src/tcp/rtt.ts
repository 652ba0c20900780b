/**
 * Retransmission timeout per RFC 6298: SRTT/RTTVAR smoothing, bounds and exponential backoff.
 *
 * @module
 */

/**
 * RTT estimator and RTO with backoff (RFC 6298 §2 and §5.5).
 *
 * @example
 * ```ts
 * const r = new RttEstimator(1000, 200, 60000);
 * r.sample(100);
 * r.rto; // 300 (100 + 4 × 50)
 * ```
 */
export class RttEstimator {
  /** Smoothed RTT in ms (0 before a sample). */
  srtt = 0;
  /** RTT variation in ms. */
  rttvar = 0;
  /**
   * The least RTT measured, in ms (0 before a sample): the path's own delay, without the queues and the delayed
   * processing that a smoothed value carries (Linux's `tcp_min_rtt`, RFC 8985's minimum).
   */
  minRtt = 0;
  #base: number;
  #backoffShift = 0;
  #hasSample = false;

  /** Starts at `initialMs` (RFC 6298 §2.1), clamped to `[minMs, maxMs]`. */
  constructor(initialMs: number, private readonly minMs: number, private readonly maxMs: number) {
    this.#base = Math.min(Math.max(initialMs, minMs), maxMs);
  }

  /** The current RTO including backoff, in ms. */
  get rto(): number {
    return Math.min(this.#base * 2 ** this.#backoffShift, this.maxMs);
  }

  /** Feeds one RTT measurement (RFC 6298 §2.2/§2.3, alpha 1/8, beta 1/4, G = 1 ms); clears the backoff. */
  sample(rttMs: number): void {
    const r = Math.max(rttMs, 0);
    this.minRtt = this.#hasSample ? Math.min(this.minRtt, r) : r;
    if (!this.#hasSample) {
      this.srtt = r;
      this.rttvar = r / 2;
      this.#hasSample = true;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    // RFC 6298 §2.4: RTO below the minimum is rounded up; §2.5: a maximum may be placed.
    this.#base = Math.min(Math.max(this.srtt + Math.max(1, 4 * this.rttvar), this.minMs), this.maxMs);
    this.#backoffShift = 0;
  }

  /** Doubles the RTO after a timeout (RFC 6298 §5.5). */
  backoff(): void {
    if (this.rto < this.maxMs) this.#backoffShift++;
  }

  /** Forgets the backoff once new data is acknowledged after a retransmission (RFC 6298 §5 note, Karn). */
  clearBackoff(): void {
    this.#backoffShift = 0;
  }
}
