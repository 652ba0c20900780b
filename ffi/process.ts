/**
 * Process facts through libc (no `--allow-env`/`--allow-sys` needed): environment variables, terminals, user ids.
 *
 * @module
 */

import { cString, libc, readCString } from "./libc.ts";

/**
 * Reads an environment variable (getenv), or `undefined` when it is not set.
 *
 * @example
 * ```ts
 * getEnv("SUDO_UID"); // "1000" under sudo
 * ```
 */
export function getEnv(name: string): string | undefined {
  if (name === "" || name.includes("=") || name.includes("\0")) return undefined;
  return readCString(libc().getenv(cString(name)));
}

/**
 * True when `fd` is a terminal (isatty), e.g. to decide whether to draw a progress bar on fd 2.
 *
 * @example
 * ```ts
 * isTerminal(2);
 * ```
 */
export function isTerminal(fd: number): boolean {
  return libc().isatty(fd) === 1;
}

/** Real and effective user and group ids of this process. */
export interface Uids {
  /** Real user id. */
  readonly uid: number;
  /** Effective user id (0 under sudo). */
  readonly euid: number;
  /** Real group id. */
  readonly gid: number;
  /** Effective group id. */
  readonly egid: number;
}

/**
 * The process's user and group ids.
 *
 * @example
 * ```ts
 * currentUids().euid === 0; // running as root
 * ```
 */
export function currentUids(): Uids {
  const c = libc();
  return { uid: c.getuid(), euid: c.geteuid(), gid: c.getgid(), egid: c.getegid() };
}

/**
 * The process id (getpid), e.g. for unique names.
 *
 * @example
 * ```ts
 * getPid();
 * ```
 */
export function getPid(): number {
  return libc().getpid();
}
