/**
 * What `-v` and `--pcap` see: a frame tap that prints each segment's one-line trace and saves every frame to a
 * libpcap file (opened by the caller's user: after the drop of root, the user the download runs as).
 *
 * @module
 */

import { openFile } from "../../ffi/mod.ts";
import { sudoOwner } from "../save/mod.ts";
import { type FrameTap, icmpTraceOf, segmentOf } from "../transport/mod.ts";
import { formatTrace, PcapWriter } from "../wire/mod.ts";

/**
 * The tap of `-v` (`verbose`: trace lines to `say`) and `--pcap FILE`; undefined when neither is asked for.
 *
 * @example
 * ```ts
 * const tap = traceTap(true, "t.pcap", console.error);
 * ```
 */
export function traceTap(
  verbose: boolean,
  pcapPath: string | undefined,
  say: (line: string) => void,
): FrameTap | undefined {
  if (!verbose && pcapPath === undefined) return undefined;
  let pcap: PcapWriter | null = null;
  if (pcapPath !== undefined) {
    const file = openFile(pcapPath, { create: true, truncate: true, write: true });
    const owner = sudoOwner();
    if (owner !== null) file.chown(owner.uid, owner.gid);
    pcap = new PcapWriter((bytes) => file.write(bytes as Uint8Array<ArrayBuffer>));
    pcap.header();
  }
  const wallMicros = (now: number) => (performance.timeOrigin + now) * 1000;
  const trace = (direction: "-->" | "<--", frame: Uint8Array) => {
    const segment = segmentOf(frame);
    if (segment !== null) return say(formatTrace(direction, segment, frame.length));
    const icmp = icmpTraceOf(frame);
    if (icmp !== null) say(`${direction} recv ${frame.length} bytes ${icmp}`);
  };
  return {
    sent(frame, now) {
      pcap?.frame(wallMicros(now), frame);
      if (verbose) trace("-->", frame);
    },
    received(frame, now) {
      pcap?.frame(wallMicros(now), frame);
      if (verbose) trace("<--", frame);
    },
  };
}
