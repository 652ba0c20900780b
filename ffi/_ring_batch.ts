/**
 * What a packet ring hands out per call, and the reader shape of its two layouts (private to ffi/).
 *
 * @module
 */

/**
 * Where the frames of one ring read are: parallel arrays, valid until the next read.
 *
 * @example
 * ```ts
 * const batch = new RingBatch(64);
 * ring.collect(batch); // batch.offsets[i], batch.lengths[i] (-1: cut), batch.status[i]
 * ```
 */
export class RingBatch {
  /** Most frames one read hands out. */
  readonly capacity: number;
  /** Byte offset of frame i (its IP header) in the ring's memory. */
  readonly offsets: Uint32Array;
  /** Length of frame i, or -1 when the frame was longer than the ring could hold and was cut. */
  readonly lengths: Int32Array;
  /** The kernel's `tp_status` of frame i (checksum verdict bits). */
  readonly status: Uint32Array;
  /** Frame i when it was too long for a V2 slot and read from the socket instead (else null). */
  readonly copies: (Uint8Array<ArrayBuffer> | null)[];
  #copyBuffers: Uint8Array<ArrayBuffer>[] = [];
  /** Frames handed out by the last read. */
  count = 0;

  /** Room for `capacity` frames. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`Cannot make a batch of ${capacity} frames`);
    this.capacity = capacity;
    this.offsets = new Uint32Array(capacity);
    this.lengths = new Int32Array(capacity);
    this.status = new Uint32Array(capacity);
    this.copies = new Array(capacity).fill(null);
  }

  /** A buffer for frame i when it must be read from the socket: 64 KiB, made on first use and kept. */
  copyBuffer(i: number): Uint8Array<ArrayBuffer> {
    return this.#copyBuffers[i] ??= new Uint8Array(MAX_FRAME);
  }
}

/** The largest frame a packet socket delivers: GRO and LRO merges stay within 64 KiB. */
export const MAX_FRAME = 65536;

/** One ring layout's reading rules. */
export interface RingReader {
  /** The mapped ring. */
  readonly memory: Uint8Array<ArrayBuffer>;
  /** Whether a frame is waiting. */
  ready(): boolean;
  /** Releases what was handed out, then hands out waiting frames in order. */
  collect(batch: RingBatch): number;
  /** Gives back everything handed out. */
  release(): void;
  /** V3: blocks handed over by the retire timeout rather than full (0 for V2). */
  readonly timedOutBlocks: number;
}

/** Frame and block status: owned by the kernel. */
export const STATUS_KERNEL = 0;
/** Frame and block status bit: owned by the reader. */
export const STATUS_USER = 1;
