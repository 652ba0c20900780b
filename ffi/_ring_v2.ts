/**
 * TPACKET_V2 reading (the kernel's Documentation/networking/packet_mmap): fixed slots, each starting with a
 * `struct tpacket2_hdr` whose `tp_status` says who owns it. The kernel fills slots in order and skips none, so the
 * reader walks them in order too, and gives a slot back by writing `TP_STATUS_KERNEL` into it.
 *
 * A frame longer than a slot (a GRO merge) is cut to fit; with `PACKET_COPY_THRESH` set, the kernel also queues the
 * whole frame on the socket, when its receive buffer has room, and marks the slot `TP_STATUS_COPY`. Those copies
 * are queued in slot order, so the reader takes the next one from the socket when it meets such a slot.
 *
 * @module
 */

import { type RingBatch, type RingReader, STATUS_KERNEL, STATUS_USER } from "./_ring_batch.ts";

// struct tpacket2_hdr { u32 tp_status; u32 tp_len; u32 tp_snaplen; u16 tp_mac; u16 tp_net; u32 tp_sec; ... }
const LEN = 4, SNAPLEN = 8, NET = 14;
const TP_STATUS_COPY = 2;

/** Reads the next whole frame queued on the socket into `into`; its real length, or -1 when none is queued. */
export type ReadCopy = (into: Uint8Array<ArrayBuffer>) => number;

/** Reads a V2 ring of `frameCount` slots. */
export class V2Reader implements RingReader {
  readonly memory: Uint8Array<ArrayBuffer>;
  readonly timedOutBlocks = 0;
  readonly #view: DataView;
  // Status words go through Atomics: the kernel writes them from another CPU, and a load must not be reused.
  readonly #words: Int32Array;
  readonly #frameSize: number;
  readonly #frameCount: number;
  readonly #blockSize: number;
  readonly #framesPerBlock: number;
  readonly #readCopy: ReadCopy;
  /** The next slot to read. */
  #head = 0;
  /** Slots handed out and not given back yet (they precede `#head`). */
  #held = 0;

  /** Slots are `frameSize` bytes, `framesPerBlock` to a block of `blockSize` bytes. */
  constructor(
    memory: Uint8Array<ArrayBuffer>,
    frameSize: number,
    frameCount: number,
    blockSize: number,
    framesPerBlock: number,
    readCopy: ReadCopy,
  ) {
    this.#readCopy = readCopy;
    this.memory = memory;
    this.#view = new DataView(memory.buffer);
    this.#words = new Int32Array(memory.buffer);
    this.#frameSize = frameSize;
    this.#frameCount = frameCount;
    this.#blockSize = blockSize;
    this.#framesPerBlock = framesPerBlock;
  }

  #base(slot: number): number {
    const perBlock = this.#framesPerBlock;
    return Math.floor(slot / perBlock) * this.#blockSize + (slot % perBlock) * this.#frameSize;
  }

  ready(): boolean {
    return (Atomics.load(this.#words, this.#base(this.#head) >> 2) & STATUS_USER) !== 0;
  }

  collect(batch: RingBatch): number {
    this.release();
    const view = this.#view, words = this.#words;
    let n = 0;
    while (n < batch.capacity) {
      const base = this.#base(this.#head);
      const status = Atomics.load(words, base >> 2);
      if ((status & STATUS_USER) === 0) break;
      const length = view.getUint32(base + LEN, true);
      const snap = view.getUint32(base + SNAPLEN, true);
      batch.offsets[n] = base + view.getUint16(base + NET, true);
      // A frame longer than the slot is cut to fit (tp_snaplen < tp_len): take the whole copy from the socket, or
      // report it cut when there is none; never pass part of it on.
      batch.lengths[n] = snap < length ? this.#copy(batch, n, status, length) : snap;
      if (snap >= length) batch.copies[n] = null;
      batch.status[n] = status;
      n++;
      this.#held++;
      this.#head = this.#head + 1 === this.#frameCount ? 0 : this.#head + 1;
    }
    return n;
  }

  #copy(batch: RingBatch, n: number, status: number, length: number): number {
    batch.copies[n] = null;
    if ((status & TP_STATUS_COPY) === 0) return -1;
    const into = batch.copyBuffer(n);
    const got = this.#readCopy(into);
    if (got !== length || got > into.length) return -1;
    batch.copies[n] = into.subarray(0, got);
    return got;
  }

  release(): void {
    const words = this.#words;
    let slot = this.#head - this.#held;
    if (slot < 0) slot += this.#frameCount;
    for (; this.#held > 0; this.#held--) {
      Atomics.store(words, this.#base(slot) >> 2, STATUS_KERNEL);
      slot = slot + 1 === this.#frameCount ? 0 : slot + 1;
    }
  }
}
