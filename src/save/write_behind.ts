/**
 * A write-behind buffer: body bytes are copied into large chunks, and a full chunk is written by an asynchronous
 * writer (a write on a worker thread, `File.writeAsync`) while the next one fills. The event loop never waits for the
 * disk; when the disk is slower than the network, both chunks are busy, {@linkcode WriteBehind.write} says "full",
 * and the caller stops reading the connection until {@linkcode WriteBehind.drained}: our receive window closes, and
 * reopens once a chunk is written (RFC 9293 §3.8.6.2.2). No byte is dropped on the way.
 *
 * @module
 */

import type { File } from "../../ffi/mod.ts";

/** Writes all of a chunk somewhere; rejects with the error (an OsError) that stopped it. */
export type ChunkWriter = (chunk: Uint8Array<ArrayBuffer>) => Promise<void>;

/** Options of {@linkcode WriteBehind}. */
export interface WriteBehindOptions {
  /** Bytes per chunk, i.e. per write call (default 2 MiB). */
  readonly chunkSize?: number;
  /**
   * A partly filled chunk is written when it is this old (default 50 ms), so that a slow download still reaches the
   * file steadily; null: only full chunks and {@linkcode WriteBehind.flush} write.
   */
  readonly flushDelayMs?: number | null;
  /** Full chunks that may wait behind the one being written before the buffer is full (default 1). */
  readonly waitingChunks?: number;
}

/**
 * Default bytes per chunk, a trade-off: large chunks mean few write calls (~33 µs each) and few pauses while a chunk
 * waits for the loop to notice the previous write ended; but a download may hold three at once, and 2 MiB kept peak
 * RSS about 10 MB below 4 MiB at a throughput within noise (measurements in tests/bench/README.md).
 */
export const DEFAULT_CHUNK_SIZE = 2 * 1024 * 1024;
const DEFAULT_FLUSH_DELAY_MS = 50;
const DEFAULT_WAITING_CHUNKS = 1;

/**
 * Written chunks kept for the next writer of the same chunk size, output after output: no garbage for the collector,
 * no new allocation in steady state, and no megabytes per download left in glibc's heap (a freed large block is not
 * given back to the system once glibc has raised its mmap threshold).
 */
const SPARE_CHUNKS = new Map<number, Uint8Array<ArrayBuffer>[]>();
/** Chunks kept per size: the most one download holds at once (one written, those waiting, one filling). */
const KEEP_CHUNKS = 4;

function spares(size: number): Uint8Array<ArrayBuffer>[] {
  let list = SPARE_CHUNKS.get(size);
  if (list === undefined) SPARE_CHUNKS.set(size, list = []);
  return list;
}

/**
 * Two chunks, one filling and one being written; more only for the tail of a piece that arrived while both were
 * busy (the caller was just told to pause). Written chunks are always reused, never dropped: a download cycles through
 * as many chunks as it ever needed at once (three when the caller pauses within a piece's length), and memory stays
 * flat however long it runs. (Dropping the chunks beyond a fixed count of spares would make a long download allocate
 * new ones each time a large piece arrives after a pause, and a dropped chunk stays resident until a major GC: peak
 * RSS would grow with the file.)
 *
 * @example
 * ```ts
 * const wb = new WriteBehind((chunk) => file.writeAsync(chunk));
 * if (!wb.write(bytes)) { pause(); wb.drained().then(resume, fail); }
 * await wb.flush();
 * ```
 */
export class WriteBehind {
  readonly #writer: ChunkWriter;
  readonly #chunkSize: number;
  readonly #flushDelayMs: number | null;
  readonly #waitingChunks: number;
  /** The chunk being filled (allocated on the first byte) and its fill. */
  #current: Uint8Array<ArrayBuffer> | null = null;
  #fill = 0;
  /** Full chunks waiting for the writer, oldest first. */
  readonly #queue: Uint8Array<ArrayBuffer>[] = [];
  #inFlight: Promise<void> | null = null;
  #error: unknown = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stale = false;
  readonly #waiters: Array<{ resolve: () => void; reject: (e: unknown) => void; until: () => boolean }> = [];

  /** Writes through `writer`, one call at a time, in order. */
  constructor(writer: ChunkWriter, options: WriteBehindOptions = {}) {
    this.#writer = writer;
    this.#chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.#flushDelayMs = options.flushDelayMs === undefined ? DEFAULT_FLUSH_DELAY_MS : options.flushDelayMs;
    this.#waitingChunks = options.waitingChunks ?? DEFAULT_WAITING_CHUNKS;
  }

  /** True while `waitingChunks` chunks wait behind the one being written: the caller should stop feeding bytes. */
  get full(): boolean {
    return this.#queue.length >= this.#waitingChunks;
  }

  /** True while nothing is being written and nothing waits (what was given is in the writer's hands). */
  get idle(): boolean {
    return this.#inFlight === null && this.#queue.length === 0 && this.#fill === 0;
  }

  /** The error of a failed write, if any; every later call reports it. */
  get error(): unknown {
    return this.#error;
  }

