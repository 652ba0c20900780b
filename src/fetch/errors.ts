/**
 * Errors of a download that are neither the OS's, the wire's, HTTP's nor the transport's own, and which failures are
 * worth another attempt.
 *
 * @module
 */

import { HttpError } from "../http/mod.ts";
import { ConnectionError } from "../transport/mod.ts";

/** The server answered with a status that is not a success (wget's exit code 8). */
export class ServerStatusError extends Error {
  /** The status code, e.g. 404. */
  readonly status: number;

  /** Builds the error from the status line. */
  constructor(status: number, reason: string) {
    super(`The server answered ${status}${reason ? ` ${reason}` : ""}`);
    this.name = "ServerStatusError";
    this.status = status;
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

/** A response that does not fit the byte range asked for (wget's exit code 7, a protocol error). */
export class RangeMismatchError extends Error {
  /** Builds the error with a sentence for the user. */
  constructor(message: string) {
    super(message);
    this.name = "RangeMismatchError";
  }
}

/**
 * Failures worth another attempt: the network's (a timeout, a reset, a connection closed early). A refused connection,
 * an interrupt and HTTP errors are final (wget does not retry them either).
 *
 * @example
 * ```ts
 * retryable(new ConnectionError("timeout", "The server stopped answering")); // true
 * ```
 */
export function retryable(e: unknown): boolean {
  if (e instanceof ConnectionError) return e.reason !== "refused" && e.reason !== "interrupted";
  return e instanceof HttpError && (e.reason === "truncated-body" || e.reason === "truncated-head");
}
