/**
 * Files in tests: temp directories, seeded pseudo-random content (xoshiro128+, ~3 GiB/s: not cryptographic, only
 * never repeating in a way a misplaced segment could hide in), streaming SHA-256 (both fit for 1 GiB files without
 * holding them in memory), and the questions tests ask of what a run left: does it exist, what does it hold, what
 * does a directory list.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { pollUntil } from "./poll.ts";

/** A file written by {@linkcode writeRandomFile}. */
export interface RandomFile {
  /** Absolute path of the file. */
  path: string;
  /** Lower-case hex SHA-256 of its content. */
  sha256: string;
  /** Its size in bytes. */
  size: number;
}

const CHUNK = 1 << 20;

/**
 * Writes `size` pseudo-random bytes to `path` and returns its SHA-256. The same `seed` always gives the same bytes;
 * without a seed the content is unpredictable.
 *
 * @example
 * ```ts
 * const f = await writeRandomFile("/tmp/x.bin", 100 * 2 ** 20, 42);
 * console.log(f.sha256);
 * ```
 */
export async function writeRandomFile(path: string, size: number, seed?: number | string): Promise<RandomFile> {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`Cannot make a random file of size ${size}`);
  const material = seed === undefined
    ? crypto.getRandomValues(new Uint8Array(16))
    : new Uint8Array(createHash("sha256").update(`rawhttpget testbed seed ${seed}`).digest());
  const state = new Uint32Array(material.buffer.slice(material.byteOffset, material.byteOffset + 16));
  state[0] |= 1; // xoshiro's state must not be all zeros
  const hash = createHash("sha256");
  const words = new Uint32Array(CHUNK / 4);
  const bytes = new Uint8Array(words.buffer);
  const file = await Deno.open(path, { write: true, create: true, truncate: true, mode: 0o644 });
  try {
    for (let left = size; left > 0;) {
      const n = Math.min(left, CHUNK);
      xoshiro128plus(state, words);
      const block = bytes.subarray(0, n);
      hash.update(block);
      await writeAll(file, block);
      left -= n;
    }
  } finally {
    file.close();
  }
  return { path, sha256: hash.digest("hex"), size };
}

/** Fills `out` from the xoshiro128+ generator (Blackman & Vigna) whose 4-word state is `s`, advancing it. */
function xoshiro128plus(s: Uint32Array, out: Uint32Array): void {
  let a = s[0], b = s[1], c = s[2], d = s[3];
  for (let i = 0; i < out.length; i++) {
    out[i] = (a + d) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
  }
  s[0] = a;
  s[1] = b;
  s[2] = c;
  s[3] = d;
}

/**
 * Streams a file through SHA-256 and returns the lower-case hex digest.
 *
 * @example
 * ```ts
 * const digest = await sha256File("/tmp/x.bin");
 * ```
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path, { read: true });
  try {
    const buf = new Uint8Array(CHUNK);
    for (;;) {
      const n = await file.read(buf);
      if (n === null) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    file.close();
  }
  return hash.digest("hex");
}

/** Lower-case hex SHA-256 of bytes in memory. */
export function sha256Bytes(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Writes all of `bytes` to an open file (a single `write` may be short). */
export async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length;) off += await file.write(bytes.subarray(off));
}

/**
 * A new temp directory (as `Deno.makeTempDir`) that any user may write to. Run as root, rawhttpget drops to nobody
 * (or the sudo user) before its first byte from the network, so the directories it saves into must be theirs to
 * write, as for a user who runs it from their own directory.
 *
 * @example
 * ```ts
 * const dir = await makeOpenTempDir({ dir: tb.tempDir, prefix: "run-" });
 * ```
 */
export async function makeOpenTempDir(options: Deno.MakeTempOptions = {}): Promise<string> {
  const dir = await Deno.makeTempDir(options);
  await Deno.chmod(dir, 0o777);
  return dir;
}

/** The user rawhttpget run as root drops to (`nobody`), who writes every file of a test's run. */
export const RUN_USER = { uid: 65534, gid: 65534 } as const;

/**
 * Hands a file the test made to {@linkcode RUN_USER}, as a file an earlier run left (or the user's own, for a user
 * who runs rawhttpget under sudo): `-c` appends to it, `-O` and `-N` rewrite it.
 *
 * @example
 * ```ts
 * await Deno.writeFile(`${dir}/big.bin`, partial);
 * await giveToRunUser(`${dir}/big.bin`);
 * ```
 */
export async function giveToRunUser(...paths: string[]): Promise<void> {
  for (const path of paths) await Deno.chown(path, RUN_USER.uid, RUN_USER.gid);
}

/**
 * Makes a temp directory `/tmp/<prefix>…`, runs `fn` with its path, and removes it with all it holds whatever happens.
 *
 * @example
 * ```ts
 * await withTempDir("rhg-fs-", async (dir) => await Deno.writeTextFile(`${dir}/a.txt`, "a"));
 * ```
 */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Bytes of a file, or null when it does not exist. */
export async function readOrNull(path: string): Promise<Uint8Array | null> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/** Whether `path` exists (a dangling link counts: it is not followed). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** The names in a directory, sorted. */
export async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

/** Resolves once `path` holds at least `bytes` bytes (checked every 50 ms); throws after `limitMs`. */
export async function waitForSize(path: string, bytes: number, limitMs = 15_000): Promise<void> {
  const grown = async () => ((await Deno.stat(path).catch(() => null))?.size ?? -1) >= bytes;
  if (!(await pollUntil(grown, limitMs, 50))) {
    throw new Error(`${path} did not reach ${bytes} bytes within ${limitMs} ms`);
  }
}
