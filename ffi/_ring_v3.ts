/**
 * TPACKET_V3 reading (the kernel's Documentation/networking/packet_mmap): the ring is a row of blocks, each starting
 * with a `struct tpacket_block_desc`; the kernel packs frames (`struct tpacket3_hdr` + data, each pointing at the
 * next) into the current block and hands the block over whole, when it is full or when the retire timeout passes. The
 * reader walks a block's frames, and gives the block back by writing `TP_STATUS_KERNEL` into its status. Until then
 * the kernel cannot reuse it (it drops frames instead, which TCP sees as loss).
 *
 * @module
 */

import { type RingBatch, type RingReader, STATUS_KERNEL, STATUS_USER } from "./_ring_batch.ts";

// struct tpacket_block_desc { u32 version; u32 offset_to_priv; struct tpacket_hdr_v1 { u32 block_status;
//   u32 num_pkts; u32 offset_to_first_pkt; u32 blk_len; u64 seq_num; ts_first_pkt; ts_last_pkt } }
const BLOCK_STATUS = 8, NUM_PKTS = 12, FIRST_PKT = 16;
const TP_STATUS_BLK_TMO = 0x20;
// struct tpacket3_hdr { u32 tp_next_offset; u32 tp_sec; u32 tp_nsec; u32 tp_snaplen; u32 tp_len; u32 tp_status;
//   u16 tp_mac; u16 tp_net; ... }
const NEXT = 0, SNAPLEN = 12, LEN = 16, STATUS = 20, NET = 26;

/** Reads a V3 ring of `blockCount` blocks of `blockSize` bytes. */
export class V3Reader implements RingReader {
  readonly memory: Uint8Array<ArrayBuffer>;
  timedOutBlocks = 0;
  readonly #view: DataView;
  // Status words go through Atomics: the kernel writes them from another CPU, and a load must not be reused.
  readonly #words: Int32Array;
  readonly #blockSize: number;
  readonly #blockCount: number;
  /** The block being read (or the next to read, when `#open` is false). */
  #block = 0;
  #open = false;
  /** Frames of the open block not handed out yet, and the offset of the next one. */
  #left = 0;
  #next = 0;
  /** Blocks read to the end and not given back yet, the oldest first; they precede `#block`. */
  #done = 0;

  /** The ring's memory, as mapped. */
  constructor(memory: Uint8Array<ArrayBuffer>, blockSize: number, blockCount: number) {
    this.memory = memory;
    this.#view = new DataView(memory.buffer);
    this.#words = new Int32Array(memory.buffer);
    this.#blockSize = blockSize;
    this.#blockCount = blockCount;
  }

  #userOwns(block: number): boolean {
    return (Atomics.load(this.#words, (block * this.#blockSize + BLOCK_STATUS) >> 2) & STATUS_USER) !== 0;
  }

  #after(block: number): number {
    return block + 1 === this.#blockCount ? 0 : block + 1;
  }

  ready(): boolean {
    if (this.#open) return this.#left > 0 || this.#userOwns(this.#after(this.#block));
    return this.#userOwns(this.#block);
  }

  collect(batch: RingBatch): number {
    this.release();
    const view = this.#view;
    let n = 0;
    while (n < batch.capacity) {
      if (this.#left === 0) {
        if (this.#open) {
          // Read to its end within this call: its frames stay valid until the next one.
          this.#done++;
          this.#block = this.#after(this.#block);
          this.#open = false;
        }
        if (!this.#userOwns(this.#block)) break;
        const base = this.#block * this.#blockSize;
        if ((view.getUint32(base + BLOCK_STATUS, true) & TP_STATUS_BLK_TMO) !== 0) this.timedOutBlocks++;
        this.#open = true;
        this.#left = view.getUint32(base + NUM_PKTS, true);
        this.#next = base + view.getUint32(base + FIRST_PKT, true);
        continue;
      }
      const at = this.#next;
      const length = view.getUint32(at + LEN, true);
      const snap = view.getUint32(at + SNAPLEN, true);
      batch.offsets[n] = at + view.getUint16(at + NET, true);
      // A frame longer than a block is cut to fit (tp_snaplen < tp_len): report it, never pass part of it on.
      batch.lengths[n] = snap < length ? -1 : snap;
      batch.status[n] = view.getUint32(at + STATUS, true);
      n++;
      this.#next = at + view.getUint32(at + NEXT, true);
      this.#left--;
    }
    return n;
  }

  release(): void {
    const words = this.#words, size = this.#blockSize;
    let block = this.#block - this.#done;
    if (block < 0) block += this.#blockCount;
    for (; this.#done > 0; this.#done--, block = this.#after(block)) {
      Atomics.store(words, (block * size + BLOCK_STATUS) >> 2, STATUS_KERNEL);
    }
    if (this.#open && this.#left === 0) {
      Atomics.store(words, (this.#block * size + BLOCK_STATUS) >> 2, STATUS_KERNEL);
      this.#block = this.#after(this.#block);
      this.#open = false;
    }
  }
}
