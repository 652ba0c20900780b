/**
 * What the path says back: ICMP errors about our segments (RFC 1122 §4.2.3.9, RFC 5461), checked against what we
 * sent (RFC 5927 §4.1), the path MTU they teach (RFC 1191), and the black-hole fallback for a path whose ICMP never
 * reaches us (RFC 4821 §7.5 ideas: a full-sized segment lost to repeated timeouts is resent smaller).
 *
 * @module
 */

import { type IcmpVerdict, seqDiff, type SeqNumber } from "../wire/mod.ts";
import { isSynchronized } from "./states.ts";
import { type Tcb, TS_OPTION_LEN } from "./tcb.ts";

/** An ICMP error about one of our segments, as the engine needs it (the driver has matched the 4-tuple). */
export interface IcmpNotice {
  /** What the error means to TCP (`icmpVerdict`). */
  readonly verdict: IcmpVerdict;
  /** The quoted segment's sequence number. */
  readonly seq: SeqNumber;
  /** A "fragmentation needed" message's next-hop MTU (0: the router did not say). */
  readonly mtu: number;
  /** The quoted datagram's total length: what did not fit, when the router did not say what would. */
  readonly quotedLength: number;
}

/**
 * What the engine made of an ICMP error: "ignored" (it quotes no segment in flight: stale, or forged by someone who
 * cannot see our traffic), "ended" (the connection attempt is over), "mss-lowered" (resending smaller), "noted"
 * (believed, but nothing to change: said if the connection later times out).
 */
export type IcmpOutcome = "ignored" | "ended" | "mss-lowered" | "noted";

/** The smallest IPv4 datagram every host must accept (RFC 791): the default `minPathMtu`. */
export const MIN_PATH_MTU = 576;
/** The TCP fixed header. */
const TCP_HEADER = 20;

/**
 * RFC 1191 §7's plateau table: what to try when a router says "fragmentation needed" without a next-hop MTU.
 */
const PLATEAUS = [32000, 17914, 8166, 4352, 2002, 1492, 1006, 576];

/** Takes an ICMP error about our flow; see {@linkcode IcmpOutcome}. */
export function handleIcmpNotice(c: Tcb, now: number, n: IcmpNotice): IcmpOutcome {
  if (c.state === "CLOSED" || !quotesSegmentInFlight(c, n.seq)) {
    c.stats.icmpIgnored++;
    return "ignored";
  }
  c.stats.icmpAccepted++;
  if (c.state === "SYN-SENT") {
    // A destination that cannot be reached, said during the handshake, ends the attempt (RFC 5461 §4): resending
    // the SYN into the same wall only delays the next address.
    if (n.verdict === "hard" || n.verdict === "unreachable") {
      c.apply("unreachable", "unreachable");
      return "ended";
    }
    return "noted";
  }
  if (n.verdict !== "too-big") return "noted"; // RFC 1122 §4.2.3.9: soft once synchronized (routes recover)
  const mtu = n.mtu >= 68 ? n.mtu : plateauBelow(n.quotedLength);
  return lowerSendMss(c, now, mssForMtu(c, mtu)) ? "mss-lowered" : "noted";
}

/**
 * RFC 4821 §7.5's black-hole heuristic, run at each retransmission timeout once synchronized: after the second
 * timeout in a row of a segment larger than the minimum, the next try goes at half the size (never below the
 * minimum path MTU's). Loss of a small request costs nothing here: only our sends shrink.
 */
export function blackHoleStep(c: Tcb, now: number): void {
  if (c.rtxCount < 2 || !isSynchronized(c.state)) return;
  const floor = mssForMtu(c, c.opts.minPathMtu);
  const lost = Math.min(c.sendMss, c.dataEnd() - c.sndUna);
  if (lost <= floor) return;
  if (lowerSendMss(c, now, Math.max(floor, Math.floor(c.sendMss / 2)))) c.stats.blackHoleSteps++;
}

/** RFC 5927 §4.1: the quoted sequence number must lie in SND.UNA..SND.NXT (the highest sent), else it is ignored. */
function quotesSegmentInFlight(c: Tcb, s: SeqNumber): boolean {
  const off = c.sndUna + seqDiff(s, c.sndSeq(c.sndUna));
  return off >= c.sndUna && off < c.sndMax;
}

/** Our payload per segment over a path of `mtu` bytes (never below the minimum path MTU's). */
function mssForMtu(c: Tcb, mtu: number): number {
  const headers = c.opts.networkHeaderLength + TCP_HEADER;
  return Math.max(mtu, c.opts.minPathMtu) - headers - (c.tsOn ? TS_OPTION_LEN : 0);
}

function plateauBelow(length: number): number {
  return PLATEAUS.find((p) => p < length) ?? MIN_PATH_MTU;
}

/**
 * Lowers the send MSS (a path MTU only ever shrinks here, RFC 8201 §4) and resends what is in flight at the new size
 * from SND.UNA: the larger segments were dropped, which says nothing about congestion, so cwnd stays (as Linux's
 * `tcp_simple_retransmit`). True when the MSS went down.
 */
function lowerSendMss(c: Tcb, now: number, mss: number): boolean {
  if (mss >= c.sendMss) return false;
  c.sendMss = mss;
  c.stats.pathMtu = mss + c.opts.networkHeaderLength + TCP_HEADER + (c.tsOn ? TS_OPTION_LEN : 0);
  if (c.sndNxt > c.sndUna) {
    c.sndNxt = c.sndUna;
    c.fastRtxPending = false;
    c.rttMark = -1; // Karn: what is resent gives no RTT sample
    c.timers.restartRetransmit(now);
  }
  return true;
}
