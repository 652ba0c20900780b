/**
 * `struct sockaddr_in` encoding (16 bytes: family u16 host order, port u16 and address u32 in network order).
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

import { ipv4, type Ipv4Address } from "../src/wire/mod.ts";

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
