import assert from "node:assert/strict";
import {
  ACK,
  CWR,
  ECE,
  emitIpv4,
  emitTcp,
  FIN,
  IPPROTO_TCP,
  isFoldedPseudoHeaderChecksum,
  parseIpv4,
  parseIpv4Address,
  parseTcp,
  pseudoHeaderSum,
  PSH,
  RST,
  seq,
  SYN,
  tcpHeaderLength,
  URG,
  verifyTcpChecksum,
  type WireErrorReason,
} from "../../src/wire/mod.ts";
import { assertWireError, naiveOnesComplementSum, randomTcpRepr, Rng, toHex } from "./_helpers.ts";

const SRC = parseIpv4Address("198.18.200.1");
const DST = parseIpv4Address("198.18.200.2");
/** DST with its last bit flipped: a checksum over it must fail. */
const OTHER = parseIpv4Address("198.18.200.3");

function bareSegment(length = 20, dataOffset = 5): Uint8Array {
  const segment = new Uint8Array(length);
  segment[12] = dataOffset << 4;
  return segment;
}

function rejects(segment: Uint8Array, reason: WireErrorReason, message: string): void {
  assertWireError(() => parseTcp(segment), reason, message);
}

Deno.test("parseTcp() rejects a segment shorter than 20 bytes", () => {
  rejects(bareSegment(19), "truncated", "Cannot parse TCP header: 19 bytes is shorter than 20");
  rejects(new Uint8Array(0), "truncated", "Cannot parse TCP header: 0 bytes is shorter than 20");
});

Deno.test("parseTcp() rejects a data offset below 5", () => {
  rejects(bareSegment(40, 3), "bad-data-offset", "Cannot parse TCP header: data offset 3 is below 5");
  rejects(bareSegment(40, 0), "bad-data-offset", "Cannot parse TCP header: data offset 0 is below 5");
});

Deno.test("parseTcp() rejects a data offset beyond the segment", () => {
  rejects(
    bareSegment(40, 11),
    "bad-data-offset",
    "Cannot parse TCP header: data offset 11 (44 bytes) exceeds the 40-byte segment",
  );
});

Deno.test("parseTcp() reads every flag bit and ignores the reserved bits", () => {
  const segment = bareSegment();
  segment[12] |= 0x0f; // reserved bits and AE
  segment[13] = 0xff;
  const tcp = parseTcp(segment);
  assert.equal(tcp.flags, FIN | SYN | RST | PSH | ACK | URG | ECE | CWR);
  assert.deepEqual(tcp.options, {});
});

Deno.test("parseTcp() returns the payload as a view of the segment", () => {
  const segment = new Uint8Array(26);
  segment[12] = 5 << 4;
  segment.set([1, 2, 3, 4, 5, 6], 20);
  const tcp = parseTcp(segment);
  assert.equal(toHex(tcp.payload), "010203040506");
  assert.equal(tcp.payload.buffer, segment.buffer);
  assert.equal(tcp.payload.byteOffset, 20);
});

Deno.test("parseTcp() reads the fixed fields big-endian", () => {
  const segment = bareSegment();
  segment.set([0x9c, 0x40, 0x00, 0x50, 0xff, 0xff, 0xff, 0xfe, 0x80, 0, 0, 1], 0);
  segment.set([0x01, 0xf6, 0x12, 0x34, 0xab, 0xcd], 14);
  const tcp = parseTcp(segment);
  assert.equal(tcp.srcPort, 40000);
  assert.equal(tcp.dstPort, 80);
  assert.equal(tcp.seq, 0xfffffffe);
  assert.equal(tcp.ack, 0x80000001);
  assert.equal(tcp.window, 502);
  assert.equal(tcp.urgent, 0xabcd);
});

Deno.test("emitTcp() then parseTcp() round-trips random segments and option combinations", () => {
  const rng = new Rng(9293);
  for (let i = 0; i < 5000; i++) {
    const repr = randomTcpRepr(rng);
    const offset = rng.int(9);
    const buf = new Uint8Array(offset + tcpHeaderLength(repr.options) + repr.payload.length + rng.int(3));
    const length = emitTcp(repr, buf, offset, SRC, DST);
    assert.equal(length, tcpHeaderLength(repr.options) + repr.payload.length);
    const segment = buf.subarray(offset, offset + length);
    assert.deepEqual({ ...parseTcp(segment), payload: null }, { ...repr, payload: null }, `case ${i}`);
    assert.equal(toHex(parseTcp(segment).payload), toHex(repr.payload));
    assert.equal(verifyTcpChecksum(SRC, DST, segment), true, `case ${i}`);
    assert.equal(verifyTcpChecksum(SRC, OTHER, segment), false, `case ${i}`);
  }
});

Deno.test("emitTcp() does not copy a payload that is already in place", () => {
  const buf = new Uint8Array(20 + 12 + 5);
  buf.set([9, 8, 7, 6, 5], 32);
  const repr = {
    srcPort: 1,
    dstPort: 2,
    seq: seq(3),
    ack: seq(4),
    flags: ACK | PSH,
    window: 5,
    urgent: 0,
    options: { timestamp: { tsVal: 1, tsEcr: 2 } },
    payload: buf.subarray(32),
  };
  assert.equal(emitTcp(repr, buf, 0, SRC, DST), 37);
  assert.equal(toHex(parseTcp(buf).payload), "0908070605");
  assert.equal(verifyTcpChecksum(SRC, DST, buf), true);
});

