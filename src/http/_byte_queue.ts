/**
 * A queue of received byte arrays that hands out views (no copy) and reads LF-terminated lines.
 *
 * @module
 */

/** Thrown by `readLine` when a line grows past its limit; the caller turns it into an `HttpError`. */
export class LineTooLong {
  /** The bytes seen so far (at most the limit plus one chunk), for the error message. */
  constructor(readonly partial: string) {}
}

/** Bytes received but not yet consumed, in order. */
export class ByteQueue {
  #chunks: Uint8Array[] = [];
  #head = 0; // index of the first live chunk
  #offset = 0; // bytes of chunks[head] already consumed
  #line: number[] = [];

  /** Appends a chunk; the queue keeps a reference, not a copy. */
  push(bytes: Uint8Array): void {
    if (bytes.length > 0) this.#chunks.push(bytes);
  }

  /** Whether no unconsumed byte remains. */
  get empty(): boolean {
    return this.#head >= this.#chunks.length;
  }

  /** The bytes of a partial line held back by `readLine`. */
  get pendingLineLength(): number {
    return this.#line.length;
  }

  /** Takes up to `max` bytes as a view into one received chunk, or null when empty. */
  take(max: number): Uint8Array | null {
    if (this.empty || max <= 0) return null;
    const chunk = this.#chunks[this.#head];
    const end = Math.min(chunk.length, this.#offset + max);
    const view = chunk.subarray(this.#offset, end);
    this.#offset = end;
    if (end === chunk.length) this.#advance();
    return view;
  }

  /** Drops every unconsumed byte and returns how many there were. */
  discardAll(): number {
    let n = 0;
    while (!this.empty) n += this.take(Number.MAX_SAFE_INTEGER)!.length;
    return n;
  }

  /**
   * Reads one line ending in LF and returns it without the LF (a CR before it is kept for the caller to judge).
   *
   * Returns null when the LF has not arrived yet (the partial line is kept). Throws `LineTooLong` as soon as more
   * than `maxBytes` bytes precede the LF.
   */
  readLine(maxBytes: number): string | null {
    while (!this.empty) {
      const chunk = this.#chunks[this.#head];
      const lf = chunk.indexOf(10, this.#offset);
      const end = lf < 0 ? chunk.length : lf;
      // Lines are short (limits are a few KiB), so a number array is simple and cheap enough.
      const stop = Math.min(end, this.#offset + maxBytes + 1 - this.#line.length);
      for (let i = this.#offset; i < stop; i++) this.#line.push(chunk[i]);
      if (this.#line.length > maxBytes) throw new LineTooLong(latin1(this.#line.slice(0, 80)));
      if (lf < 0) {
        this.#offset = chunk.length;
        this.#advance();
        continue;
      }
      this.#offset = lf + 1;
      if (this.#offset === chunk.length) this.#advance();
      const text = latin1(this.#line);
      this.#line = [];
      return text;
    }
    return null;
  }

  #advance(): void {
    this.#head++;
    this.#offset = 0;
    if (this.#head > 64 && this.#head * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }
}

/** Decodes bytes one-to-one into code points 0–255 (the HTTP/1.1 octet view of a head, RFC 9112 §2.2). */
export function latin1(bytes: ArrayLike<number>): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode(...Array.prototype.slice.call(bytes, i, i + 4096));
  }
  return s;
}
