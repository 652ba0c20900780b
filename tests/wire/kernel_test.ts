/**
 * Known-answer tests against frames the Linux kernel's own TCP sent: one HTTP exchange between two network namespaces
 * (tests/testdata/wire/kernel_http.pcap) and a handshake sent with checksum offload on (kernel_offload.pcap).
 * `tests/testdata/wire/capture.sh` regenerates both; the expected values below then have to be updated from its
 * `tcpdump -v` output. These tests read only the fixtures.
 */

import assert from "node:assert/strict";
import {
  ACK,
  emitIpv4,
  emitTcp,
  FIN,
  formatIpv4Address,
  IPPROTO_TCP,
  isFoldedPseudoHeaderChecksum,
  parseIpv4,
  parseTcp,
  PSH,
  SYN,
  type TcpOptions,
  verifyTcpChecksum,
} from "../../src/wire/mod.ts";
import { readFixtureFrames, toHex } from "./_helpers.ts";

const CLIENT = "198.18.200.1";
const SERVER = "198.18.200.2";
const CLIENT_TS = 1356945642;
const SERVER_TS = 4211953349;
const CLIENT_SYN_OPTIONS: TcpOptions = {
  mss: 1460,
  sackPermitted: true,
  timestamp: { tsVal: CLIENT_TS, tsEcr: 0 },
  windowScale: 7,
};
const SERVER_SYN_OPTIONS: TcpOptions = {
  mss: 1460,
  sackPermitted: true,
  timestamp: { tsVal: SERVER_TS, tsEcr: CLIENT_TS },
  windowScale: 7,
};
const CLIENT_TS_OPTION: TcpOptions = { timestamp: { tsVal: CLIENT_TS, tsEcr: SERVER_TS } };
const SERVER_TS_OPTION: TcpOptions = { timestamp: { tsVal: SERVER_TS, tsEcr: CLIENT_TS } };

interface Expected {
  fromClient: boolean;
  id: number;
  flags: number;
  seq: number;
  ack: number;
  window: number;
  payload: number;
  checksum: number;
  options: TcpOptions;
}

// From `tcpdump -nn -S -v -r kernel_http.pcap`.
// deno-fmt-ignore
const HTTP: Expected[] = [
  { fromClient: true, id: 2984, flags: SYN, seq: 890867915, ack: 0, window: 64240, payload: 0, checksum: 0x1f17, options: CLIENT_SYN_OPTIONS },
  { fromClient: false, id: 0, flags: SYN | ACK, seq: 3000827405, ack: 890867916, window: 65160, payload: 0, checksum: 0x20b0, options: SERVER_SYN_OPTIONS },
  { fromClient: true, id: 2985, flags: ACK, seq: 890867916, ack: 3000827406, window: 502, payload: 0, checksum: 0x4c0f, options: CLIENT_TS_OPTION },
  { fromClient: true, id: 2986, flags: PSH | ACK, seq: 890867916, ack: 3000827406, window: 502, payload: 38, checksum: 0x42ff, options: CLIENT_TS_OPTION },
  { fromClient: false, id: 32086, flags: ACK, seq: 3000827406, ack: 890867954, window: 509, payload: 0, checksum: 0x4be2, options: SERVER_TS_OPTION },
  { fromClient: false, id: 32087, flags: PSH | ACK, seq: 3000827406, ack: 890867954, window: 509, payload: 1448, checksum: 0x0ea1, options: SERVER_TS_OPTION },
  { fromClient: true, id: 2987, flags: ACK, seq: 890867954, ack: 3000828854, window: 525, payload: 0, checksum: 0x462a, options: CLIENT_TS_OPTION },
  { fromClient: false, id: 32088, flags: FIN | ACK, seq: 3000828854, ack: 890867954, window: 509, payload: 0, checksum: 0x4639, options: SERVER_TS_OPTION },
  { fromClient: true, id: 2988, flags: FIN | ACK, seq: 890867954, ack: 3000828855, window: 525, payload: 0, checksum: 0x4628, options: CLIENT_TS_OPTION },
  { fromClient: false, id: 32089, flags: ACK, seq: 3000828855, ack: 890867955, window: 509, payload: 0, checksum: 0x4638, options: SERVER_TS_OPTION },
];

const frames = readFixtureFrames("kernel_http.pcap");

Deno.test("the kernel_http.pcap fixture holds the ten frames of one connection", () => {
  assert.equal(frames.length, HTTP.length);
});

