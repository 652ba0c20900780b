/**
 * One-line text forms of a TCP segment for traces and logs.
 *
 * Two layouts, both fixed so that tests and users can grep them:
 * - {@link formatTcp}: `TCP 40000→80 [SYN ACK] seq=1 ack=2 win=502 len=0`, then the options present, each as
 *   ` key=value` (` mss=1460`, ` sackOK`, ` ts=<tsval>/<tsecr>`, ` ws=7`, ` sack=<left>-<right>,...`). `ack=` appears
 *   only when the ACK flag is set. Numbers are the raw header values in decimal (window unscaled, sequence numbers
 *   absolute).
 * - {@link formatTrace}: the trace style of the earlier rawhttpget tools,
 *   `--> send 40 bytes Flags: [ACK] seq: 123 ack: 456 win: 502`, `<-- recv ...` for received frames, with
 *   ` len: <n>` appended when the segment carries data.
 *
 * Flags are listed by name in bit order, FIN first: FIN SYN RST PSH ACK URG ECE CWR; `[]` when none is set.
 *
 * @module
 */

import { ACK, CWR, ECE, FIN, PSH, RST, SYN, type TcpOptions, type TcpRepr, URG } from "./tcp_repr.ts";

const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [FIN, "FIN"],
  [SYN, "SYN"],
  [RST, "RST"],
  [PSH, "PSH"],
  [ACK, "ACK"],
  [URG, "URG"],
  [ECE, "ECE"],
  [CWR, "CWR"],
];

/**
 * The names of the flags set in `flags`, space-separated, FIN first.
 *
 * @example
 * ```ts
 * formatTcpFlags(SYN | ACK); // "SYN ACK"
 * ```
 */
export function formatTcpFlags(flags: number): string {
  const names: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if ((flags & bit) !== 0) names.push(name);
  return names.join(" ");
}

/**
 * The options of a segment as ` key=value` words, or `""` when there are none.
 *
 * @example
 * ```ts
 * formatTcpOptions({ mss: 1460, windowScale: 7 }); // " mss=1460 ws=7"
 * ```
 */
export function formatTcpOptions(options: TcpOptions): string {
  let out = "";
  if (options.mss !== undefined) out += ` mss=${options.mss}`;
  if (options.sackPermitted === true) out += " sackOK";
  if (options.timestamp !== undefined) out += ` ts=${options.timestamp.tsVal}/${options.timestamp.tsEcr}`;
  if (options.windowScale !== undefined) out += ` ws=${options.windowScale}`;
  if (options.sackBlocks !== undefined && options.sackBlocks.length > 0) {
    out += ` sack=${options.sackBlocks.map((b) => `${b.left}-${b.right}`).join(",")}`;
  }
  return out;
}

/**
 * One line describing a segment: ports, flags, sequence numbers, window, payload length and options.
 *
 * @example
 * ```ts
 * formatTcp(synAck); // "TCP 80→40000 [SYN ACK] seq=7 ack=2 win=65160 len=0 mss=1460 sackOK ts=9/5 ws=7"
 * ```
 */
export function formatTcp(repr: TcpRepr): string {
  const ack = (repr.flags & ACK) !== 0 ? ` ack=${repr.ack}` : "";
  return `TCP ${repr.srcPort}→${repr.dstPort} [${formatTcpFlags(repr.flags)}] seq=${repr.seq}${ack} ` +
    `win=${repr.window} len=${repr.payload.length}${formatTcpOptions(repr.options)}`;
}

/**
 * One trace line in the earlier tools' style: `-->` for a frame sent, `<--` for one received, with the whole frame's
 * length (IP header included).
 *
 * @example
 * ```ts
 * formatTrace("-->", ack, 40); // "--> send 40 bytes Flags: [ACK] seq: 123 ack: 456 win: 502"
 * ```
 */
export function formatTrace(direction: "-->" | "<--", repr: TcpRepr, frameLength: number): string {
  const verb = direction === "-->" ? "send" : "recv";
  const length = repr.payload.length > 0 ? ` len: ${repr.payload.length}` : "";
  return `${direction} ${verb} ${frameLength} bytes Flags: [${formatTcpFlags(repr.flags)}] seq: ${repr.seq} ` +
    `ack: ${repr.ack} win: ${repr.window}${length}`;
}