  /**
   * Copies `bytes` (the view may be reused at once). Returns false when the buffer is full: the caller should
   * pause until {@linkcode drained}. Every byte is kept either way. Throws the error of an earlier failed write.
   */
  write(bytes: Uint8Array): boolean {
    if (this.#error !== null) throw this.#error;
    let done = 0;
    while (done < bytes.length) {
      if (this.#current === null) {
        this.#current = spares(this.#chunkSize).pop() ?? new Uint8Array(this.#chunkSize);
        this.#armTimer();
      }
      const n = Math.min(bytes.length - done, this.#chunkSize - this.#fill);
      this.#current.set(n === bytes.length ? bytes : bytes.subarray(done, done + n), this.#fill);
      this.#fill += n;
      done += n;
      if (this.#fill === this.#chunkSize) this.#seal();
    }
    this.#pump();
    return !this.full;
  }

  /** Resolves once the buffer is no longer full; rejects with the error of a failed write. */
  drained(): Promise<void> {
    return this.#until(() => !this.full);
  }

  /** Writes the partly filled chunk too and resolves once every byte given is written; rejects on a failed write. */
  flush(): Promise<void> {
    if (this.#fill > 0) this.#seal();
    this.#pump();
    return this.#until(() => this.idle);
  }

  /** Stops the timer; bytes not written yet are dropped (call {@linkcode flush} first to keep them). */
  discard(): void {
    clearTimeout(this.#timer);
    this.#queue.length = 0;
    this.#current = null;
    this.#fill = 0;
  }

  /** Resolves once no write is under way (whatever its result): then the file may be closed. */
  async settled(): Promise<void> {
    while (this.#inFlight !== null) await this.#inFlight.catch(() => {});
  }

  #until(done: () => boolean): Promise<void> {
    if (this.#error !== null) return Promise.reject(this.#error);
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject, until: done }));
  }

  /** The current chunk is complete: it joins the queue. */
  #seal(): void {
    clearTimeout(this.#timer);
    this.#stale = false;
    this.#queue.push(this.#current!.subarray(0, this.#fill));
    this.#current = null;
    this.#fill = 0;
  }

  #armTimer(): void {
    if (this.#flushDelayMs === null) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#stale = true;
      this.#pump();
    }, this.#flushDelayMs);
  }

  /** Starts the next write when none is under way: a full chunk, else a partly filled one that waited long enough. */
  #pump(): void {
    if (this.#inFlight !== null || this.#error !== null) return;
    if (this.#queue.length === 0 && this.#stale && this.#fill > 0) this.#seal();
    const chunk = this.#queue.shift();
    if (chunk === undefined) return;
    this.#inFlight = this.#writer(chunk).then(
      () => {
        this.#inFlight = null;
        const kept = spares(this.#chunkSize);
        if (kept.length < KEEP_CHUNKS) kept.push(new Uint8Array(chunk.buffer));
        this.#pump();
        this.#notify();
      },
      (e: unknown) => {
        this.#inFlight = null;
        this.#error = e;
        this.discard();
        this.#notify();
      },
    );
  }

  #notify(): void {
    for (let i = 0; i < this.#waiters.length;) {
      const w = this.#waiters[i];
      if (this.#error !== null) w.reject(this.#error);
      else if (w.until()) w.resolve();
      else {
        i++;
        continue;
      }
      this.#waiters.splice(i, 1);
    }
  }
}

/**
 * What the file outputs (output.ts, part_file.ts) share: a write-behind buffer over a file opened on demand, and the
 * byte count. Chunks are appended with `File.writeAsync` unless a subclass writes them elsewhere
 * ({@linkcode BufferedOutput.writeChunk}).
 *
 * @example
 * ```ts
 * class Out extends BufferedOutput { readonly path = "x"; protected file() { return theFile; } }
 * ```
 */
export abstract class BufferedOutput {
  /** The path the user will find the file at. */
  abstract readonly path: string;
  readonly #buffer: WriteBehind;
  #written: number;

  /** Starts counting at `written` (the bytes a resumed file already holds); `options` shape the buffer. */
  constructor(written: number, options: WriteBehindOptions = {}) {
    this.#written = written;
    this.#buffer = new WriteBehind((chunk) => this.writeChunk(chunk), options);
  }

  /** The open file to write to (opened on the first call by outputs that open lazily). */
  protected abstract file(): File;

  /** Writes one chunk of the buffer (one call at a time, in order); by default appends it to the file. */
  protected writeChunk(chunk: Uint8Array<ArrayBuffer>): Promise<void> {
    return this.file().writeAsync(chunk);
  }

  /** Bytes given so far. */
  get written(): number {
    return this.#written;
  }

  /** Copies bytes into the buffer; false when it is full. */
  write(bytes: Uint8Array): boolean {
    this.file();
    const more = this.#buffer.write(bytes);
    this.#written += bytes.length;
    return more;
  }

  /** Resolves once there is room again. */
  drained(): Promise<void> {
    return this.#buffer.drained();
  }

  /** Resolves once every byte given is in the file. */
  flush(): Promise<void> {
    return this.#buffer.flush();
  }

  /**
   * Writes what it can of the buffer (`keep`) or drops it, then waits until no write is under way, so that the file
   * may be closed. A failed write's error is not thrown here: `write`, `drained` or `flush` reported it.
   */
  protected async stopWriting(keep: boolean): Promise<void> {
    if (keep) await this.#buffer.flush().catch(() => {});
    this.#buffer.discard();
    await this.#buffer.settled();
  }

  /** Whether a write is under way or waiting. */
  protected get busy(): boolean {
    return !this.#buffer.idle;
  }
}
