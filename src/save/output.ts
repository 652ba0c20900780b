/**
 * Where a download's bytes go: `NAME.part` while it runs, renamed to `NAME` only on success; a partial `NAME` being
 * resumed in place (`-c`); one file that several downloads append to (`-O FILE` with several URLs); or standard
 * output. Files are written through libc (the program has only `--allow-ffi`) and handed to the sudo user.
 *
 * @module
 */

import { File, fileInfo, openFile, removeFile, renameFile } from "../../ffi/mod.ts";
import { sudoOwner } from "./owner.ts";
import { isSpecialFile } from "./target.ts";
import { BufferedOutput } from "./write_behind.ts";

/**
 * A sink for body bytes, written behind (see `write_behind.ts`): `write` only copies, the file is written on a
 * worker thread in large chunks, and errors (ENOSPC…) surface as OsError from a later `write`, from `drained` or
 * from `flush`/`commit`.
 */
export interface Output {
  /** The path the user will find the file at (or "-" for standard output). */
  readonly path: string;
  /** Bytes given to the output so far, written or still buffered (a resumed file counts the bytes it started with). */
  readonly written: number;
  /**
   * Appends bytes (copied: the view may be reused at once). Returns false when the buffer is full: stop reading the
   * connection until {@linkcode drained}. Throws the OsError of an earlier failed write.
   */
  write(bytes: Uint8Array): boolean;
  /** Resolves once there is room again; rejects with the OsError of a failed write. */
  drained(): Promise<void>;
  /** Resolves once every byte given is in the file; rejects with the OsError of a failed write. */
  flush(): Promise<void>;
  /** Completes the file: flushes it, closes it and renames `.part` to its final name. */
  commit(): Promise<void>;
  /** Gives up: writes what it can of the buffer, closes the file and keeps or removes the partial file. */
  abandon(keepPartial: boolean): Promise<void>;
}

/** How {@linkcode FileOutput} opens its file. */
export interface FileOutputOptions {
  /** Write `path` itself (a partial file being resumed) rather than `path.part`. */
  readonly inPlace?: boolean;
  /** Keep the first `offset` bytes already there and append after them (0: start empty). */
  readonly offset?: number;
}

/** A file written as `path.part` (or in place) and completed under `path` on commit. */
export class FileOutput extends BufferedOutput implements Output {
  /** The final path. */
  readonly path: string;
  /** The path written while downloading: `path.part`, or `path` when resuming in place. */
  readonly partPath: string;
  readonly #inPlace: boolean;
  #file: File | null;

  /** Opens the file: truncated, or kept up to `offset` and appended to. */
  constructor(path: string, options: FileOutputOptions = {}) {
    const offset = options.offset ?? 0;
    super(offset);
    this.path = path;
    this.#inPlace = options.inPlace ?? false;
    this.partPath = this.#inPlace ? path : `${path}.part`;
    this.#file = openFile(this.partPath, { create: true, truncate: offset === 0, append: true, mode: 0o644 });
    if (offset > 0) this.#file.truncate(offset);
    const owner = sudoOwner();
    if (owner !== null) this.#file.chown(owner.uid, owner.gid);
  }

