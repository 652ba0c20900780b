/**
 * The event loop of a run's connections: one loop turns every live driver (`driver.ts`), so that several
 * connections (ranged parts of one file, kept-alive connections waiting for their next request) share one wait
 * instead of blocking one another with their synchronous waits.
 *
 * A turn polls every live driver. Then, as a driver alone did: no wait while a driver read frames (but a trip through
 * the event loop every `YIELD_EVERY_MS`, or at once when a busy driver's reader is paused), another turn at once when
 * a deadline passed, otherwise a wait until the earliest deadline of all, capped at `IDLE_WAIT_CAP_MS`: first a short
 * synchronous one, then one that lets the event loop run. With one driver those are its link's `waitBriefly` and
 * `wait`, exactly as before; with several, one wait over all their links (`FrameLink.waitBrieflyWith`, `waitWith`).
 * Links that cannot wait together skip the brief wait, and their asynchronous waits are raced: once one returned, the
 * others are woken so that no wait lingers on a worker thread.
 *
 * The drivers of one loop share a clock: the first live driver's times the yields.
 *
 * Each connection keeps its own packet socket (one poll covers them all) rather than one socket for every flow: the
 * kernel's BPF filter of each socket admits its flow alone and is locked once the privileged helper attached it (a
 * shared socket's filter would have to change as flows come and go, which the lock forbids, or the demultiplexing
 * would move into JavaScript); an idle socket costs one empty `recvmmsg` per turn.
 *
 * @module
 */

import { BRIEF_WAIT_MS, IDLE_WAIT_CAP_MS, YIELD_EVERY_MS } from "./driver_options.ts";
import type { FrameLink } from "./link.ts";
import type { StreamHandler, StreamOutcome } from "./stream.ts";

/** What the loop needs of a driver: a `Driver` (driver.ts) is one. */
export interface LoopDriver {
  /** Starts the connection with `handler` on the stream. */
  start(handler: StreamHandler): void;
  /** One synchronous turn at `now`; returns when the next turn is due, or null (see `Driver.poll`). */
  poll(now: number): number | null;
  /** How the connection ended, once it did. */
  readonly outcome: StreamOutcome | null;
  /** The last turn read frames: more may be queued. */
  readonly busy: boolean;
  /** The handler paused reading. */
  readonly paused: boolean;
  /** The handler has all it wants for now (see `StreamHandler.finished`). */
  readonly finished: boolean;
  /** The link the driver's frames cross. */
  readonly link: FrameLink;
  /** The driver's clock, in ms. */
  readonly clock: () => number;
}

/** A driver of the loop and the promise of its run. */
interface Entry {
  readonly driver: LoopDriver;
  readonly handler: StreamHandler;
  readonly resolve: (outcome: StreamOutcome) => void;
  readonly reject: (error: unknown) => void;
  /** Whether the handler had all it wanted at the last trip through the event loop. */
  finishedAtYield: boolean;
}

/** What one turn over every driver found. */
interface Turn {
  /** A driver read frames. */
  busy: boolean;
  /** A driver that read frames has a paused reader. */
  pausedBusy: boolean;
  /** A deadline passed: turn again at once. */
  dueNow: boolean;
  /** How long to wait for the earliest deadline (ms). */
  waitMs: number;
  /** The time of the first live driver after its poll. */
  now: number;
}

/**
 * Runs any number of drivers in one loop, each until its connection ends.
 *
 * @example
 * ```ts
 * const loop = new DriverLoop();
 * const [a, b] = await Promise.all([loop.run(driverA, handlerA), loop.run(driverB, handlerB)]);
 * ```
 */
export class DriverLoop {
  readonly #entries: Entry[] = [];
  /** The live drivers' links, in order (rebuilt when a driver comes or goes). */
  #links: FrameLink[] = [];
  #running = false;
  /** What the last turn found (one object for every turn: a turn may come every few frames). */
  readonly #lastTurn: Turn = { busy: false, pausedBusy: false, dueNow: false, waitMs: 0, now: NaN };

  /** How many drivers are running. */
  get size(): number {
    return this.#entries.length;
  }

