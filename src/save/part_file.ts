/**
 * One file written at many offsets: the `NAME.part` of a parallel download (`--connections N`), each connection
 * writing its range through its own {@linkcode PartWriter}, behind the event loop (positional writes on a worker
 * thread, `File.pwriteAsync`), all on one descriptor. What reached the disk is kept as a set of ranges for the part
 * map (part_map.ts).
 *
 * @module
 */

import { type File, openFile, removeFile, renameFile } from "../../ffi/mod.ts";
import type { Output } from "./output.ts";
import { sudoOwner } from "./owner.ts";
import { type ByteRange, RangeSet } from "./range_set.ts";
import { BufferedOutput } from "./write_behind.ts";

/**
 * Bytes per chunk of each writer: 512 KiB, a quarter of a single download's, so that 8 writers holding three chunks
 * each stay near 12 MiB; still large enough that the ~33 µs of each write call does not matter.
 */
export const PART_CHUNK_SIZE = 256 * 1024;

/** How {@linkcode PartFile} opens `NAME.part`. */
export interface PartFileOptions {
  /** A new download: the part file is emptied. Else a resume: its bytes are kept. */
  readonly fresh: boolean;
  /** The whole file's size: no writer may write past it, and the committed file is exactly this long. */
  readonly size: number;
  /** Bytes per chunk of each writer (default {@linkcode PART_CHUNK_SIZE}). */
  readonly chunkSize?: number;
  /** On a resume, the ranges the part map says are on disk: {@linkcode PartFile.flushed} starts with them. */
  readonly have?: readonly ByteRange[];
}

/**
 * `path.part`, written at many offsets by several writers and renamed to `path` when complete.
 *
 * @example
 * ```ts
 * const file = new PartFile("big.iso", { fresh: true, size });
 * const a = file.writer(0), b = file.writer(size / 2);
 * a.write(firstHalf); b.write(secondHalf);
 * await file.commit(); // big.iso.part becomes big.iso
 * ```
 */
export class PartFile {
  /** The final path. */
  readonly path: string;
  /** The path written while downloading: `path.part`. */
  readonly partPath: string;
  /** The whole file's size. */
  readonly size: number;
  /** Ranges whose bytes are on disk (what the part map may claim): each completed chunk write adds its range. */
  readonly flushed: RangeSet;
  /** Called after any chunk reached the disk (the coordinator saves the part map then, at most every so often). */
  onFlushed: (() => void) | null = null;
  readonly #chunkSize: number;
  readonly #writers: PartWriter[] = [];
  #file: File | null;

  /** Opens `path.part` for positional writes: created if absent, emptied when `fresh`, else kept as it is. */
  constructor(path: string, options: PartFileOptions) {
    if (!Number.isSafeInteger(options.size) || options.size < 0) {
      throw new RangeError(`Cannot write "${path}" with a size of ${options.size}`);
    }
    if (options.fresh && (options.have?.length ?? 0) > 0) {
      throw new TypeError(`Cannot start "${path}" afresh with bytes already on disk`);
    }
    this.path = path;
    this.partPath = `${path}.part`;
    this.size = options.size;
    this.flushed = new RangeSet(options.have);
    this.#chunkSize = options.chunkSize ?? PART_CHUNK_SIZE;
    // No O_APPEND: on Linux, pwrite on a file opened with it writes at the end whatever the offset.
    this.#file = openFile(this.partPath, { create: true, truncate: options.fresh, write: true, mode: 0o644 });
    const owner = sudoOwner();
    if (owner !== null) this.#file.chown(owner.uid, owner.gid);
  }

