/**
 * TCP options (RFC 9293 §3.2): the parser for the options area and the emitter that lays options out as Linux does.
 *
 * Understood: EOL (0), NOP (1), MSS (2, RFC 9293 §3.7.1), window scale (3, RFC 7323 §2), SACK-permitted (4, RFC 2018
 * §2), SACK blocks (5, RFC 2018 §3) and timestamps (8, RFC 7323 §3). Any other kind is skipped by its length byte
 * (RFC 9293 §3.1: "a TCP implementation MUST be able to receive a TCP option in any segment" and ignore unknown ones).
 *
 * @module
 */

import { checkField, readU16, readU32, writeU16, writeU32 } from "./_bytes.ts";
import { WireError } from "./errors.ts";
import { seq } from "./seq.ts";
import type { SackBlock, TcpOptions } from "./tcp_repr.ts";

/** Option kinds this codec knows. */
export const TCP_OPTION = {
  EOL: 0,
  NOP: 1,
  MSS: 2,
  WINDOW_SCALE: 3,
  SACK_PERMITTED: 4,
  SACK: 5,
  TIMESTAMP: 8,
} as const;

/** The largest window scale shift (RFC 7323 §2.3); larger received values are treated as this. */
export const MAX_WINDOW_SCALE = 14;
/** The most option bytes a header can hold (data offset 15 words minus the 20-byte fixed header). */
export const MAX_OPTIONS_LEN = 40;
/** The most SACK blocks one option can carry (2 + 8 * 4 = 34 bytes). */
export const MAX_SACK_BLOCKS = 4;

const EMPTY: TcpOptions = Object.freeze({});

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Parses the options area `bytes[start..end)` of a TCP header (the caller has checked `end <= bytes.length`).
 *
 * Rejected as `"bad-option"`: a length byte of 0 or 1 or one that runs past `end`, a kind with no room for its
 * length byte, a known kind with the wrong length, a SACK option that is not 2 + 8n bytes for n in 1..4, and an MSS of
 * 0 (no segment could ever be sent to such a peer; this codec reports it rather than guess a floor). A later option of
 * the same kind replaces an earlier one, as in Linux. Window scales above 14 are read as 14 (RFC 7323 §2.3). Bytes
 * after EOL are padding and are not read. Whether an option is allowed on this segment (MSS, window scale and
 * SACK-permitted only on a SYN) is the engine's decision, so all are reported.
 *
 * @example
 * ```ts
 * parseTcpOptions(new Uint8Array([2, 4, 5, 180, 1, 3, 3, 7]), 0, 8); // { mss: 1460, windowScale: 7 }
 * ```
 */
export function parseTcpOptions(bytes: Uint8Array, start: number, end: number): TcpOptions {
  if (!(start >= 0 && start <= end && end <= bytes.length && Number.isInteger(start) && Number.isInteger(end))) {
    throw new RangeError(`Cannot parse TCP options ${start}..${end} of a ${bytes.length}-byte buffer`);
  }
  if (start === end) return EMPTY;
  let out: Mutable<TcpOptions> | null = null;
  let i = start;
  while (i < end) {
    const kind = bytes[i];
    if (kind === TCP_OPTION.EOL) break;
    if (kind === TCP_OPTION.NOP) {
      i++;
      continue;
    }
    // Every kind but EOL and NOP has a length byte (RFC 9293 §3.2), which must be inside the header.
    if (i + 1 >= end) throw badOption(`kind ${kind} at offset ${i - start} has no length byte`);
    const length = bytes[i + 1];
    // A length counts the kind and length bytes: below 2 it cannot, and 0 would never advance.
    if (length < 2) throw badOption(`kind ${kind} has length ${length}, below 2`);
    // An option running past the data offset would be read from the payload.
    if (i + length > end) throw badOption(`kind ${kind} has length ${length}, past the end of the header`);
    out ??= {};
    switch (kind) {
      case TCP_OPTION.MSS: {
        expectLength(kind, length, 4);
        const mss = readU16(bytes, i + 2);
        if (mss === 0) throw badOption(`MSS 0 leaves no room for data`);
        out.mss = mss;
        break;
      }
      case TCP_OPTION.WINDOW_SCALE:
        expectLength(kind, length, 3);
        out.windowScale = Math.min(bytes[i + 2], MAX_WINDOW_SCALE);
        break;
      case TCP_OPTION.SACK_PERMITTED:
        expectLength(kind, length, 2);
        out.sackPermitted = true;
        break;
      case TCP_OPTION.SACK: {
        const count = (length - 2) / 8;
        if (!(Number.isInteger(count) && count >= 1 && count <= MAX_SACK_BLOCKS)) {
          throw badOption(`SACK has length ${length}, not 2 + 8n for n in 1..4`);
        }
        const blocks: SackBlock[] = [];
        for (let b = i + 2; b < i + length; b += 8) {
          blocks.push({ left: seq(readU32(bytes, b)), right: seq(readU32(bytes, b + 4)) });
        }
        out.sackBlocks = blocks;
        break;
      }
      case TCP_OPTION.TIMESTAMP:
        expectLength(kind, length, 10);
        out.timestamp = { tsVal: readU32(bytes, i + 2), tsEcr: readU32(bytes, i + 6) };
        break;
      default:
        // Unknown kind: skipped by its length (RFC 9293 §3.1).
        break;
    }
    i += length;
  }
  return out ?? EMPTY;
}

