/**
 * Where a hop's body goes when the download may use several connections: the first response is judged
 * (`judgeParallel`), and a download that can be split becomes a {@linkcode ParallelDownload} whose first part is the
 * hop's body. A partial file with a part map (an interrupted parallel download) continues the same way, even with one
 * connection: its bytes are not contiguous, so only the map says what is missing.
 *
 * @module
 */

import type { HeadEvent, ParsedUrl } from "../http/mod.ts";
import { type ByteRange, PartFile, type PartMap, RangeSet } from "../save/mod.ts";
import type { OpenStream } from "../transport/mod.ts";
import { FileChangedError } from "./errors.ts";
import type { DownloadContext } from "./hop_types.ts";
import { ParallelDownload } from "./parallel.ts";
import { type FileVersion, judgeParallel, MIN_PART } from "./parallel_policy.ts";
import { PartPlan } from "./part_plan.ts";

/** What {@linkcode beginParallel} needs to know of the hop. */
export interface ParallelStart {
  /** The response to the hop's request. */
  readonly head: HeadEvent;
  /** The URL asked. */
  readonly url: ParsedUrl;
  /** The download's context (options, events, credentials). */
  readonly context: DownloadContext;
  /** How the parts' connections are opened. */
  readonly openStream: OpenStream;
  /** The final path of the file. */
  readonly path: string;
  /** Where the hop's body starts in the file (0, or the first missing byte of a resumed part map). */
  readonly offset: number;
  /** The part map of the partial file being continued (its ranges on disk), or null for a new file. */
  readonly map: PartMap | null;
  /** Ends the hop's exchange (a signal, or a part's failure that ends the download). */
  readonly interruptFirst: () => void;
  /**
   * The first connection's least round trip so far, in ms: the smoothed one still carries the start-up of the process,
   * several milliseconds, in its first samples. By the response's head the handshake and the request have given
   * samples (0 with millisecond timestamps on a fast link; 0 too in the rare case that both were sent again, which
   * Karn's rule leaves unmeasured: then one connection, the cautious choice).
   */
  readonly rttMs: number;
}

/**
 * Below this round trip (ms) one connection is enough: its window (8 MiB) allows more than a gigabyte a second and
 * losses are repaired within milliseconds, so more connections only add handshakes and CPU (measured on the testbed's
 * clean link: four connections took 1.05 s for 100 MiB where one took 0.74 s). The first samples of a connection
 * carry a few milliseconds of the process's own start-up (1–3 ms on a 0.1 ms link), hence 5 and not 1.
 */
export const NEAR_RTT_MS = 5;

/**
 * A parallel download whose first part is the hop's body, or null: one connection (the reason is logged with `-v`
 * when several were asked for).
 *
 * @example
 * ```ts
 * const parallel = beginParallel({ head, url, context, openStream, path, offset: 0, map: null, interruptFirst });
 * if (parallel !== null) return parallel.firstSink; // the hop's output
 * ```
 */
export function beginParallel(start: ParallelStart): ParallelDownload | null {
  const { head, context, map } = start;
  const options = context.options;
  let wanted = Math.max(1, options.parallelConnections ?? 1);
  if (wanted <= 1 && map === null) return null;
  if (wanted > 1 && start.rttMs < NEAR_RTT_MS) {
    options.log?.(
      `One connection: the server is ${start.rttMs.toFixed(1)} ms away, where one connection goes as fast as several`,
    );
    if (map === null) return null;
    wanted = 1;
  }
  const verdict = judgeParallel(head, MIN_PART);
  if (verdict.kind === "single") {
    options.log?.(`One connection: ${verdict.reason}`);
    return null;
  }
  const version = verdict.version;
  // A partial file without a map (one connection saved it) holds the bytes before the offset.
  const have = map !== null
    ? resumable(map, version, head.status)
    : start.offset > 0
    ? [{ start: 0, end: start.offset }]
    : [];
  const plan = new PartPlan(version.size, wanted, have, { minPart: MIN_PART, chunkSize: options.chunkSize });
  const file = new PartFile(start.path, { fresh: have.length === 0, size: version.size });
  for (const r of have) file.flushed.add(r.start, r.end);
  const parallel = new ParallelDownload({
    url: start.url,
    context,
    openStream: start.openStream,
    plan,
    file,
    version,
    connections: wanted,
    interruptFirst: start.interruptFirst,
  });
  const first = parallel.firstSink.start;
  if (first !== start.offset) {
    throw new RangeError(`The first part starts at ${first}, not at the response's offset ${start.offset}`);
  }
  const parts = Math.min(wanted, Math.ceil((version.size - plan.received) / MIN_PART));
  const away = ` (the server is ${start.rttMs.toFixed(1)} ms away)`;
  options.log?.(`Fetching ${version.size - plan.received} bytes over up to ${parts} connections${away}`);
  return parallel;
}

/**
 * The ranges of a part map that a resumed download keeps: all of them when the server's 206 describes the same
 * version (If-Range vouched for it), none when its 200 sent the file again (it changed, or ranges are no longer
 * served: the download starts over).
 */
function resumable(map: PartMap, version: FileVersion, status: number): readonly ByteRange[] {
  if (status !== 206) return [];
  if (map.size !== version.size) {
    throw new FileChangedError(`says the file is ${version.size} bytes long now, not ${map.size} as when it began`);
  }
  return new RangeSet(map.have).ranges();
}

/** The first byte a part map lacks (its size when it lacks none: the file is complete but was not renamed). */
export function firstMissing(map: PartMap): number {
  return new RangeSet(map.have).gaps(map.size)[0]?.start ?? map.size;
}
