/**
 * Sends small frames (our pure ACKs) from a second thread.
 *
 * On veth the kernel runs the whole path of a sent frame synchronously in the sender's context: the router's
 * forwarding, the peer's TCP receive and the data segments it sends in answer, up to their arrival in our packet
 * socket. Sent from the thread that also parses those segments, every ACK stalls the receive loop for that time
 * (~110 µs for an ACK of 64 segments; 35–40% of the loop at full speed). Handed to a worker, that work runs on the
 * other core while the loop goes on. The hand-off is one copy into a shared ring and, when the thread sleeps, one
 * `Atomics.notify` (~10 µs); no `nonblocking` FFI call, whose dispatch costs more than the send.
 *
 * @module
 */

import { cpuSetOf, cpuSetWithout, currentCpu, setThreadCpus, threadCpus } from "./cpu_affinity.ts";
import { OsError } from "./os_error.ts";
import { CTRL, ringBytes, SLOT_HEADER, SLOT_SIZE, viewsOfRing } from "./send_ring.ts";
import { sendThreadSetup, sendThreadUrl } from "./send_worker.ts";

/** Slots in the ring: far more ACKs than a flight ever needs; a full ring sends in the caller's thread instead. */
const SLOT_COUNT = 512;

/** What the sender is doing. */
export type OffloadState = "starting" | "ready" | "failed" | "closed";

/**
 * Frames handed to a sending thread through a shared ring, in order. Until the thread has started (tens of ms), or
 * if it cannot start, {@linkcode OffloadSender.trySend} declines and the caller sends the frame itself.
 *
 * @example
 * ```ts
 * const off = new OffloadSender(tx.fd, dstAddr);
 * if (!off.trySend(ack)) { off.drain(); tx.send(ack, dstAddr); }
 * off.close();
 * ```
 */
export class OffloadSender {
  readonly #worker: Worker | null = null;
  readonly #ctrl: Int32Array<SharedArrayBuffer>;
  readonly #slots: Uint8Array<SharedArrayBuffer>;
  #head = 0;
  #state: OffloadState = "starting";
  /** The calling thread's CPU set before {@linkcode OffloadSender.pinnedApart} narrowed it; restored by close. */
  #savedCpus: Uint8Array | null = null;