  /** A writer of consecutive bytes from `start` on (written behind, in chunks, at their own offsets). */
  writer(start: number): PartWriter {
    if (!Number.isSafeInteger(start) || start < 0 || start > this.size) {
      throw new RangeError(`Cannot write "${this.partPath}" from byte ${start} of ${this.size}`);
    }
    const w = new PartWriter(start, this.#chunkSize, {
      path: this.path,
      partPath: this.partPath,
      size: this.size,
      file: () => this.#open(),
      chunkWritten: (from, to) => {
        this.flushed.add(from, to);
        this.onFlushed?.();
      },
    });
    this.#writers.push(w);
    return w;
  }

  /**
   * Flushes every writer, closes the file and renames `NAME.part` to `NAME`. Throws the OsError of a failed write,
   * and a RangeError (the file staying open and unrenamed) when bytes of [0, size) were never written: a file with
   * holes must not take the final name.
   */
  async commit(): Promise<void> {
    await Promise.all(this.#writers.map((w) => w.flush()));
    const hole = this.flushed.gaps(this.size)[0];
    if (hole !== undefined) {
      throw new RangeError(`Cannot complete "${this.path}": bytes ${hole.start} to ${hole.end} were never written`);
    }
    const file = this.#open();
    // A resumed part file may be longer than the file is now: what lies past the size is not part of it.
    if (file.size() > this.size) file.truncate(this.size);
    this.#close();
    renameFile(this.partPath, this.path);
  }

  /**
   * Writes what it can of every writer's buffer (`keep`) or drops it, closes the file, and keeps it (a later `-c`
   * continues it with the part map) or removes it. The error of a failed write is not thrown here: the writer's
   * `write`, `drained` or `flush` reported it.
   */
  async abandon(keep: boolean): Promise<void> {
    if (this.#file === null) return;
    await Promise.all(this.#writers.map((w) => w.abandon(keep)));
    this.#close();
    if (!keep) removeFile(this.partPath);
  }

  /** The open file; a TypeError once it is closed. */
  #open(): File {
    if (this.#file === null) throw new TypeError(`Cannot write to "${this.partPath}": it is closed`);
    return this.#file;
  }

  #close(): void {
    this.#file?.close();
    this.#file = null;
  }
}

/** What a {@linkcode PartWriter} needs of its {@linkcode PartFile}. */
export interface PartSink {
  /** The final path. */
  readonly path: string;
  /** The file written: `path.part`. */
  readonly partPath: string;
  /** The whole file's size: no byte is written past it. */
  readonly size: number;
  /** The open file (a TypeError once it is closed). */
  file(): File;
  /** A chunk [start, end) reached the disk. */
  chunkWritten(start: number, end: number): void;
}

/**
 * The consecutive bytes one connection writes from `start` on, as an {@linkcode Output}: `write` copies into a
 * write-behind buffer whose chunks go to the file with `pwrite` at this writer's offset. `commit` only flushes: the
 * {@linkcode PartFile} completes the whole file.
 *
 * @example
 * ```ts
 * const w = partFile.writer(1048576);
 * if (!w.write(bytes)) await w.drained();
 * ```
 */
export class PartWriter extends BufferedOutput implements Output {
  /** The first byte this writer writes. */
  readonly start: number;
  readonly #sink: PartSink;
  /** Where the next chunk goes: chunks are written one at a time, in order, so one offset is enough. */
  #offset: number;

  /** Use {@linkcode PartFile.writer}. */
  constructor(start: number, chunkSize: number, sink: PartSink) {
    super(0, { chunkSize });
    this.#sink = sink;
    this.start = start;
    this.#offset = start;
  }

  /** The final path of the file. */
  get path(): string {
    return this.#sink.path;
  }

  /** Copies bytes into the buffer; false when it is full. A RangeError past the file's size. */
  override write(bytes: Uint8Array): boolean {
    const end = this.start + this.written + bytes.length;
    if (end > this.#sink.size) {
      throw new RangeError(`Cannot write "${this.#sink.partPath}" up to byte ${end} of ${this.#sink.size}`);
    }
    return super.write(bytes);
  }

  /** Flushes this writer's bytes (the {@linkcode PartFile} completes the whole file). */
  commit(): Promise<void> {
    return this.flush();
  }

  /**
   * Writes what it can of the buffer (`keep`) or drops it, then waits until no write is under way; the file stays
   * open for the other writers. A failed write's error is not thrown here.
   */
  abandon(keep: boolean): Promise<void> {
    return this.stopWriting(keep);
  }

  /** The shared file (a TypeError once it is closed). */
  protected file(): File {
    return this.#sink.file();
  }

  /** Writes the chunk at this writer's offset (`pwrite`) and tells the {@linkcode PartFile} it is on disk. */
  protected override async writeChunk(chunk: Uint8Array<ArrayBuffer>): Promise<void> {
    const at = this.#offset;
    await this.#sink.file().pwriteAsync(chunk, at);
    this.#offset = at + chunk.length;
    this.#sink.chunkWritten(at, at + chunk.length);
  }
}
