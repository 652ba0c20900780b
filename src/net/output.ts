/**
 * Where a download's bytes go: `NAME.part` while it runs, renamed to `NAME` only on success; a partial `NAME` being
 * resumed in place (`-c`); one file that several downloads append to (`-O FILE` with several URLs); or standard
 * output.
 *
 * Files are written through libc (the program has only `--allow-ffi`). Under sudo they are handed to the invoking
 * user (`SUDO_UID`/`SUDO_GID`), so a root-run download does not leave root-owned files in a user's directory.
 *
 * @module
 */

import { File, fileInfo, fileSize, isDirectoryWritable, openFile, removeFile, renameFile } from "../../ffi/fs.ts";
import { currentUids, getEnv } from "../../ffi/process.ts";
import { OsError } from "../../ffi/os_error.ts";

/** A sink for body bytes. */
export interface Output {
  /** The path the user will find the file at (or "-" for standard output). */
  readonly path: string;
  /** Bytes in the output so far (a resumed file counts the bytes it started with). */
  readonly written: number;
  /** Appends bytes. Throws OsError (e.g. ENOSPC). */
  write(bytes: Uint8Array): void;
  /** Completes the file: closes it and renames `.part` to its final name. */
  commit(): void;
  /** Gives up: closes the file and keeps or removes the partial file. */
  abandon(keepPartial: boolean): void;
}

/** The directory part of a path ("." when there is none). @example `directoryOf("a/b.bin") === "a"` */
export function directoryOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/** Where a download's body goes: the final path, and whether the file is written in place (a resumed partial NAME). */
export interface Target {
  /** The final path. */
  readonly path: string;
  /** Written as `path` itself rather than `path.part`. */
  readonly inPlace: boolean;
}

/** The file written while downloading. @example `partName({ path: "a", inPlace: false }) === "a.part"` */
export function partName(target: Target): string {
  return target.inPlace ? target.path : `${target.path}.part`;
}

/** `dir/name` ("." adds nothing). @example `joinPath("d/", "a") === "d/a"` */
export function joinPath(dir: string, name: string): string {
  return dir === "." ? name : `${dir.replace(/\/+$/, "")}/${name}`;
}

/** Fails early (before connecting) when the output directory cannot be written. */
export function checkWritableDirectory(path: string): void {
  const dir = directoryOf(path);
  if (!isDirectoryWritable(dir)) {
    throw new OsError(fileInfo(dir) === null ? 2 : 13, "access", `"${dir}", W_OK`);
  }
}

/**
 * wget's no-clobber rule: `name` if free, else the first free `name.1`, `name.2`, … (a `.part` of a free name may be
 * reused: it is our own leftover).
 *
 * @example
 * ```ts
 * uniqueName("index.html"); // "index.html.1" when index.html exists
 * ```
 */
export function uniqueName(name: string, exists: (path: string) => boolean = (p) => fileInfo(p) !== null): string {
  if (!exists(name)) return name;
  for (let i = 1;; i++) if (!exists(`${name}.${i}`)) return `${name}.${i}`;
}

/**
 * The user who ran `sudo` (`SUDO_UID`/`SUDO_GID`) when we run as root under sudo, else null: files we create are
 * handed to them.
 *
 * @example
 * ```ts
 * sudoOwner(); // { uid: 1000, gid: 1000 } under sudo
 * ```
 */
export function sudoOwner(): { uid: number; gid: number } | null {
  if (currentUids().euid !== 0) return null;
  const uid = Number(getEnv("SUDO_UID") ?? NaN);
  const gid = Number(getEnv("SUDO_GID") ?? NaN);
  return Number.isInteger(uid) && Number.isInteger(gid) && uid > 0 ? { uid, gid } : null;
}

/** How {@linkcode FileOutput} opens its file. */
export interface FileOutputOptions {
  /** Write `path` itself (a partial file being resumed) rather than `path.part`. */
  readonly inPlace?: boolean;
  /** Keep the first `offset` bytes already there and append after them (0: start empty). */
  readonly offset?: number;
}

/** Where a resumed download (`-c`) continues: our own `NAME.part` first, else a partial `NAME` (as wget does). */
export interface ResumePoint {
  /** Write `NAME` itself rather than `NAME.part`. */
  readonly inPlace: boolean;
  /** Bytes already there (0: nothing to resume). */
  readonly offset: number;
}

