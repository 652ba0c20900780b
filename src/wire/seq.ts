/**
 * 32-bit TCP sequence-number arithmetic (RFC 9293 §3.4, RFC 1982 serial arithmetic).
 *
 * Sequence numbers wrap at 2^32, so `a < b` on raw numbers is wrong near the wrap. Every comparison in the project
 * goes through this module; a `SeqNumber` is a branded number so that a plain count cannot be passed by mistake.
 *
 * @module
 */

/** A 32-bit sequence number in [0, 2^32). Only this module creates one. */
export type SeqNumber = number & { readonly __seq: unique symbol };

/**
 * Wraps any integer into a sequence number.
 *
 * @example
 * ```ts
 * seq(2 ** 32 + 5); // 5
 * ```
 */
export function seq(n: number): SeqNumber {
  return (n >>> 0) as SeqNumber;
}

/**
 * Adds a (possibly negative) byte count to a sequence number, wrapping at 2^32.
 *
 * @example
 * ```ts
 * seqAdd(seq(0xffffffff), 2); // 1
 * ```
 */
export function seqAdd(a: SeqNumber, n: number): SeqNumber {
  return ((a + n) >>> 0) as SeqNumber;
}

/**
 * Signed distance `a - b` in [-2^31, 2^31): positive when `a` is after `b`.
 *
 * @example
 * ```ts
 * seqDiff(seq(1), seq(0xffffffff)); // 2
 * ```
 */
export function seqDiff(a: SeqNumber, b: SeqNumber): number {
  return (a - b) | 0;
}

/** True when `a` comes strictly before `b`. @example `seqLt(seq(0xfffffff0), seq(3)) === true` */
export function seqLt(a: SeqNumber, b: SeqNumber): boolean {
  return ((a - b) | 0) < 0;
}

/** True when `a` comes before or equals `b`. @example `seqLe(seq(3), seq(3)) === true` */
export function seqLe(a: SeqNumber, b: SeqNumber): boolean {
  return ((a - b) | 0) <= 0;
}

/** True when `a` comes strictly after `b`. @example `seqGt(seq(3), seq(0xfffffff0)) === true` */
export function seqGt(a: SeqNumber, b: SeqNumber): boolean {
  return ((a - b) | 0) > 0;
}

/** True when `a` comes after or equals `b`. @example `seqGe(seq(3), seq(3)) === true` */
export function seqGe(a: SeqNumber, b: SeqNumber): boolean {
  return ((a - b) | 0) >= 0;
}

/** The later of two sequence numbers. @example `seqMax(seq(1), seq(0xffffffff)) === 1` */
export function seqMax(a: SeqNumber, b: SeqNumber): SeqNumber {
  return seqGe(a, b) ? a : b;
}

/** The earlier of two sequence numbers. @example `seqMin(seq(1), seq(0xffffffff)) === 0xffffffff` */
export function seqMin(a: SeqNumber, b: SeqNumber): SeqNumber {
  return seqLe(a, b) ? a : b;
}

/**
 * True when `s` lies in the half-open window `[start, start + length)`; an empty window holds nothing.
 *
 * @example
 * ```ts
 * seqInWindow(seq(2), seq(0xffffffff), 4); // true
 * ```
 */
export function seqInWindow(s: SeqNumber, start: SeqNumber, length: number): boolean {
  const d = (s - start) >>> 0;
  return d < length;
}
