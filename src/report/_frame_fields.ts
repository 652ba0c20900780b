/**
 * Reads the few fields the recorder keeps straight from a frame's bytes into one reused object: the recorder sees
 * every frame of a download, and parsing each into a `TcpRepr` (objects, option arrays, a payload view) would
 * allocate per segment. The driver has already verified and parsed the frames it acts on; this reader trusts only
 * lengths it checks, and a frame it cannot read is skipped (`readFrame` returns false).
 *
 * Offsets are those of RFC 791 §3.1 (IPv4), RFC 8200 §3 (IPv6, no extension headers) and RFC 9293 §3.1 (TCP);
 * option kinds are RFC 9293 (MSS 2), RFC 7323 (window scale 3, timestamps 8) and RFC 2018 (SACK-permitted 4, SACK 5).
 *
 * @module
 */

/** TCP flag bits (RFC 9293 §3.1, RFC 3168 §23.2 for ECE and CWR). @example `(fields.flags & SYN) !== 0` */
export const FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10, ECE = 0x40, CWR = 0x80;

/**
 * The fields of one frame; `readFrame` overwrites them (the handshake options only when it walks the options).
 *
 * @example
 * ```ts
 * const fields = new FrameFields();
 * readFrame(frame, fields);
 * ```
 */
export class FrameFields {
  /** 4 or 6. */
  version = 4;
  /** IPv4 identification (0 for IPv6, which has none outside fragments). */
  ipId = 0;
  /** Sequence and acknowledgment numbers, unsigned 32-bit. */
  seq = 0;
  /** Acknowledgment number. */
  ack = 0;
  /** TCP flags (the low 8 bits). */
  flags = 0;
  /** The window field, unscaled. */
  window = 0;
  /** Payload bytes. */
  payload = 0;
  /** Timestamps option present (RFC 7323 §3). */
  hasTs = false;
  /** TSval. */
  tsVal = 0;
  /** TSecr. */
  tsEcr = 0;
  /** SACK blocks: left and right edges, unsigned 32-bit, `sackCount` pairs. */
  readonly sack = new Float64Array(8);
  /** SACK blocks present. */
  sackCount = 0;
  /** MSS option value, or -1 (the handshake options are read only from segments that do not have the usual layout). */
  mss = -1;
  /** Window scale option shift, or -1. */
  windowScale = -1;
  /** SACK-permitted option present. */
  sackPermitted = false;
}

function u16(b: Uint8Array, i: number): number {
  return (b[i] << 8) | b[i + 1];
}

function u32(b: Uint8Array, i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

/**
 * Fills `out` from an IP frame carrying TCP; false when the frame is not one (too short, another protocol).
 *
 * @example
 * ```ts
 * const fields = new FrameFields();
 * if (readFrame(frame, fields)) console.log(fields.seq, fields.payload);
 * ```
 */
export function readFrame(b: Uint8Array, out: FrameFields): boolean {
  if (b.length < 20) return false;
  const version = b[0] >> 4;
  let ipEnd: number, off: number;
  if (version === 4) {
    off = (b[0] & 15) * 4;
    if (b[9] !== 6 || off < 20) return false;
    ipEnd = Math.min(b.length, u16(b, 2));
    out.ipId = u16(b, 4);
  } else if (version === 6 && b.length >= 40) {
    off = 40;
    if (b[6] !== 6) return false;
    ipEnd = Math.min(b.length, 40 + u16(b, 4));
    out.ipId = 0;
  } else return false;
  if (ipEnd < off + 20) return false;
  const dataOff = (b[off + 12] >> 4) * 4;
  if (dataOff < 20 || off + dataOff > ipEnd) return false;
  out.version = version;
  out.seq = u32(b, off + 4);
  out.ack = u32(b, off + 8);
  out.flags = b[off + 13];
  out.window = u16(b, off + 14);
  out.payload = ipEnd - off - dataOff;
  out.hasTs = false;
  out.sackCount = 0;
  const o = off + 20;
  // The layout every segment after the handshake carries (RFC 7323 Appendix A: NOP, NOP, timestamps): read it
  // directly, with no walk; anything else (a SYN's options, SACK blocks) is walked.
  const usual = dataOff === 32 && (out.flags & SYN) === 0;
  if (usual && b[o] === 1 && b[o + 1] === 1 && b[o + 2] === 8 && b[o + 3] === 10) {
    out.hasTs = true;
    out.tsVal = u32(b, o + 4);
    out.tsEcr = u32(b, o + 8);
    return true;
  }
  out.mss = -1;
  out.windowScale = -1;
  out.sackPermitted = false;
  readOptions(b, o, off + dataOff, out);
  return true;
}

/** The options between `i` and `end`; a malformed length ends the walk (what was read so far stands). */
function readOptions(b: Uint8Array, i: number, end: number, out: FrameFields): void {
  while (i < end) {
    const kind = b[i];
    if (kind === 0) return;
    if (kind === 1) {
      i++;
      continue;
    }
    if (i + 1 >= end) return;
    const len = b[i + 1];
    if (len < 2 || i + len > end) return;
    if (kind === 2 && len === 4) out.mss = u16(b, i + 2);
    else if (kind === 3 && len === 3) out.windowScale = Math.min(b[i + 2], 14);
    else if (kind === 4 && len === 2) out.sackPermitted = true;
    else if (kind === 8 && len === 10) {
      out.hasTs = true;
      out.tsVal = u32(b, i + 2);
      out.tsEcr = u32(b, i + 6);
    } else if (kind === 5) {
      const blocks = Math.min((len - 2) >> 3, 4);
      for (let k = 0; k < blocks; k++) {
        out.sack[2 * k] = u32(b, i + 2 + 8 * k);
        out.sack[2 * k + 1] = u32(b, i + 6 + 8 * k);
      }
      out.sackCount = blocks;
    }
    i += len;
  }
}
