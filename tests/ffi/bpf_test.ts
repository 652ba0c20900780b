import { deepEqual, equal, throws } from "node:assert/strict";
import {
  BPF_ACCEPT,
  type BpfProgram,
  encodeProgram,
  rejectOutgoing,
  tcpFlowFilter,
  tcpFlowFilter6,
} from "../../ffi/bpf.ts";
import { parseIpv4Address, parseIpv6Address } from "../../src/wire/mod.ts";
import { buildFrame } from "./_frame.ts";

/** A classic BPF interpreter for the instructions the filters use (out-of-bounds loads drop, as in the kernel). */
function runFilter(program: BpfProgram, frame: Uint8Array, pktType = 0): number {
  let a = 0, x = 0, pc = 0;
  const load = (size: number, at: number): number | null => {
    if (at === 0xfffff004) return pktType;
    const n = size === 0x00 ? 4 : size === 0x08 ? 2 : 1;
    if (at < 0 || at + n > frame.length) return null;
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + frame[at + i];
    return v;
  };
  while (pc < program.length) {
    const { code, jt, jf, k } = program[pc++];
    const cls = code & 0x07, size = code & 0x18, mode = code & 0xe0;
    if (cls === 0x00) {
      const v = load(size, mode === 0x40 ? (x + k) >>> 0 : k >>> 0);
      if (v === null) return 0;
      a = v;
    } else if (cls === 0x01 && mode === 0xa0) {
      const v = load(0x10, k);
      if (v === null) return 0;
      x = (v & 0xf) * 4;
    } else if (cls === 0x04 && (code & 0xf0) === 0x50) a = (a & k) >>> 0;
    else if (cls === 0x05 && (code & 0xf0) === 0x10) pc += a === k >>> 0 ? jt : jf;
    else if (cls === 0x05 && (code & 0xf0) === 0x40) pc += (a & k) !== 0 ? jt : jf;
    else if (cls === 0x06) return k >>> 0;
    else throw new Error(`interpreter lacks opcode 0x${code.toString(16)}`);
  }
  throw new Error("program fell off its end");
}

const A = parseIpv4Address("198.18.0.1"), B = parseIpv4Address("198.18.0.2");
const flow = { srcAddr: B, srcPort: 80, dstAddr: A, dstPort: 40000 };
const program = tcpFlowFilter(flow);
const good = { src: B, dst: A, srcPort: 80, dstPort: 40000 };

Deno.test("tcpFlowFilter() accepts the flow's frames, with or without IP options", () => {
  equal(runFilter(program, buildFrame(good)), BPF_ACCEPT);
  equal(runFilter(program, buildFrame({ ...good, ipOptions: new Uint8Array([1, 1, 1, 1]) })), BPF_ACCEPT);
  equal(runFilter(program, buildFrame({ ...good, ipOptions: new Uint8Array(40).fill(1) })), BPF_ACCEPT);
  // A first fragment (MF set, offset 0) still starts with the TCP header.
  equal(runFilter(program, buildFrame({ ...good, fragmentOffset: 0x2000 })), BPF_ACCEPT);
});

Deno.test("tcpFlowFilter() rejects every other address, port, protocol, version and later fragments", () => {
  const rejected = [
    buildFrame({ ...good, src: A }),
    buildFrame({ ...good, dst: B }),
    buildFrame({ ...good, srcPort: 81 }),
    buildFrame({ ...good, dstPort: 40001 }),
    buildFrame({ ...good, srcPort: 40000, dstPort: 80 }),
    buildFrame({ ...good, protocol: 17 }),
    buildFrame({ ...good, fragmentOffset: 1 }),
    buildFrame({ ...good, fragmentOffset: 0x2000 | 185 }),
    // Ports moved by options the filter would miss if it assumed a 20-byte header.
    buildFrame({ ...good, srcPort: 1, ipOptions: new Uint8Array([0, 80, 0x9c, 0x40]) }),
  ];
  for (const frame of rejected) equal(runFilter(program, frame), 0);
  const v6 = buildFrame(good);
  v6[0] = 0x65;
  equal(runFilter(program, v6), 0);
  equal(runFilter(program, buildFrame(good).subarray(0, 22)), 0, "a frame cut inside the ports is dropped");
});

