/**
 * The shared ring between {@linkcode OffloadSender} (ffi/offload_sender.ts) and its sending thread
 * (ffi/send_worker.ts): control words, then fixed slots of one frame each, each slot a u16 length and the frame.
 *
 * @module
 */

/** Indices of the Int32 control words at the start of the shared buffer. */
export const CTRL = {
  /** Frames queued (a wrapping counter), written by the producer only. */
  head: 0,
  /** Frames handled by the sending thread (a wrapping counter), written by it only. */
  tail: 1,
  /** The sending thread sleeps (or is about to) on `head`: the producer must notify it. */
  sleeping: 2,
  /** The first errno of a failed send other than EAGAIN/ENOBUFS/EINTR; 0 while none failed. */
  errno: 3,
  /** Frames the kernel refused with EAGAIN or ENOBUFS (lost, as on a full device queue). */
  dropped: 4,
  /** Set by the producer: the sending thread returns once the ring is empty. */
  stop: 5,
  /** The producer waits on `tail` for the ring to drain: the sending thread must notify it. */
  drainWaiter: 6,
} as const;

/** Bytes of control words before the slots (one cache line). */
export const CTRL_BYTES = 64;
/** Bytes before each slot's frame: its length, a little-endian u16. */
export const SLOT_HEADER = 2;
/** Bytes per slot: the largest IPv4 + TCP header (60 + 60) with no payload fits. */
export const SLOT_SIZE = 128;

/** What the sending thread is told when it starts. */
export interface RingSetup {
  /** The shared buffer: {@linkcode CTRL_BYTES} of control words, then `slotCount` slots of {@linkcode SLOT_SIZE}. */
  readonly sab: SharedArrayBuffer;
  /** Slots in the ring. */
  readonly slotCount: number;
  /** The raw socket (`AF_INET, SOCK_RAW, IPPROTO_RAW`) to send on. */
  readonly fd: number;
  /** Destination address (u32) for `sendto`. */
  readonly dstAddr: number;
  /** The CPU set (a `cpu_set_t`) the thread runs on, or null to leave it to the scheduler. */
  readonly cpus: Uint8Array | null;
}

/** Bytes of shared memory a ring of `slotCount` slots needs. */
export function ringBytes(slotCount: number): number {
  return CTRL_BYTES + slotCount * SLOT_SIZE;
}

/** The control words and the slots of a ring. */
export function viewsOfRing(
  sab: SharedArrayBuffer,
  slotCount: number,
): { ctrl: Int32Array<SharedArrayBuffer>; slots: Uint8Array<SharedArrayBuffer> } {
  return {
    ctrl: new Int32Array(sab, 0, CTRL_BYTES / 4),
    slots: new Uint8Array(sab, CTRL_BYTES, slotCount * SLOT_SIZE),
  };
}
