/**
 * Where a download's bytes go: `NAME.part` while it runs, renamed to `NAME` only on success; or standard output.
 *
 * Files are written through libc (the program has only `--allow-ffi`). Under sudo they are handed to the invoking
 * user (`SUDO_UID`/`SUDO_GID`), so a root-run download does not leave root-owned files in a user's directory.
 *
 * @module
 */

import { File, fileInfo, isDirectoryWritable, openFile, removeFile, renameFile } from "../../ffi/fs.ts";
import { currentUids, getEnv } from "../../ffi/process.ts";
import { OsError } from "../../ffi/os_error.ts";

/** A sink for body bytes. */
export interface Output {
  /** The path the user will find the file at (or "-" for standard output). */
  readonly path: string;
  /** Bytes written so far. */
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

function sudoOwner(): { uid: number; gid: number } | null {
  if (currentUids().euid !== 0) return null;
  const uid = Number(getEnv("SUDO_UID") ?? NaN);
  const gid = Number(getEnv("SUDO_GID") ?? NaN);
  return Number.isInteger(uid) && Number.isInteger(gid) && uid > 0 ? { uid, gid } : null;
}

/** A file written as `path.part` and renamed to `path` on commit. */
export class FileOutput implements Output {
  /** The final path. */
  readonly path: string;
  /** The temporary path written while downloading. */
  readonly partPath: string;
  #file: File | null;
  #written = 0;

  /** Creates (truncating) `path.part`. */
  constructor(path: string) {
    this.path = path;
    this.partPath = `${path}.part`;
    this.#file = openFile(this.partPath, { create: true, truncate: true, write: true, mode: 0o644 });
    const owner = sudoOwner();
    if (owner !== null) this.#file.chown(owner.uid, owner.gid);
  }

  /** Bytes written so far. */
  get written(): number {
    return this.#written;
  }

  /** Appends bytes to the part file. */
  write(bytes: Uint8Array): void {
    if (this.#file === null) throw new TypeError(`Cannot write to "${this.partPath}": it is closed`);
    this.#file.write(bytes as Uint8Array<ArrayBuffer>);
    this.#written += bytes.length;
  }

  /** Closes and renames the part file to the final name. */
  commit(): void {
    this.#file?.close();
    this.#file = null;
    renameFile(this.partPath, this.path);
  }

  /** Closes the part file; removes it unless `keepPartial`. */
  abandon(keepPartial: boolean): void {
    this.#file?.close();
    this.#file = null;
    if (!keepPartial || this.#written === 0) removeFile(this.partPath);
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
export function openOutput(path: string): Output {
  return path === "-" ? new StdoutOutput() : new FileOutput(path);
}
