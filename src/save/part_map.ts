/**
 * The part map: a small text file beside a parallel download's `NAME.part` that says which byte ranges of it are on
 * disk, of which file (size, validators, URL). With it `-c` continues a parallel download where each range stopped;
 * without it a `.part` written at many offsets has holes, and its size says nothing about what it holds.
 *
 * The file is `NAME.part.map` (see {@linkcode partMapPath}), JSON of version 1, one range per line:
 *
 * ```json
 * {
 *   "version": 1,
 *   "url": "http://example.com/big.iso",
 *   "size": 734003200,
 *   "etag": "\"5f3a-2bc00000\"",
 *   "lastModified": "Tue, 01 Jul 2025 10:00:00 GMT",
 *   "have": [
 *     [0, 183500800],
 *     [367001600, 400000000]
 *   ]
 * }
 * ```
 *
 * @module
 */

import { ENOENT, openFile, OsError, readFileBytes, removeFile, renameFile } from "../../ffi/mod.ts";
import { sudoOwner } from "./owner.ts";
import type { ByteRange } from "./range_set.ts";

/** What a part map records. */
export interface PartMap {
  /** The whole file's size. */
  readonly size: number;
  /** The validator pinned with If-Range (a strong ETag as the server sent it, quotes included), or null. */
  readonly etag: string | null;
  /** Last-Modified as the server sent it, or null. */
  readonly lastModified: string | null;
  /** The URL the parts come from. */
  readonly url: string;
  /** Ranges known to be on disk in `NAME.part`, sorted and disjoint. */
  readonly have: readonly ByteRange[];
}

/** A part map that cannot be used: the message is one sentence saying why. */
export class PartMapError extends Error {
  /** An error named "PartMapError". */
  constructor(message: string) {
    super(message);
    this.name = "PartMapError";
  }
}

/** The format version this code writes and reads; a change of meaning gets a new number, never a silent reading. */
const VERSION = 1;
const KEYS = ["version", "url", "size", "etag", "lastModified", "have"];

/**
 * The map of the part file `partPath`: `NAME.part.map`. Derived from the part file's name so that the two sort side
 * by side and leave together; the `.part` kept in it means a map never takes the name a finished download gets.
 *
 * @example `partMapPath("big.iso.part") === "big.iso.part.map"`
 */
export function partMapPath(partPath: string): string {
  return `${partPath}.map`;
}

/**
 * The text of a map: JSON with `"version": 1`, one field per line and one `[start, end]` range per line, so that a
 * person can read what a stopped download holds.
 *
 * @example
 * ```ts
 * formatPartMap({ size: 10, etag: null, lastModified: null, url: "http://h/f", have: [{ start: 0, end: 4 }] });
 * ```
 */
export function formatPartMap(map: PartMap): string {
  const ranges = map.have.map((r) => `    [${r.start}, ${r.end}]`).join(",\n");
  return [
    "{",
    `  "version": ${VERSION},`,
    `  "url": ${JSON.stringify(map.url)},`,
    `  "size": ${map.size},`,
    `  "etag": ${JSON.stringify(map.etag)},`,
    `  "lastModified": ${JSON.stringify(map.lastModified)},`,
    ranges === "" ? `  "have": []` : `  "have": [\n${ranges}\n  ]`,
    "}",
    "",
  ].join("\n");
}

/**
 * Reads a map's text strictly: anything but what {@linkcode formatPartMap} writes throws {@linkcode PartMapError}, as
 * a map taken wrongly would leave holes in a file reported complete. `source` names the file in the message.
 *
 * @example
 * ```ts
 * parsePartMap(text).have; // [{ start: 0, end: 4 }]
 * ```
 */
