/**
 * Errors of a download that are neither the OS's, the wire's nor HTTP's own.
 *
 * @module
 */

import { HttpError } from "../http/errors.ts";
import type { DriverOutcome } from "./driver.ts";

/** The TCP connection ended before the response was complete. */
export class ConnectionError extends Error {
  /** How the connection ended. */
  readonly reason: DriverOutcome;

  /** Builds the error with a sentence for the user. */
  constructor(reason: DriverOutcome, message: string) {
    super(message);
    this.name = "ConnectionError";
    this.reason = reason;
  }
}

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

/** The sentence for each way a connection can end before its response was complete. */
export const OUTCOME_MESSAGES: Readonly<Record<DriverOutcome, string>> = {
  normal: "The server closed the connection before the response was complete",
  reset: "The server reset the connection",
  refused: "The server refused the connection",
  timeout: "The server stopped answering",
  aborted: "The connection was aborted",
  interrupted: "The download was interrupted",
  stopped: "The download was stopped",
};

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
