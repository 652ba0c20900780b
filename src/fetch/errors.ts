/**
 * Errors of a download that are neither the OS's, the wire's, HTTP's nor the transport's own, and which failures are
 * worth another attempt.
 *
 * @module
 */

import { HttpError } from "../http/mod.ts";
import { ConnectionError } from "../transport/mod.ts";

/**
 * Error statuses that say the failure may pass: retried like a network failure, and a network failure (exit 4) once
 * the tries are spent. wget 1.21 treats only 504 Gateway Timeout so; 500, 502 and 503 are final there (exit 8).
 */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([504]);

/** The server answered with a status that is not a success (wget's exit code 8; 4 for a transient status). */
export class ServerStatusError extends Error {
  /** The status code, e.g. 404. */
  readonly status: number;

  /** Builds the error from the status line. */
  constructor(status: number, reason: string) {
    super(`The server answered ${status}${reason ? ` ${reason}` : ""}`);
    this.name = "ServerStatusError";
    this.status = status;
  }

  /** Whether another attempt may succeed (see {@linkcode TRANSIENT_STATUSES}). */
  get transient(): boolean {
    return TRANSIENT_STATUSES.has(this.status);
  }
}

/**
 * An error status whose body `--content-on-error` saved: the download still fails, and for good (wget 1.21 retries
 * nothing then, a 504 included, and exits 8).
 */
export class SavedErrorStatus extends ServerStatusError {
  /** Where the body was saved ("-" for standard output). */
  readonly path: string;

  /** Builds the error from the status line and the file the body went to. */
  constructor(status: number, reason: string, path: string) {
    super(status, reason);
    this.name = "SavedErrorStatus";
    this.message += path === "-" ? "" : `; its body is saved in '${path}'`;
    this.path = path;
  }

  /** Never: the body is saved, so another attempt could not improve on it. */
  override get transient(): boolean {
    return false;
  }
}

/** The file of `--body-file` or `--post-file` cannot be read (wget's exit code 3): nothing was sent to the server. */
export class BodyFileError extends Error {
  /** The file as given. */
  readonly path: string;

  /** Builds the error from the path and what libc said. */
  constructor(path: string, reason: string) {
    super(`Cannot read the body file '${path}': ${reason}`);
    this.name = "BodyFileError";
    this.path = path;
  }
}

/** Why redirects were not followed to the end. */
export type RedirectFailure = "limit" | "loop" | "scheme" | "no-location";

/** A redirect chain that cannot be followed (wget's exit code 8, like a server error response). */
export class RedirectError extends Error {
  /** The machine-readable cause. */
  readonly reason: RedirectFailure;

  /** Builds the error with a sentence for the user. */
  constructor(reason: RedirectFailure, message: string) {
    super(message);
    this.name = "RedirectError";
    this.reason = reason;
  }
}

/**
 * A 206 response that does not continue the file where the range asked (wget retries it, and exits 4 once the tries
 * are spent); the file is kept as it was.
 */
export class RangeMismatchError extends Error {
  /** Builds the error with a sentence for the user. */
  constructor(message: string) {
    super(message);
    this.name = "RangeMismatchError";
  }
}

/**
 * The server's file is no longer the version whose parts were being fetched over several connections (a part's
 * `If-Range` failed, or its size or ETag changed): the download stops rather than mix two versions in one file. Not
 * retried: the new version is another download (exit 8, as for an error response).
 */
export class FileChangedError extends Error {
  /** What the server said, e.g. "answered a request for a part with the whole file…". */
  readonly detail: string;

  /** `detail` completes "the server …"; `outcome` says what became of the partial file. */
  constructor(detail: string, outcome = "") {
    super(`The file changed on the server during the download: the server ${detail}${outcome}`);
    this.name = "FileChangedError";
    this.detail = detail;
  }
}

/**
 * Failures worth another attempt, as wget 1.21 judges them: the network's (a timeout, a reset, a connection closed
 * early), a transient status (504) and a 206 for the wrong range. A refused connection, an unreachable host (wget's
 * EHOSTUNREACH/ENETUNREACH, here an ICMP error), an interrupt, other error statuses and other HTTP errors are final.
 *
 * @example
 * ```ts
 * retryable(new ConnectionError("timeout", "The server stopped answering")); // true
 * retryable(new ServerStatusError(504, "Gateway Timeout")); // true
 * ```
 */
export function retryable(e: unknown): boolean {
  if (e instanceof ConnectionError) {
    return e.reason !== "refused" && e.reason !== "unreachable" && e.reason !== "interrupted";
  }
  if (e instanceof ServerStatusError) return e.transient;
  if (e instanceof RangeMismatchError) return true;
  return e instanceof HttpError && (e.reason === "truncated-body" || e.reason === "truncated-head");
}