  /**
   * Starts the thread for raw socket `fd`, sending to `dstAddr` (u32). Never throws: a failed start only declines.
   * `pinApart`: see {@linkcode OffloadSender.pinnedApart}.
   */
  constructor(fd: number, dstAddr: number, pinApart = true) {
    const sab = new SharedArrayBuffer(ringBytes(SLOT_COUNT));
    ({ ctrl: this.#ctrl, slots: this.#slots } = viewsOfRing(sab, SLOT_COUNT));
    try {
      const worker = new Worker(sendThreadUrl(), { type: "module" });
      worker.onmessage = (e: MessageEvent<string>) => {
        if (e.data === "ready" && this.#state === "starting") this.#state = "ready";
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault(); // a thread that cannot run leaves the sending to the caller; not an error of the run
        this.#fail();
      };
      worker.postMessage(sendThreadSetup({ sab, slotCount: SLOT_COUNT, fd, dstAddr, cpus: this.#pinApart(pinApart) }));
      this.#worker = worker;
    } catch {
      this.#state = "failed";
      this.#restoreCpus();
    }
  }

  /**
   * Whether the calling thread and the sending thread were put on different CPUs: the caller on the one it ran on,
   * the sending thread on the others (until {@linkcode OffloadSender.close}). Left to the scheduler, the woken
   * sending thread often lands on the caller's CPU (wake-affine) and takes it from the receive loop with the work this
   * class exists to move away: measured on 2 cores, 100 MiB, 8–10 alternating runs, 252 → 281 and 257 → 284 MiB/s
   * pinned against 238–272 unpinned.
   */
  get pinnedApart(): boolean {
    return this.#savedCpus !== null;
  }

  /** Whether the thread is starting, takes frames, could not run, or was closed. */
  get state(): OffloadState {
    return this.#state;
  }

  /** Frames the kernel refused (EAGAIN/ENOBUFS) in the thread: lost frames, as on a full device queue. */
  get dropped(): number {
    return Atomics.load(this.#ctrl, CTRL.dropped);
  }

  /** Frames queued and not yet sent. */
  get pending(): number {
    return (this.#head - Atomics.load(this.#ctrl, CTRL.tail)) | 0;
  }

  /**
   * Queues a copy of `frame`; returns false, queuing nothing, when the thread is not ready, the frame is larger than
   * a slot or the ring is full. Throws the OsError of a send that failed in the thread (other than a full queue).
   */
  trySend(frame: Uint8Array): boolean {
    const ctrl = this.#ctrl;
    const errno = Atomics.load(ctrl, CTRL.errno);
    if (errno !== 0) throw new OsError(errno, "sendto", `${frame.length} bytes, from the sending thread`);
    if (this.#state !== "ready" || frame.length > SLOT_SIZE - SLOT_HEADER) return false;
    if (this.pending >= SLOT_COUNT) return false;
    const at = (this.#head % SLOT_COUNT) * SLOT_SIZE;
    const slots = this.#slots;
    slots[at] = frame.length & 0xff;
    slots[at + 1] = frame.length >> 8;
    slots.set(frame, at + SLOT_HEADER);
    this.#head = (this.#head + 1) | 0;
    Atomics.store(ctrl, CTRL.head, this.#head);
    if (Atomics.load(ctrl, CTRL.sleeping) !== 0) Atomics.notify(ctrl, CTRL.head);
    return true;
  }

  /**
   * Blocks until every queued frame was sent (at most `timeoutMs`): call it before sending a frame yourself that
   * must not overtake them. Returns whether the ring is empty.
   */
  drain(timeoutMs = 100): boolean {
    const ctrl = this.#ctrl;
    if (this.pending === 0) return true;
    const until = performance.now() + timeoutMs;
    Atomics.store(ctrl, CTRL.drainWaiter, 1);
    try {
      for (;;) {
        const tail = Atomics.load(ctrl, CTRL.tail);
        if (tail === this.#head) return true;
        const left = until - performance.now();
        if (left <= 0 || this.#state === "failed") return false;
        Atomics.wait(ctrl, CTRL.tail, tail, Math.min(left, 10));
      }
    } finally {
      Atomics.store(ctrl, CTRL.drainWaiter, 0);
    }
  }

  /** Sends what is queued (waiting at most `timeoutMs`), then ends the thread. Calling it twice is harmless. */
  close(timeoutMs = 100): void {
    if (this.#state === "closed") return;
    if (this.#state === "ready") this.drain(timeoutMs);
    this.#state = "closed";
    Atomics.store(this.#ctrl, CTRL.stop, 1);
    Atomics.notify(this.#ctrl, CTRL.head);
    this.#worker?.terminate();
    this.#restoreCpus();
  }

  /** Pins the caller to its CPU and returns the set for the sending thread (the others), or null to pin nothing. */
  #pinApart(wanted: boolean): Uint8Array | null {
    if (!wanted) return null;
    const saved = threadCpus();
    if (saved === null) return null;
    const cpu = currentCpu();
    const others = cpuSetWithout(saved, cpu);
    if (others === null || !setThreadCpus(cpuSetOf(cpu))) return null;
    this.#savedCpus = saved;
    return others;
  }

  #restoreCpus(): void {
    if (this.#savedCpus !== null) setThreadCpus(this.#savedCpus);
    this.#savedCpus = null;
  }

  #fail(): void {
    this.#restoreCpus();
    if (this.#state !== "closed") this.#state = "failed";
    this.#worker?.terminate();
  }
}
