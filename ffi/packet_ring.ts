/**
 * The receive ring of a packet socket (packet(7) `PACKET_RX_RING`; the kernel's
 * Documentation/networking/packet_mmap): the kernel writes each frame the socket's filter admits into memory that is
 * also mapped into this process, and flips a status word to hand it over. Reading it takes no system call while
 * frames are waiting; `poll` is needed only when the ring is empty. Frames are read in place through one view of
 * the mapping (`Deno.UnsafePointerView.getArrayBuffer`) and given back by writing the status word again.
 *
 * Setting a ring up needs no capability (tests/ffi/packet_ring_test.ts does it as nobody, on a packet socket opened
 * before dropping root): our unprivileged side does it on the packet socket the privileged helper handed over,
 * already bound, filtered and locked.
 *
 * Two layouts exist, both here (`_ring_v2.ts`, `_ring_v3.ts`). TPACKET_V2 has fixed-size frame slots, each with
 * its own status, handed over one frame at a time; TPACKET_V3 packs frames of any size into blocks and hands a block
 * over whole, when it is full or when the block-retire timeout passes. The default is V2, for the figures of
 * tests/bench/README.md:
 * - V3's retire timeout costs latency wherever the sender waits for us: the handshake, the response head, slow
 *   start. The timeout is in milliseconds and runs on the kernel's timer (a jiffy, 4 ms at HZ=250), so every burst
 *   smaller than a block waited for it: a 1 MiB download took ~90 ms longer than with recvmmsg, and V2 ~70 ms less
 *   than V3 (medians of 11 paired runs; a second batch of 15 found V2 and V3 equal). On 100 MiB the two spent the
 *   same CPU time, and one V3 run with GRO on hung at full CPU (not understood).
 * - V2's weakness, slots that must hold the largest frame (a GRO merge of up to 64 KiB), is covered by
 *   `PACKET_COPY_THRESH`: a frame longer than its slot is also queued whole on the socket, and read from there.
 *   Slots stay sized for a 1500-byte frame, so the ring stays small.
 *
 * Each frame's status also carries the kernel's checksum verdict: `TP_STATUS_CSUM_VALID` when the device (or GRO)
 * verified the TCP checksum, `TP_STATUS_CSUMNOTREADY` for a segment generated on this host whose checksum was left to
 * an offload that does not exist (a sender with checksum offload on, over veth).
 *
 * @module
 */

import { lastErrno } from "./errno.ts";
import { libc } from "./libc.ts";
import { OsError } from "./os_error.ts";
import { V2Reader } from "./_ring_v2.ts";
import { V3Reader } from "./_ring_v3.ts";
import { RingBatch, type RingReader } from "./_ring_batch.ts";

export { RingBatch } from "./_ring_batch.ts";

/** Frame status: the frame is the user's to read (packet_mmap). */
export const TP_STATUS_USER = 1;
/** Frame status: the device (or GRO) verified the frame's transport checksum. */
export const TP_STATUS_CSUM_VALID = 0x80;
/** Frame status: a locally generated frame whose transport checksum is left to a (missing) offload. */
export const TP_STATUS_CSUMNOTREADY = 0x8;
/** Block status (V3): the block was handed over by the retire timeout, not because it was full. */
export const TP_STATUS_BLK_TMO = 0x20;

const SOL_PACKET = 263;
const PACKET_RX_RING = 5;
const PACKET_VERSION = 10;
const PACKET_COPY_THRESH = 7;
const MSG_DONTWAIT = 0x40, MSG_TRUNC = 0x20;
const TPACKET_V2 = 1, TPACKET_V3 = 2;
const PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
const MAP_FAILED = 0xffff_ffff_ffff_ffffn;
const PAGE_SIZE = 4096;
/**
 * The ring's size when not given. It counts in our resident memory whole from the start (the kernel maps every page
 * at `mmap`), unlike a socket's receive buffer, and it only has to absorb what arrives between two driver turns:
 * about the sender's congestion window (~300 segments, ~0.5 MiB, on the testbed), not our 8 MiB TCP window.
 */
const RING_BYTES = 4 << 20;

/** setsockopt(2) as the ring uses it: returns 0, or the errno of a refusal. Injectable, to test a refusal. */
export type SetSockOpt = (
  fd: number,
  level: number,
  name: number,
  value: Uint8Array<ArrayBuffer>,
) => number | Promise<number>;