HTTP.forEach((want, i) => {
  Deno.test(`parseIpv4() and parseTcp() decode kernel frame ${i} (${want.payload} payload bytes) as tcpdump did`, () => {
    const frame = frames[i];
    const ip = parseIpv4(frame);
    assert.equal(formatIpv4Address(ip.src), want.fromClient ? CLIENT : SERVER);
    assert.equal(formatIpv4Address(ip.dst), want.fromClient ? SERVER : CLIENT);
    assert.equal(ip.protocol, IPPROTO_TCP);
    assert.equal(ip.ttl, 64);
    assert.equal(ip.dontFragment, true);
    assert.equal(ip.identification, want.id);
    assert.equal(ip.dscp, 0);
    assert.equal(ip.ecn, 0);
    assert.equal(ip.headerLength, 20);
    assert.equal(ip.payloadLength, frame.length - 20);

    const tcp = parseTcp(ip.payload);
    assert.equal(tcp.srcPort, want.fromClient ? 33422 : 8080);
    assert.equal(tcp.dstPort, want.fromClient ? 8080 : 33422);
    assert.equal(tcp.flags, want.flags);
    assert.equal(tcp.seq, want.seq);
    if ((want.flags & ACK) !== 0) assert.equal(tcp.ack, want.ack);
    assert.equal(tcp.window, want.window);
    assert.equal(tcp.urgent, 0);
    assert.equal(tcp.payload.length, want.payload);
    assert.deepEqual(tcp.options, want.options);
    assert.equal((ip.payload[16] << 8) | ip.payload[17], want.checksum);
    assert.equal(verifyTcpChecksum(ip.src, ip.dst, ip.payload), true);
    assert.equal(isFoldedPseudoHeaderChecksum(ip.src, ip.dst, ip.payload), false);
  });

  Deno.test(`emitIpv4() and emitTcp() reproduce kernel frame ${i} byte for byte`, () => {
    const frame = frames[i];
    const ip = parseIpv4(frame);
    const tcp = parseTcp(ip.payload);
    const buf = new Uint8Array(frame.length).fill(0xee);
    const segmentLength = emitTcp(tcp, buf, 20, ip.src, ip.dst);
    assert.equal(segmentLength, ip.payloadLength);
    assert.equal(emitIpv4(ip, buf, 0), 20);
    assert.equal(toHex(buf), toHex(frame));
  });
});

Deno.test("parseTcp() reads the request the kernel sent in frame 3", () => {
  const tcp = parseTcp(parseIpv4(frames[3]).payload);
  assert.equal(new TextDecoder().decode(tcp.payload), "GET / HTTP/1.0\r\nHost: 198.18.200.2\r\n\r\n");
});

Deno.test("a kernel SYN carries Linux's option layout: MSS, SACK-perm+TS, NOP+WS", () => {
  const segment = parseIpv4(frames[0]).payload;
  assert.equal(toHex(segment.subarray(20, 24)), "020405b4");
  assert.equal(toHex(segment.subarray(24, 28)), "0402080a");
  assert.equal(toHex(segment.subarray(36, 40)), "01030307");
});

const offload = readFixtureFrames("kernel_offload.pcap");
// tcpdump -v: "cksum 0x1c58 (incorrect -> 0xdcfb)", "0x1c58 (incorrect -> 0xf5ff)", "0x1c50 (incorrect -> 0x215f)".
const OFFLOAD = [
  { fromClient: true, flags: SYN, field: 0x1c58, real: 0xdcfb },
  { fromClient: false, flags: SYN | ACK, field: 0x1c58, real: 0xf5ff },
  { fromClient: true, flags: ACK, field: 0x1c50, real: 0x215f },
];

OFFLOAD.forEach((want, i) => {
  Deno.test(`isFoldedPseudoHeaderChecksum() recognises offload frame ${i} that verifyTcpChecksum() rejects`, () => {
    const ip = parseIpv4(offload[i]);
    assert.equal(formatIpv4Address(ip.src), want.fromClient ? CLIENT : SERVER);
    const tcp = parseTcp(ip.payload);
    assert.equal(tcp.flags, want.flags);
    assert.equal((ip.payload[16] << 8) | ip.payload[17], want.field);
    assert.equal(verifyTcpChecksum(ip.src, ip.dst, ip.payload), false);
    assert.equal(isFoldedPseudoHeaderChecksum(ip.src, ip.dst, ip.payload), true);
    // Re-emitting writes the real checksum tcpdump computed.
    const buf = new Uint8Array(offload[i].length);
    emitTcp(tcp, buf, 20, ip.src, ip.dst);
    assert.equal((buf[36] << 8) | buf[37], want.real);
  });
});
