/**
 * How a hop that did not complete ends: the partial output is closed (kept for a resume), what a retry may continue
 * is noted, and the typed error that says why is thrown: the exchange's own, an error status, a refused or silent
 * connection, or one that ended early.
 *
 * @module
 */

import { hostPort, type ParsedUrl } from "../http/mod.ts";
import { type Output, partName, type Target } from "../save/mod.ts";
import {
  ConnectionError,
  icmpWords,
  OUTCOME_MESSAGES,
  type StreamOutcome,
  type StreamSession,
} from "../transport/mod.ts";
import type { ServerStatusError } from "./errors.ts";
import type { HttpExchange } from "./http_exchange.ts";
import type { Carry } from "./hop_types.ts";

/** What {@linkcode failHop} needs to know. */
export interface FailedHop {
  /** The exchange, ended before it completed. */
  readonly exchange: HttpExchange;
  /** How the connection ended. */
  readonly outcome: StreamOutcome;
  /** The session it ran over (its counters tell a handshake that never happened). */
  readonly session: StreamSession;
  /** A shared output (standard output, a concatenation), or null. */
  readonly sink: Output | null;
  /** The file the body went to, or null (no file, or the part file of a download over several connections). */
  readonly target: Target | null;
  /** What the next attempt may continue. */
  readonly carry: Carry;
  /** The error status whose body `--content-on-error` was saving, or null. */
  readonly failedStatus: ServerStatusError | null;
  /** The URL asked for. */
  readonly url: ParsedUrl;
}

/**
 * Closes what the hop wrote and throws why it failed; never returns.
 *
 * @example
 * ```ts
 * await failHop({ exchange, outcome: "reset", session, sink: null, target, carry, failedStatus: null, url });
 * ```
 */
export async function failHop(input: FailedHop): Promise<never> {
  const { exchange, outcome, session, sink } = input;
  const out = exchange.output;
  await out?.abandon(true);
  // A retry may continue with a range only what was saved as sent, in a file of our own; what went to a shared
  // output (standard output, a concatenation) cannot be taken back, so that is not retried at all.
  const target = input.target;
  if (target !== null) input.carry.target = exchange.identity && (out?.written ?? 0) > 0 ? target : null;
  if (out !== null && sink !== null && exchange.written > 0) input.carry.final = true;
  if (input.failedStatus !== null) {
    input.carry.target = null; // an error body cut short is not continued: the status is the failure
    throw exchange.state === "failed" ? exchange.error : input.failedStatus;
  }
  if (exchange.state === "failed") throw exchange.error;
  const url = input.url;
  if (outcome === "refused") {
    throw new ConnectionError(
      outcome,
      `${hostPort(url.host, url.port)} refused the connection (nothing listens there)`,
    );
  }
  const icmp = session.lastIcmp;
  // RFC 1122 §4.2.3.9: the attempt ended on what the path said.
  if (outcome === "unreachable" && icmp !== null) {
    throw new ConnectionError(outcome, `${hostOf(url, icmp.about)} is unreachable: ${icmpWords(icmp)}`);
  }
  // Not a segment came back: the handshake itself timed out (--connect-timeout); a soft ICMP error says why.
  if (outcome === "timeout" && session.tcpStats.segmentsIn === 0) {
    const refused = session.frameCounters.refusedSends;
    const said = icmp !== null
      ? ` (${icmpWords(icmp)})`
      : refused > 0
      ? ` (this host refused to send ${refused} of our frames: a local firewall rule or a missing route)`
      : "";
    throw new ConnectionError(
      outcome,
      `${hostPort(url.host, url.port)} did not answer our connection request (SYN) in time${said}`,
    );
  }
  const where = out === null || sink !== null || target === null
    ? ""
    : ` after ${out.written} bytes (kept in ${partName(target)})`;
  if (exchange.state === "waiting") {
    const before = outcome === "normal"
      ? "The server closed the connection before the response headers arrived"
      : `${OUTCOME_MESSAGES[outcome]} before the response headers arrived`;
    throw new ConnectionError(outcome, before);
  }
  const said = outcome === "timeout" && icmp !== null ? ` (${icmpWords(icmp)})` : "";
  throw new ConnectionError(outcome, `${OUTCOME_MESSAGES[outcome]}${where}${said}`);
}

/** "host (address)" for a name, the address alone for a literal. */
function hostOf(url: ParsedUrl, address: string): string {
  return url.host === address ? address : `${url.host} (${address})`;
}
