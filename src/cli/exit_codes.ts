/**
 * Exit statuses, as wget documents them (wget(1), "EXIT STATUS"), plus the shell's convention for signals.
 *
 * @module
 */

/** wget-compatible process exit codes. */
export const ExitCode = {
  /** No problems occurred. */
  Ok: 0,
  /** Generic error code. */
  Generic: 1,
  /** Parse error: for instance, a bad command-line option. */
  Usage: 2,
  /** File I/O error. */
  FileIo: 3,
  /** Network failure. */
  Network: 4,
  /** SSL verification failure. */
  Tls: 5,
  /** Username/password authentication failure. */
  Auth: 6,
  /** Protocol errors. */
  Protocol: 7,
  /** The server issued an error response. */
  ServerError: 8,
  /** Interrupted by SIGINT (128 + 2). */
  Interrupted: 130,
  /** Terminated by SIGTERM (128 + 15). */
  Terminated: 143,
} as const;

/** One of the exit codes above. */
export type ExitCodeValue = typeof ExitCode[keyof typeof ExitCode];

/**
 * The code of a run of several downloads, from the worst so far and the next one. wget: "with the exceptions of 0
 * and 1, the lower-numbered exit codes take precedence".
 *
 * @example
 * ```ts
 * combineExitCodes(ExitCode.ServerError, ExitCode.Network); // 4
 * ```
 */
export function combineExitCodes(a: number, b: number): number {
  if (a === ExitCode.Ok || a === ExitCode.Generic) return b === ExitCode.Ok ? a : b;
  return b === ExitCode.Ok || b === ExitCode.Generic ? a : Math.min(a, b);
}
