/**
 * Files, environment and process identity through libc, so that the program needs no permission but `--allow-ffi`.
 * Paths and names are passed to C as NUL-terminated UTF-8.
 *
 * @module
 */

import { concatBytes } from "./_bytes.ts";
import { EAGAIN, EEXIST, EINTR, ENOENT, lastErrno } from "./errno.ts";
import { cString, libc } from "./libc.ts";
import { check, OsError } from "./os_error.ts";
import { POLLOUT, waitFor } from "./poll.ts";

const O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_TRUNC = 0x200, O_APPEND = 0x400;
const O_CLOEXEC = 0x80000;
const W_OK = 2, X_OK = 1;
// struct stat (x86_64): st_mode u32 at 24, st_uid at 28, st_gid at 32, st_size i64 at 48, st_mtim.tv_sec i64 at 88;
// 144 bytes.
const STAT_LEN = 144;
const S_IFMT = 0o170000, S_IFDIR = 0o040000, S_IFREG = 0o100000;
// utimensat(2): relative paths from the working directory; a tv_nsec that means "the current time".
const AT_FDCWD = -100, UTIME_NOW = 0x3fffffff;
const DIRENT_NAME_OFFSET = 19;

/** How {@linkcode openFile} opens a file (like `open(2)` flags). Without `write`/`append` the file is read-only. */
export interface OpenOptions {
  /** Create the file if missing (O_CREAT). */
  readonly create?: boolean;
  /** With `create`, fail with EEXIST if it exists (O_EXCL). */
  readonly exclusive?: boolean;
  /** Cut the file to 0 bytes (O_TRUNC). */
  readonly truncate?: boolean;
  /** Every write goes to the end (O_APPEND); implies `write`. */
  readonly append?: boolean;
  /** Open for writing. */
  readonly write?: boolean;
  /** Open for reading too (with `write`: O_RDWR). */
  readonly read?: boolean;
  /** Permission bits for a created file, before the umask; 0o644 by default. */
  readonly mode?: number;
}

/** An open file descriptor with synchronous, loop-until-done I/O. Every failure throws OsError. */
export class File {
  /** The file descriptor (-1 once closed). */
  fd: number;
  /** The path it was opened with (for messages). */
  readonly path: string;

  /** Wraps an open descriptor; use {@linkcode openFile}. */
  constructor(fd: number, path: string) {
    this.fd = fd;
    this.path = path;
  }

  /** Writes all of `bytes` at the current offset, looping on short writes; ENOSPC and others throw OsError. */
  write(bytes: Uint8Array<ArrayBuffer>): void {
    let done = 0;
    while (done < bytes.length) {
      const chunk = done === 0 ? bytes : bytes.subarray(done);
      const n = libc().write(this.fd, chunk, BigInt(chunk.length));
      if (n < 0n) {
        if (lastErrno() === EINTR) continue;
        throw new OsError(lastErrno(), "write", `"${this.path}", ${chunk.length} bytes`);
      }
      done += Number(n);
    }
  }

