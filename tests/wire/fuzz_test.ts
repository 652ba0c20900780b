/**
 * Seeded fuzzing of the parsers: real kernel frames mutated (bit flips, truncations, length lies, option garbage,
 * appended junk) and wholly random frames. A parser may only return a valid value or throw a WireError, and it may
 * not read outside the bytes it was given (the frames are wrapped by `guardReads`).
 *
 * Reproduce a failure with the seed it prints: `RHG_FUZZ_SEED=<seed> RHG_FUZZ_CASES=<n> deno test --allow-all
 * tests/wire/fuzz_test.ts`. Every case draws from its own PRNG seeded from the run seed and its index.
 */

import assert from "node:assert/strict";
import {
  emitTcp,
  formatTcp,
  internetChecksum,
  ipv4,
  type Ipv4Repr,
  isFoldedPseudoHeaderChecksum,
  MAX_OPTIONS_LEN,
  parseIpv4,
  parseIpv4Address,
  parseTcp,
  parseTcpOptions,
  tcpHeaderLength,
  tcpOptionsLength,
  type TcpRepr,
  verifyTcpChecksum,
  WireError,
} from "../../src/wire/mod.ts";
import {
  appendJunk,
  BYTE_MUTATIONS,
  fuzzCases,
  guardReads,
  type Mutation,
  readFixtureFrames,
  Rng,
  toHex,
} from "./_helpers.ts";

const RUN_SEED = Number(Deno.env.get("RHG_FUZZ_SEED") ?? 0x5eed1234) >>> 0;
const CASES = Number(Deno.env.get("RHG_FUZZ_CASES") ?? 150_000);
const SEEDS = [...readFixtureFrames("kernel_http.pcap"), ...readFixtureFrames("kernel_offload.pcap")];

/** Recomputes the IPv4 header checksum when the header is whole, so that mutations reach the deeper checks. */
function fixIpChecksum(frame: Uint8Array): void {
  const headerLength = (frame[0] & 0x0f) * 4;
  if (frame.length < 20 || headerLength < 20 || headerLength > frame.length) return;
  frame[10] = 0;
  frame[11] = 0;
  const sum = internetChecksum(frame.subarray(0, headerLength));
  frame[10] = sum >> 8;
  frame[11] = sum & 0xff;
}

/** Offset of the TCP header in a seed frame (all seeds have a 20-byte IP header). */
const TCP = 20;

const MUTATIONS: ReadonlyArray<readonly [string, Mutation]> = [
  ...BYTE_MUTATIONS,
  ["IP total length lie", (rng, f) => {
    const total = rng.pick([0, 19, 20, 39, 40, f.length - 1, f.length + 1, 0xffff, rng.int(0x10000)]);
    f[2] = total >> 8;
    f[3] = total & 0xff;
    return f;
  }],
  ["IHL lie", (rng, f) => {
    f[0] = (f[0] & 0xf0) | rng.int(16);
    return f;
  }],
  ["TCP data offset lie", (rng, f) => {
    f[TCP + 12] = (rng.int(16) << 4) | (f[TCP + 12] & 0x0f);
    return f;
  }],
  ["option garbage", (rng, f) => {
    const end = Math.min(f.length, TCP + ((f[TCP + 12] >> 4) * 4));
    for (let i = TCP + 20; i < end; i++) {
      if (rng.chance(0.5)) f[i] = rng.pick([0, 1, 2, 3, 4, 5, 8, 10, 255, rng.int(256)]);
    }
    return f;
  }],
  ["option length lie", (rng, f) => {
    const end = Math.min(f.length, TCP + ((f[TCP + 12] >> 4) * 4));
    if (end > TCP + 21) f[TCP + 21 + rng.int(end - TCP - 21)] = rng.pick([0, 1, 2, 3, 4, 10, 18, 34, 40, 41, 255]);
    return f;
  }],
  ["random options area", (rng, f) => {
    const doff = 5 + rng.int(11);
    f[TCP + 12] = doff << 4;
    for (let i = TCP + 20; i < Math.min(f.length, TCP + doff * 4); i++) f[i] = rng.int(256);
    return f;
  }],
  ["appended junk", appendJunk],
  ["random frame", (rng) => {
    const out = rng.bytes(rng.int(120));
    if (out.length > 0 && rng.chance(0.7)) out[0] = 0x45;
    if (out.length > 33 && rng.chance(0.5)) out[TCP + 12] = (5 + rng.int(11)) << 4;
    return out;
  }],
];

function isU(value: unknown, bits: number): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value < 2 ** bits;
}

function checkIpv4(ip: Ipv4Repr, frame: Uint8Array): void {
  for (const [field, bits] of [["dscp", 6], ["ecn", 2], ["identification", 16], ["ttl", 8], ["protocol", 8]] as const) {
    assert.ok(isU(ip[field], bits), `${field} ${ip[field]}`);
  }
  assert.ok(isU(ip.src, 32) && isU(ip.dst, 32), "addresses");
  assert.equal(typeof ip.dontFragment, "boolean");
  assert.ok(ip.headerLength >= 20 && ip.headerLength <= 60 && ip.headerLength % 4 === 0, "header length");
  assert.ok(ip.headerLength + ip.payloadLength <= frame.length, "payload within frame");
  assert.equal(ip.payload.length, ip.payloadLength);
  assert.equal(ip.payload.buffer, frame.buffer);
}

