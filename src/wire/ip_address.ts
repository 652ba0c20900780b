/**
 * An address of either IP version, told apart by its representation: an IPv4 address is a number
 * (`address.ts`), an IPv6 address canonical RFC 5952 text (`ipv6_address.ts`). Equal addresses compare `===` in both.
 *
 * @module
 */

import { formatIpv4Address, type Ipv4Address, tryParseIpv4Address } from "./address.ts";
import { type Ipv6Address, tryParseIpv6Address } from "./ipv6_address.ts";

/** An IPv4 or an IPv6 address. */
export type IpAddress = Ipv4Address | Ipv6Address;

/** Whether `address` is an IPv6 address. @example `isIpv6Address(parseIpAddress("2001:2::1")) // true` */
export function isIpv6Address(address: IpAddress): address is Ipv6Address {
  return typeof address === "string";
}

/** 4 or 6. @example `ipVersion(ipv4(0xc6120001)) // 4` */
export function ipVersion(address: IpAddress): 4 | 6 {
  return typeof address === "string" ? 6 : 4;
}

/** The address as text: a dotted quad, or RFC 5952 text. @example `formatIpAddress(ipv4(0xc6120001)) // "198.18.0.1"` */
export function formatIpAddress(address: IpAddress): string {
  return typeof address === "string" ? address : formatIpv4Address(address);
}

/**
 * The address and port as a URL authority writes them (RFC 3986 §3.2.2: an IPv6 address in brackets).
 *
 * @example
 * ```ts
 * formatAddressPort(parseIpAddress("2001:2::1"), 80); // "[2001:2::1]:80"
 * ```
 */
export function formatAddressPort(address: IpAddress, port: number): string {
  return typeof address === "string" ? `[${address}]:${port}` : `${formatIpv4Address(address)}:${port}`;
}

/** A dotted quad or IPv6 text (no brackets, no zone), or null. @example `tryParseIpAddress("::1") // "::1"` */
export function tryParseIpAddress(text: string): IpAddress | null {
  return tryParseIpv4Address(text) ?? tryParseIpv6Address(text);
}

/**
 * A dotted quad or IPv6 text; throws `RangeError` for anything else.
 *
 * @example
 * ```ts
 * parseIpAddress("198.18.0.1"); // 0xc6120001
 * ```
 */
export function parseIpAddress(text: string): IpAddress {
  const address = tryParseIpAddress(text);
  if (address === null) throw new RangeError(`Cannot parse "${text}": not an IPv4 or IPv6 address`);
  return address;
}
