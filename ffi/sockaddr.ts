/**
 * `struct sockaddr_in` encoding (16 bytes: family u16 host order, port u16 and address u32 in network order), and
 * `struct sockaddr_in6` (28 bytes, drawn at {@linkcode encodeSockaddrIn6}).
 *
 * ```text
 *  0      2      4              8                       16
 * +------+------+--------------+-----------------------+
 * |family| port |   address    |        zero           |
 * +------+------+--------------+-----------------------+
 * ```
 *
 * @module
 */

import {
  type IpAddress,
  ipv4,
  type Ipv4Address,
  type Ipv6Address,
  ipv6FromBytes,
  ipv6ToBytes,
  isIpv6Address,
} from "../src/wire/mod.ts";

/** Address family IPv4. */
export const AF_INET = 2;
/** Size of `struct sockaddr_in`. */
export const SOCKADDR_IN_LEN = 16;

/** An IPv4 socket address: an address and a port, both as host numbers. */
export interface SockaddrIn {
  /** The address. */
  readonly addr: Ipv4Address;
  /** The port, 0–65535. */
  readonly port: number;
}

/**
 * Encodes a sockaddr_in into `buf` (a new 16-byte buffer by default) and returns it.
 *
 * @example
 * ```ts
 * const sa = encodeSockaddrIn(ipv4(0x7f000001), 80);
 * ```
 */
export function encodeSockaddrIn(
  addr: Ipv4Address,
  port: number,
  buf: Uint8Array<ArrayBuffer> = new Uint8Array(SOCKADDR_IN_LEN),
): Uint8Array<ArrayBuffer> {
  // The type can be cast around; a value that is not a u32 must not reach the kernel silently truncated.
  if (!Number.isInteger(addr) || addr < 0 || addr > 0xffffffff) {
    throw new RangeError(`Cannot encode IPv4 address ${addr}: not a u32`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new RangeError(`Cannot encode port ${port}`);
  const view = new DataView(buf.buffer, buf.byteOffset, SOCKADDR_IN_LEN);
  view.setUint16(0, AF_INET, true);
  view.setUint16(2, port, false);
  view.setUint32(4, addr, false);
  view.setUint32(8, 0);
  view.setUint32(12, 0);
  return buf;
}

/**
 * Decodes a sockaddr_in written by the kernel; throws `TypeError` if its family is not AF_INET.
 *
 * @example
 * ```ts
 * decodeSockaddrIn(encodeSockaddrIn(ipv4(0x7f000001), 80)); // { addr: 0x7f000001, port: 80 }
 * ```
 */
export function decodeSockaddrIn(buf: Uint8Array): SockaddrIn {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const family = view.getUint16(0, true);
  if (family !== AF_INET) throw new TypeError(`Cannot decode sockaddr_in: address family ${family} is not AF_INET`);
  return { addr: ipv4(view.getUint32(4, false)), port: view.getUint16(2, false) };
}

/** Address family IPv6. */
export const AF_INET6 = 10;
/** Size of `struct sockaddr_in6`. */
export const SOCKADDR_IN6_LEN = 28;

/** A socket address of either IP version: an address and a port. */
export interface SocketAddress<A extends IpAddress = IpAddress> {
  /** The address. */
  readonly addr: A;
  /** The port, 0–65535. */
  readonly port: number;
}

/** An IPv6 socket address (scope and flow label are always 0). */
export type SockaddrIn6 = SocketAddress<Ipv6Address>;

/**
 * Encodes a sockaddr_in6 into `buf` (a new 28-byte buffer by default) and returns it: family in host order, port in
 * network order, flow information 0, the 16 address bytes, scope id 0 (we use no link-local or scoped addresses).
 *
 * ```text
 *  0      2      4              8                               24             28
 * +------+------+--------------+-------------------------------+--------------+
 * |family| port |  flowinfo 0  |          address              |  scope id 0  |
 * +------+------+--------------+-------------------------------+--------------+
 * ```
 *
 * @example
 * ```ts
 * const sa = encodeSockaddrIn6(parseIpv6Address("2001:2::1"), 80);
 * ```
 */
export function encodeSockaddrIn6(
  addr: Ipv6Address,
  port: number,
  buf: Uint8Array<ArrayBuffer> = new Uint8Array(SOCKADDR_IN6_LEN),
): Uint8Array<ArrayBuffer> {
  // The type can be cast around; a number here would be an IPv4 address in the wrong family.
  if (typeof addr !== "string") throw new TypeError(`Cannot encode ${addr} as an IPv6 address`);
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new RangeError(`Cannot encode port ${port}`);
  const view = new DataView(buf.buffer, buf.byteOffset, SOCKADDR_IN6_LEN);
  view.setUint16(0, AF_INET6, true);
  view.setUint16(2, port, false);
  view.setUint32(4, 0);
  ipv6ToBytes(addr, buf, 8);
  view.setUint32(24, 0);
  return buf;
}

/**
 * Decodes a sockaddr_in6 written by the kernel; throws `TypeError` if its family is not AF_INET6 or it is short.
 *
 * @example
 * ```ts
 * decodeSockaddrIn6(encodeSockaddrIn6(parseIpv6Address("::1"), 80)); // { addr: "::1", port: 80 }
 * ```
 */
export function decodeSockaddrIn6(buf: Uint8Array): SockaddrIn6 {
  // Reading past the end would make up address bytes.
  if (buf.byteLength < SOCKADDR_IN6_LEN) {
    throw new TypeError(`Cannot decode sockaddr_in6: ${buf.byteLength} bytes are fewer than ${SOCKADDR_IN6_LEN}`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const family = view.getUint16(0, true);
  if (family !== AF_INET6) throw new TypeError(`Cannot decode sockaddr_in6: address family ${family} is not AF_INET6`);
  return { addr: ipv6FromBytes(buf, 8), port: view.getUint16(2, false) };
}

/**
 * Encodes the sockaddr of `addr`'s family (sockaddr_in or sockaddr_in6) and returns it with its length, as `bind`,
 * `connect` and `sendto` take them.
 *
 * @example
 * ```ts
 * const { bytes, length } = encodeSockaddr(parseIpAddress("2001:2::1"), 80);
 * libc().connect(fd, bytes, length);
 * ```
 */
export function encodeSockaddr(addr: IpAddress, port: number): { bytes: Uint8Array<ArrayBuffer>; length: number } {
  return isIpv6Address(addr)
    ? { bytes: encodeSockaddrIn6(addr, port), length: SOCKADDR_IN6_LEN }
    : { bytes: encodeSockaddrIn(addr, port), length: SOCKADDR_IN_LEN };
}

/**
 * Decodes a sockaddr_in or sockaddr_in6 by the family it holds; throws `TypeError` for any other family.
 *
 * @example
 * ```ts
 * decodeSockaddr(encodeSockaddr(parseIpAddress("198.18.0.1"), 80).bytes); // { addr: 0xc6120001, port: 80 }
 * ```
 */
export function decodeSockaddr(buf: Uint8Array): SocketAddress {
  const family = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint16(0, true);
  if (family === AF_INET) return decodeSockaddrIn(buf);
  if (family === AF_INET6) return decodeSockaddrIn6(buf);
  throw new TypeError(`Cannot decode a socket address: address family ${family} is neither AF_INET nor AF_INET6`);
}