  /**
   * Writes all of `bytes` at the current offset on a worker thread (a `nonblocking` FFI call), looping on short
   * writes, so that a slow disk or a slow reader of a pipe does not stall the event loop. Each call costs ~33 µs:
   * for chunks of a megabyte or so, not for small pieces. `bytes` must stay untouched until the promise settles.
   *
   * errno is not readable after a nonblocking call (it ran on another thread), so when one fails the remainder is
   * written again with the synchronous `write`, whose errno is this thread's: the same error (ENOSPC, EIO, EPIPE…)
   * comes back and is thrown as OsError like {@linkcode File.write}'s; a passing one (EINTR) just goes on; EAGAIN (a
   * non-blocking pipe that is full) waits in `poll` until it has room.
   *
   * @example
   * ```ts
   * await openFile("out.bin", { create: true, truncate: true, write: true }).writeAsync(chunk);
   * ```
   */
  async writeAsync(bytes: Uint8Array<ArrayBuffer>): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const chunk = done === 0 ? bytes : bytes.subarray(done);
      const n = await libc().write_async(this.fd, chunk, BigInt(chunk.length));
      if (n > 0n) {
        done += Number(n);
        continue;
      }
      const again = libc().write(this.fd, chunk, BigInt(chunk.length));
      if (again >= 0n) {
        done += Number(again);
        continue;
      }
      const errno = lastErrno();
      if (errno === EINTR) continue;
      if (errno === EAGAIN) await waitFor(this.fd, POLLOUT, -1);
      else throw new OsError(errno, "write", `"${this.path}", ${chunk.length} bytes`);
    }
  }

  /** Writes all of `bytes` at byte `offset` without moving the file offset (pwrite), looping on short writes. */
  pwrite(bytes: Uint8Array<ArrayBuffer>, offset: number): void {
    let done = 0;
    while (done < bytes.length) {
      const chunk = done === 0 ? bytes : bytes.subarray(done);
      const n = libc().pwrite(this.fd, chunk, BigInt(chunk.length), BigInt(offset + done));
      if (n < 0n) {
        if (lastErrno() === EINTR) continue;
        throw new OsError(lastErrno(), "pwrite", `"${this.path}", ${chunk.length} bytes at ${offset + done}`);
      }
      done += Number(n);
    }
  }

  /**
   * Writes all of `bytes` at byte `offset` on a worker thread (a `nonblocking` FFI call) without moving the file
   * offset, looping on short writes: {@linkcode File.writeAsync} for a file written at many offsets at once (one
   * descriptor, several ranges of a download). A failure is asked again with the synchronous `pwrite`, whose errno is
   * this thread's, and thrown as OsError; a passing one (EINTR) just goes on. `bytes` must stay untouched until the
   * promise settles.
   *
   * @example
   * ```ts
   * await openFile("out.bin.part", { create: true, write: true }).pwriteAsync(chunk, 1048576);
   * ```
   */
  async pwriteAsync(bytes: Uint8Array<ArrayBuffer>, offset: number): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const chunk = done === 0 ? bytes : bytes.subarray(done);
      const at = BigInt(offset + done);
      const n = await libc().pwrite_async(this.fd, chunk, BigInt(chunk.length), at);
      if (n > 0n) {
        done += Number(n);
        continue;
      }
      const again = libc().pwrite(this.fd, chunk, BigInt(chunk.length), at);
      if (again >= 0n) {
        done += Number(again);
        continue;
      }
      const errno = lastErrno();
      if (errno !== EINTR) throw new OsError(errno, "pwrite", `"${this.path}", ${chunk.length} bytes at ${at}`);
    }
  }

  /** Reads up to `buf.length` bytes at the current offset; returns the count, 0 at end of file. */
  read(buf: Uint8Array<ArrayBuffer>): number {
    for (;;) {
      const n = libc().read(this.fd, buf, BigInt(buf.length));
      if (n >= 0n) return Number(n);
      if (lastErrno() !== EINTR) throw new OsError(lastErrno(), "read", `"${this.path}"`);
    }
  }

  /** The file's size in bytes (fstat). */
  size(): number {
    const st = new Uint8Array(STAT_LEN);
    check(libc().fstat(this.fd, st), "fstat", `"${this.path}"`);
    return Number(new DataView(st.buffer).getBigInt64(48, true));
  }

  /** Sets the file's size (ftruncate). */
  truncate(size: number): void {
    check(libc().ftruncate(this.fd, BigInt(size)), "ftruncate", `"${this.path}", ${size}`);
  }

  /** Flushes the file to the disk (fsync). */
  sync(): void {
    check(libc().fsync(this.fd), "fsync", `"${this.path}"`);
  }

  /** Gives the file to `uid:gid` (fchown). */
  chown(uid: number, gid: number): void {
    check(libc().fchown(this.fd, uid, gid), "fchown", `"${this.path}", ${uid}, ${gid}`);
  }

  /** Closes the descriptor; calling it twice is harmless. */
  close(): void {
    if (this.fd >= 0) libc().close(this.fd);
    this.fd = -1;
  }
}

/**
 * Opens `path` with open(2). Throws OsError (ENOENT, EEXIST, EACCES…).
 *
 * @example
 * ```ts
 * const f = openFile("out.bin", { create: true, truncate: true, write: true });
 * f.write(bytes);
 * f.close();
 * ```
 */
