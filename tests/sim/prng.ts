/**
 * A seeded PRNG for the simulator (mulberry32): every random choice of a run derives from one seed.
 *
 * @module
 */

/**
 * Returns a generator of floats in [0, 1) from a 32-bit seed.
 *
 * @example
 * ```ts
 * const rand = mulberry32(1);
 * rand() === mulberry32(1)(); // true
 * ```
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The byte at stream position `i` of a simulated response body (position-dependent, so any shift shows). */
export function bodyByte(i: number): number {
  return (Math.imul(i, 2654435761) >>> 24) ^ (i & 0xff) ^ ((i >>> 8) & 0xff);
}

const bodies = new Map<number, Uint8Array>();

/** A response body of `size` bytes made of `bodyByte` (cached). */
export function body(size: number): Uint8Array {
  let b = bodies.get(size);
  if (b === undefined) {
    b = new Uint8Array(size);
    for (let i = 0; i < size; i++) b[i] = bodyByte(i);
    if (size <= 64 * 1024 * 1024) bodies.set(size, b);
  }
  return b;
}