/** Options of {@linkcode openPacketRing}. */
export interface PacketRingOptions {
  /** The ring layout (default 2). */
  readonly version?: 2 | 3;
  /** Bytes per block, a multiple of 4096 (default 256 KiB for V3, 64 KiB for V2). */
  readonly blockSize?: number;
  /** Blocks in the ring (default: 4 MiB in all). */
  readonly blockCount?: number;
  /** V2: bytes per frame slot, a multiple of 16 (default 2048: a 1500-byte frame and its header). */
  readonly frameSize?: number;
  /** V3: how long a block that is not full may wait before the kernel hands it over, in ms (default 1). */
  readonly retireTimeoutMs?: number;
  /** The setsockopt to call (default libc's, `PACKET_RX_RING` on a worker thread). */
  readonly setsockopt?: SetSockOpt;
}

/** libc's setsockopt, with `PACKET_RX_RING` (which waits for the kernel, see openPacketRing) on a worker thread. */
async function setOffThreadForRing(fd: number, level: number, name: number, value: Uint8Array<ArrayBuffer>) {
  if (name !== PACKET_RX_RING) return libcSetSockOpt(fd, level, name, value);
  if (await libc().setsockopt_async(fd, level, name, value, value.length) === 0) return 0;
  // errno is stale after a nonblocking call: the same request, made again synchronously, says why it is refused.
  return libcSetSockOpt(fd, level, name, value);
}

/**
 * libc's setsockopt as a {@linkcode SetSockOpt}: what a ring calls unless told otherwise.
 *
 * @example
 * ```ts
 * const refuseRing: SetSockOpt = (fd, level, name, value) => name === 5 ? 92 : libcSetSockOpt(fd, level, name, value);
 * ```
 */
export function libcSetSockOpt(fd: number, level: number, name: number, value: Uint8Array<ArrayBuffer>): number {
  return libc().setsockopt(fd, level, name, value, value.length) === 0 ? 0 : lastErrno();
}

/**
 * A packet socket's receive ring, mapped into this process. It does not own the socket.
 *
 * @example
 * ```ts
 * const ring = openPacketRing(rx.fd);
 * const batch = new RingBatch(64);
 * for (let n = ring.collect(batch), i = 0; i < n; i++) handle(ring.memory.subarray(batch.offsets[i], …));
 * ring.close();
 * ```
 */
export class PacketRing {
  /** 2 or 3. */
  readonly version: 2 | 3;
  /** The mapped bytes (empty once closed): frame `i` of a batch starts at `batch.offsets[i]`. */
  memory: Uint8Array<ArrayBuffer>;
  /** Size of the mapping in bytes. */
  readonly size: number;
  #pointer: Deno.PointerObject | null;
  #reader: RingReader;

  /** Wraps a mapping; use {@linkcode openPacketRing}. */
  constructor(version: 2 | 3, pointer: Deno.PointerObject, size: number, reader: RingReader) {
    this.version = version;
    this.#pointer = pointer;
    this.size = size;
    this.#reader = reader;
    this.memory = reader.memory;
  }

  /** V3: how many blocks were handed over by the retire timeout rather than full (always 0 for V2). */
  get timedOutBlocks(): number {
    return this.#reader.timedOutBlocks;
  }

  /** Whether a frame is waiting now (no system call). */
  ready(): boolean {
    return this.#pointer !== null && this.#reader.ready();
  }