export function openFile(path: string, opts: OpenOptions = {}): File {
  const writing = opts.write === true || opts.append === true;
  let flags = O_CLOEXEC | (writing ? (opts.read ? O_RDWR : O_WRONLY) : O_RDONLY);
  if (opts.create) flags |= O_CREAT;
  if (opts.exclusive) flags |= O_EXCL;
  if (opts.truncate) flags |= O_TRUNC;
  if (opts.append) flags |= O_APPEND;
  const mode = opts.mode ?? 0o644;
  const fd = check(libc().open(cString(path), flags, mode), "open", `"${path}", 0x${flags.toString(16)}`);
  return new File(fd, path);
}

/**
 * Reads a whole (small) file, e.g. under /proc. Throws OsError.
 *
 * @example
 * ```ts
 * readFileBytes("/proc/sys/net/ipv4/ip_local_port_range");
 * ```
 */
export function readFileBytes(path: string): Uint8Array<ArrayBuffer> {
  const f = openFile(path);
  try {
    return readToEnd(f);
  } finally {
    f.close();
  }
}

function readToEnd(f: File): Uint8Array<ArrayBuffer> {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  for (;;) {
    const buf = new Uint8Array(65536);
    const n = f.read(buf);
    if (n === 0) break;
    chunks.push(buf.subarray(0, n));
  }
  return concatBytes(chunks);
}

/**
 * Reads standard input to its end through fd 0 itself: `/dev/stdin` goes through `/proc/self/fd`, which a process
 * that changed its user ids (and so is no longer dumpable) may not open.
 *
 * @example
 * ```ts
 * const text = new TextDecoder().decode(readStandardInput());
 * ```
 */
export function readStandardInput(): Uint8Array<ArrayBuffer> {
  return readToEnd(new File(0, "standard input"));
}

/**
 * Renames `from` to `to`, replacing `to` atomically if it exists (rename(2)).
 *
 * @example
 * ```ts
 * renameFile("out.bin.part", "out.bin");
 * ```
 */
export function renameFile(from: string, to: string): void {
  check(libc().rename(cString(from), cString(to)), "rename", `"${from}", "${to}"`);
}

/**
 * Deletes a file (unlink(2)); returns false if it did not exist.
 *
 * @example
 * ```ts
 * removeFile("out.bin.part");
 * ```
 */
export function removeFile(path: string): boolean {
  if (libc().unlink(cString(path)) === 0) return true;
  const errno = lastErrno();
  if (errno === ENOENT) return false;
  throw new OsError(errno, "unlink", `"${path}"`);
}

/**
 * Changes the owner of a path or an open descriptor (chown(2) / fchown(2)).
 *
 * @example
 * ```ts
 * chown("out.bin", 1000, 1000);
 * ```
 */
export function chown(target: string | number, uid: number, gid: number): void {
  if (typeof target === "number") {
    check(libc().fchown(target, uid, gid), "fchown", `${target}, ${uid}, ${gid}`);
  } else {
    check(libc().chown(cString(target), uid, gid), "chown", `"${target}", ${uid}, ${gid}`);
  }
}

/** What {@linkcode fileInfo} reports about a path. */
export interface FileInfo {
  /** Size in bytes. */
  readonly size: number;
  /** True for a directory. */
  readonly isDirectory: boolean;
  /** True for a regular file. */
  readonly isFile: boolean;
  /** Owner user id. */
  readonly uid: number;
  /** Owner group id. */
  readonly gid: number;
  /** Last modification, whole seconds since the epoch (`st_mtime`). */
  readonly mtime: number;
  /** `st_mode`: the file type and permission bits (e.g. `0o100644` for a regular file). */
  readonly mode: number;
}

/**
 * stat(2) of a path (following symlinks), or null when it does not exist.
 *
 * @example
 * ```ts
 * fileInfo("out.bin")?.size;
 * ```
 */
