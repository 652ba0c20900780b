/**
 * The receive ring: in-order bytes waiting for `read()` followed by room where out-of-order bytes are placed at
 * their offset (the reassembly bookkeeping lives in `assembler.ts`, the bytes live here, so there is one copy).
 *
 * @module
 */

/**
 * A fixed circular byte buffer: `readable` bytes start at the head; bytes beyond them may be written at any
 * offset (out-of-order data) and become readable with `commit`.
 *
 * @example
 * ```ts
 * const ring = new ReceiveRing(8);
 * ring.writeAt(0, new Uint8Array([1, 2]), 0, 2);
 * ring.commit(2);
 * ring.read(10); // Uint8Array [1, 2]
 * ```
 */
export class ReceiveRing {
  /** Physical capacity in bytes. */
  readonly capacity: number;
  /** Bytes ready for `read()`. */
  readable = 0;
  readonly #storage: Uint8Array;
  #head = 0;

  /** Allocates `capacity` bytes once, or uses `storage` (exactly `capacity` bytes). */
  constructor(capacity: number, storage: Uint8Array = new Uint8Array(capacity)) {
    if (storage.length !== capacity) throw new RangeError(`Cannot use ${storage.length} bytes as ${capacity}`);
    this.capacity = capacity;
    this.#storage = storage;
  }

  /** The memory it holds (for `BufferSource.give`). */
  get storage(): Uint8Array {
    return this.#storage;
  }

  /**
   * Copies `src[start, end)` to `offset` bytes past the head; the caller guarantees `offset + (end - start)` fits.
   */
  writeAt(offset: number, src: Uint8Array, start: number, end: number): void {
    let pos = this.#head + offset;
    if (pos >= this.capacity) pos -= this.capacity;
    const len = end - start;
    const first = this.capacity - pos;
    if (len <= first) {
      this.#storage.set(start === 0 && end === src.length ? src : src.subarray(start, end), pos);
    } else {
      this.#storage.set(src.subarray(start, start + first), pos);
      this.#storage.set(src.subarray(start + first, end), 0);
    }
  }

  /** Makes `n` more bytes (already written) readable. */
  commit(n: number): void {
    this.readable += n;
  }

  /** A view of up to `max` readable bytes (stops at the physical end), consumed at once; null when empty. */
  read(max: number): Uint8Array | null {
    if (this.readable === 0 || max <= 0) return null;
    const n = Math.min(max, this.readable, this.capacity - this.#head);
    const view = this.#storage.subarray(this.#head, this.#head + n);
    this.#head += n;
    if (this.#head === this.capacity) this.#head = 0;
    this.readable -= n;
    return view;
  }
}