/** An IPv4 frame from `from` to `to` carrying an ICMP destination-unreachable message that quotes `quoted`. */
function icmpFrame(from: number, to: number, quoted: Uint8Array, ipOptions = new Uint8Array(0)): Uint8Array {
  const ihl = 20 + ipOptions.length;
  const frame = new Uint8Array(ihl + 8 + quoted.length);
  const v = new DataView(frame.buffer);
  v.setUint8(0, 0x40 | (ihl / 4));
  v.setUint16(2, frame.length);
  v.setUint8(8, 64);
  v.setUint8(9, 1);
  v.setUint32(12, from);
  v.setUint32(16, to);
  frame.set(ipOptions, 20);
  frame[ihl] = 3; // destination unreachable
  frame[ihl + 1] = 1; // host unreachable
  frame.set(quoted, ihl + 8);
  return frame;
}

const ROUTER = parseIpv4Address("198.18.0.254");
/** Our segment to the peer, as a router quotes it: the IP header and the first 8 bytes of TCP. */
const ours = buildFrame({ src: A, dst: B, srcPort: 40000, dstPort: 80 }).subarray(0, 28);

Deno.test("tcpFlowFilter() accepts an ICMP error from any reporter that quotes our segment, IP options or not", () => {
  equal(runFilter(program, icmpFrame(ROUTER, A, ours)), BPF_ACCEPT);
  equal(runFilter(program, icmpFrame(B, A, ours)), BPF_ACCEPT);
  equal(runFilter(program, icmpFrame(ROUTER, A, ours, new Uint8Array([1, 1, 1, 1]))), BPF_ACCEPT);
});

Deno.test("tcpFlowFilter() rejects ICMP about another flow, to another host, or quoting what we did not send", () => {
  const quote = (spec: Partial<{ src: number; dst: number; srcPort: number; dstPort: number; protocol: number }>) =>
    buildFrame({ src: A, dst: B, srcPort: 40000, dstPort: 80, ...spec }).subarray(0, 28);
  const rejected = [
    icmpFrame(ROUTER, B, ours), // not addressed to us
    icmpFrame(ROUTER, A, quote({ srcPort: 40001 })),
    icmpFrame(ROUTER, A, quote({ dstPort: 81 })),
    icmpFrame(ROUTER, A, quote({ src: B, dst: A, srcPort: 80, dstPort: 40000 })), // the peer's segment, not ours
    icmpFrame(ROUTER, A, quote({ dst: ROUTER })),
    icmpFrame(ROUTER, A, quote({ protocol: 17 })),
    icmpFrame(ROUTER, A, ours.subarray(0, 22)), // cut inside the quoted ports
  ];
  rejected.forEach((frame, i) => equal(runFilter(program, frame), 0, `frame ${i}`));
  const other = icmpFrame(ROUTER, A, ours);
  other[9] = 17; // the same bytes as UDP
  equal(runFilter(program, other), 0);
});

Deno.test("tcpFlowFilter() refuses out-of-range fields", () => {
  throws(() => tcpFlowFilter({ ...flow, srcPort: 65536 }), /srcPort 65536 is out of range/);
  throws(() => tcpFlowFilter({ ...flow, dstAddr: -1 as never }), /dstAddr -1 is out of range/);
});

Deno.test("rejectOutgoing() drops PACKET_OUTGOING frames and keeps the rest of the program", () => {
  const p = rejectOutgoing(program);
  equal(runFilter(p, buildFrame(good), 0), BPF_ACCEPT);
  equal(runFilter(p, buildFrame(good), 4), 0);
  equal(runFilter(p, buildFrame({ ...good, srcPort: 1 }), 0), 0);
});

