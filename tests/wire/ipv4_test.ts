import assert from "node:assert/strict";
import {
  emitIpv4,
  internetChecksum,
  IPPROTO_TCP,
  ipv4,
  type Ipv4Header,
  parseIpv4,
  type WireErrorReason,
} from "../../src/wire/mod.ts";
import { assertWireError, readFixtureFrames, Rng, toHex } from "./_helpers.ts";

const SYN = readFixtureFrames("kernel_http.pcap")[0];

/** A copy of `frame` with `edit` applied and the header checksum recomputed. */
function edited(frame: Uint8Array, edit: (bytes: Uint8Array) => void): Uint8Array {
  const bytes = frame.slice();
  edit(bytes);
  const headerLength = Math.max(20, (bytes[0] & 0x0f) * 4);
  if (headerLength <= bytes.length) {
    bytes[10] = 0;
    bytes[11] = 0;
    const sum = internetChecksum(bytes.subarray(0, headerLength));
    bytes[10] = sum >> 8;
    bytes[11] = sum & 0xff;
  }
  return bytes;
}

function rejects(frame: Uint8Array, reason: WireErrorReason, message: string): void {
  assertWireError(() => parseIpv4(frame), reason, message);
}

Deno.test("parseIpv4() rejects a buffer shorter than 20 bytes", () => {
  rejects(SYN.subarray(0, 19), "truncated", "Cannot parse IPv4 header: 19 bytes is shorter than 20");
  rejects(new Uint8Array(0), "truncated", "Cannot parse IPv4 header: 0 bytes is shorter than 20");
});

Deno.test("parseIpv4() rejects a version other than 4", () => {
  rejects(edited(SYN, (b) => b[0] = 0x65), "bad-version", "Cannot parse IPv4 header: version 6 is not 4");
});

Deno.test("parseIpv4() rejects an IHL below 5", () => {
  rejects(edited(SYN, (b) => b[0] = 0x44), "bad-ihl", "Cannot parse IPv4 header: IHL 4 is below 5");
});

Deno.test("parseIpv4() rejects an IHL that runs past the buffer", () => {
  const frame = edited(SYN, (b) => b[0] = 0x4f).subarray(0, 40);
  rejects(frame, "truncated", "Cannot parse IPv4 header: header length 60 exceeds the 40-byte buffer");
});

Deno.test("parseIpv4() rejects a total length below the header length", () => {
  const frame = edited(SYN, (b) => b[3] = 19);
  rejects(frame, "bad-total-length", "Cannot parse IPv4 header: total length 19 is below the header length 20");
});

Deno.test("parseIpv4() rejects a total length beyond the buffer", () => {
  rejects(SYN.subarray(0, 59), "truncated", "Cannot parse IPv4 header: total length 60 exceeds the 59-byte buffer");
});

Deno.test("parseIpv4() rejects a wrong header checksum and names the expected one", () => {
  const frame = SYN.slice();
  frame[8] = 63; // TTL changed, checksum not updated
  const stored = toHex(frame.subarray(10, 12));
  const expected = toHex(edited(frame, () => {}).subarray(10, 12));
  rejects(
    frame,
    "bad-checksum",
    `Cannot parse IPv4 header: checksum 0x${stored} does not verify (expected 0x${expected})`,
  );
});

Deno.test("parseIpv4() skips the checksum check when verifyChecksum is false", () => {
  const frame = SYN.slice();
  frame[10] ^= 0xff;
  assert.equal(parseIpv4(frame, { verifyChecksum: false }).ttl, 64);
});

Deno.test("parseIpv4() rejects a fragment with MF set or a non-zero offset", () => {
  rejects(
    edited(SYN, (b) => b[6] = 0x20),
    "fragment",
    "Cannot parse IPv4 datagram: it is a fragment (flags and offset 0x2000)",
  );
  rejects(
    edited(SYN, (b) => b[7] = 0x01),
    "fragment",
    "Cannot parse IPv4 datagram: it is a fragment (flags and offset 0x4001)",
  );
});

