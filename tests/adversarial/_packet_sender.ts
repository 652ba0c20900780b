/**
 * Sends IPv4 frames exactly as built through an `AF_PACKET, SOCK_DGRAM` socket, for frames whose IP header lies: a
 * raw IP socket with IP_HDRINCL always rewrites the total length and the header checksum (raw(7)), a packet socket
 * does not. The kernel adds the Ethernet header for the given next-hop MAC address.
 *
 * @module
 */

import { lastErrno } from "../../ffi/errno.ts";
import { libc } from "../../ffi/libc.ts";
import { OsError } from "../../ffi/os_error.ts";

const AF_PACKET = 17, SOCK_DGRAM = 2, ETH_P_IP = 0x0800;

/** A packet socket bound to one interface and one next hop. */
export class PacketSender {
  readonly #fd: number;
  readonly #sll = new Uint8Array(20);

  /** Opens the socket for `ifname`, sending to `mac` (`aa:bb:cc:dd:ee:ff`). */
  constructor(ifname: string, mac: string) {
    const ifindex = libc().if_nametoindex(new TextEncoder().encode(`${ifname}\0`));
    if (ifindex === 0) throw new OsError(lastErrno(), "if_nametoindex", ifname);
    this.#fd = libc().socket(AF_PACKET, SOCK_DGRAM, ((ETH_P_IP & 0xff) << 8) | (ETH_P_IP >> 8));
    if (this.#fd < 0) throw new OsError(lastErrno(), "socket", "AF_PACKET, SOCK_DGRAM");
    // struct sockaddr_ll { u16 family; be16 protocol; i32 ifindex; u16 hatype; u8 pkttype; u8 halen; u8 addr[8]; }
    const v = new DataView(this.#sll.buffer);
    v.setUint16(0, AF_PACKET, true);
    v.setUint16(2, ETH_P_IP, false);
    v.setInt32(4, ifindex, true);
    this.#sll[11] = 6;
    mac.split(":").forEach((h, i) => (this.#sll[12 + i] = parseInt(h, 16)));
  }

  /** Sends one IPv4 frame as it is. */
  send(frame: Uint8Array<ArrayBuffer>): void {
    const n = libc().sendto(this.#fd, frame, BigInt(frame.length), 0, this.#sll, 20);
    if (n < 0) throw new OsError(lastErrno(), "sendto", `AF_PACKET, ${frame.length} bytes`);
  }

  /** Closes the socket. */
  close(): void {
    libc().close(this.#fd);
  }
}
