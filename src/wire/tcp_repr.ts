/**
 * The parsed form of a TCP segment shared by the codec (`tcp.ts`), the engine (`src/tcp/`) and the driver.
 *
 * This file is the contract between layers: the codec produces and consumes exactly these shapes.
 *
 * @module
 */

import type { SeqNumber } from "./seq.ts";

/** FIN flag bit (RFC 9293 §3.1). */
export const FIN = 0x01;
/** SYN flag bit. */
export const SYN = 0x02;
/** RST flag bit. */
export const RST = 0x04;
/** PSH flag bit. */
export const PSH = 0x08;
/** ACK flag bit. */
export const ACK = 0x10;
/** URG flag bit. */
export const URG = 0x20;
/** ECE flag bit (RFC 3168). */
export const ECE = 0x40;
/** CWR flag bit (RFC 3168). */
export const CWR = 0x80;

/** One SACK block: the peer holds bytes `[left, right)` (RFC 2018 §3). */
export interface SackBlock {
  /** First sequence number of the block. */
  readonly left: SeqNumber;
  /** Sequence number just past the block. */
  readonly right: SeqNumber;
}

/** The timestamps option (RFC 7323 §3). */
export interface TcpTimestamp {
  /** TSval: the sender's clock. */
  readonly tsVal: number;
  /** TSecr: the echoed peer clock (0 when not yet known). */
  readonly tsEcr: number;
}

/** The TCP options this stack understands; unknown ones are skipped by their length when parsing. */
export interface TcpOptions {
  /** Maximum segment size (RFC 9293 §3.7.1); SYN only. */
  readonly mss?: number;
  /** Window scale shift count (RFC 7323 §2); SYN only. Values above 14 are clamped to 14 by the parser. */
  readonly windowScale?: number;
  /** SACK-permitted (RFC 2018 §2); SYN only. */
  readonly sackPermitted?: boolean;
  /** SACK blocks (RFC 2018 §3), most recent first, at most 4. */
  readonly sackBlocks?: readonly SackBlock[];
  /** Timestamps (RFC 7323 §3). */
  readonly timestamp?: TcpTimestamp;
}

/** A TCP segment: header fields, options and a view of the payload (never copied by the parser). */
export interface TcpRepr {
  /** Source port. */
  readonly srcPort: number;
  /** Destination port. */
  readonly dstPort: number;
  /** Sequence number of the first octet (or of the SYN). */
  readonly seq: SeqNumber;
  /** Acknowledgment number; meaningful only when `flags & ACK`. */
  readonly ack: SeqNumber;
  /** Flag bits: an OR of `FIN`, `SYN`, `RST`, `PSH`, `ACK`, `URG`, `ECE`, `CWR`. */
  readonly flags: number;
  /** The raw 16-bit window field, not yet scaled. */
  readonly window: number;
  /** Urgent pointer (ignored by this stack, RFC 9293 §3.8.5 allows it). */
  readonly urgent: number;
  /** Parsed options. */
  readonly options: TcpOptions;
  /** Payload bytes: a view into the received frame when parsed, or the bytes to send when emitting. */
  readonly payload: Uint8Array;
}