Deno.test("parseIpv4() ignores link padding after the total length", () => {
  const padded = new Uint8Array(SYN.length + 6);
  padded.set(SYN);
  padded.fill(0xaa, SYN.length);
  const ip = parseIpv4(padded);
  assert.equal(ip.payload.length, SYN.length - 20);
  assert.equal(ip.payloadLength, SYN.length - 20);
});

Deno.test("parseIpv4() skips IP options by IHL and returns a payload view", () => {
  const withOptions = new Uint8Array(SYN.length + 8);
  withOptions.set(SYN.subarray(0, 20));
  withOptions.set([0x01, 0x01, 0x01, 0x01, 0x94, 0x04, 0x00, 0x00], 20); // NOPs and Router Alert
  withOptions.set(SYN.subarray(20), 28);
  const frame = edited(withOptions, (b) => {
    b[0] = 0x47;
    b[3] = withOptions.length;
  });
  const ip = parseIpv4(frame);
  assert.equal(ip.headerLength, 28);
  assert.equal(toHex(ip.payload), toHex(SYN.subarray(20)));
  assert.equal(ip.payload.buffer, frame.buffer);
});

Deno.test("parseIpv4() reads DSCP, ECN and a clear DF", () => {
  const ip = parseIpv4(edited(SYN, (b) => {
    b[1] = (46 << 2) | 3;
    b[6] = 0;
  }));
  assert.equal(ip.dscp, 46);
  assert.equal(ip.ecn, 3);
  assert.equal(ip.dontFragment, false);
});

function randomHeader(rng: Rng): Ipv4Header {
  return {
    dscp: rng.int(64),
    ecn: rng.int(4),
    identification: rng.int(0x10000),
    dontFragment: rng.chance(0.5),
    ttl: rng.int(256),
    protocol: rng.pick([IPPROTO_TCP, 17, 1, rng.int(256)]),
    src: ipv4(rng.u32()),
    dst: ipv4(rng.u32()),
    payloadLength: rng.int(1480),
  };
}

Deno.test("emitIpv4() then parseIpv4() round-trips random headers at random offsets", () => {
  const rng = new Rng(791);
  for (let i = 0; i < 3000; i++) {
    const header = randomHeader(rng);
    const offset = rng.int(9);
    const payload = rng.bytes(header.payloadLength);
    const buf = new Uint8Array(offset + 20 + header.payloadLength + rng.int(4));
    assert.equal(emitIpv4(header, buf, offset, payload), 20);
    const ip = parseIpv4(buf.subarray(offset));
    const { headerLength, payload: parsed, ...fields } = ip;
    assert.deepEqual(fields, header, `case ${i} seed ${rng.seed}`);
    assert.equal(headerLength, 20);
    assert.equal(toHex(parsed), toHex(payload));
  }
});

Deno.test("emitIpv4() leaves the payload alone when none is given", () => {
  const buf = new Uint8Array(30).fill(7);
  emitIpv4({ ...randomHeader(new Rng(1)), payloadLength: 10 }, buf);
  assert.equal(toHex(buf.subarray(20)), "07".repeat(10));
});

Deno.test("emitIpv4() throws RangeError for a small buffer, a bad offset or a field out of range", () => {
  const header = { ...randomHeader(new Rng(2)), payloadLength: 0 };
  assert.throws(() => emitIpv4(header, new Uint8Array(19)), {
    name: "RangeError",
    message: "Cannot emit IPv4 at offset 0: 20 bytes do not fit in 19",
  });
  assert.throws(() => emitIpv4(header, new Uint8Array(40), 21), RangeError);
  assert.throws(() => emitIpv4(header, new Uint8Array(40), -1), RangeError);
  assert.throws(() => emitIpv4({ ...header, ttl: 256 }, new Uint8Array(40)), {
    name: "RangeError",
    message: "Cannot emit: TTL 256 is not an integer in 0..255",
  });
  assert.throws(() => emitIpv4({ ...header, payloadLength: 65516 }, new Uint8Array(40)), RangeError);
  assert.throws(() => emitIpv4({ ...header, src: -1 as never }, new Uint8Array(40)), RangeError);
  assert.throws(() => emitIpv4({ ...header, payloadLength: 3 }, new Uint8Array(40), 0, new Uint8Array(2)), RangeError);
});
