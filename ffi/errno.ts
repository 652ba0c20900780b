/**
 * Linux x86_64 `errno` numbers and names, and {@linkcode lastErrno} to read the calling thread's `errno`.
 *
 * `lastErrno()` is only meaningful right after a synchronous libc call that failed: a `nonblocking: true` call runs on
 * another thread and leaves this thread's `errno` untouched.
 *
 * @module
 */

import { errnoCell } from "./libc.ts";

/** Operation not permitted. */
export const EPERM = 1;
/** No such file or directory. */
export const ENOENT = 2;
/** No such process. */
export const ESRCH = 3;
/** Interrupted system call. */
export const EINTR = 4;
/** Bad file descriptor. */
export const EBADF = 9;
/** No child processes. */
export const ECHILD = 10;
/** Resource temporarily unavailable (same number as EWOULDBLOCK). */
export const EAGAIN = 11;
/** Permission denied. */
export const EACCES = 13;
/** File exists. */
export const EEXIST = 17;
/** Invalid argument. */
export const EINVAL = 22;
/** No space left on device. */
export const ENOSPC = 28;
/** Protocol error. */
export const EPROTO = 71;
/** Message too long. */
export const EMSGSIZE = 90;
/** Address already in use. */
export const EADDRINUSE = 98;
/** Network is unreachable. */
export const ENETUNREACH = 101;
/** No buffer space available. */
export const ENOBUFS = 105;
/** Transport endpoint is not connected. */
export const ENOTCONN = 107;
/** Connection refused. */
export const ECONNREFUSED = 111;
/** No route to host. */
export const EHOSTUNREACH = 113;

// Index i holds the name of errno i + 1 ("-" marks numbers Linux leaves unused: 41, 58).
const NAMES: readonly string[] = [
  "EPERM ENOENT ESRCH EINTR EIO ENXIO E2BIG ENOEXEC EBADF ECHILD EAGAIN ENOMEM EACCES EFAULT ENOTBLK EBUSY " +
  "EEXIST EXDEV ENODEV ENOTDIR EISDIR EINVAL ENFILE EMFILE ENOTTY ETXTBSY EFBIG ENOSPC ESPIPE EROFS EMLINK " +
  "EPIPE EDOM ERANGE EDEADLK ENAMETOOLONG ENOLCK ENOSYS ENOTEMPTY ELOOP - ENOMSG EIDRM ECHRNG EL2NSYNC EL3HLT " +
  "EL3RST ELNRNG EUNATCH ENOCSI EL2HLT EBADE EBADR EXFULL ENOANO EBADRQC EBADSLT - EBFONT ENOSTR ENODATA ETIME " +
  "ENOSR ENONET ENOPKG EREMOTE ENOLINK EADV ESRMNT ECOMM EPROTO EMULTIHOP EDOTDOT EBADMSG EOVERFLOW ENOTUNIQ " +
  "EBADFD EREMCHG ELIBACC ELIBBAD ELIBSCN ELIBMAX ELIBEXEC EILSEQ ERESTART ESTRPIPE EUSERS ENOTSOCK " +
  "EDESTADDRREQ EMSGSIZE EPROTOTYPE ENOPROTOOPT EPROTONOSUPPORT ESOCKTNOSUPPORT EOPNOTSUPP EPFNOSUPPORT " +
  "EAFNOSUPPORT EADDRINUSE EADDRNOTAVAIL ENETDOWN ENETUNREACH ENETRESET ECONNABORTED ECONNRESET ENOBUFS " +
  "EISCONN ENOTCONN ESHUTDOWN ETOOMANYREFS ETIMEDOUT ECONNREFUSED EHOSTDOWN EHOSTUNREACH EALREADY EINPROGRESS " +
  "ESTALE EUCLEAN ENOTNAM ENAVAIL EISNAM EREMOTEIO EDQUOT ENOMEDIUM EMEDIUMTYPE ECANCELED ENOKEY EKEYEXPIRED " +
  "EKEYREVOKED EKEYREJECTED EOWNERDEAD ENOTRECOVERABLE ERFKILL EHWPOISON",
].join("").split(" ");

/**
 * Returns the symbolic name of an errno number (`"EPERM"`), or `"E<n>"` for an unknown one.
 *
 * @example
 * ```ts
 * errnoName(98); // "EADDRINUSE"
 * ```
 */
export function errnoName(errno: number): string {
  const name = NAMES[errno - 1];
  return name === undefined || name === "-" ? `E${errno}` : name;
}

/**
 * Reads this thread's `errno`. Call it right after the failing synchronous libc call, before any other FFI call.
 *
 * @example
 * ```ts
 * if (libc().close(-1) === -1) console.log(lastErrno()); // 9 (EBADF)
 * ```
 */
export function lastErrno(): number {
  return errnoCell().getInt32(0);
}

/**
 * Whether a failed socket call's errno is one the call cannot return, and so was left by something else between the
 * call and its reading (ENOENT after a failed `recvmmsg`, and after a failed `close`, each failed a CI run under load;
 * its source in the runtime is not pinned down): the caller then asks the kernel again rather than fail the download
 * on a value the kernel never gave. A second such reading is reported as it is.
 *
 * @example
 * ```ts
 * if (strayErrno(errno) && !retried) { retried = true; continue; }
 * ```
 */
export function strayErrno(errno: number): boolean {
  return errno === ENOENT;
}