Deno.test("encodeProgram() writes struct sock_filter in host order", () => {
  const bytes = encodeProgram([{ code: 0x15, jt: 1, jf: 2, k: 0x01020304 }, {
    code: 0x06,
    jt: 0,
    jf: 0,
    k: BPF_ACCEPT,
  }]);
  deepEqual([...bytes], [0x15, 0, 1, 2, 4, 3, 2, 1, 6, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  throws(() => encodeProgram([]), /0 instructions/);
});

/** A tiny IPv6 frame: a 40-byte header with `next` as its next header, then `body` (no checksums: BPF reads none). */
function v6Frame(src: string, dst: string, next: number, body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(40 + body.length);
  const v = new DataView(frame.buffer);
  v.setUint32(0, 0x60000000);
  v.setUint16(4, body.length);
  frame[6] = next;
  frame[7] = 64;
  frame.set(v6Bytes(src), 8);
  frame.set(v6Bytes(dst), 24);
  frame.set(body, 40);
  return frame;
}

/** The 16 bytes of a fully written IPv6 address (eight groups, no `::`). */
function v6Bytes(text: string): Uint8Array {
  const out = new Uint8Array(16);
  text.split(":").forEach((g, i) => {
    out[2 * i] = parseInt(g, 16) >> 8;
    out[2 * i + 1] = parseInt(g, 16) & 0xff;
  });
  return out;
}

/** A TCP header with these ports (the rest zero). */
function tcpPorts(srcPort: number, dstPort: number): Uint8Array {
  const tcp = new Uint8Array(20);
  new DataView(tcp.buffer).setUint32(0, ((srcPort << 16) | dstPort) >>> 0);
  tcp[12] = 5 << 4;
  return tcp;
}

const US6 = "2001:2:0:1:0:0:0:2", SERVER6 = "2001:2:0:2:0:0:0:2", ROUTER6 = "2001:2:0:1:0:0:0:1";
const program6 = tcpFlowFilter6({
  srcAddr: parseIpv6Address(SERVER6),
  srcPort: 80,
  dstAddr: parseIpv6Address(US6),
  dstPort: 40000,
});
/** An ICMPv6 error from `from` quoting our segment `quoted` (a 40-byte header and TCP). */
const icmp6 = (from: string, quoted: Uint8Array) =>
  v6Frame(from, US6, 58, new Uint8Array([2, 0, 0, 0, 0, 0, 5, 0x78, ...quoted]));
const ourSegment6 = v6Frame(US6, SERVER6, 6, tcpPorts(40000, 80));

Deno.test("tcpFlowFilter6() accepts the flow's IPv6 segments and ICMPv6 errors quoting ours, from any reporter", () => {
  equal(runFilter(program6, v6Frame(SERVER6, US6, 6, tcpPorts(80, 40000))), BPF_ACCEPT);
  equal(runFilter(program6, icmp6(ROUTER6, ourSegment6)), BPF_ACCEPT);
  equal(runFilter(program6, icmp6(SERVER6, ourSegment6)), BPF_ACCEPT);
});

Deno.test("tcpFlowFilter6() rejects other addresses, ports, IPv4, extension headers and ICMPv6 about other flows", () => {
  const rejected = [
    v6Frame(ROUTER6, US6, 6, tcpPorts(80, 40000)), // another source
    v6Frame(SERVER6, SERVER6, 6, tcpPorts(80, 40000)), // not to us
    v6Frame(SERVER6, US6, 6, tcpPorts(81, 40000)),
    v6Frame(SERVER6, US6, 6, tcpPorts(80, 40001)),
    v6Frame(SERVER6, US6, 17, tcpPorts(80, 40000)), // UDP
    v6Frame(SERVER6, US6, 0, new Uint8Array([6, 0, 0, 0, 0, 0, 0, 0, ...tcpPorts(80, 40000)])), // hop-by-hop first
    icmp6(ROUTER6, v6Frame(US6, SERVER6, 6, tcpPorts(40001, 80))), // another of our ports
    icmp6(ROUTER6, v6Frame(US6, ROUTER6, 6, tcpPorts(40000, 80))), // to another host
    icmp6(ROUTER6, v6Frame(SERVER6, US6, 6, tcpPorts(80, 40000))), // the server's segment, not ours
    icmp6(ROUTER6, ourSegment6.subarray(0, 42)), // cut inside the quoted ports
    buildFrame(good), // IPv4
  ];
  rejected.forEach((frame, i) => equal(runFilter(program6, frame), 0, `frame ${i}`));
});
