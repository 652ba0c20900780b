/**
 * Shared expectations of the simulator tests.
 *
 * @module
 */

import type { Outcome } from "./harness.ts";

/** Null when the whole body arrived byte-exact and the connection closed normally, else what went wrong. */
export function deliveredExactly(size: number): (o: Outcome) => string | null {
  return (o) => {
    if (o.mismatchAt >= 0) return `byte ${o.mismatchAt} differs`;
    if (o.received !== size) return `received ${o.received} of ${size} bytes`;
    if (o.reason !== "normal") return `closed with ${o.reason}`;
    if (o.state !== "CLOSED") return `ended in ${o.state}`;
    return null;
  };
}