  /** Gives back what earlier calls handed out, then hands out up to `batch.capacity` waiting frames, in order. */
  collect(batch: RingBatch): number {
    if (this.#pointer === null) return batch.count = 0;
    return batch.count = this.#reader.collect(batch);
  }

  /** Gives back every frame handed out so far (their views must not be read afterwards). */
  release(): void {
    if (this.#pointer !== null) this.#reader.release();
  }

  /** Unmaps the ring; calling it twice is harmless. Views of its frames must not be read afterwards. */
  close(): void {
    if (this.#pointer === null) return;
    this.memory = new Uint8Array(0);
    libc().munmap(this.#pointer, BigInt(this.size));
    this.#pointer = null;
  }
}

/**
 * Sets up a receive ring on the packet socket `fd` and maps it. Rejects with OsError when the kernel refuses
 * (another socket type, an older kernel, a ring already there, no memory): the caller falls back to `recvmmsg`.
 *
 * It takes ~10 ms: the kernel detaches the socket and waits for an RCU grace period (`synchronize_net` in
 * packet_set_ring) before attaching the ring. That wait runs on a worker thread, so a caller can do other set-up
 * meanwhile; frames that arrive during it are not delivered at all, so set the ring up before any traffic.
 *
 * @example
 * ```ts
 * const ring = await openPacketRing(rx.fd, { version: 3 });
 * ```
 */
export async function openPacketRing(fd: number, options: PacketRingOptions = {}): Promise<PacketRing> {
  const version = options.version ?? 2;
  const setsockopt = options.setsockopt ?? setOffThreadForRing;
  const blockSize = options.blockSize ?? (version === 3 ? 256 << 10 : 64 << 10);
  const blockCount = options.blockCount ?? Math.max(2, Math.floor(RING_BYTES / blockSize));
  const frameSize = version === 3 ? 2048 : options.frameSize ?? 2048;
  if (blockSize % PAGE_SIZE !== 0 || frameSize % 16 !== 0 || frameSize > blockSize || blockCount < 1) {
    throw new RangeError(`Cannot make a ring of ${blockCount} blocks of ${blockSize} bytes, frames of ${frameSize}`);
  }
  const versionValue = new Uint8Array(4);
  new DataView(versionValue.buffer).setInt32(0, version === 3 ? TPACKET_V3 : TPACKET_V2, true);
  let errno = await setsockopt(fd, SOL_PACKET, PACKET_VERSION, versionValue);
  if (errno !== 0) throw new OsError(errno, "setsockopt", `${fd}, SOL_PACKET, PACKET_VERSION, TPACKET_V${version}`);
  // struct tpacket_req3 { block_size, block_nr, frame_size, frame_nr, retire_blk_tov, sizeof_priv, feature_req_word }
  // (V2 reads the first four fields only).
  const req = new Uint8Array(version === 3 ? 28 : 16);
  const r = new DataView(req.buffer);
  const framesPerBlock = Math.floor(blockSize / frameSize);
  r.setUint32(0, blockSize, true);
  r.setUint32(4, blockCount, true);
  r.setUint32(8, frameSize, true);
  r.setUint32(12, framesPerBlock * blockCount, true);
  if (version === 3) r.setUint32(16, Math.max(1, Math.round(options.retireTimeoutMs ?? 1)), true);
  errno = await setsockopt(fd, SOL_PACKET, PACKET_RX_RING, req);
  const args = `${fd}, SOL_PACKET, PACKET_RX_RING, ${blockCount} × ${blockSize} bytes`;
  if (errno !== 0) throw new OsError(errno, "setsockopt", args);
  const size = blockSize * blockCount;
  const pointer = libc().mmap(null, BigInt(size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0n);
  if (pointer === null || BigInt(Deno.UnsafePointer.value(pointer)) === MAP_FAILED) {
    const mmapErrno = lastErrno();
    // Frames would keep going to the unmapped ring: a request of zero blocks frees it (packet_mmap), so that the
    // caller may fall back to recvmmsg on the same socket.
    await setsockopt(fd, SOL_PACKET, PACKET_RX_RING, new Uint8Array(req.length));
    throw new OsError(mmapErrno, "mmap", `${size} bytes, socket ${fd}`);
  }
  const memory = new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(pointer, size));
  // V2: a frame longer than a slot is also queued whole on the socket (see _ring_v2.ts). Without it, such frames
  // are only reported cut, so a refusal is no reason to give up the ring.
  if (version === 2) {
    const one = new Uint8Array(4);
    new DataView(one.buffer).setInt32(0, 1, true);
    await setsockopt(fd, SOL_PACKET, PACKET_COPY_THRESH, one);
  }
  const reader = version === 3
    ? new V3Reader(memory, blockSize, blockCount)
    : new V2Reader(memory, frameSize, framesPerBlock * blockCount, blockSize, framesPerBlock, (into) => {
      const n = libc().recvfrom(fd, into, BigInt(into.length), MSG_DONTWAIT | MSG_TRUNC, null, null);
      return n < 0n ? -1 : Number(n);
    });
  return new PacketRing(version, pointer, size, reader);
}
