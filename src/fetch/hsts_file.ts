/**
 * wget's HSTS database on disk (`--hsts-file`, by default `~/.wget-hsts`): read once before the first download,
 * written back at the end when it changed, as wget does, through ffi/ (the program has only `--allow-ffi`).
 *
 * - A missing file is an empty store; one that is not a regular file, or that anyone may write, is not used at all
 *   (wget's "Will not apply HSTS" refusal: a file others can write could pin or unpin hosts for us).
 * - Saving re-reads the file when another process changed it since it was loaded and merges (see
 *   {@linkcode HstsStore.merge}), then rewrites it in place; nothing is written when no entry is left (wget's
 *   quirk). A new file in a directory of the user who ran `sudo` is handed to that user, as downloads are.
 *
 * @module
 */

import { chown, type File, fileInfo, openFile, readFileBytes } from "../../ffi/mod.ts";
import { formatHstsFile, HstsStore, parseHstsFile } from "./hsts.ts";

/** The permission bit that lets anyone write a file. */
const S_IWOTH = 0o002;

/** A store and the file it came from. */
export interface HstsDatabase {
  /** The entries in memory. */
  readonly store: HstsStore;
  /** The file's path. */
  readonly path: string;
  /** The file's modification time when it was read (seconds), 0 when it did not exist. */
  readonly loadedMtime: number;
  /** The file, opened for writing before the process dropped root (see {@linkcode holdHstsFile}). */
  readonly held?: File;
}

/**
 * Opens the database's existing file for writing now, so that it can be written back after this process dropped
 * root (a root-owned `~/.wget-hsts`, as wget run by root or under sudo keeps it). A file that does not exist, or
 * that cannot be opened, is left to `saveHstsDatabase` by its path.
 *
 * @example
 * ```ts
 * const db = holdHstsFile(openHstsDatabase(path, warn)!);
 * ```
 */
export function holdHstsFile(db: HstsDatabase): HstsDatabase {
  if (db.loadedMtime === 0) return db;
  try {
    return { ...db, held: openFile(db.path, { write: true }) };
  } catch {
    return db;
  }
}

/**
 * Opens the HSTS database at `path`, or null (after telling `warn` why, in wget's words) when HSTS is off for this
 * run: no path (no home directory), a file that is not regular or is world-writable, or one that cannot be read.
 *
 * @example
 * ```ts
 * const db = openHstsDatabase(`${home}/.wget-hsts`, console.error);
 * ```
 */
export function openHstsDatabase(path: string | null, warn: (message: string) => void): HstsDatabase | null {
  if (path === null) {
    warn("ERROR: could not open HSTS store. HSTS will be disabled.");
    return null;
  }
  try {
    const info = fileInfo(path);
    if (info === null) return { store: new HstsStore(), path, loadedMtime: 0 };
    if (!info.isFile || (info.mode & S_IWOTH) !== 0) {
      warn("Will not apply HSTS. The HSTS database must be a regular and non-world-writable file.");
      return null;
    }
    const entries = parseHstsFile(new TextDecoder().decode(readFileBytes(path)));
    return { store: new HstsStore(entries), path, loadedMtime: info.mtime };
  } catch {
    warn(`ERROR: could not open HSTS store at '${path}'. HSTS will be disabled.`);
    return null;
  }
}

/**
 * Writes the database back when the store changed and holds an entry; `owner` (the sudo user) gets a file this call
 * creates in a directory of theirs. A failure is told to `warn` and is not an error of the downloads (wget says
 * nothing at all).
 *
 * @example
 * ```ts
 * saveHstsDatabase(db, console.error, sudoOwner());
 * ```
 */
export function saveHstsDatabase(
  db: HstsDatabase,
  warn: (message: string) => void,
  owner: { uid: number; gid: number } | null = null,
): void {
  const { store, path } = db;
  if (!store.changed || store.entries().length === 0) {
    db.held?.close();
    return;
  }
  if (db.held !== undefined) {
    // Held since before the drop: rewritten in place. The merge with another process's changes reads the file by its
    // path, which the user we now run as may not, so it is left out here.
    try {
      db.held.truncate(0);
      db.held.pwrite(new TextEncoder().encode(formatHstsFile(store.entries())), 0);
    } catch (e) {
      warn(`Cannot save the HSTS database '${path}': ${(e as Error).message}`);
    } finally {
      db.held.close();
    }
    return;
  }
  try {
    const info = fileInfo(path);
    if (info !== null && db.loadedMtime !== 0 && info.mtime > db.loadedMtime) {
      store.merge(parseHstsFile(new TextDecoder().decode(readFileBytes(path))));
    }
    const file = openFile(path, { create: true, write: true, truncate: true, mode: 0o666 });
    try {
      file.write(new TextEncoder().encode(formatHstsFile(store.entries())));
    } finally {
      file.close();
    }
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) || "/" : ".";
    if (info === null && owner !== null && fileInfo(dir)?.uid === owner.uid) chown(path, owner.uid, owner.gid);
  } catch (e) {
    warn(`Cannot save the HSTS database '${path}': ${(e as Error).message}`);
  }
}
