/**
 * Bytes written by the application and not yet acknowledged (RFC 9293 §3.8.6.1: the send queue).
 *
 * @module
 */

/**
 * A circular buffer indexed by stream offset: offset `base` is the oldest unacknowledged byte.
 *
 * @example
 * ```ts
 * const q = new SendBuffer(16);
 * q.write(new Uint8Array([1, 2, 3])); // 3
 * q.view(1, 10); // Uint8Array [2, 3]
 * ```
 */
export class SendBuffer {
  /** Stream offset of the first byte held. */
  base = 0;
  /** Bytes held. */
  length = 0;
  readonly #storage: Uint8Array;
  #head = 0;

  /** Allocates `capacity` bytes once, or uses `storage` (exactly `capacity` bytes). */
  constructor(readonly capacity: number, storage: Uint8Array = new Uint8Array(capacity)) {
    if (storage.length !== capacity) throw new RangeError(`Cannot use ${storage.length} bytes as ${capacity}`);
    this.#storage = storage;
  }

  /** The memory it holds (for `BufferSource.give`). */
  get storage(): Uint8Array {
    return this.#storage;
  }

  /** Stream offset just past the last byte written. */
  get end(): number {
    return this.base + this.length;
  }

  /** Copies as much of `bytes` as fits; returns the count. */
  write(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.capacity - this.length);
    let pos = this.#head + this.length;
    if (pos >= this.capacity) pos -= this.capacity;
    const first = Math.min(n, this.capacity - pos);
    this.#storage.set(bytes.subarray(0, first), pos);
    if (n > first) this.#storage.set(bytes.subarray(first, n), 0);
    this.length += n;
    return n;
  }

  /** A view of up to `max` bytes from stream offset `offset` (shorter at the physical wrap). */
  view(offset: number, max: number): Uint8Array {
    const skip = offset - this.base;
    let pos = this.#head + skip;
    if (pos >= this.capacity) pos -= this.capacity;
    const n = Math.min(max, this.length - skip, this.capacity - pos);
    return this.#storage.subarray(pos, pos + n);
  }

  /** Drops bytes below stream offset `offset` (they were acknowledged). */
  consumeTo(offset: number): void {
    const n = Math.min(offset - this.base, this.length);
    if (n <= 0) return;
    this.#head = (this.#head + n) % this.capacity;
    this.length -= n;
    this.base += n;
  }
}
