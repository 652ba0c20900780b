/**
 * What a connection reports to its owner: events and counters.
 *
 * @module
 */

/** Why a connection reached CLOSED. */
export type CloseReason = "normal" | "reset" | "refused" | "timeout" | "aborted" | "unreachable";

/** An outcome the owner learns through `pollEvent()`. */
export type ConnectionEvent =
  | { readonly type: "connected" }
  | { readonly type: "peer-closed" }
  | { readonly type: "closed"; readonly reason: CloseReason };

/** Counters of one connection (a snapshot; the RTT fields are in milliseconds). */
export interface ConnectionStats {
  /** Segments handed to `handleSegment`. */
  segmentsIn: number;
  /** Segments returned by `pollTransmit`. */
  segmentsOut: number;
  /** Payload bytes accepted into the receive buffer (duplicates excluded). */
  bytesIn: number;
  /** Payload bytes sent, retransmissions included. */
  bytesOut: number;
  /** Segments sent again (RTO, fast retransmit, SYN and FIN included). */
  retransmissions: number;
  /** ACKs sent at once because of out-of-order or duplicate data. */
  dupAcksSent: number;
  /** Data segments that arrived beyond RCV.NXT. */
  outOfOrderSegments: number;
  /** SACK blocks carried by our ACKs. */
  sackBlocksSent: number;
  /** Segments dropped as unacceptable (sequence, ACK, PAWS, wrong ports). */
  badSegments: number;
  /** Segments that had nothing for us (e.g. after CLOSED, simultaneous open). */
  ignoredSegments: number;
  /** Challenge ACKs sent (RFC 5961). */
  challengeAcks: number;
  /** Segments that arrived marked CE (congestion experienced, RFC 3168) on a connection that uses ECN. */
  ceMarks: number;
  /** ICMP errors that quoted a segment in flight (RFC 5927 §4.1) and were acted on or noted. */
  icmpAccepted: number;
  /** ICMP errors about our 4-tuple that quoted no segment in flight: ignored. */
  icmpIgnored: number;
  /** Times the send MSS was halved because full-sized segments kept timing out (a path-MTU black hole). */
  blackHoleSteps: number;
  /** The path MTU our sends were lowered to (ICMP or black-hole fallback); 0 while the route's MTU holds. */
  pathMtu: number;
  /** Smoothed RTT (0 before the first sample). */
  srttMs: number;
  /** The least RTT sample (0 before the first). */
  minRttMs: number;
  /** RTT variation. */
  rttvarMs: number;
  /** Current retransmission timeout including backoff. */
  rtoMs: number;
  /** Congestion window in bytes. */
  cwnd: number;
}

/** A zeroed counter set. @example `newStats().segmentsIn === 0` */
export function newStats(): ConnectionStats {
  return {
    segmentsIn: 0,
    segmentsOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    retransmissions: 0,
    dupAcksSent: 0,
    outOfOrderSegments: 0,
    sackBlocksSent: 0,
    badSegments: 0,
    ignoredSegments: 0,
    challengeAcks: 0,
    ceMarks: 0,
    icmpAccepted: 0,
    icmpIgnored: 0,
    blackHoleSteps: 0,
    pathMtu: 0,
    srttMs: 0,
    minRttMs: 0,
    rttvarMs: 0,
    rtoMs: 0,
    cwnd: 0,
  };
}
