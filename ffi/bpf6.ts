/**
 * The IPv6 flow filter (see bpf.ts for the IPv4 one and how filters are attached). On an `AF_PACKET`/`SOCK_DGRAM`
 * socket the program sees the frame from the first byte of the IPv6 header.
 *
 * @module
 */

import { IPPROTO_ICMPV6, IPPROTO_TCP, type Ipv6Address, ipv6ToBytes } from "../src/wire/mod.ts";
import { Assembler, BPF_ABS, BPF_ALU, BPF_AND, BPF_B, BPF_K, BPF_LD, BPF_W } from "./_bpf_asm.ts";
import type { BpfProgram } from "./bpf.ts";

/** The flow a {@linkcode tcpFlowFilter6} lets through: IPv6 frames from `srcAddr:srcPort` to `dstAddr:dstPort`. */
export interface TcpFlow6 {
  /** The sender's address (the server, for a client's receiver). */
  readonly srcAddr: Ipv6Address;
  /** The receiver's address (ours). */
  readonly dstAddr: Ipv6Address;
  /** Sender's TCP port. */
  readonly srcPort: number;
  /** Receiver's TCP port (ours). */
  readonly dstPort: number;
}

/**
 * The IPv6 counterpart of {@linkcode tcpFlowFilter}: accepts the flow's TCP segments and the ICMPv6 errors that quote
 * a segment of it (any reporter; our quoted segment has no extension headers, so its ports sit at a fixed place), and
 * rejects everything else. A segment behind extension headers is rejected too: a server's TCP sends none, and the
 * fixed offsets below would read the wrong bytes.
 *
 * @example
 * ```ts
 * const program = tcpFlowFilter6({ srcAddr: server, srcPort: 80, dstAddr: us, dstPort: 40000 });
 * ```
 */
export function tcpFlowFilter6(flow: TcpFlow6): BpfProgram {
  for (const [name, value] of [["srcPort", flow.srcPort], ["dstPort", flow.dstPort]] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
      throw new RangeError(`Cannot build a TCP flow filter: ${name} ${value} is out of range`);
    }
  }
  const words = (address: Ipv6Address) => {
    const bytes = new Uint8Array(16);
    ipv6ToBytes(address, bytes);
    const v = new DataView(bytes.buffer);
    return [0, 4, 8, 12].map((i) => v.getUint32(i));
  };
  const src = words(flow.srcAddr), dst = words(flow.dstAddr);
  const a = new Assembler();
  const address = (offset: number, value: number[]) => {
    value.forEach((w, i) => {
      a.stmt(BPF_LD | BPF_W | BPF_ABS, offset + 4 * i);
      a.jeq(w >>> 0, null, "reject");
    });
  };
  a.stmt(BPF_LD | BPF_B | BPF_ABS, 0); // A = version << 4 | traffic class high bits
  a.stmt(BPF_ALU | BPF_AND | BPF_K, 0xf0);
  a.jeq(0x60, null, "reject"); // IPv6 only
  address(24, dst); // both kinds of frame are addressed to us
  a.stmt(BPF_LD | BPF_B | BPF_ABS, 6); // A = next header
  a.jeq(IPPROTO_TCP, null, "icmp");
  address(8, src);
  a.stmt(BPF_LD | BPF_W | BPF_ABS, 40); // the source and destination ports, right after the 40-byte header
  a.jeq(((flow.srcPort << 16) | flow.dstPort) >>> 0, "accept", "reject");
  a.label("icmp");
  a.jeq(IPPROTO_ICMPV6, null, "reject");
  // The quoted packet starts 8 bytes into the ICMPv6 message (at 48): our header, then our ports.
  a.stmt(BPF_LD | BPF_B | BPF_ABS, 48);
  a.stmt(BPF_ALU | BPF_AND | BPF_K, 0xf0);
  a.jeq(0x60, null, "reject");
  a.stmt(BPF_LD | BPF_B | BPF_ABS, 48 + 6);
  a.jeq(IPPROTO_TCP, null, "reject");
  address(48 + 8, dst);
  address(48 + 24, src);
  a.stmt(BPF_LD | BPF_W | BPF_ABS, 48 + 40);
  a.jeq(((flow.dstPort << 16) | flow.srcPort) >>> 0, "accept", "reject");
  return a.acceptOrReject();
}
