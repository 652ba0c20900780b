/**
 * Deadlines of one connection: retransmission (RFC 6298 §5), persist (RFC 9293 §3.8.6.1), delayed ACK
 * (RFC 5681 §4.2, RFC 9293 §3.8.6.3), TIME-WAIT (§3.10.8) and the user timeout (§3.8.3, RFC 5482).
 *
 * `Timers` holds the stored deadlines, and its operations are the only code that sets them: each applies one RFC
 * rule, so a timer can be read in one place. The functions below decide which rule applies and run the expiries.
 *
 * The user timeout fires when the peer has been silent for `userTimeoutMs`, or when data (or SYN/FIN) has waited
 * that long without SND.UNA advancing — which also ends a peer that keeps its window closed forever.
 *
 * @module
 */

import type { ResolvedOptions } from "./options.ts";
import type { RttEstimator } from "./rtt.ts";
import { isSynchronized } from "./states.ts";
import type { Tcb } from "./tcb.ts";

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

/**
 * RFC 6298 §5.1–5.3: the retransmission timer runs while data is outstanding (restarted when new data is acked);
 * with a zero send window and data waiting it becomes the persist timer (RFC 9293 §3.8.6.1); otherwise it stops.
 */
export function rearmRetransmitTimer(c: Tcb, now: number, restart: boolean): void {
  const t = c.timers;
  if (c.sndNxt > c.sndUna) {
    if (restart) t.restartRetransmit(now);
    else t.startRetransmit(now);
  } else if (c.sndWnd === 0 && c.hasUnsentData() && c.state !== "SYN-SENT") {
    if (!t.persisting) {
      if (c.sndMax === c.sndUna) c.lastProgress = now;
      t.armPersist(now);
    }
  } else {
    c.probePending = false;
    t.stopRetransmit();
  }
}

/** The user-timeout deadline, or null when none applies. */
function userDeadline(c: Tcb): number | null {
  if (c.state === "CLOSED" || c.state === "TIME-WAIT") return null;
  const t = c.opts.userTimeoutMs;
  if (c.state === "SYN-SENT") return c.lastProgress + t;
  let d = c.lastHeard + t;
  if (c.sndMax > c.sndUna || c.hasUnsentData() || c.timers.persisting) d = Math.min(d, c.lastProgress + t);
  return d;
}

function earlier(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null || a < b ? a : b;
}

function passed(deadline: number | null, now: number): boolean {
  return deadline !== null && now >= deadline;
}

/** The earliest deadline (absolute ms), or null (called once per wake-up: no allocation). */
export function nextDeadline(c: Tcb): number | null {
  const t = c.timers;
  return earlier(earlier(earlier(userDeadline(c), t.delayedAckAt), t.retransmitAt), t.timeWaitAt);
}

/** Runs every deadline that has passed at `now`. */
export function runTimers(c: Tcb, now: number): void {
  if (c.state === "CLOSED") return;
  const user = userDeadline(c);
  if (user !== null && now >= user) {
    c.apply("timeout", "timeout");
    return;
  }
  const t = c.timers;
  if (passed(t.timeWaitAt, now)) {
    c.apply("time-wait-expired");
    return;
  }
  if (passed(t.delayedAckAt, now)) {
    t.cancelDelayedAck();
    c.ackNow = true;
  }
  if (passed(t.retransmitAt, now)) retransmissionTimer(c, now);
}

function retransmissionTimer(c: Tcb, now: number): void {
  const t = c.timers;
  if (t.persisting) {
    // Persist timer: probe the zero window, backing off like the RTO (RFC 1122 §4.2.2.17).
    c.probePending = true;
    c.rtt.backoff();
    t.armPersist(now);
    return;
  }
  c.rtxCount++;
  if (c.rtxCount > c.opts.maxRetransmissions) {
    c.apply("timeout", "timeout");
    return;
  }
  let probe = false;
  if (c.state === "SYN-SENT") {
    c.synPending = true;
  } else if (isSynchronized(c.state)) {
    // RFC 6298 §5.4–5.6 and RFC 5681 §3.1: retransmit from SND.UNA with a one-segment window.
    c.cc.onTimeout(c.flight());
    c.cc.recover = c.sndMax; // RFC 6582 §3.2: after a timeout, record the highest offset sent in "recover"
    c.sndNxt = c.sndUna;
    c.fastRtxPending = false;
    c.dupAcks = 0;
    c.rttMark = -1;
    // A closed window leaves nothing to retransmit into: the timer continues as the persist timer.
    probe = c.sndWnd === 0 && c.hasUnsentData();
    if (probe) c.probePending = true;
  }
  c.rtt.backoff();
  if (probe) t.armPersist(now);
  else t.restartRetransmit(now);
}
