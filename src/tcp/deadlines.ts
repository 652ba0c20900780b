/**
 * The stored deadlines of one connection: retransmission (RFC 6298 §5), persist (RFC 9293 §3.8.6.1), delayed ACK
 * (RFC 5681 §4.2, RFC 9293 §3.8.6.3) and TIME-WAIT (§3.10.8). Each operation applies one RFC rule and is the only
 * code that sets its deadline; `timers.ts` decides which rule applies and runs the expiries.
 *
 * @module
 */

import type { ResolvedOptions } from "./options.ts";
import type { RttEstimator } from "./rtt.ts";

/**
 * The deadlines of one connection, in absolute ms on the caller's clock (null: not running). The fields are private
 * so that a deadline can only be set through an operation that names its rule.
 *
 * @example
 * ```ts
 * const timers = new Timers(new RttEstimator(1000, 200, 60000), { delayedAckMs: 40, timeWaitMs: 1000 });
 * timers.startRetransmit(5);
 * timers.retransmitAt; // 1005 (the initial RTO)
 * ```
 */
export class Timers {
  readonly #rtt: RttEstimator;
  readonly #delayedAckMs: number;
  readonly #timeWaitMs: number;
  #retransmitAt: number | null = null;
  #persist = false;
  #delayedAckAt: number | null = null;
  #timeWaitAt: number | null = null;

  /** Reads the RTO from `rtt` whenever a timer starts; the delays come from the options. */
  constructor(rtt: RttEstimator, opts: Pick<ResolvedOptions, "delayedAckMs" | "timeWaitMs">) {
    this.#rtt = rtt;
    this.#delayedAckMs = opts.delayedAckMs;
    this.#timeWaitMs = opts.timeWaitMs;
  }

  /** Deadline of the retransmission timer, which is the persist timer while `persisting`. */
  get retransmitAt(): number | null {
    return this.#retransmitAt;
  }

  /** True while the retransmission timer runs as the persist timer (zero window, nothing in flight). */
  get persisting(): boolean {
    return this.#persist;
  }

  /** Deadline by which an ACK owed for received data must leave. */
  get delayedAckAt(): number | null {
    return this.#delayedAckAt;
  }

  /** End of TIME-WAIT. */
  get timeWaitAt(): number | null {
    return this.#timeWaitAt;
  }

  /** RFC 6298 §5.1: a segment occupying sequence space left; start the timer unless it runs (persist gives way). */
  startRetransmit(now: number): void {
    if (this.#retransmitAt === null || this.#persist) this.#runRetransmit(now, false);
  }

  /** RFC 6298 §5.3 (new data acked) and §5.6 (after the §5.5 backoff): expire one RTO from now. */
  restartRetransmit(now: number): void {
    this.#runRetransmit(now, false);
  }

  /** Fast retransmit (RFC 5681 §3.2): one RTO from now in the current role, not right behind it (as Linux does). */
  postponeRetransmit(now: number): void {
    this.#runRetransmit(now, this.#persist);
  }

  /** RFC 6298 §5.2: everything sent is acknowledged: stop the timer (a persist timer too). */
  stopRetransmit(): void {
    this.#retransmitAt = null;
    this.#persist = false;
  }

  /** RFC 9293 §3.8.6.1: zero window with data waiting: probe one RTO from now (backed off, RFC 1122 §4.2.2.17). */
  armPersist(now: number): void {
    this.#runRetransmit(now, true);
  }

  /** RFC 5681 §4.2 / RFC 9293 §3.8.6.3: an ACK may wait `delayedAckMs` (under 500 ms); the first wait counts. */
  armDelayedAck(now: number): void {
    if (this.#delayedAckAt === null) this.#delayedAckAt = now + this.#delayedAckMs;
  }

  /** An ACK left, or the delay ran out: no delayed ACK is owed (RFC 5681 §4.2). */
  cancelDelayedAck(): void {
    this.#delayedAckAt = null;
  }

  /** RFC 9293 §3.10.8: TIME-WAIT lasts 2 MSL (`timeWaitMs`), restarted by a retransmitted FIN (§3.10.7.4). */
  armTimeWait(now: number): void {
    this.#timeWaitAt = now + this.#timeWaitMs;
  }

  /** RFC 9293 §3.3.2: in CLOSED the TCB is gone, and with it every timer. */
  clearAll(): void {
    this.stopRetransmit();
    this.#delayedAckAt = null;
    this.#timeWaitAt = null;
  }

  #runRetransmit(now: number, persist: boolean): void {
    this.#persist = persist;
    this.#retransmitAt = now + this.#rtt.rto;
  }
}
