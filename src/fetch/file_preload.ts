/**
 * The files the options name, read before the program drops root: a root-run download becomes `nobody` before its
 * first connection, and a client key, a CA file or a `--post-file` that only root may read would be out of reach
 * when the hop needs it. Their bytes (or why they could not be read) are kept, and served when asked for, so that
 * a file that is missing or unreadable still fails where and as it did (an https hop, a POST), not at start.
 *
 * @module
 */

import { readFileBytes } from "../../ffi/mod.ts";

/** Reads a whole file; throws as `readFileBytes` does. */
export type FileReader = (path: string) => Uint8Array<ArrayBuffer>;

/**
 * Reads every named file now and returns a reader that serves them from memory (any other path is read then).
 *
 * @example
 * ```ts
 * const read = preloadFiles([settings.tls?.privateKey, settings.bodyFile]);
 * read("client.key"); // the bytes read at start, or the error of then
 * ```
 */
export function preloadFiles(paths: readonly (string | undefined)[]): FileReader {
  const kept = new Map<string, { bytes: Uint8Array<ArrayBuffer> } | { error: unknown }>();
  for (const path of paths) {
    if (path === undefined || kept.has(path)) continue;
    try {
      kept.set(path, { bytes: readFileBytes(path) });
    } catch (error) {
      kept.set(path, { error });
    }
  }
  return (path) => {
    const entry = kept.get(path);
    if (entry === undefined) return readFileBytes(path);
    if ("error" in entry) throw entry.error;
    return entry.bytes;
  };
}
