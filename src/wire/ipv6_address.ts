/**
 * IPv6 addresses (RFC 4291 §2.2): a branded string in the one canonical text form of RFC 5952 (lowercase, no leading
 * zeros, the longest run of two or more zero groups written `::`, the first such run on a tie), so that two equal
 * addresses are equal strings; the 16 bytes are made when a header is written.
 *
 * Text forms accepted: the eight groups, `::` once, and a dotted quad in the last 32 bits (`::ffff:198.18.0.1`).
 * Refused: zone identifiers (`fe80::1%eth0`: they name a local interface, not an address), groups of more than four
 * hex digits, a second `::`, and anything else.
 *
 * @module
 */

import { tryParseIpv4Address } from "./address.ts";

/** An IPv6 address in RFC 5952 canonical text form. */
export type Ipv6Address = string & { readonly __ipv6: unique symbol };

const GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * Parses IPv6 text into its 8 groups, or returns null.
 */
function parseGroups(text: string): number[] | null {
  if (text.includes("%")) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const side = (part: string): number[] | null => {
    if (part === "") return [];
    const groups: number[] = [];
    const words = part.split(":");
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      // RFC 4291 §2.2 (3): a dotted quad may stand for the last 32 bits.
      if (i === words.length - 1 && w.includes(".")) {
        const v4 = tryParseIpv4Address(w);
        if (v4 === null) return null;
        groups.push(v4 >>> 16, v4 & 0xffff);
      } else if (GROUP.test(w)) groups.push(parseInt(w, 16));
      else return null;
    }
    return groups;
  };
  const head = side(halves[0]);
  if (head === null) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const tail = side(halves[1]);
  // `::` stands for at least one group of zeros (RFC 5952 §4.2.2 even says two or more, but RFC 4291 reads one).
  if (tail === null || head.length + tail.length > 7) return null;
  return [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
}

/** The canonical text of 8 groups (RFC 5952 §4). */
function formatGroups(groups: readonly number[]): Ipv6Address {
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (g: number) => g.toString(16);
  if (best < 0) return groups.map(hex).join(":") as Ipv6Address;
  const left = groups.slice(0, best).map(hex).join(":");
  const right = groups.slice(best + bestLen).map(hex).join(":");
  return `${left}::${right}` as Ipv6Address;
}

/**
 * Parses IPv6 text into its canonical form, or returns null (the non-throwing form of {@link parseIpv6Address}).
 *
 * @example
 * ```ts
 * tryParseIpv6Address("2001:0002:0:0:0:0:0:0001"); // "2001:2::1"
 * tryParseIpv6Address("example.com"); // null
 * ```
 */
export function tryParseIpv6Address(text: string): Ipv6Address | null {
  const groups = parseGroups(text);
  return groups === null ? null : formatGroups(groups);
}

/**
 * Parses IPv6 text (see the module for the forms); throws `TypeError` on anything else.
 *
 * @example
 * ```ts
 * parseIpv6Address("2001:2::0:1"); // "2001:2::1"
 * parseIpv6Address("fe80::1%eth0"); // throws TypeError
 * ```
 */
export function parseIpv6Address(text: string): Ipv6Address {
  const address = tryParseIpv6Address(text);
  if (address === null) {
    const why = text.includes("%")
      ? "a zone identifier names a local interface, not an address"
      : "expected eight groups of up to four hex digits, with :: at most once";
    throw new TypeError(`Cannot parse IPv6 address "${text}": ${why}`);
  }
  return address;
}

/**
 * Writes the 16 bytes of `address` into `buf` at `offset` (network order); returns 16.
 *
 * @example
 * ```ts
 * ipv6ToBytes(parseIpv6Address("2001:2::1"), header, 8); // the source address of an IPv6 header
 * ```
 */
export function ipv6ToBytes(address: Ipv6Address, buf: Uint8Array, offset = 0): number {
  const groups = parseGroups(address);
  if (groups === null) throw new RangeError(`Cannot use "${address}" as an IPv6 address`);
  for (let i = 0; i < 8; i++) {
    buf[offset + 2 * i] = groups[i] >>> 8;
    buf[offset + 2 * i + 1] = groups[i] & 0xff;
  }
  return 16;
}

/**
 * The address whose 16 bytes start at `offset` of `bytes` (the caller has checked they are there).
 *
 * @example
 * ```ts
 * ipv6FromBytes(frame, 8); // the source address of an IPv6 header, e.g. "2001:2::1"
 * ```
 */
export function ipv6FromBytes(bytes: Uint8Array, offset = 0): Ipv6Address {
  const groups = new Array<number>(8);
  for (let i = 0; i < 8; i++) groups[i] = (bytes[offset + 2 * i] << 8) | bytes[offset + 2 * i + 1];
  return formatGroups(groups);
}