export function fileInfo(path: string): FileInfo | null {
  const st = new Uint8Array(STAT_LEN);
  if (libc().stat(cString(path), st) !== 0) {
    const errno = lastErrno();
    if (errno === ENOENT) return null;
    throw new OsError(errno, "stat", `"${path}"`);
  }
  const v = new DataView(st.buffer);
  return {
    size: Number(v.getBigInt64(48, true)),
    isDirectory: (v.getUint32(24, true) & S_IFMT) === S_IFDIR,
    isFile: (v.getUint32(24, true) & S_IFMT) === S_IFREG,
    uid: v.getUint32(28, true),
    gid: v.getUint32(32, true),
    mtime: Number(v.getBigInt64(88, true)),
    mode: v.getUint32(24, true),
  };
}

/**
 * The size of a file in bytes, or null when it does not exist (for resuming a partial download).
 *
 * @example
 * ```ts
 * fileSize("out.bin.part"); // null
 * ```
 */
export function fileSize(path: string): number | null {
  return fileInfo(path)?.size ?? null;
}

/**
 * Sets a file's modification time to `mtime` (whole seconds since the epoch) and its access time to now, as
 * `touch -m -d` would (utimensat(2), following symlinks). Throws OsError.
 *
 * @example
 * ```ts
 * setModificationTime("out.bin", 1577934245); // Thu, 02 Jan 2020 03:04:05 GMT
 * ```
 */
export function setModificationTime(path: string, mtime: number): void {
  if (!Number.isSafeInteger(mtime)) throw new RangeError(`Cannot set the time of "${path}" to ${mtime}`);
  const times = new BigInt64Array([0n, BigInt(UTIME_NOW), BigInt(mtime), 0n]);
  const bytes = new Uint8Array(times.buffer);
  check(libc().utimensat(AT_FDCWD, cString(path), bytes, 0), "utimensat", `"${path}", ${mtime}`);
}

/**
 * The names in a directory (opendir(3)/readdir(3)), without "." and "..", in the order readdir gives them. Throws
 * OsError when the directory cannot be opened (ENOENT, ENOTDIR, EACCES…).
 *
 * @example
 * ```ts
 * listDirectory("/etc/ssl/certs").filter((name) => name.endsWith(".pem"));
 * ```
 */
export function listDirectory(dir: string): string[] {
  const handle = libc().opendir(cString(dir));
  if (handle === null) throw new OsError(lastErrno(), "opendir", `"${dir}"`);
  const names: string[] = [];
  try {
    for (let entry = libc().readdir(handle); entry !== null; entry = libc().readdir(handle)) {
      // struct dirent (x86_64 glibc): d_ino u64, d_off i64, d_reclen u16, d_type u8, then d_name at 19.
      const name = Deno.UnsafePointerView.getCString(entry, DIRENT_NAME_OFFSET);
      if (name !== "." && name !== "..") names.push(name);
    }
  } finally {
    libc().closedir(handle);
  }
  return names;
}

/**
 * True when this process may create files in `dir` (access(2) with W_OK|X_OK; root passes unless read-only).
 *
 * @example
 * ```ts
 * isDirectoryWritable(".");
 * ```
 */
export function isDirectoryWritable(dir: string): boolean {
  return libc().access(cString(dir), W_OK | X_OK) === 0;
}

/**
 * Why this process may not write into `path` (access(2): W_OK, and X_OK for a directory), as an errno; 0 when it may.
 *
 * @example
 * ```ts
 * writeAccessErrno("/root", true); // EACCES (13) for nobody
 * ```
 */
export function writeAccessErrno(path: string, directory: boolean): number {
  return libc().access(cString(path), directory ? W_OK | X_OK : W_OK) === 0 ? 0 : lastErrno();
}

/**
 * Creates a directory and its missing parents (like `mkdir -p`).
 *
 * @example
 * ```ts
 * mkdirp("downloads/today", 0o755);
 * ```
 */
export function mkdirp(dir: string, mode = 0o755): void {
  const parts = dir.split("/");
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join("/");
    if (prefix === "" || prefix === "." || prefix === "..") continue;
    if (libc().mkdir(cString(prefix), mode) !== 0) {
      const errno = lastErrno();
      if (errno !== EEXIST) throw new OsError(errno, "mkdir", `"${prefix}"`);
    }
  }
  if (!fileInfo(dir)?.isDirectory) throw new OsError(EEXIST, "mkdir", `"${dir}"`);
}
