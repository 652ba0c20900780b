/**
 * Saving: where a download's bytes go (target naming, `NAME.part`, the resume point), the sinks (a file, one file for
 * several downloads, standard output, one file written at many offsets by parallel connections) written behind the
 * event loop, the part map of a parallel download, and who owns what we create.
 *
 * @example
 * ```ts
 * import { openOutput } from "./mod.ts";
 * const out = openOutput("file.bin");
 * out.write(bytes);
 * await out.commit(); // file.bin.part becomes file.bin
 * ```
 *
 * @module
 */

export {
  ConcatOutput,
  createOutputFile,
  FileOutput,
  type FileOutputOptions,
  openOutput,
  type Output,
  SkippingOutput,
  StdoutOutput,
} from "./output.ts";
export { prepareDirectory, sudoOwner } from "./owner.ts";
export { PART_CHUNK_SIZE, PartFile, type PartFileOptions, type PartSink, PartWriter } from "./part_file.ts";
export {
  formatPartMap,
  parsePartMap,
  type PartMap,
  PartMapError,
  partMapPath,
  readPartMap,
  removePartMap,
  writePartMap,
} from "./part_map.ts";
export { type ByteRange, RangeSet } from "./range_set.ts";
export {
  checkWritableDirectory,
  directoryOf,
  isSpecialFile,
  joinPath,
  partName,
  type ResumePoint,
  resumePoint,
  type Target,
  uniqueName,
} from "./target.ts";
export {
  BufferedOutput,
  type ChunkWriter,
  DEFAULT_CHUNK_SIZE,
  WriteBehind,
  type WriteBehindOptions,
} from "./write_behind.ts";
