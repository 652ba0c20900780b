/**
 * A tiny private IPv4+TCP frame builder for the ffi tests (the project's codecs live in src/wire and are tested
 * there; these tests must not depend on them).
 *
 * @module
 */

/** Fields of a test frame; addresses are u32. */
export interface FrameSpec {
  /** Source address. */
  src: number;
  /** Destination address. */
  dst: number;
  /** TCP source port. */
  srcPort: number;
  /** TCP destination port. */
  dstPort: number;
  /** TCP payload. */
  payload?: Uint8Array;
  /** IP protocol (6 unless a non-TCP frame is wanted). */
  protocol?: number;
  /** IP options bytes (a multiple of 4). */
  ipOptions?: Uint8Array;
  /** Fragment offset in 8-byte units. */
  fragmentOffset?: number;
  /** IP identification. */
  id?: number;
}

function sum16(bytes: Uint8Array, acc = 0): number {
  for (let i = 0; i + 1 < bytes.length; i += 2) acc += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length % 2) acc += bytes[bytes.length - 1] << 8;
  return acc;
}

function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return ~acc & 0xffff;
}

/** Builds an IPv4 frame carrying a TCP segment (PSH|ACK, seq 1000, ack 2000, window 65535) with valid checksums. */
export function buildFrame(spec: FrameSpec): Uint8Array<ArrayBuffer> {
  const payload = spec.payload ?? new Uint8Array(0);
  const options = spec.ipOptions ?? new Uint8Array(0);
  const ihl = 20 + options.length;
  const tcpLen = 20 + payload.length;
  const frame = new Uint8Array(ihl + tcpLen);
  const v = new DataView(frame.buffer);
  v.setUint8(0, 0x40 | (ihl / 4));
  v.setUint16(2, frame.length);
  v.setUint16(4, spec.id ?? 0x1234);
  v.setUint16(6, spec.fragmentOffset ?? 0);
  v.setUint8(8, 64);
  v.setUint8(9, spec.protocol ?? 6);
  v.setUint32(12, spec.src);
  v.setUint32(16, spec.dst);
  frame.set(options, 20);
  v.setUint16(10, fold(sum16(frame.subarray(0, ihl))));
  const t = ihl;
  v.setUint16(t, spec.srcPort);
  v.setUint16(t + 2, spec.dstPort);
  v.setUint32(t + 4, 1000);
  v.setUint32(t + 8, 2000);
  v.setUint8(t + 12, 5 << 4);
  v.setUint8(t + 13, 0x18);
  v.setUint16(t + 14, 65535);
  frame.set(payload, t + 20);
  const pseudo = sum16(frame.subarray(12, 20)) + (spec.protocol ?? 6) + tcpLen;
  v.setUint16(t + 16, fold(sum16(frame.subarray(t), pseudo)));
  return frame;
}

/** Fields of an IPv6 test frame; addresses are their 16 bytes. */
export interface FrameSpec6 {
  /** Source address. */
  src: Uint8Array;
  /** Destination address. */
  dst: Uint8Array;
  /** TCP source port. */
  srcPort: number;
  /** TCP destination port. */
  dstPort: number;
  /** TCP flags (PSH|ACK unless given; 0x02 is SYN). */
  flags?: number;
  /** TCP payload. */
  payload?: Uint8Array;
}

/** Builds an IPv6 frame (no extension headers) carrying a TCP segment (seq 1000, ack 2000) with a valid checksum. */
export function buildFrame6(spec: FrameSpec6): Uint8Array<ArrayBuffer> {
  const payload = spec.payload ?? new Uint8Array(0);
  const tcpLen = 20 + payload.length;
  const frame = new Uint8Array(40 + tcpLen);
  const v = new DataView(frame.buffer);
  v.setUint32(0, 0x60000000);
  v.setUint16(4, tcpLen);
  v.setUint8(6, 6);
  v.setUint8(7, 64);
  frame.set(spec.src, 8);
  frame.set(spec.dst, 24);
  const t = 40;
  v.setUint16(t, spec.srcPort);
  v.setUint16(t + 2, spec.dstPort);
  v.setUint32(t + 4, 1000);
  v.setUint32(t + 8, spec.flags === 0x02 ? 0 : 2000);
  v.setUint8(t + 12, 5 << 4);
  v.setUint8(t + 13, spec.flags ?? 0x18);
  v.setUint16(t + 14, 65535);
  frame.set(payload, t + 20);
  // RFC 8200 §8.1: the pseudo-header is both addresses, the upper-layer length and the next header.
  const pseudo = sum16(frame.subarray(8, 40)) + tcpLen + 6;
  v.setUint16(t + 16, fold(sum16(frame.subarray(t), pseudo)));
  return frame;
}