  /** The open file. */
  protected file(): File {
    if (this.#file === null) throw new TypeError(`Cannot write to "${this.partPath}": it is closed`);
    return this.#file;
  }

  /** Flushes and closes the file and renames the part file to the final name. */
  async commit(): Promise<void> {
    await this.flush();
    this.#close();
    if (!this.#inPlace) renameFile(this.partPath, this.path);
  }

  /**
   * Writes what it can of the buffer (a retry continues after the bytes in the file), closes the file, and removes
   * an empty or unwanted part file (never a partial file resumed in place).
   */
  async abandon(keepPartial: boolean): Promise<void> {
    if (this.#file === null) return;
    await this.stopWriting(keepPartial);
    this.#close();
    if (!this.#inPlace && (!keepPartial || this.written === 0)) removeFile(this.partPath);
  }

  #close(): void {
    this.#file?.close();
    this.#file = null;
  }
}

/** One file that several downloads append to in turn (wget's `-O FILE` with several URLs); {@linkcode close} ends it. */
export class ConcatOutput extends BufferedOutput implements Output {
  /** The path. */
  readonly path: string;
  #file: File | null = null;

  /** Remembers the path; the file is created (truncated) on the first write. */
  constructor(path: string) {
    super(0);
    this.path = path;
  }

  /** The file, created on first use. */
  protected file(): File {
    if (this.#file === null) {
      this.#file = openFile(this.path, { create: true, truncate: true, write: true, mode: 0o644 });
      const owner = sudoOwner();
      if (owner !== null) this.#file.chown(owner.uid, owner.gid);
    }
    return this.#file;
  }

  /** One download is done: its bytes are flushed; the file stays open for the next. */
  commit(): Promise<void> {
    return this.flush();
  }

  /** One download failed; what it wrote stays (wget does the same). */
  abandon(): Promise<void> {
    return this.stopWriting(true);
  }

  /**
   * Closes the file after the last download. Each download flushed its bytes in `commit`/`abandon`, so nothing should
   * be under way; if something is, it is written first.
   */
  close(): void {
    const closeFile = () => {
      this.#file?.close();
      this.#file = null;
    };
    if (this.busy) void this.stopWriting(true).then(closeFile);
    else closeFile();
  }
}

/** Standard output (`-O -`), written like a file: on a worker thread, so a slow reader does not stall the loop. */
export class StdoutOutput extends BufferedOutput implements Output {
  /** Always "-". */
  readonly path = "-";
  readonly #file = new File(1, "standard output");

  /** Nothing written yet. */
  constructor() {
    super(0);
  }

  /** File descriptor 1. */
  protected file(): File {
    return this.#file;
  }

  /** Flushes; standard output stays open. */
  commit(): Promise<void> {
    return this.flush();
  }

  /** Writes what it can of the buffer; standard output stays open. */
  abandon(): Promise<void> {
    return this.stopWriting(true);
  }
}

/**
 * The output of a body that starts with bytes the file already has (a server that ignored our range sent the whole
 * file): the first `skip` bytes given are dropped, the rest go to `output` after what the file holds. What was saved
 * is never truncated, as wget does it.
 *
 * @example
 * ```ts
 * const out = new SkippingOutput(openOutput("big.bin", { offset: 5000 }), 5000);
 * out.write(wholeFile); // bytes 5000… are appended
 * ```
 */
export class SkippingOutput implements Output {
  readonly #output: Output;
  #skip: number;

  /** Drops the first `skip` bytes written, then passes bytes to `output`. */
  constructor(output: Output, skip: number) {
    this.#output = output;
    this.#skip = skip;
  }

  /** The file's path. */
  get path(): string {
    return this.#output.path;
  }

  /** Bytes in the file, written or buffered (the skipped ones are not counted: the file had them already). */
  get written(): number {
    return this.#output.written;
  }

  /** Drops what is still to skip; passes the rest on. */
  write(bytes: Uint8Array): boolean {
    if (this.#skip >= bytes.length) {
      this.#skip -= bytes.length;
      return true;
    }
    const rest = bytes.subarray(this.#skip);
    this.#skip = 0;
    return this.#output.write(rest);
  }

  /** See {@linkcode Output.drained}. */
  drained(): Promise<void> {
    return this.#output.drained();
  }

  /** See {@linkcode Output.flush}. */
  flush(): Promise<void> {
    return this.#output.flush();
  }

  /** See {@linkcode Output.commit}. */
  commit(): Promise<void> {
    return this.#output.commit();
  }

  /** See {@linkcode Output.abandon}. */
  abandon(keepPartial: boolean): Promise<void> {
    return this.#output.abandon(keepPartial);
  }
}

/**
 * Creates the file `-O FILE` names before any download starts, as wget does: emptied, or kept as it is with `-c`. So
 * FILE exists (empty) even when every download fails: an error status, a refused connection, a bad URL. A file this
 * creates is handed to the sudo user.
 *
 * @example
 * ```ts
 * createOutputFile("out.bin", { keep: false }); // out.bin is now empty
 * ```
 */
export function createOutputFile(path: string, options: { readonly keep: boolean }): void {
  // A device or a pipe exists already; opening and closing a FIFO would end its reader's input before the body came.
  if (isSpecialFile(path)) return;
  const existed = fileInfo(path) !== null;
  const file = openFile(path, { create: true, truncate: !options.keep, write: true, mode: 0o644 });
  try {
    const owner = sudoOwner();
    if (owner !== null && !existed) file.chown(owner.uid, owner.gid);
  } finally {
    file.close();
  }
}

/** Opens the sink for `path` ("-" for standard output). */
export function openOutput(path: string, options: FileOutputOptions = {}): Output {
  return path === "-" ? new StdoutOutput() : new FileOutput(path, options);
}
