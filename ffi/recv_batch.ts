/**
 * A reusable `struct mmsghdr[]` with one buffer slot per frame, for `recvmmsg` (many frames per FFI call).
 *
 * @module
 */

import { addressOf } from "./_bytes.ts";

// x86_64 layouts: struct iovec { void *base; size_t len; } = 16 bytes;
// struct mmsghdr { struct msghdr { name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48 } = 56;
//                  unsigned msg_len 56; } = 64 bytes.
const IOVEC_LEN = 16;
const MMSGHDR_LEN = 64;
const MSG_LEN_OFFSET = 56;

// Buffers whose addresses are stored inside other buffers must never move: V8 keeps typed arrays above 64 bytes
// off its heap, and every allocation here is made at least 4 KiB to stay far from that limit.
function stableBuffer(bytes: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Math.max(bytes, 4096)).subarray(0, bytes);
}

/**
 * Frame slots for `RawReceiver.recvBatch`: `capacity` frames of up to `slotSize` bytes each.
 *
 * @example
 * ```ts
 * const batch = new RecvBatch(64, 65536);
 * const n = rx.recvBatch(batch);
 * for (let i = 0; i < n; i++) handle(batch.frame(i));
 * ```
 */
export class RecvBatch {
  /** How many frames one call can return. */
  readonly capacity: number;
  /** Bytes per slot; a longer frame is cut (its `length(i)` is then above `slotSize`). */
  readonly slotSize: number;
  /** The `struct mmsghdr[]` passed to recvmmsg. */
  readonly mmsghdrs: Uint8Array<ArrayBuffer>;
  #slab: Uint8Array<ArrayBuffer>;
  #iovecs: Uint8Array<ArrayBuffer>;
  #view: DataView;
  #count = 0;

  /** Allocates `capacity` slots of `slotSize` bytes. */
  constructor(capacity: number, slotSize: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1024) {
      throw new RangeError(`Cannot make a receive batch of ${capacity} frames (1 to 1024)`);
    }
    if (!Number.isInteger(slotSize) || slotSize < 1) throw new RangeError(`Cannot use a slot size of ${slotSize}`);
    this.capacity = capacity;
    this.slotSize = slotSize;
    this.#slab = stableBuffer(capacity * slotSize);
    this.#iovecs = stableBuffer(capacity * IOVEC_LEN);
    this.mmsghdrs = stableBuffer(capacity * MMSGHDR_LEN);
    this.#view = new DataView(this.mmsghdrs.buffer, this.mmsghdrs.byteOffset, this.mmsghdrs.byteLength);
    const iov = new DataView(this.#iovecs.buffer, this.#iovecs.byteOffset, this.#iovecs.byteLength);
    const slab = addressOf(this.#slab), iovecs = addressOf(this.#iovecs);
    for (let i = 0; i < capacity; i++) {
      iov.setBigUint64(i * IOVEC_LEN, slab + BigInt(i * slotSize), true);
      iov.setBigUint64(i * IOVEC_LEN + 8, BigInt(slotSize), true);
      this.#view.setBigUint64(i * MMSGHDR_LEN + 16, iovecs + BigInt(i * IOVEC_LEN), true);
      this.#view.setBigUint64(i * MMSGHDR_LEN + 24, 1n, true);
    }
  }

  /** Records how many frames the last call returned (used by the receiver); returns `count`. */
  received(count: number): number {
    this.#count = count;
    return count;
  }

  /** Frames returned by the last call. */
  get count(): number {
    return this.#count;
  }

  /** The real length of frame `i` (above `slotSize` when it was cut). */
  length(i: number): number {
    return this.#view.getUint32(i * MMSGHDR_LEN + MSG_LEN_OFFSET, true);
  }

  /** Frame `i` of the last call, as a view into the slab (valid until the next call). */
  frame(i: number): Uint8Array<ArrayBuffer> {
    if (i < 0 || i >= this.#count) throw new RangeError(`Cannot read frame ${i} of a batch of ${this.#count}`);
    const start = i * this.slotSize;
    return this.#slab.subarray(start, start + Math.min(this.length(i), this.slotSize));
  }
}
