/**
 * Builds the exact IPv4 + TCP frames the adversarial peer sends, including malformed ones: raw option bytes, a data
 * offset, an IP total length, a fragment offset or checksums chosen by the script. Correct fields are computed with
 * our own `src/wire` checksum code.
 *
 * @module
 */

import type { Ipv4Address } from "../../src/wire/address.ts";
import { onesComplementSum, tcpChecksumOf } from "../../src/wire/checksum.ts";

/**
 * TTL of every frame the peer sends: not the kernel's 64, so the server namespace's firewall can drop the kernel's
 * own RSTs (`ip ttl 64`) and let the peer's through.
 */
export const PEER_TTL = 99;

/** Everything a frame may say; the script picks, the rest is computed. */
export interface FrameSpec {
  /** Source address. */
  readonly src: Ipv4Address;
  /** Destination address. */
  readonly dst: Ipv4Address;
  /** Source port. */
  readonly srcPort: number;
  /** Destination port. */
  readonly dstPort: number;
  /** Sequence number (u32). */
  readonly seq: number;
  /** Acknowledgment number (u32). */
  readonly ack: number;
  /** Flag bits. */
  readonly flags: number;
  /** The raw window field. */
  readonly window: number;
  /** Raw option bytes (padded with NOPs to a multiple of 4 unless `dataOffset` is given). */
  readonly options?: Uint8Array;
  /** Payload bytes. */
  readonly payload?: Uint8Array;
  /** Data offset in words written into the header instead of the real one. */
  readonly dataOffset?: number;
  /** IP total length written instead of the real one (the frame keeps its real size). */
  readonly ipTotalLength?: number;
  /** Fragment: offset in 8-byte units and the MF flag (DF is then clear). */
  readonly fragment?: { readonly offset: number; readonly more: boolean };
  /** Spoil the IP header checksum. */
  readonly badIpChecksum?: boolean;
  /** Spoil the TCP checksum. */
  readonly badTcpChecksum?: boolean;
}

/** Returns the frame described by `spec`. */
export function buildFrame(spec: FrameSpec): Uint8Array<ArrayBuffer> {
  let options = spec.options ?? new Uint8Array(0);
  if (spec.dataOffset === undefined && options.length % 4 !== 0) {
    const padded = new Uint8Array(options.length + 4 - (options.length % 4)).fill(1); // NOP
    padded.set(options);
    options = padded;
  }
  const payload = spec.payload ?? new Uint8Array(0);
  const tcpLen = 20 + options.length + payload.length;
  const frame = new Uint8Array(20 + tcpLen);
  const v = new DataView(frame.buffer);
  // IPv4 header (RFC 791 §3.1).
  frame[0] = 0x45;
  v.setUint16(2, spec.ipTotalLength ?? frame.length);
  v.setUint16(4, (spec.seq ^ spec.ack) & 0xffff);
  const frag = spec.fragment;
  v.setUint16(6, frag === undefined ? 0x4000 : (frag.more ? 0x2000 : 0) | frag.offset);
  frame[8] = PEER_TTL;
  frame[9] = 6;
  v.setUint32(12, spec.src);
  v.setUint32(16, spec.dst);
  v.setUint16(10, ~onesComplementSum(frame, 0, 20, 0) & 0xffff);
  if (spec.badIpChecksum) v.setUint16(10, v.getUint16(10) ^ 0x5a5a);
  // TCP header (RFC 9293 §3.1).
  const t = 20;
  v.setUint16(t, spec.srcPort);
  v.setUint16(t + 2, spec.dstPort);
  v.setUint32(t + 4, spec.seq >>> 0);
  v.setUint32(t + 8, spec.ack >>> 0);
  frame[t + 12] = (spec.dataOffset ?? (20 + options.length) / 4) << 4;
  frame[t + 13] = spec.flags;
  v.setUint16(t + 14, spec.window);
  frame.set(options, t + 20);
  frame.set(payload, t + 20 + options.length);
  v.setUint16(t + 16, tcpChecksumOf(spec.src, spec.dst, frame, t, frame.length));
  if (spec.badTcpChecksum) v.setUint16(t + 16, v.getUint16(t + 16) ^ 0x1234);
  return frame;
}

/** Byte `i` of every body the peer serves: a pattern with no short period, so misplaced bytes show. */
export function bodyByte(i: number): number {
  return (i * 131 + (i >>> 8) * 7 + 13) & 0xff;
}

/** The first `n` body bytes. */
export function bodyBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = bodyByte(i);
  return b;
}

/** Parses `"SA"`-style flag letters (F S R P A U E C). */
export function parseFlags(letters: string): number {
  const bits: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, A: 16, U: 32, E: 64, C: 128 };
  let flags = 0;
  for (const ch of letters) {
    if (!(ch in bits)) throw new Error(`Unknown TCP flag letter "${ch}" in "${letters}"`);
    flags |= bits[ch];
  }
  return flags;
}