Deno.test("emitTcp() throws RangeError when the segment does not fit or a field is out of range", () => {
  const repr = randomTcpRepr(new Rng(5), 0);
  const length = tcpHeaderLength(repr.options);
  assert.throws(() => emitTcp(repr, new Uint8Array(length - 1), 0, SRC, DST), {
    name: "RangeError",
    message: `Cannot emit TCP at offset 0: ${length} bytes do not fit in ${length - 1}`,
  });
  const buf = new Uint8Array(80);
  assert.throws(() => emitTcp({ ...repr, srcPort: 65536 }, buf, 0, SRC, DST), {
    name: "RangeError",
    message: "Cannot emit: source port 65536 is not an integer in 0..65535",
  });
  assert.throws(() => emitTcp({ ...repr, window: -1 }, buf, 0, SRC, DST), RangeError);
  assert.throws(() => emitTcp({ ...repr, flags: 0x100 }, buf, 0, SRC, DST), RangeError);
  assert.throws(() => emitTcp({ ...repr, seq: 2 ** 32 as never }, buf, 0, SRC, DST), RangeError);
  assert.throws(() => emitTcp(repr, buf, 1.5, SRC, DST), RangeError);
});

Deno.test("emitIpv4() and emitTcp() build a frame that parseIpv4() and parseTcp() accept", () => {
  const rng = new Rng(42);
  const buf = new Uint8Array(1500);
  for (let i = 0; i < 200; i++) {
    const tcp = randomTcpRepr(rng, 1400);
    const segmentLength = emitTcp(tcp, buf, 20, SRC, DST);
    emitIpv4({
      dscp: 0,
      ecn: 0,
      identification: i,
      dontFragment: true,
      ttl: 64,
      protocol: IPPROTO_TCP,
      src: SRC,
      dst: DST,
      payloadLength: segmentLength,
    }, buf);
    const ip = parseIpv4(buf.subarray(0, 20 + segmentLength));
    assert.equal(verifyTcpChecksum(ip.src, ip.dst, ip.payload), true);
    assert.equal(parseTcp(ip.payload).seq, tcp.seq);
  }
});

Deno.test("verifyTcpChecksum() and isFoldedPseudoHeaderChecksum() say false for segments under 20 bytes", () => {
  for (let n = 0; n < 20; n++) {
    assert.equal(verifyTcpChecksum(SRC, DST, new Uint8Array(n)), false);
    assert.equal(isFoldedPseudoHeaderChecksum(SRC, DST, new Uint8Array(n)), false);
  }
});

Deno.test("verifyTcpChecksum() detects any single-bit flip", () => {
  const rng = new Rng(3);
  const repr = randomTcpRepr(rng, 100);
  const buf = new Uint8Array(tcpHeaderLength(repr.options) + repr.payload.length);
  emitTcp(repr, buf, 0, SRC, DST);
  for (let bit = 0; bit < buf.length * 8; bit++) {
    buf[bit >> 3] ^= 1 << (bit & 7);
    assert.equal(verifyTcpChecksum(SRC, DST, buf), false, `bit ${bit}`);
    buf[bit >> 3] ^= 1 << (bit & 7);
  }
  assert.equal(verifyTcpChecksum(SRC, DST, buf), true);
});

Deno.test("isFoldedPseudoHeaderChecksum() accepts the folded sum in either zero form and nothing else", () => {
  const segment = bareSegment(40);
  const folded = pseudoHeaderSum(SRC, DST, 6, 40);
  segment[16] = folded >> 8;
  segment[17] = folded & 0xff;
  assert.equal(isFoldedPseudoHeaderChecksum(SRC, DST, segment), true);
  assert.equal(isFoldedPseudoHeaderChecksum(SRC, OTHER, segment), false);
  assert.equal(
    folded,
    naiveOnesComplementSum(new Uint8Array([0xc6, 0x12, 0xc8, 0x01, 0xc6, 0x12, 0xc8, 0x02, 0, 6, 0, 40])),
  );
  // Addresses whose pseudo-header sum is 0xffff: 0xffff and 0x0000 in the field both match.
  const empty = new Uint8Array(20);
  // 0xc612 + 0x73bf + 0xc612 + 0x0001 + 6 + 20 = 0x1fffe, which folds to 0xffff.
  const zeroSumSrc = parseIpv4Address("198.18.115.191");
  const zeroSumDst = parseIpv4Address("198.18.0.1");
  assert.equal(pseudoHeaderSum(zeroSumSrc, zeroSumDst, 6, 20), 0xffff);
  empty[12] = 0x50;
  assert.equal(isFoldedPseudoHeaderChecksum(zeroSumSrc, zeroSumDst, empty), true);
  empty[16] = 0xff;
  empty[17] = 0xff;
  assert.equal(isFoldedPseudoHeaderChecksum(zeroSumSrc, zeroSumDst, empty), true);
});

Deno.test("tcpHeaderLength() counts options in Linux's layout", () => {
  assert.equal(tcpHeaderLength({}), 20);
  assert.equal(
    tcpHeaderLength({ mss: 1460, sackPermitted: true, timestamp: { tsVal: 0, tsEcr: 0 }, windowScale: 7 }),
    40,
  );
  assert.equal(tcpHeaderLength({ timestamp: { tsVal: 0, tsEcr: 0 } }), 32);
  assert.equal(tcpHeaderLength({ sackPermitted: true }), 24);
});