export function parsePartMap(text: string, source = "the part map"): PartMap {
  const fail = (reason: string) => new PartMapError(`Cannot use ${source}: ${reason}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw fail("it is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw fail("it is not a JSON object");
  const o = value as Record<string, unknown>;
  // A field we do not know may change what the others mean: a newer format, not to be half understood.
  const unknown = Object.keys(o).find((k) => !KEYS.includes(k));
  if (unknown !== undefined) throw fail(`field "${unknown}" is unknown`);
  if (o.version !== VERSION) throw fail(`version ${JSON.stringify(o.version)} is not ${VERSION}`);
  if (typeof o.url !== "string" || o.url === "") throw fail(`url ${JSON.stringify(o.url)} is not a URL`);
  if (!isOffset(o.size)) throw fail(`size ${JSON.stringify(o.size)} is not a byte count`);
  const size = o.size;
  for (const key of ["etag", "lastModified"] as const) {
    if (o[key] !== null && typeof o[key] !== "string") throw fail(`${key} ${JSON.stringify(o[key])} is not a string`);
  }
  if (!Array.isArray(o.have)) throw fail(`have ${JSON.stringify(o.have)} is not a list of ranges`);
  const have: ByteRange[] = [];
  for (const pair of o.have as unknown[]) {
    const shown = JSON.stringify(pair);
    if (!Array.isArray(pair) || pair.length !== 2 || !isOffset(pair[0]) || !isOffset(pair[1])) {
      throw fail(`range ${shown} is not a pair of byte offsets`);
    }
    const [start, end] = pair as [number, number];
    if (start >= end) throw fail(`range ${shown} is empty`);
    if (end > size) throw fail(`range ${shown} ends past the size ${size}`);
    // Sorted and disjoint, as written: an overlap means the map was not written by us, or was damaged.
    const previous = have.at(-1);
    if (previous !== undefined && start < previous.end) {
      throw fail(`range ${shown} overlaps or precedes [${previous.start},${previous.end}]`);
    }
    have.push({ start, end });
  }
  return { size, etag: o.etag as string | null, lastModified: o.lastModified as string | null, url: o.url, have };
}

/** A byte offset or count: a non-negative safe integer. */
function isOffset(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Reads the map at `path`: null when there is none (nothing to continue), {@linkcode PartMapError} when it cannot be
 * read or is not a valid map.
 *
 * @example
 * ```ts
 * readPartMap(partMapPath("big.iso.part"))?.have;
 * ```
 */
export function readPartMap(path: string): PartMap | null {
  let bytes: Uint8Array;
  try {
    bytes = readFileBytes(path);
  } catch (e) {
    if (e instanceof OsError && e.errno === ENOENT) return null;
    if (e instanceof OsError) throw new PartMapError(`Cannot read the part map "${path}": ${e.message}`);
    throw e;
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new PartMapError(`Cannot use the part map "${path}": it is not UTF-8 text`);
  }
  return parsePartMap(text, `the part map "${path}"`);
}

/**
 * Writes the map atomically: `path.tmp` first, then renamed over `path`, so a map is always whole (a kill or a full
 * disk in the middle leaves the previous one). Not fsynced: it is saved often during a download, and what it protects
 * against is the program stopping, after which the kernel still holds both the map and the part file's pages. A file
 * we create is handed to the sudo user, like the part file.
 *
 * @example
 * ```ts
 * writePartMap("big.iso.part.map", { size, etag, lastModified, url, have: partFile.flushed.ranges() });
 * ```
 */
export function writePartMap(path: string, map: PartMap): void {
  const tmp = `${path}.tmp`;
  const file = openFile(tmp, { create: true, truncate: true, write: true, mode: 0o644 });
  try {
    const owner = sudoOwner();
    if (owner !== null) file.chown(owner.uid, owner.gid);
    file.write(new TextEncoder().encode(formatPartMap(map)));
    file.close();
    renameFile(tmp, path);
  } catch (e) {
    file.close();
    try {
      removeFile(tmp);
    } catch {
      // The error that stopped the write says more than this one.
    }
    throw e;
  }
}

/**
 * Removes the map (the download completed, or starts afresh); a missing map is fine, and a `.tmp` left by a stopped
 * write goes too.
 *
 * @example
 * ```ts
 * removePartMap("big.iso.part.map");
 * ```
 */
export function removePartMap(path: string): void {
  removeFile(path);
  removeFile(`${path}.tmp`);
}
