/**
 * Classic BPF socket filters (`SO_ATTACH_FILTER`): the kernel drops every frame that is not ours before it is queued,
 * so the receive buffer holds only our flow and a stale segment of another connection never reaches the engine.
 *
 * `struct sock_filter` is 8 bytes: `u16 code; u8 jt; u8 jf; u32 k` (host order). On a raw IPv4 socket and on an
 * `AF_PACKET`/`SOCK_DGRAM` socket the program sees the frame from the first byte of the IP header.
 *
 * @module
 */

import { IPPROTO_ICMP, IPPROTO_TCP, type Ipv4Address } from "../src/wire/mod.ts";
import { addressOf } from "./_bytes.ts";
import {
  Assembler,
  BPF_ABS,
  BPF_ALU,
  BPF_AND,
  BPF_B,
  BPF_H,
  BPF_IND,
  BPF_JEQ,
  BPF_JMP,
  BPF_K,
  BPF_LD,
  BPF_LDX,
  BPF_MSH,
  BPF_REJECT,
  BPF_RET,
  BPF_W,
} from "./_bpf_asm.ts";
import { libc } from "./libc.ts";
import { check } from "./os_error.ts";

/** One classic BPF instruction. */
export interface BpfInstruction {
  /** Opcode: class | size | mode (or op | source). */
  readonly code: number;
  /** Jump offset if true (conditional jumps). */
  readonly jt: number;
  /** Jump offset if false (conditional jumps). */
  readonly jf: number;
  /** Constant operand. */
  readonly k: number;
}

/** A classic BPF program; the kernel accepts at most 4096 instructions. */
export type BpfProgram = readonly BpfInstruction[];

export { type TcpFlow6, tcpFlowFilter6 } from "./bpf6.ts";

export { BPF_ACCEPT, BPF_REJECT } from "./_bpf_asm.ts";

/** The flow a {@linkcode tcpFlowFilter} lets through: frames from `srcAddr:srcPort` to `dstAddr:dstPort`. */
export interface TcpFlow {
  /** Sender's IPv4 address (the server, for a client's receiver). */
  readonly srcAddr: Ipv4Address;
  /** Receiver's IPv4 address (our address). */
  readonly dstAddr: Ipv4Address;
  /** Sender's TCP port. */
  readonly srcPort: number;
  /** Receiver's TCP port (our port). */
  readonly dstPort: number;
}

/**
 * Builds a filter that accepts the IPv4 frames of one TCP flow and the ICMP errors about it, and rejects everything
 * else, including IP fragments with a nonzero offset (their bytes at the TCP port offsets are payload, not ports).
 *
 * An ICMP message (from any reporter: a router on the path, or the server's host) passes when it is addressed to us
 * and quotes a TCP segment of this flow from us to the peer: version 4 with a 20-byte header (our segments carry no IP
 * options), protocol TCP, our address and port as the source, the peer's as the destination. The decoder checks the
 * type, the checksum, and the engine the quoted sequence number (RFC 5927 §4.1).
 *
 * @example
 * ```ts
 * const program = tcpFlowFilter({ srcAddr: ipv4(0xc6120002), srcPort: 80, dstAddr: ipv4(0xc6120001), dstPort: 40000 });
 * ```
 */
export function tcpFlowFilter(flow: TcpFlow): BpfProgram {
  const checks: [string, number, number][] = [
    ["srcAddr", flow.srcAddr, 0xffffffff],
    ["dstAddr", flow.dstAddr, 0xffffffff],
    ["srcPort", flow.srcPort, 0xffff],
    ["dstPort", flow.dstPort, 0xffff],
  ];
  for (const [name, value, max] of checks) {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new RangeError(`Cannot build a TCP flow filter: ${name} ${value} is out of range`);
    }
  }
  const a = new Assembler();
  a.stmt(BPF_LD | BPF_B | BPF_ABS, 0); // A = version/IHL byte
  a.stmt(BPF_ALU | BPF_AND | BPF_K, 0xf0); // A = version << 4
  a.jeq(0x40, null, "reject"); // IPv4 only
  a.stmt(BPF_LD | BPF_H | BPF_ABS, 6); // A = flags/fragment offset
  // A nonzero fragment offset (low 13 bits) means no transport header here.
  a.jset(0x1fff, "reject", null);
  a.stmt(BPF_LDX | BPF_B | BPF_MSH, 0); // X = 4 * IHL (IP options vary the header length)
  a.stmt(BPF_LD | BPF_W | BPF_ABS, 16); // A = destination address
  a.jeq(flow.dstAddr >>> 0, null, "reject"); // both kinds of frame are addressed to us
  a.stmt(BPF_LD | BPF_B | BPF_ABS, 9); // A = protocol
  a.jeq(IPPROTO_TCP, null, "icmp");
  a.stmt(BPF_LD | BPF_W | BPF_ABS, 12); // A = source address
  a.jeq(flow.srcAddr >>> 0, null, "reject");
  a.stmt(BPF_LD | BPF_W | BPF_IND, 0); // A = source port << 16 | destination port
  a.jeq(((flow.srcPort << 16) | flow.dstPort) >>> 0, "accept", "reject");
  a.label("icmp");
  a.jeq(IPPROTO_ICMP, null, "reject");
  // The quoted datagram starts 8 bytes into the ICMP message: our header of 20 bytes, then our TCP ports.
  a.stmt(BPF_LD | BPF_B | BPF_IND, 8);
  a.jeq(0x45, null, "reject");
  a.stmt(BPF_LD | BPF_B | BPF_IND, 8 + 9);
  a.jeq(IPPROTO_TCP, null, "reject");
  a.stmt(BPF_LD | BPF_W | BPF_IND, 8 + 12);
  a.jeq(flow.dstAddr >>> 0, null, "reject");
  a.stmt(BPF_LD | BPF_W | BPF_IND, 8 + 16);
  a.jeq(flow.srcAddr >>> 0, null, "reject");
  a.stmt(BPF_LD | BPF_W | BPF_IND, 8 + 20);
  a.jeq(((flow.dstPort << 16) | flow.srcPort) >>> 0, "accept", "reject");
  return a.acceptOrReject();
}

