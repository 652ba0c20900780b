import assert from "node:assert/strict";
import {
  internetChecksum,
  ipv4,
  onesComplementSum,
  parseIpv4,
  parseIpv4Address,
  pseudoHeaderSum,
  tcpChecksum,
  tcpChecksumOf,
} from "../../src/wire/mod.ts";
import { atOffset, naiveOnesComplementSum, readFixtureFrames, Rng } from "./_helpers.ts";

Deno.test("onesComplementSum() gives the RFC 1071 §3 example sum", () => {
  // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to 0xddf2 in big-endian order.
  assert.equal(onesComplementSum(new Uint8Array([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7])), 0xddf2);
});

Deno.test("onesComplementSum() pads an odd last byte with zero", () => {
  assert.equal(onesComplementSum(new Uint8Array([0x12, 0x34, 0x56])), 0x1234 + 0x5600);
  assert.equal(onesComplementSum(new Uint8Array([0xab])), 0xab00);
  assert.equal(onesComplementSum(new Uint8Array(0)), 0);
});

Deno.test("onesComplementSum() keeps 0xffff (negative zero) apart from an all-zero input", () => {
  assert.equal(onesComplementSum(new Uint8Array(200)), 0);
  assert.equal(onesComplementSum(new Uint8Array([0xff, 0xff])), 0xffff);
  assert.equal(onesComplementSum(new Uint8Array(200).fill(0xff)), 0xffff);
  assert.equal(onesComplementSum(new Uint8Array([0x80, 0x00, 0x7f, 0xff])), 0xffff);
});

Deno.test("onesComplementSum() matches the naive sum for every length 0..300 at every alignment 0..7", () => {
  const rng = new Rng(1071);
  const data = rng.bytes(400);
  for (let offset = 0; offset < 8; offset++) {
    const view = atOffset(data, offset);
    for (let length = 0; length <= 300; length++) {
      for (const start of [0, 1, 2, 3]) {
        const end = Math.min(view.length, start + length);
        assert.equal(
          onesComplementSum(view, start, end, 0),
          naiveOnesComplementSum(view, start, end, 0),
          `offset ${offset} start ${start} end ${end}`,
        );
      }
    }
  }
});

Deno.test("onesComplementSum() matches the naive sum on random ranges of random buffers, with an accumulator", () => {
  const rng = new Rng(0xc0ffee);
  for (let i = 0; i < 2000; i++) {
    const data = atOffset(rng.bytes(rng.int(3000)), rng.int(8));
    const start = rng.int(data.length + 1);
    const end = start + rng.int(data.length - start + 1);
    const acc = rng.chance(0.5) ? rng.int(0x10000) : rng.u32();
    assert.equal(onesComplementSum(data, start, end, acc), naiveOnesComplementSum(data, start, end, acc), `case ${i}`);
  }
});

Deno.test("onesComplementSum() matches the naive sum on 64 KiB of 0xff and on 3 MiB of random bytes", () => {
  const ones = new Uint8Array(65536).fill(0xff);
  assert.equal(onesComplementSum(ones), naiveOnesComplementSum(ones));
  const big = new Rng(7).bytes(3 << 20);
  assert.equal(onesComplementSum(big, 1, big.length - 1), naiveOnesComplementSum(big, 1, big.length - 1));
});

Deno.test("onesComplementSum() composes over ranges that start at even offsets", () => {
  const data = new Rng(99).bytes(1501);
  const first = onesComplementSum(data, 0, 700);
  assert.equal(onesComplementSum(data, 700, 1501, first), onesComplementSum(data));
});

Deno.test("onesComplementSum() works on views of shared and resized buffers", () => {
  const shared = new Uint8Array(new SharedArrayBuffer(2000));
  shared.set(new Rng(3).bytes(2000));
  assert.equal(onesComplementSum(shared, 5, 1999), naiveOnesComplementSum(shared, 5, 1999));
  const resizable = new ArrayBuffer(1000, { maxByteLength: 4000 });
  const bytes = new Uint8Array(resizable);
  bytes.fill(0x5a);
  assert.equal(onesComplementSum(bytes, 1, 999), naiveOnesComplementSum(bytes, 1, 999));
  resizable.resize(3000);
  bytes.fill(0xa5);
  assert.equal(onesComplementSum(bytes, 3, 2999), naiveOnesComplementSum(bytes, 3, 2999));
  resizable.resize(200);
  assert.equal(onesComplementSum(bytes, 0, 200), naiveOnesComplementSum(bytes, 0, 200));
});

Deno.test("onesComplementSum() rejects a range outside the buffer with a RangeError", () => {
  const data = new Uint8Array(10);
  assert.throws(() => onesComplementSum(data, 0, 11), {
    name: "RangeError",
    message: "Cannot sum bytes 0..11 of a 10-byte buffer",
  });
  assert.throws(() => onesComplementSum(data, 5, 4), RangeError);
  assert.throws(() => onesComplementSum(data, -1, 4), RangeError);
  assert.throws(() => onesComplementSum(data, 0.5, 4), RangeError);
});

Deno.test("internetChecksum() is 0 over a kernel IPv4 header that holds its checksum", () => {
  const frame = readFixtureFrames("kernel_http.pcap")[0];
  assert.equal(internetChecksum(frame.subarray(0, 20)), 0);
  const zeroed = frame.slice(0, 20);
  zeroed[10] = 0;
  zeroed[11] = 0;
  assert.equal(internetChecksum(zeroed), (frame[10] << 8) | frame[11]);
});

Deno.test("pseudoHeaderSum() folds addresses, protocol and length", () => {
  const src = parseIpv4Address("198.18.200.1");
  const dst = parseIpv4Address("198.18.200.2");
  // The value a same-host sender with offload leaves in a 40-byte SYN (kernel_offload.pcap).
  assert.equal(pseudoHeaderSum(src, dst, 6, 40), 0x1c58);
  assert.equal(pseudoHeaderSum(dst, src, 6, 40), 0x1c58);
  // The arithmetic bounds: all-zero and all-ones fields.
  assert.equal(pseudoHeaderSum(ipv4(0), ipv4(0), 0, 0), 0);
  assert.equal(
    pseudoHeaderSum(ipv4(0xffffffff), ipv4(0xffffffff), 0xff, 0xffff),
    naiveOnesComplementSum(
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff, 0xff]),
    ),
  );
});

Deno.test("tcpChecksum() ignores the current checksum field and matches every kernel segment", () => {
  for (const frame of readFixtureFrames("kernel_http.pcap")) {
    const ip = parseIpv4(frame);
    const stored = (ip.payload[16] << 8) | ip.payload[17];
    assert.equal(tcpChecksum(ip.src, ip.dst, ip.payload), stored);
    const unaligned = atOffset(ip.payload, 3);
    unaligned[16] ^= 0x5a;
    assert.equal(tcpChecksum(ip.src, ip.dst, unaligned), stored);
    assert.equal(tcpChecksumOf(ip.src, ip.dst, frame, 20, frame.length), stored);
  }
});

Deno.test("tcpChecksumOf() rejects a range too short for a TCP checksum field", () => {
  const address = parseIpv4Address("198.18.200.1");
  assert.throws(() => tcpChecksumOf(address, address, new Uint8Array(40), 0, 17), {
    name: "RangeError",
    message: "Cannot checksum a TCP segment of 17 bytes: the header needs at least 18",
  });
});
