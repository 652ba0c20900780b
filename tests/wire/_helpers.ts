/**
 * Shared helpers of the wire tests: a seeded PRNG, hex conversion, a small pcap reader for the fixtures, the
 * byte-at-a-time checksum that the fast one is compared against, random segments, a read guard and an error assertion.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  MAX_OPTIONS_LEN,
  MAX_WINDOW_SCALE,
  seq,
  type TcpOptions,
  tcpOptionsLength,
  type TcpRepr,
  WireError,
  type WireErrorReason,
} from "../../src/wire/mod.ts";

/** A seeded PRNG (mulberry32): the same seed gives the same stream on every machine. */
export class Rng {
  #state: number;

  /** Starts the stream at `seed` (any 32-bit integer). */
  constructor(readonly seed: number) {
    this.#state = seed >>> 0;
  }

  /** A uniform unsigned 32-bit integer. */
  u32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform integer in `[0, n)`. */
  int(n: number): number {
    return Math.floor((this.u32() / 2 ** 32) * n);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.u32() / 2 ** 32 < p;
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** Joins chunks into one new buffer. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Lowercase hex of `bytes`, no separators. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Bytes from hex; spaces are ignored. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The reference one's complement sum: one byte at a time, folded with end-around carry (RFC 1071 §4.1 in spirit). */
export function naiveOnesComplementSum(bytes: Uint8Array, start = 0, end = bytes.length, acc = 0): number {
  let sum = acc;
  for (let i = start; i < end; i++) sum += ((i - start) & 1) === 0 ? bytes[i] * 256 : bytes[i];
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return sum;
}

/** One record of a pcap file. */
export interface PcapRecord {
  /** Timestamp in microseconds. */
  readonly tsMicros: number;
  /** Original length of the frame. */
  readonly originalLength: number;
  /** The captured bytes. */
  readonly data: Uint8Array;
}

/** A parsed classic pcap file. */
export interface PcapFile {
  /** The link type of every record. */
  readonly linkType: number;
  /** The snapshot length. */
  readonly snaplen: number;
  /** The records in file order. */
  readonly records: PcapRecord[];
}

/** Reads a classic (microsecond, either byte order) pcap file; throws on anything else. */
export function readPcap(bytes: Uint8Array): PcapFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  const little = magic === 0xa1b2c3d4;
  if (!little && magic !== 0xd4c3b2a1) throw new Error(`Not a microsecond pcap file: magic 0x${magic.toString(16)}`);
  const snaplen = view.getUint32(16, little);
  const linkType = view.getUint32(20, little);
  const records: PcapRecord[] = [];
  for (let o = 24; o < bytes.length;) {
    const sec = view.getUint32(o, little);
    const usec = view.getUint32(o + 4, little);
    const captured = view.getUint32(o + 8, little);
    const originalLength = view.getUint32(o + 12, little);
    records.push({ tsMicros: sec * 1e6 + usec, originalLength, data: bytes.slice(o + 16, o + 16 + captured) });
    o += 16 + captured;
  }
  return { linkType, snaplen, records };
}

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;

/** The IPv4 datagrams of a fixture pcap (Ethernet headers stripped). */
export function readFixtureFrames(name: string): Uint8Array[] {
  const file = readPcap(Deno.readFileSync(new URL(`../testdata/wire/${name}`, import.meta.url)));
  if (file.linkType === LINKTYPE_ETHERNET) return file.records.map((r) => r.data.slice(14));
  if (file.linkType === LINKTYPE_RAW) return file.records.map((r) => r.data);
  throw new Error(`Unexpected link type ${file.linkType} in ${name}`);
}

/** Copies `bytes` into a fresh buffer at byte offset `offset`, to test unaligned views. */
export function atOffset(bytes: Uint8Array, offset: number): Uint8Array {
  const backing = new Uint8Array(bytes.length + offset + 3);
  backing.set(bytes, offset);
  return backing.subarray(offset, offset + bytes.length);
}

/** Random TCP options that fit in 40 bytes; absent fields are left out, as the parser leaves them out. */
export function randomTcpOptions(rng: Rng): TcpOptions {
  const options: { -readonly [K in keyof TcpOptions]: TcpOptions[K] } = {};
  if (rng.chance(0.4)) options.mss = 1 + rng.int(0xffff);
  if (rng.chance(0.4)) options.windowScale = rng.int(MAX_WINDOW_SCALE + 1);
  if (rng.chance(0.4)) options.sackPermitted = true;
  if (rng.chance(0.6)) options.timestamp = { tsVal: rng.u32(), tsEcr: rng.u32() };
  if (rng.chance(0.4)) {
    const room = Math.floor((MAX_OPTIONS_LEN - tcpOptionsLength(options) - 4) / 8);
    const count = Math.min(room, 1 + rng.int(4));
    if (count > 0) {
      options.sackBlocks = Array.from({ length: count }, () => ({ left: seq(rng.u32()), right: seq(rng.u32()) }));
    }
  }
  return options;
}

/** A random segment with random options and up to `maxPayload` payload bytes. */
export function randomTcpRepr(rng: Rng, maxPayload = 1460): TcpRepr {
  return {
    srcPort: rng.int(0x10000),
    dstPort: rng.int(0x10000),
    seq: seq(rng.pick([rng.u32(), 0, 0xffffffff, 0x7fffffff, 0x80000000])),
    ack: seq(rng.u32()),
    flags: rng.int(0x100),
    window: rng.int(0x10000),
    urgent: rng.int(0x10000),
    options: randomTcpOptions(rng),
    payload: rng.bytes(rng.chance(0.3) ? 0 : rng.int(maxPayload + 1)),
  };
}

/** Thrown by a {@link guardReads} view when code reads an index outside it. */
export class OutOfBoundsRead extends Error {}

/**
 * A stand-in for `bytes` that throws {@link OutOfBoundsRead} when an index outside `[0, length)` is read. Typed arrays
 * return `undefined` there, which bitwise arithmetic turns into 0 silently; this makes such a read loud. Methods are
 * bound to the real array, so `subarray()` returns an ordinary (unguarded) view.
 */
export function guardReads(bytes: Uint8Array): Uint8Array {
  return new Proxy(bytes, {
    get(target, key) {
      if (typeof key === "string") {
        const index = Number(key);
        if (Number.isInteger(index) && (index < 0 || index >= target.length)) {
          throw new OutOfBoundsRead(`Read of index ${index} in a ${target.length}-byte view`);
        }
      }
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Asserts that `fn` throws a WireError with exactly this reason and message. */
export function assertWireError(fn: () => unknown, reason: WireErrorReason, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof WireError, `expected a WireError, got ${e}`);
    assert.equal(e.reason, reason);
    assert.equal(e.message, message);
    return true;
  });
}

/** A fuzz mutation: changes (or cuts) `frame` with `rng`'s choices and returns it. */
export type Mutation = (rng: Rng, frame: Uint8Array) => Uint8Array;

/** The mutations that know nothing of any header: bit flips, special byte values, a cut at any length. */
export const BYTE_MUTATIONS: ReadonlyArray<readonly [string, Mutation]> = [
  ["bit flips", (rng, f) => {
    for (let n = 1 + rng.int(8); n > 0; n--) f[rng.int(f.length)] ^= 1 << rng.int(8);
    return f;
  }],
  ["byte sets", (rng, f) => {
    for (let n = 1 + rng.int(4); n > 0; n--) f[rng.int(f.length)] = rng.pick([0, 1, 0xff, 0x7f, 0x80, rng.int(256)]);
    return f;
  }],
  ["truncation", (rng, f) => f.subarray(0, rng.int(f.length))],
];

/** A mutation: up to 64 random bytes after the frame (a datagram longer than its headers say). */
export function appendJunk(rng: Rng, f: Uint8Array): Uint8Array {
  const out = new Uint8Array(f.length + 1 + rng.int(64));
  out.set(f);
  out.set(rng.bytes(out.length - f.length), f.length);
  return out;
}

/**
 * Runs `cases` fuzz cases of a run seeded `runSeed`: case `i` is made by `make` from its own seed and checked by
 * `check`; a failure names the case, its mutation, the seeds to replay it and the frame.
 *
 * @example
 * ```ts
 * fuzzCases(1000, 42, (seed) => makeCase(seed), (rng, frame) => runCase(rng, frame));
 * ```
 */
export function fuzzCases(
  cases: number,
  runSeed: number,
  make: (caseSeed: number) => { readonly rng: Rng; readonly name: string; readonly frame: Uint8Array },
  check: (rng: Rng, frame: Uint8Array) => void,
): void {
  for (let i = 0; i < cases; i++) {
    const caseSeed = (runSeed + Math.imul(i, 0x9e3779b9)) >>> 0;
    const { rng, name, frame } = make(caseSeed);
    try {
      check(rng, frame);
    } catch (e) {
      throw new Error(
        `Fuzz case ${i} (${name}) failed: RHG_FUZZ_SEED=${runSeed} case seed ${caseSeed}\nframe ${toHex(frame)}\n${e}`,
        { cause: e },
      );
    }
  }
}