// Ancillary load of the packet type (linux/filter.h SKF_AD_OFF + SKF_AD_PKTTYPE) and PACKET_OUTGOING.
const SKF_AD_PKTTYPE = 0xfffff000 + 4;
const PACKET_OUTGOING = 4;

/**
 * Prefixes `program` with a test that drops frames this host sends (packet type PACKET_OUTGOING), which an
 * `AF_PACKET` socket otherwise sees too (on loopback each frame would arrive twice). Jumps are relative, so the
 * original program is unchanged behind the prefix.
 *
 * @example
 * ```ts
 * const program = rejectOutgoing(tcpFlowFilter(flow));
 * ```
 */
export function rejectOutgoing(program: BpfProgram): BpfProgram {
  return [
    { code: BPF_LD | BPF_B | BPF_ABS, jt: 0, jf: 0, k: SKF_AD_PKTTYPE },
    { code: BPF_JMP | BPF_JEQ | BPF_K, jt: 0, jf: 1, k: PACKET_OUTGOING },
    { code: BPF_RET | BPF_K, jt: 0, jf: 0, k: BPF_REJECT },
    ...program,
  ];
}

/**
 * Encodes a program as the `struct sock_filter[]` bytes the kernel reads (little-endian, x86_64).
 *
 * @example
 * ```ts
 * encodeProgram([{ code: 0x06, jt: 0, jf: 0, k: 0 }]); // 8 bytes
 * ```
 */
export function encodeProgram(program: BpfProgram): Uint8Array<ArrayBuffer> {
  if (program.length === 0 || program.length > 4096) {
    throw new RangeError(`Cannot encode a BPF program of ${program.length} instructions (1 to 4096)`);
  }
  const bytes = new Uint8Array(program.length * 8);
  const view = new DataView(bytes.buffer);
  program.forEach((ins, i) => {
    view.setUint16(i * 8, ins.code, true);
    view.setUint8(i * 8 + 2, ins.jt);
    view.setUint8(i * 8 + 3, ins.jf);
    view.setUint32(i * 8 + 4, ins.k >>> 0, true);
  });
  return bytes;
}

/**
 * Builds the `struct sock_fprog` that points at `filter` (bytes from {@linkcode encodeProgram}), as setsockopt
 * (SO_ATTACH_FILTER) and seccomp(2) take it. `filter` must stay referenced until the call that reads it returns.
 *
 * @example
 * ```ts
 * const filter = encodeProgram(program);
 * const fprog = encodeFprog(filter);
 * ```
 */
export function encodeFprog(filter: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  // struct sock_fprog { unsigned short len; /* 6 bytes padding */ struct sock_filter *filter; }
  const fprog = new Uint8Array(16);
  const view = new DataView(fprog.buffer);
  view.setUint16(0, filter.length / 8, true);
  view.setBigUint64(8, addressOf(filter), true);
  return fprog;
}

const SOL_SOCKET = 1;
const SO_ATTACH_FILTER = 26;

/**
 * Attaches `program` to socket `fd` with setsockopt(SOL_SOCKET, SO_ATTACH_FILTER, struct sock_fprog).
 *
 * Frames queued before this call were not filtered: a raw socket starts receiving the moment it exists. Drain the
 * queue after attaching (the raw receiver's `attachFilter` does) before trusting what it delivers.
 *
 * @example
 * ```ts
 * attachFilter(fd, tcpFlowFilter(flow));
 * ```
 */
export function attachFilter(fd: number, program: BpfProgram): void {
  const filter = encodeProgram(program);
  const fprog = encodeFprog(filter);
  check(
    libc().setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, 16),
    "setsockopt",
    `${fd}, SOL_SOCKET, SO_ATTACH_FILTER`,
  );
}
