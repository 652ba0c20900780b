/**
 * IPv4 addresses (RFC 791 §2.3): a branded unsigned 32-bit number, one strict dotted-quad parser and one formatter.
 *
 * Every layer that names an address (the libc calls, the codecs, the firewall, the command line, TLS) uses this type,
 * so a port, a length or a sequence number cannot be passed where an address belongs, and text is turned into an
 * address by one set of rules only.
 *
 * @module
 */

/** An IPv4 address as an unsigned 32-bit number in network order (198.18.0.1 is 0xc6120001). */
export type Ipv4Address = number & { readonly __ipv4: unique symbol };

/**
 * Checks that `n` is an unsigned 32-bit integer and types it as an address; throws `RangeError` otherwise.
 *
 * @example
 * ```ts
 * ipv4(0xc6120001); // 198.18.0.1
 * ipv4(-1); // throws RangeError
 * ```
 */
export function ipv4(n: number): Ipv4Address {
  // Unlike a sequence number, an address never wraps: an out-of-range value is a bug upstream, not arithmetic.
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new RangeError(`Cannot use ${n} as an IPv4 address: it is not an unsigned 32-bit integer`);
  }
  return n as Ipv4Address;
}

// Four decimal parts of 0-255 written without leading zeros. The forms inet_aton also accepts are refused: a leading
// zero means octal to it and decimal to a browser, and a shorthand such as `127.1` hides which bytes were meant.
const PART = "(0|[1-9][0-9]{0,2})";
const DOTTED_QUAD = new RegExp(`^${PART}\\.${PART}\\.${PART}\\.${PART}$`);

/**
 * Parses a strict dotted quad, or returns null: the non-throwing form of {@link parseIpv4Address}, for telling an
 * address literal from a host name.
 *
 * @example
 * ```ts
 * tryParseIpv4Address("198.18.0.1"); // 0xc6120001
 * tryParseIpv4Address("example.com"); // null
 * ```
 */
export function tryParseIpv4Address(text: string): Ipv4Address | null {
  const m = DOTTED_QUAD.exec(text);
  if (m === null) return null;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const part = Number(m[i]);
    if (part > 255) return null;
    value = value * 256 + part;
  }
  return value as Ipv4Address;
}

/**
 * Parses a strict dotted quad (four decimal numbers 0-255, no leading zeros, no shorthand such as `127.1`); throws
 * `TypeError` on anything else.
 *
 * @example
 * ```ts
 * parseIpv4Address("198.18.0.1"); // 0xc6120001
 * parseIpv4Address("198.018.0.1"); // throws TypeError
 * ```
 */
export function parseIpv4Address(text: string): Ipv4Address {
  const address = tryParseIpv4Address(text);
  if (address === null) {
    throw new TypeError(`Cannot parse IPv4 address "${text}": expected four decimal numbers 0-255`);
  }
  return address;
}

/**
 * Formats an address as a dotted quad; `parseIpv4Address` reads it back unchanged.
 *
 * @example
 * ```ts
 * formatIpv4Address(ipv4(0xc6120001)); // "198.18.0.1"
 * ```
 */
export function formatIpv4Address(address: Ipv4Address): string {
  return `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
}
