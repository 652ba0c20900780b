/**
 * After the drop, before any traffic: may the user we now run as write where the run will write? A run that would
 * fail at its first file says so at once, in one sentence that names the way out, and sends nothing.
 *
 * @module
 */

import { EACCES, EPERM, fileInfo, writeAccessErrno } from "../../ffi/mod.ts";

/** Where a run writes: `-O FILE` (or `-` for standard output), else files named in `-P DIR` (default "."). */
export interface OutputPlaces {
  /** `-O`. */
  readonly output?: string;
  /** `-P`. */
  readonly directory?: string;
  /** `--spider` writes nothing. */
  readonly spider?: boolean;
  /** `--pcap FILE` and `--save-cookies FILE`, written after the drop too. */
  readonly pcap?: string;
  readonly saveCookies?: string;
}

/** The directory part of `path` ("." for a bare name). */
function parentOf(path: string): string {
  return path.includes("/") ? path.slice(0, path.lastIndexOf("/")) || "/" : ".";
}

/** `dir` or its nearest ancestor that exists (-P creates the rest). */
function nearestExisting(dir: string): string {
  while (exists(dir) === false && dir !== "." && dir !== "/") dir = parentOf(dir);
  return dir;
}

/**
 * The place the current user may not write to, or null when every place is writable.
 *
 * @example
 * ```ts
 * unwritablePlace({ directory: "/root/downloads" }); // "/root" when running as nobody
 * ```
 */
export function unwritablePlace(places: OutputPlaces): string | null {
  for (const file of [places.pcap, places.saveCookies]) {
    const place = file === undefined ? null : unwritableFile(file);
    if (place !== null) return place;
  }
  if (places.spider || places.output === "-") return null;
  if (places.output !== undefined) return unwritableFile(places.output);
  const dir = nearestExisting(places.directory ?? ".");
  return denied(dir, true) ? dir : null;
}

/** A named file (or its directory, for a new one) we may not write; a missing directory is the writer's own error. */
function unwritableFile(path: string): string | null {
  if (exists(path) === true) return denied(path, false) ? path : null;
  const dir = parentOf(path);
  return exists(dir) !== false && denied(dir, true) ? dir : null;
}

/** Whether `path` exists; "unknown" when we may not even look (a directory above it we may not enter). */
function exists(path: string): boolean | "unknown" {
  try {
    return fileInfo(path) !== null;
  } catch {
    return "unknown";
  }
}

/** Whether permissions (not a read-only file system, say, which the download reports itself) keep us out. */
function denied(path: string, directory: boolean): boolean {
  const errno = writeAccessErrno(path, directory);
  return errno === EACCES || errno === EPERM;
}

/**
 * The sentence for a run that dropped to `user` and may not write to `place`.
 *
 * @example
 * ```ts
 * cannotWriteMessage("nobody", "/root");
 * ```
 */
export function cannotWriteMessage(user: string, place: string): string {
  return `rawhttpget runs as user ${user} once its sockets are open, and ${user} may not write to '${place}': ` +
    `download where ${user} may write, or pass --user-drop USER or --no-drop-privileges.`;
}