  /**
   * Starts `driver` with `handler` and turns it with the others until its connection ends; then calls
   * `handler.onClosed(outcome)` and resolves to the outcome. Rejects (this driver alone) when its turn throws.
   */
  run(driver: LoopDriver, handler: StreamHandler): Promise<StreamOutcome> {
    return new Promise<StreamOutcome>((resolve, reject) => {
      driver.start(handler);
      // A loop waiting on the other links takes the new driver's first turn (its SYN) at once.
      for (const link of this.#links) link.wake();
      this.#entries.push({ driver, handler, resolve, reject, finishedAtYield: false });
      this.#links = this.#entries.map((e) => e.driver.link);
      if (this.#running) return;
      this.#running = true;
      // The first turn comes after the caller's synchronous code: runs started together take it together.
      queueMicrotask(() => void this.#loop());
    });
  }

  async #loop(): Promise<void> {
    let lastYield = this.#entries[0].driver.clock();
    while (this.#entries.length > 0) {
      const turn = this.#turn();
      if (this.#entries.length === 0) break;
      const { now, waitMs } = turn;
      if (turn.busy) {
        // Let signal handlers, timers and file writes run even while frames keep arriving (at once when a paused
        // reader waits for them to consume what it has).
        if (turn.pausedBusy || now - lastYield >= YIELD_EVERY_MS) lastYield = await this.#yieldingWait(0);
        continue;
      }
      if (turn.dueNow) continue;
      // A short synchronous wait catches the next frame without a trip through the event loop; a handler that has
      // all it wants (a whole response, or none asked for yet on a kept connection) has work of its own to do there.
      if (now - lastYield < YIELD_EVERY_MS && this.#briefWaitAllowed()) {
        if (this.#waitBriefly(Math.min(BRIEF_WAIT_MS, waitMs))) continue;
      }
      lastYield = await this.#yieldingWait(waitMs);
    }
    this.#running = false;
  }

  /** Polls every live driver once; ends the runs of those whose connection ended or whose turn threw. */
  #turn(): Turn {
    const turn = this.#lastTurn;
    turn.busy = turn.pausedBusy = turn.dueNow = false;
    turn.waitMs = IDLE_WAIT_CAP_MS;
    turn.now = NaN;
    const entries = this.#entries;
    for (let i = 0; i < entries.length;) {
      const entry = entries[i];
      const driver = entry.driver;
      let due: number | null;
      try {
        due = driver.poll(driver.clock());
      } catch (e) {
        this.#remove(i);
        entry.reject(e);
        continue;
      }
      if (driver.outcome !== null) {
        this.#remove(i);
        close(entry, driver.outcome);
        continue;
      }
      i++;
      const now = driver.clock();
      if (Number.isNaN(turn.now)) turn.now = now;
      if (driver.busy) {
        turn.busy = true;
        if (driver.paused) turn.pausedBusy = true;
      } else if (due !== null && due <= now) turn.dueNow = true;
      else if (due !== null) turn.waitMs = Math.min(turn.waitMs, due - now);
    }
    return turn;
  }

  /**
   * Whether the synchronous wait may hold the event loop: some handler still wants bytes, and none got all it wanted
   * since the last trip through the event loop (its work there comes first). One driver: its handler is not finished.
   */
  #briefWaitAllowed(): boolean {
    let wanting = false;
    for (const { driver, finishedAtYield } of this.#entries) {
      if (!driver.finished) wanting = true;
      else if (!finishedAtYield) return false;
    }
    return wanting;
  }

  #waitBriefly(ms: number): boolean {
    const links = this.#links;
    if (links.length === 1) return links[0].waitBriefly(ms);
    return links[0].waitBrieflyWith?.(links.slice(1), ms) ?? false;
  }

  /** Waits on every live link (letting the event loop run); returns the time after it. */
  async #yieldingWait(ms: number): Promise<number> {
    const entries = this.#entries.slice();
    const links = this.#links;
    try {
      if (links.length === 1) await links[0].wait(ms);
      else await (links[0].waitWith?.(links.slice(1), ms) ?? raceWaits(links, ms));
    } catch (e) {
      // A link that fails to wait cannot tell whose frames are queued: every run that waited on it ends.
      for (const entry of entries) {
        const i = this.#entries.indexOf(entry);
        if (i >= 0) this.#remove(i);
        entry.reject(e);
      }
    }
    for (const entry of this.#entries) entry.finishedAtYield = entry.driver.finished;
    return this.#entries[0]?.driver.clock() ?? 0;
  }

  #remove(i: number): void {
    this.#entries.splice(i, 1);
    this.#links = this.#entries.map((e) => e.driver.link);
  }
}

/** Tells the handler how its connection ended, then resolves its run (rejects it when the handler throws). */
function close(entry: Entry, outcome: StreamOutcome): void {
  try {
    entry.handler.onClosed(outcome);
  } catch (e) {
    entry.reject(e);
    return;
  }
  entry.resolve(outcome);
}

/**
 * Waits on each link alone until one of the waits returns, then wakes the others, whose waits would otherwise hold on
 * until their own timeout; returns once every wait did (throws the first error of any).
 */
async function raceWaits(links: readonly FrameLink[], ms: number): Promise<void> {
  const done = links.map(() => false);
  let error: { cause: unknown } | null = null;
  const waits = links.map((link, i) =>
    link.wait(ms).then(
      () => void (done[i] = true),
      (e) => {
        done[i] = true;
        error ??= { cause: e };
      },
    )
  );
  await Promise.race(waits);
  links.forEach((link, i) => done[i] || link.wake());
  await Promise.all(waits);
  if (error !== null) throw (error as { cause: unknown }).cause;
}
