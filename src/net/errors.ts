/**
 * Errors of a download that are neither the OS's, the wire's nor HTTP's own.
 *
 * @module
 */

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
