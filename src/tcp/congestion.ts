/**
 * Congestion control: slow start and congestion avoidance (RFC 5681 §3.1), fast retransmit and NewReno fast
 * recovery (RFC 5681 §3.2, RFC 6582 §3.2), initial window per RFC 6928.
 *
 * @module
 */

/**
 * NewReno congestion window; all quantities in bytes, positions in send-stream offsets.
 *
 * @example
 * ```ts
 * const cc = new NewReno(1448);
 * cc.cwnd; // 14480 (RFC 6928 initial window of 10 segments)
 * ```
 */
export class NewReno {
  /** Congestion window. */
  cwnd: number;
  /** Slow-start threshold (RFC 5681 §3.1: arbitrarily high at first). */
  ssthresh: number = Number.MAX_SAFE_INTEGER;
  /** True between a fast retransmit and the ACK of `recover`. */
  inRecovery = false;
  /** RFC 6582 "recover": the highest offset sent when recovery started. */
  recover = 0;
  #bytesAckedCa = 0;

  /** Initial window: min(10 × MSS, max(2 × MSS, 14600)) per RFC 6928 §2. */
  constructor(private mss: number) {
    this.cwnd = Math.min(10 * mss, Math.max(2 * mss, 14600));
  }

  /** Sets the sender MSS learned in the handshake. */
  setMss(mss: number): void {
    this.mss = mss;
    this.cwnd = Math.min(10 * mss, Math.max(2 * mss, 14600));
  }

  /** New data acknowledged outside recovery (RFC 5681 §3.1, appropriate byte counting, L = 1 SMSS in SS). */
  onAck(acked: number): void {
    if (this.cwnd < this.ssthresh) {
      this.cwnd += Math.min(acked, this.mss);
      return;
    }
    this.#bytesAckedCa += acked;
    if (this.#bytesAckedCa >= this.cwnd) {
      this.#bytesAckedCa -= this.cwnd;
      this.cwnd += this.mss;
    }
  }

  /** Third duplicate ACK: halve and inflate (RFC 5681 §3.2 steps 2–3, RFC 6582 §3.2 step 2). */
  enterRecovery(flight: number, highestSent: number): void {
    this.ssthresh = Math.max(Math.floor(flight / 2), 2 * this.mss);
    this.cwnd = this.ssthresh + 3 * this.mss;
    this.inRecovery = true;
    this.recover = highestSent;
  }

  /** A further duplicate ACK during recovery inflates the window (RFC 5681 §3.2 step 4). */
  onDupAck(): void {
    if (this.inRecovery) this.cwnd += this.mss;
  }

  /**
   * An ACK of new data during recovery (RFC 6582 §3.2 step 3); returns true for a partial ACK, after which the
   * first unacknowledged segment must be retransmitted.
   */
  onRecoveryAck(ackOffset: number, acked: number, flight: number): boolean {
    if (ackOffset >= this.recover) {
      this.inRecovery = false;
      this.cwnd = Math.min(this.ssthresh, Math.max(flight, 0) + this.mss);
      return false;
    }
    this.cwnd = Math.max(this.cwnd - acked + (acked >= this.mss ? this.mss : 0), this.mss);
    return true;
  }

  /** Retransmission timeout: loss window of one segment (RFC 5681 §3.1 eq. 4 and the LW rule). */
  onTimeout(flight: number): void {
    this.ssthresh = Math.max(Math.floor(flight / 2), 2 * this.mss);
    this.cwnd = this.mss;
    this.inRecovery = false;
    this.#bytesAckedCa = 0;
  }
}
