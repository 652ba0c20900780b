/**
 * Where a download is saved: the final name (derived from the URL inside `-P DIR`, or `-O FILE`), wget's
 * no-clobber rule, the `NAME.part` file written while downloading, and what `-c` can continue.
 *
 * @module
 */

import { fileInfo, fileSize, isDirectoryWritable, OsError } from "../../ffi/mod.ts";

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

/**
 * Whether `path` is a device or a pipe (`-O /dev/null`, `-O /dev/stdout`, a FIFO): such a file is written as it is,
 * as wget writes it, never through a `NAME.part` beside it that would then be renamed over it (as root, over
 * /dev/null itself).
 *
 * @example `isSpecialFile("/dev/null") === true`
 */
export function isSpecialFile(path: string): boolean {
  try {
    const info = fileInfo(path);
    return info !== null && !info.isFile && !info.isDirectory;
  } catch {
    return false; // we may not even look: the opening says why
  }
}

/** Fails early (before connecting) when the output directory cannot be written (a device is written in place). */
export function checkWritableDirectory(path: string): void {
  if (isSpecialFile(path)) return;
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
