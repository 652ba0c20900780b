/**
 * Typed errors for failed libc calls: {@linkcode OsError} (errno + call) and {@linkcode PrivilegeError}.
 *
 * @module
 */

import { errnoName, lastErrno } from "./errno.ts";
import { libc, readCString } from "./libc.ts";

/**
 * Returns the C library's description of an errno number (`"Operation not permitted"`).
 *
 * @example
 * ```ts
 * strerror(1); // "Operation not permitted"
 * ```
 */
export function strerror(errno: number): string {
  return readCString(libc().strerror(errno)) ?? `Unknown error ${errno}`;
}

/**
 * A libc call failed with `errno`.
 *
 * The message reads `EPERM from socket(AF_INET, SOCK_RAW, IPPROTO_RAW): Operation not permitted`.
 *
 * @example
 * ```ts
 * throw new OsError(9, "close", "-1"); // EBADF from close(-1): Bad file descriptor
 * ```
 */
export class OsError extends Error {
  /** The errno number, e.g. 1. */
  readonly errno: number;
  /** The errno name, e.g. `"EPERM"`. */
  readonly code: string;
  /** The libc function that failed, e.g. `"socket"`. */
  readonly call: string;
  /** The arguments as shown in the message, e.g. `"AF_INET, SOCK_RAW, IPPROTO_RAW"`. */
  readonly args: string;

  /** Builds the error; `args` is a human-readable rendering of the call's arguments. */
  constructor(errno: number, call: string, args = "") {
    super(`${errnoName(errno)} from ${call}(${args}): ${strerror(errno)}`);
    this.name = "OsError";
    this.errno = errno;
    this.code = errnoName(errno);
    this.call = call;
    this.args = args;
  }
}

/** The exact sentence a user sees when raw sockets are not allowed. */
export const PRIVILEGE_MESSAGE = "raw sockets need root or CAP_NET_RAW: run with sudo";

/**
 * Opening a raw socket failed with EPERM or EACCES: the process lacks root or CAP_NET_RAW.
 * Its message is exactly {@linkcode PRIVILEGE_MESSAGE}; `errno`, `code` and `call` still say what failed.
 *
 * @example
 * ```ts
 * throw new PrivilegeError(1, "socket", "AF_INET, SOCK_RAW, IPPROTO_RAW");
 * ```
 */
export class PrivilegeError extends OsError {
  /** Builds the error from the errno of the failed call. */
  constructor(errno: number, call: string, args = "") {
    super(errno, call, args);
    this.name = "PrivilegeError";
    this.message = PRIVILEGE_MESSAGE;
  }
}

/**
 * Throws {@linkcode OsError} with this thread's errno when `ret` is negative (libc's -1), else returns it as a number.
 * Call it directly on the result of a synchronous libc call so that errno is still fresh.
 *
 * @example
 * ```ts
 * const fd = check(libc().socket(2, 2, 0), "socket", "AF_INET, SOCK_DGRAM, 0");
 * ```
 */
export function check(ret: number | bigint, call: string, args = ""): number {
  if (ret < 0) throw new OsError(lastErrno(), call, args);
  return Number(ret);
}