/**
 * How many bytes {@link emitTcpOptions} writes for `options`: always a multiple of 4, so no trailing padding is needed.
 *
 * @example
 * ```ts
 * tcpOptionsLength({ mss: 1460, sackPermitted: true, timestamp: { tsVal: 1, tsEcr: 0 }, windowScale: 7 }); // 20
 * ```
 */
export function tcpOptionsLength(options: TcpOptions): number {
  let length = 0;
  if (options.mss !== undefined) length += 4;
  if (options.timestamp !== undefined) length += 12;
  else if (options.sackPermitted === true) length += 4;
  if (options.windowScale !== undefined) length += 4;
  const blocks = options.sackBlocks;
  if (blocks !== undefined && blocks.length > 0) length += 4 + 8 * blocks.length;
  return length;
}

/**
 * Writes `options` at `buf[offset]` in Linux's layout and returns the bytes written (see {@link tcpOptionsLength}).
 * The caller has checked the room. Allocates nothing; throws `RangeError` for values that do not fit their field,
 * more than 4 SACK blocks, or more than 40 bytes in all.
 *
 * The layout, word by word, as Linux's `tcp_options_write` sends it: `MSS`; `SACK-perm TS` or `NOP NOP TS`;
 * `NOP NOP SACK-perm` when there is no timestamp; `NOP WS`; `NOP NOP SACK blocks`. A Linux SYN is thus
 * `02 04 05 b4 04 02 08 0a <tsval> <tsecr> 01 03 03 07` and a data segment `01 01 08 0a <tsval> <tsecr>`.
 *
 * @example
 * ```ts
 * const n = emitTcpOptions({ timestamp: { tsVal: 5, tsEcr: 9 } }, buf, 20); // 12: 01 01 08 0a ...
 * ```
 */
export function emitTcpOptions(options: TcpOptions, buf: Uint8Array, offset: number): number {
  const total = tcpOptionsLength(options);
  const blocks = options.sackBlocks;
  if (blocks !== undefined && blocks.length > MAX_SACK_BLOCKS) {
    throw new RangeError(`Cannot emit TCP options: ${blocks.length} SACK blocks, at most ${MAX_SACK_BLOCKS} fit`);
  }
  if (total > MAX_OPTIONS_LEN) {
    throw new RangeError(`Cannot emit TCP options: they need ${total} bytes, at most ${MAX_OPTIONS_LEN} fit`);
  }
  let o = offset;
  if (options.mss !== undefined) {
    checkField("MSS", options.mss, 0xffff);
    if (options.mss === 0) throw new RangeError(`Cannot emit TCP options: MSS 0 leaves no room for data`);
    buf[o] = TCP_OPTION.MSS;
    buf[o + 1] = 4;
    writeU16(buf, o + 2, options.mss);
    o += 4;
  }
  const ts = options.timestamp;
  if (ts !== undefined) {
    checkField("TSval", ts.tsVal, 0xffffffff);
    checkField("TSecr", ts.tsEcr, 0xffffffff);
    const withSackPermitted = options.sackPermitted === true;
    buf[o] = withSackPermitted ? TCP_OPTION.SACK_PERMITTED : TCP_OPTION.NOP;
    buf[o + 1] = withSackPermitted ? 2 : TCP_OPTION.NOP;
    buf[o + 2] = TCP_OPTION.TIMESTAMP;
    buf[o + 3] = 10;
    writeU32(buf, o + 4, ts.tsVal);
    writeU32(buf, o + 8, ts.tsEcr);
    o += 12;
  } else if (options.sackPermitted === true) {
    buf[o] = TCP_OPTION.NOP;
    buf[o + 1] = TCP_OPTION.NOP;
    buf[o + 2] = TCP_OPTION.SACK_PERMITTED;
    buf[o + 3] = 2;
    o += 4;
  }
  if (options.windowScale !== undefined) {
    checkField("window scale", options.windowScale, MAX_WINDOW_SCALE);
    buf[o] = TCP_OPTION.NOP;
    buf[o + 1] = TCP_OPTION.WINDOW_SCALE;
    buf[o + 2] = 3;
    buf[o + 3] = options.windowScale;
    o += 4;
  }
  if (blocks !== undefined && blocks.length > 0) {
    buf[o] = TCP_OPTION.NOP;
    buf[o + 1] = TCP_OPTION.NOP;
    buf[o + 2] = TCP_OPTION.SACK;
    buf[o + 3] = 2 + 8 * blocks.length;
    o += 4;
    for (let b = 0; b < blocks.length; b++) {
      writeU32(buf, o, blocks[b].left);
      writeU32(buf, o + 4, blocks[b].right);
      o += 8;
    }
  }
  return o - offset;
}

function expectLength(kind: number, length: number, expected: number): void {
  if (length !== expected) throw badOption(`kind ${kind} has length ${length}, expected ${expected}`);
}

function badOption(detail: string): WireError {
  return new WireError("bad-option", `Cannot parse TCP options: ${detail}`);
}
