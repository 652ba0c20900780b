/**
 * The report's data: what `--report-json FILE` writes, and what the page of `--report FILE.html` draws. The schema is
 * versioned by {@linkcode REPORT_SCHEMA}; a change that removes or renames a field, or changes a unit, gets a new
 * version, while new fields may appear within one. docs/report_schema.md describes every field for scripts.
 *
 * Units: times (`t` columns, phases) are whole microseconds since the connection's hop started (the start of its name
 * resolution); durations say their unit in their name (`srttMs`, `rtoMs`, the RTT series' `ms`); sequence numbers are byte offsets of the server's stream (0: its first data byte, so the HTTP head
 * starts at 0), never wrapping; sizes are bytes. Series are columns of equal length (`t[i]`, `seq[i]`, …).
 *
 * @module
 */

/** The schema name and version, the `schema` field of every report. @example `report.schema === REPORT_SCHEMA` */
export const REPORT_SCHEMA = "rawhttpget-report/1";

/**
 * How a data segment from the server arrived (the `kind` column of {@linkcode DataSeries}).
 *
 * @example `data.kind.filter((k) => k === SegmentKind.Retransmission).length`
 */
export const SegmentKind = {
  /** At the in-order edge, new bytes. */
  InOrder: 0,
  /** Beyond a hole (the engine counts these as out of order). */
  OutOfOrder: 1,
  /** Bytes seen before or a hole filled by a later transmission: a retransmission (IP ID newer than any seen). */
  Retransmission: 2,
  /** Bytes below the highest seen, sent before it (older IP ID): reordered on the path, not resent. */
  Reordered: 3,
} as const;

/** The TCP options one side offered in its SYN. */
export interface SynOffer {
  /** MSS option, or null. */
  readonly mss: number | null;
  /** Window scale shift, or null. */
  readonly windowScale: number | null;
  /** SACK-permitted. */
  readonly sackPermitted: boolean;
  /** Timestamps. */
  readonly timestamps: boolean;
  /** ECN setup (RFC 3168 §6.1.1: ECE and CWR on a SYN, ECE on a SYN-ACK). */
  readonly ecn: boolean;
  /** The window field of the SYN (never scaled). */
  readonly window: number;
}

/** When each phase began or ended; null when it did not happen. */
export interface Phases {
  /** Name resolution ended. */
  readonly resolved: number | null;
  /** Sockets, route and firewall rule ready. */
  readonly opened: number | null;
  /** Our first SYN. */
  readonly synSent: number | null;
  /** The server's SYN-ACK. */
  readonly synAckReceived: number | null;
  /** The stream opened (handshake done); TLS starts here over https. */
  readonly connected: number | null;
  /** The request went out (after the TLS handshake over https). */
  readonly request: number | null;
  /** The response's first byte reached the HTTP parser. */
  readonly firstByte: number | null;
  /** The response's last byte (the body complete). */
  readonly lastByte: number | null;
  /** The first FIN or RST, from either side: the teardown starts. */
  readonly teardown: number | null;
  /** The connection ended. */
  readonly closed: number | null;
}

/** Counters of one connection, from the frames the recorder saw (every frame, not only the sampled ones). */
export interface FrameTally {
  /** Segments received and sent. */
  readonly segmentsIn: number;
  readonly segmentsOut: number;
  /** Segments from the server with payload, and their payload bytes (copies included). */
  readonly dataSegmentsIn: number;
  readonly dataBytesIn: number;
  /** Data segments by kind (see {@linkcode SegmentKind}). */
  readonly outOfOrderIn: number;
  readonly retransmittedIn: number;
  readonly reorderedIn: number;
  /** Data segments that brought nothing new (every byte already arrived). */
  readonly duplicateIn: number;
  /** Segments we sent again (seen on the wire). */
  readonly retransmittedOut: number;
  /** ACKs we sent, SACK blocks in them, zero windows we advertised, and the window updates that reopened them. */
  readonly acksOut: number;
  readonly sackBlocksOut: number;
  readonly zeroWindowsOut: number;
  readonly windowUpdatesOut: number;
  /** Zero windows the server advertised. */
  readonly zeroWindowsIn: number;
  /** RTT samples taken from echoed timestamps. */
  readonly rttSamples: number;
}