/**
 * Finds what `-c` can continue for the final path `path`.
 *
 * @example
 * ```ts
 * resumePoint("big.bin"); // { inPlace: false, offset: 1048576 } when big.bin.part holds 1 MiB
 * ```
 */
export function resumePoint(path: string, size: (p: string) => number | null = fileSize): ResumePoint {
  const part = size(`${path}.part`) ?? 0;
  if (part > 0) return { inPlace: false, offset: part };
  return { inPlace: (size(path) ?? 0) > 0, offset: size(path) ?? 0 };
}

/** A file written as `path.part` (or in place) and completed under `path` on commit. */
export class FileOutput implements Output {
  /** The final path. */
  readonly path: string;
  /** The path written while downloading: `path.part`, or `path` when resuming in place. */
  readonly partPath: string;
  readonly #inPlace: boolean;
  #file: File | null;
  #written: number;

  /** Opens the file: truncated, or kept up to `offset` and appended to. */
  constructor(path: string, options: FileOutputOptions = {}) {
    this.path = path;
    this.#inPlace = options.inPlace ?? false;
    this.partPath = this.#inPlace ? path : `${path}.part`;
    const offset = options.offset ?? 0;
    this.#file = openFile(this.partPath, { create: true, truncate: offset === 0, append: true, mode: 0o644 });
    if (offset > 0) this.#file.truncate(offset);
    this.#written = offset;
    const owner = sudoOwner();
    if (owner !== null) this.#file.chown(owner.uid, owner.gid);
  }

  /** Bytes in the file so far. */
  get written(): number {
    return this.#written;
  }

  /** Appends bytes to the file. */
  write(bytes: Uint8Array): void {
    if (this.#file === null) throw new TypeError(`Cannot write to "${this.partPath}": it is closed`);
    this.#file.write(bytes as Uint8Array<ArrayBuffer>);
    this.#written += bytes.length;
  }

  /** Closes the file and renames the part file to the final name. */
  commit(): void {
    this.#file?.close();
    this.#file = null;
    if (!this.#inPlace) renameFile(this.partPath, this.path);
  }

  /** Closes the file; removes an empty or unwanted part file (never a partial file resumed in place). */
  abandon(keepPartial: boolean): void {
    this.#file?.close();
    this.#file = null;
    if (!this.#inPlace && (!keepPartial || this.#written === 0)) removeFile(this.partPath);
  }
}

/** One file that several downloads append to in turn (wget's `-O FILE` with several URLs); {@linkcode close} ends it. */
export class ConcatOutput implements Output {
  /** The path. */
  readonly path: string;
  #file: File | null = null;
  #written = 0;

  /** Remembers the path; the file is created (truncated) on the first write. */
  constructor(path: string) {
    this.path = path;
  }

  /** Bytes written so far, over every download. */
  get written(): number {
    return this.#written;
  }

  /** Appends bytes. */
  write(bytes: Uint8Array): void {
    if (this.#file === null) {
      this.#file = openFile(this.path, { create: true, truncate: true, write: true, mode: 0o644 });
      const owner = sudoOwner();
      if (owner !== null) this.#file.chown(owner.uid, owner.gid);
    }
    this.#file.write(bytes as Uint8Array<ArrayBuffer>);
    this.#written += bytes.length;
  }

  /** One download is done; the file stays open for the next. */
  commit(): void {}

  /** One download failed; what it wrote stays (wget does the same). */
  abandon(): void {}

  /** Closes the file after the last download. */
  close(): void {
    this.#file?.close();
    this.#file = null;
  }
}

/** Standard output (`-O -`). */
export class StdoutOutput implements Output {
  /** Always "-". */
  readonly path = "-";
  #file = new File(1, "standard output");
  #written = 0;

  /** Bytes written so far. */
  get written(): number {
    return this.#written;
  }

  /** Writes to file descriptor 1. */
  write(bytes: Uint8Array): void {
    this.#file.write(bytes as Uint8Array<ArrayBuffer>);
    this.#written += bytes.length;
  }

  /** Nothing to do: standard output stays open. */
  commit(): void {}

  /** Nothing to do. */
  abandon(): void {}
}

/** Opens the sink for `path` ("-" for standard output). */
export function openOutput(path: string, options: FileOutputOptions = {}): Output {
  return path === "-" ? new StdoutOutput() : new FileOutput(path, options);
}
