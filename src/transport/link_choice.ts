/**
 * Which frame link a connection receives through, chosen at run time: the packet ring (ffi/packet_ring.ts: frames
 * read in place, no system call while they wait) when the kernel lets our process set it up on the packet socket it
 * was given, else the `recvmmsg` link, which every kernel with packet sockets supports.
 *
 * The ring's set-up waits ~10 ms in the kernel, so it is started as soon as the receiver is there
 * ({@linkcode startReceiveRing}) and finished after the sender and the RST guard ({@linkcode openFrameLink}).
 *
 * @module
 */

import {
  openPacketRing,
  OsError,
  type PacketRing,
  type PacketRingOptions,
  RawFrameLink,
  type RawFrameLinkOptions,
  type RawReceiver,
  type RawSender,
  RingFrameLink,
} from "../../ffi/mod.ts";
import type { FrameLink } from "./link.ts";

/** `"auto"`: the ring when it can be set up, else recvmmsg; `"ring"`: the ring or an error; `"recvmmsg"`. */
export type FrameLinkKind = "auto" | "ring" | "recvmmsg";

/**
 * The link of a connection that asks for none: recvmmsg, for now. Measured on the testbed (tests/bench/README.md),
 * the ring saved no CPU time on a clean 100 MiB download (0.98×, within the noise), and cost every connection ~25 ms
 * of wall time in the kernel (an RCU grace period when the ring is attached, another when it is freed), +30 ms on a
 * 1 MiB download; with 64 KiB frames (GRO, offloads) it saved 5–10% of user time and lost as much wall time. "auto"
 * turns it on.
 */
export const DEFAULT_FRAME_LINK: FrameLinkKind = "recvmmsg";

/** What became of a ring's set-up: the ring, the kernel's refusal, or null when none was asked for. */
export type RingOutcome = PacketRing | OsError | null;

/**
 * Starts setting up the receive ring of `rx` (nothing for "recvmmsg"). The promise never rejects with a refusal:
 * it resolves to the OsError, which {@linkcode openFrameLink} turns into a fallback or an error.
 *
 * @example
 * ```ts
 * const ring = startReceiveRing(rx, "auto");
 * // … open the sender and the guard meanwhile …
 * const { link } = openFrameLink(tx, rx, await ring, { remoteAddr });
 * ```
 */
export async function startReceiveRing(
  rx: RawReceiver,
  kind: FrameLinkKind = DEFAULT_FRAME_LINK,
  ring: PacketRingOptions = {},
): Promise<RingOutcome> {
  if (kind === "recvmmsg") return null;
  try {
    return await openPacketRing(rx.fd, ring);
  } catch (e) {
    if (e instanceof OsError) return e;
    throw e;
  }
}

/** Options of {@linkcode openFrameLink}. */
export interface FrameLinkChoice extends RawFrameLinkOptions {
  /** Which link (default {@linkcode DEFAULT_FRAME_LINK}). */
  readonly kind?: FrameLinkKind;
}

/** A link, and one line saying which it is (for `-v`). */
export interface ChosenLink {
  /** The link; it owns both sockets. */
  readonly link: FrameLink;
  /** E.g. `Receiving through a packet ring (TPACKET_V2, 4 MiB)`. */
  readonly description: string;
}

/**
 * Builds the link of one connection over its sender, packet receiver and ring outcome (taking ownership of all).
 * With "auto", a refused ring (an older kernel, another socket type, no memory for the ring) falls back to recvmmsg;
 * with "ring" it throws the refusal, after closing the sockets.
 *
 * @example
 * ```ts
 * const { link, description } = openFrameLink(tx, rx, await startReceiveRing(rx), { remoteAddr });
 * log(description);
 * ```
 */
export function openFrameLink(tx: RawSender, rx: RawReceiver, ring: RingOutcome, choice: FrameLinkChoice): ChosenLink {
  const raw = new RawFrameLink(tx, rx, choice);
  const kind = choice.kind ?? DEFAULT_FRAME_LINK;
  if (ring === null || kind === "recvmmsg") {
    if (ring !== null && !(ring instanceof OsError)) ring.close();
    return { link: raw, description: "Receiving with recvmmsg" };
  }
  if (ring instanceof OsError) {
    if (kind === "ring") {
      raw.close();
      throw ring;
    }
    return { link: raw, description: `Receiving with recvmmsg: the kernel refused a packet ring (${ring.message})` };
  }
  const mib = (ring.size / (1 << 20)).toFixed(ring.size % (1 << 20) === 0 ? 0 : 1);
  return {
    link: new RingFrameLink(raw, ring),
    description: `Receiving through a packet ring (TPACKET_V${ring.version}, ${mib} MiB)`,
  };
}