/** How a series was sampled: `kept` rows of `offered`, one in `stride`. */
export interface Sampling {
  readonly kept: number;
  readonly offered: number;
  readonly stride: number;
}

/** Data segments from the server (the page computes bytes in flight from them and our ACKs). */
export interface DataSeries {
  readonly t: number[];
  readonly seq: number[];
  readonly len: number[];
  readonly kind: number[];
}

/** Our ACKs: the ACK line, the advertised window's right edge, and the engine's gauges when each was sent. */
export interface AckSeries {
  readonly t: number[];
  readonly ack: number[];
  readonly windowEdge: number[];
  readonly srttMs: number[];
  readonly rtoMs: number[];
  readonly receiveBufferFill: number[];
}

/** SACK blocks we sent, one row per block: `[left, right)`. */
export interface SackSeries {
  readonly t: number[];
  readonly left: number[];
  readonly right: number[];
}

/** RTT samples from the timestamps the server echoed (RFC 7323 §4): the time since we first sent that TSval. */
export interface RttSeries {
  readonly t: number[];
  readonly ms: number[];
}

/** Events: "zero-window", "window-update", "peer-zero-window", "retransmit-out", "fin-in", "fin-out", "rst-in", "rst-out". */
export interface EventSeries {
  readonly t: number[];
  readonly kind: string[];
  /** The sequence (or ACK) offset the event happened at. */
  readonly at: number[];
}

/** One TCP connection: one hop of a download. */
export interface ConnectionReport {
  /** 1-based, in the order of the run. */
  readonly index: number;
  /** The URL this hop asked for. */
  readonly url: string;
  /** TLS ran over the connection. */
  readonly secure: boolean;
  /** "IPv4" or "IPv6", the route's MTU, the MSS we announced. */
  readonly family: string | null;
  readonly mtu: number | null;
  readonly mss: number | null;
  /** `address:port` of each end. */
  readonly local: string | null;
  readonly remote: string | null;
  /** The options each side offered. */
  readonly ours: SynOffer | null;
  readonly server: SynOffer | null;
  /** Wall-clock start of the hop (ISO 8601). */
  readonly startedAt: string;
  readonly phases: Phases;
  /** The response head: status line, then the fields. */
  readonly head: readonly string[] | null;
  readonly tally: FrameTally;
  readonly sampling: {
    /** Data segments in order or out of order. */
    readonly data: Sampling;
    /** Retransmitted and reordered data segments (a table of their own, never thinned by the others). */
    readonly repairs: Sampling;
    readonly acks: Sampling;
    readonly sack: Sampling;
    readonly rtt: Sampling;
    readonly events: Sampling;
  };
  readonly data: DataSeries;
  readonly acks: AckSeries;
  readonly sack: SackSeries;
  readonly rtt: RttSeries;
  readonly events: EventSeries;
}

/** What the command line says of a download once it ended (the numbers of its summary sentence). */
export interface DownloadSummary {
  /** The sentence the program printed (`Saved 'a.bin' (…)`), or the error sentence. */
  readonly sentence: string;
  readonly ok: boolean;
  /** Bytes in the file, bytes received this time, seconds: as in the sentence. */
  readonly bytes: number;
  readonly received: number;
  readonly seconds: number;
  /** The engine's counters (`retransmissions` and `outOfOrderSegments` are the sentence's). */
  readonly engine: Readonly<Record<string, number>>;
  /** Frames below TCP (`badChecksum` is the sentence's). */
  readonly frames: Readonly<Record<string, number>>;
}

/** One URL of the run and the connections it took. */
export interface DownloadReport {
  readonly url: string;
  /** Indices of its connections. */
  readonly connections: readonly number[];
  readonly summary: DownloadSummary | null;
}

/** A whole report. */
export interface Report {
  readonly schema: typeof REPORT_SCHEMA;
  /** `rawhttpget VERSION`. */
  readonly generator: string;
  /** When the run started (ISO 8601). */
  readonly startedAt: string;
  /** Rows each series keeps at most before it samples. */
  readonly budget: number;
  readonly downloads: readonly DownloadReport[];
  readonly connections: readonly ConnectionReport[];
}
