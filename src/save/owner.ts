/**
 * Who owns what we create: under sudo, files and directories are handed to the invoking user (`SUDO_UID`/
 * `SUDO_GID`), so a root-run download does not leave root-owned files in a user's directory.
 *
 * @module
 */

import { chown, currentUids, fileInfo, getEnv, mkdirp } from "../../ffi/mod.ts";

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

/**
 * `-P DIR`: created (with its parents) if missing, and handed to the sudo user like the files in it.
 *
 * @example
 * ```ts
 * prepareDirectory("downloads/today");
 * ```
 */
export function prepareDirectory(dir: string): void {
  if (fileInfo(dir)?.isDirectory) return;
  mkdirp(dir);
  const owner = sudoOwner();
  if (owner !== null) chown(dir, owner.uid, owner.gid);
}