function checkTcp(tcp: TcpRepr, segment: Uint8Array): void {
  assert.ok(isU(tcp.srcPort, 16) && isU(tcp.dstPort, 16), "ports");
  assert.ok(isU(tcp.seq, 32) && isU(tcp.ack, 32), "sequence numbers");
  assert.ok(isU(tcp.flags, 8) && isU(tcp.window, 16) && isU(tcp.urgent, 16), "flags, window, urgent");
  const headerLength = segment.length - tcp.payload.length;
  assert.ok(headerLength >= 20 && headerLength <= 60 && headerLength % 4 === 0, "header length");
  const o = tcp.options;
  if (o.mss !== undefined) assert.ok(isU(o.mss, 16) && o.mss > 0, `mss ${o.mss}`);
  if (o.windowScale !== undefined) assert.ok(isU(o.windowScale, 4) && o.windowScale <= 14, "window scale");
  if (o.sackPermitted !== undefined) assert.equal(o.sackPermitted, true);
  if (o.timestamp !== undefined) assert.ok(isU(o.timestamp.tsVal, 32) && isU(o.timestamp.tsEcr, 32), "timestamp");
  if (o.sackBlocks !== undefined) {
    assert.ok(o.sackBlocks.length >= 1 && o.sackBlocks.length <= 4, "SACK block count");
    for (const b of o.sackBlocks) assert.ok(isU(b.left, 32) && isU(b.right, 32), "SACK block");
  }
  assert.equal(typeof formatTcp(tcp), "string");
  // Whatever parsed must emit and parse back the same, unless Linux's layout of these options needs more than 40 bytes.
  if (tcpOptionsLength(o) <= MAX_OPTIONS_LEN) {
    const buf = new Uint8Array(tcpHeaderLength(o) + tcp.payload.length);
    emitTcp(tcp, buf, 0, parseIpv4Address("198.18.0.1"), parseIpv4Address("198.18.0.2"));
    const again = parseTcp(buf);
    assert.deepEqual({ ...again, payload: null }, { ...tcp, payload: null }, "emit round trip");
    assert.equal(toHex(again.payload), toHex(tcp.payload), "payload round trip");
  }
}

/** Parses whatever parses; returns which layers accepted the frame. */
function runCase(rng: Rng, frame: Uint8Array): void {
  const expectWire = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      assert.match(e.message, /^Cannot parse [A-Za-z0-9 ]+: /, "message is a sentence naming the part");
    }
  };
  expectWire(() => {
    const ip = parseIpv4(guardReads(frame), { verifyChecksum: rng.chance(0.5) });
    checkIpv4(ip, frame);
    verifyTcpChecksum(ip.src, ip.dst, ip.payload);
    isFoldedPseudoHeaderChecksum(ip.src, ip.dst, ip.payload);
    checkTcp(parseTcp(guardReads(ip.payload)), ip.payload);
  });
  // The TCP parser on its own, wherever the IPv4 checks would have stopped the frame.
  const segment = frame.subarray(Math.min(frame.length, TCP));
  assert.equal(typeof verifyTcpChecksum(ipv4(rng.u32()), ipv4(rng.u32()), segment), "boolean");
  assert.equal(typeof isFoldedPseudoHeaderChecksum(ipv4(rng.u32()), ipv4(rng.u32()), segment), "boolean");
  expectWire(() => checkTcp(parseTcp(guardReads(segment)), segment));
  // The options parser never looks past the header, even when the segment goes on.
  const headerLength = segment.length >= 20 ? (segment[12] >> 4) * 4 : 0;
  if (headerLength >= 20 && headerLength <= segment.length) {
    const header = guardReads(segment.subarray(0, headerLength));
    let whole: unknown, alone: unknown;
    try {
      whole = parseTcp(segment).options;
    } catch (e) {
      whole = e instanceof WireError ? e.message : e;
    }
    try {
      alone = parseTcpOptions(header, 20, headerLength);
    } catch (e) {
      alone = e instanceof WireError ? e.message : e;
    }
    assert.deepEqual(alone, whole, "options parsed from the header alone");
  }
}

Deno.test(`parseIpv4() and parseTcp() survive ${CASES} mutated and random frames (seed ${RUN_SEED})`, () => {
  fuzzCases(CASES, RUN_SEED, (caseSeed) => {
    const rng = new Rng(caseSeed);
    const [name, mutate] = rng.pick(MUTATIONS);
    let frame = mutate(rng, rng.pick(SEEDS).slice());
    if (rng.chance(0.3)) frame = mutate(rng, frame.slice());
    if (rng.chance(0.6)) fixIpChecksum(frame);
    return { rng, name, frame };
  }, runCase);
});

Deno.test("the fuzz mutations reach every rejection reason and still accept some frames", () => {
  const seen = new Map<string, number>();
  for (let i = 0; i < 20_000; i++) {
    const rng = new Rng((RUN_SEED ^ 0xabcdef) + i);
    const [, mutate] = rng.pick(MUTATIONS);
    const frame = mutate(rng, rng.pick(SEEDS).slice());
    if (rng.chance(0.6)) fixIpChecksum(frame);
    let outcome = "accepted";
    try {
      parseTcp(parseIpv4(frame).payload);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      outcome = e.reason;
    }
    seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
  }
  for (
    const reason of [
      "accepted",
      "truncated",
      "bad-version",
      "bad-ihl",
      "bad-total-length",
      "bad-checksum",
      "fragment",
      "bad-data-offset",
      "bad-option",
    ]
  ) {
    assert.ok((seen.get(reason) ?? 0) > 0, `no case ended as ${reason}: ${JSON.stringify([...seen])}`);
  }
});
