/**
 * Seeded fuzzing of the IPv6 parsers, as `fuzz_test.ts` does for IPv4: the kernel's IPv6 frames, ICMPv6 errors quoting
 * a segment of ours and datagrams with extension headers before TCP, mutated (bit flips, truncations, payload length
 * and next header lies, extension header length lies, ICMPv6 field changes, quote truncations, appended junk), and
 * wholly random frames. `parseIpv6`, the network layer `IPV6` (parse, verifyTcp, isOffloadChecksum, icmpError),
 * `parseIcmpv6`, `parseQuotedTcpV6` and `parseTcp` may only return a valid value or throw a WireError, and they may
 * not read outside the bytes they were given (the frames are wrapped by `guardReads`). TCP that parses must come back
 * the same through `IPV6.emitTcp`, `IPV6.parse` and `parseTcp`.
 *
 * This file runs a quarter of `RHG_FUZZ_CASES` (the IPv4 fuzzer runs all of them). Reproduce a failure with the seed
 * it prints: `RHG_FUZZ_SEED=<seed> RHG_FUZZ_CASES=<4 × (case + 1)> deno test --allow-all tests/wire/fuzz_ipv6_test.ts`.
 * Every case draws from its own PRNG seeded from the run seed and its index.
 */

import assert from "node:assert/strict";
import { IPV6 } from "../../src/transport/network.ts";
import {
  ACK,
  emitIcmpv6Error,
  emitIpv6,
  formatTcp,
  ICMPV6_DEST_UNREACHABLE,
  ICMPV6_PACKET_TOO_BIG,
  ICMPV6_PARAMETER_PROBLEM,
  ICMPV6_TIME_EXCEEDED,
  icmpv6Verdict,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  type Ipv6Address,
  type Ipv6Repr,
  ipv6ToBytes,
  MAX_OPTIONS_LEN,
  onesComplementSum,
  parseIcmpv6,
  parseIpv6,
  parseIpv6Address,
  parseQuotedTcpV6,
  parseTcp,
  pseudoHeaderSumV6,
  PSH,
  type QuotedTcpV6,
  seq,
  tcpHeaderLength,
  tcpOptionsLength,
  type TcpRepr,
  WireError,
} from "../../src/wire/mod.ts";
import {
  appendJunk,
  atOffset,
  BYTE_MUTATIONS,
  fuzzCases,
  guardReads,
  type Mutation,
  naiveOnesComplementSum,
  Rng,
  toHex,
} from "./_helpers.ts";
import { DATA_FRAME, MLD_FRAME, SYN_FRAME } from "./_ipv6_frames.ts";

const RUN_SEED = Number(Deno.env.get("RHG_FUZZ_SEED") ?? 0x5eed1234) >>> 0;
const CASES = Math.ceil(Number(Deno.env.get("RHG_FUZZ_CASES") ?? 150_000) / 4);

/** The extension headers `parseIpv6` walks or refuses, by next-header value. */
const EXT = { HOP_BY_HOP: 0, ROUTING: 43, FRAGMENT: 44, ESP: 50, AUTH: 51, DEST_OPTIONS: 60 } as const;
const EXT_TYPES: ReadonlySet<number> = new Set([EXT.HOP_BY_HOP, EXT.ROUTING, EXT.FRAGMENT, EXT.AUTH, EXT.DEST_OPTIONS]);
/** Next-header values a mutation writes: every extension header, "no next header" (59), ICMPv6, TCP, and UDP. */
const NEXT_HEADERS = [0, 43, 44, 50, 51, 59, 60, IPPROTO_ICMPV6, IPPROTO_TCP, 17];

const US = parseIpv6Address("2001:2::1");
const SERVER = parseIpv6Address("2001:2::2");
const ROUTER = parseIpv6Address("2001:2:0:1::1");

const bytesOf = (address: Ipv6Address) => {
  const out = new Uint8Array(16);
  ipv6ToBytes(address, out);
  return out;
};

/** A datagram from `src` to `dst`: the fixed header, then `body` (extension headers and upper layer). */
function datagram(src: Ipv6Address, dst: Ipv6Address, nextHeader: number, body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(40 + body.length);
  const header = { dscp: 0, ecn: 0, flowLabel: 0x12345, nextHeader, hopLimit: 64, src, dst };
  emitIpv6({ ...header, payloadLength: body.length }, frame, 0, body);
  return frame;
}

/** An ICMPv6 error from `from` to us quoting `quote` (what `tests/sim/frame_link.ts` `icmpv6TooBig` builds). */
function icmpv6Frame(type: number, code: number, value: number, quote: Uint8Array, from: Ipv6Address): Uint8Array {
  return datagram(from, US, IPPROTO_ICMPV6, emitIcmpv6Error(type, code, value, quote, bytesOf(from), bytesOf(US)));
}

/** Our TCP segment to the server with `payload`, as a whole IPv6 frame. */
function ourSegment(payload: Uint8Array): Uint8Array {
  const seg: TcpRepr = {
    srcPort: 38664,
    dstPort: 8080,
    seq: seq(0xf380ee94),
    ack: seq(0x6cb07c61),
    flags: ACK | PSH,
    window: 507,
    urgent: 0,
    options: { timestamp: { tsVal: 0x8894bfda, tsEcr: 0x2c84751e } },
    payload,
  };
  const buf = new Uint8Array(40 + tcpHeaderLength(seg.options) + payload.length);
  IPV6.emitTcp(seg, US, SERVER, 0, buf);
  return buf;
}

/**
 * Our SYN behind the extension headers `types` (in order, each of a valid length), from us to the server. The TCP
 * checksum still holds: its pseudo-header counts the upper-layer length only.
 */
function withExtensions(types: readonly number[]): Uint8Array {
  const tcp = SYN_FRAME.subarray(40);
  const headers = types.map((type, i) => {
    // An atomic fragment carries only an identification; AH (length 4: 24 bytes) an SPI, a sequence number and an
    // ICV; the options headers (8 or 16 bytes) one PadN option that fills them.
    let bytes: Uint8Array;
    if (type === EXT.FRAGMENT) bytes = new Uint8Array([0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78]);
    else if (type === EXT.AUTH) bytes = new Uint8Array(24).map((_, j) => (j === 1 ? 4 : j >= 4 ? j : 0));
    else {
      const units = i % 2;
      bytes = new Uint8Array(8 * (units + 1));
      [bytes[1], bytes[2], bytes[3]] = [units, 1, bytes.length - 4];
    }
    bytes[0] = types[i + 1] ?? IPPROTO_TCP;
    return bytes;
  });
  const body = new Uint8Array(headers.reduce((n, h) => n + h.length, 0) + tcp.length);
  let at = 0;
  for (const h of [...headers, tcp]) {
    body.set(h, at);
    at += h.length;
  }
  return datagram(US, SERVER, types[0] ?? IPPROTO_TCP, body);
}

const BIG_SEGMENT = ourSegment(new Uint8Array(1400).map((_, i) => i & 0xff));

const SEEDS: readonly Uint8Array[] = [
  SYN_FRAME,
  DATA_FRAME,
  MLD_FRAME,
  // The server's "port unreachable" about our SYN, and routers' errors about it.
  icmpv6Frame(ICMPV6_DEST_UNREACHABLE, 4, 0, SYN_FRAME, SERVER),
  icmpv6Frame(ICMPV6_PACKET_TOO_BIG, 0, 1400, SYN_FRAME, ROUTER),
  icmpv6Frame(ICMPV6_TIME_EXCEEDED, 0, 0, SYN_FRAME, ROUTER),
  icmpv6Frame(ICMPV6_PARAMETER_PROBLEM, 1, 6, SYN_FRAME, ROUTER),
  // RFC 4443 §2.4 (c): a quote cut where the error reaches 1280 bytes.
  icmpv6Frame(ICMPV6_PACKET_TOO_BIG, 0, 1280, BIG_SEGMENT.subarray(0, 1280 - 48), ROUTER),
  withExtensions([EXT.HOP_BY_HOP, EXT.DEST_OPTIONS]),
  withExtensions([EXT.FRAGMENT, EXT.ROUTING]),
  // The longest chain parseIpv6 walks: one more header after it is refused.
  withExtensions([EXT.HOP_BY_HOP, EXT.ROUTING, EXT.DEST_OPTIONS, EXT.FRAGMENT, EXT.AUTH, EXT.DEST_OPTIONS, 43, 60]),
];

/**
 * Where the chain of a frame goes, read leniently (no checks beyond the buffer): the offsets of its next-header
 * bytes (6, then each extension header's first byte), its extension headers, and the upper layer.
 */
function chain(f: Uint8Array): { nextAt: number[]; extAt: number[]; upper: number } {
  const nextAt = [6], extAt: number[] = [];
  if (f.length < 40) return { nextAt: f.length > 6 ? nextAt : [], extAt, upper: f.length };
  let next = f[6], at = 40;
  while (EXT_TYPES.has(next) && at + 8 <= f.length && extAt.length < 10) {
    extAt.push(at);
    nextAt.push(at);
    const length = next === EXT.FRAGMENT ? 8 : next === EXT.AUTH ? (f[at + 1] + 2) * 4 : (f[at + 1] + 1) * 8;
    next = f[at];
    at += length;
  }
  return { nextAt, extAt, upper: Math.min(at, f.length) };
}

const setU16 = (f: Uint8Array, at: number, value: number) => {
  if (at + 1 < f.length) [f[at], f[at + 1]] = [(value >> 8) & 0xff, value & 0xff];
};

/** Recomputes the ICMPv6 or TCP checksum of a frame that parses, so that mutations reach the deeper checks. */
function fixChecksum(frame: Uint8Array): void {
  let ip: Ipv6Repr;
  try {
    ip = parseIpv6(frame);
  } catch {
    return;
  }
  const field = ip.nextHeader === IPPROTO_ICMPV6 ? 2 : ip.nextHeader === IPPROTO_TCP ? 16 : -1;
  const p = ip.payload;
  if (field < 0 || p.length < field + 2) return;
  setU16(p, field, 0);
  const pseudo = pseudoHeaderSumV6(frame, 8, frame, 24, ip.nextHeader, p.length);
  setU16(p, field, ~onesComplementSum(p, 0, p.length, pseudo) & 0xffff);
}

const MUTATIONS: ReadonlyArray<readonly [string, Mutation]> = [
  ...BYTE_MUTATIONS,
  ["payload length lie", (rng, f) => {
    setU16(f, 4, rng.pick([0, 1, f.length - 41, f.length - 40, f.length - 39, 0xffff, rng.int(0x10000)]) & 0xffff);
    return f;
  }],
  ["next header change", (rng, f) => {
    // Half the time the last one, the upper layer's: past a chain of 8 that makes one header too many.
    const { nextAt } = chain(f);
    const at = rng.chance(0.5) ? nextAt.at(-1) : rng.pick(nextAt);
    if (at !== undefined) f[at] = rng.chance(0.8) ? rng.pick(NEXT_HEADERS) : rng.int(256);
    return f;
  }],
  ["extension header length lie", (rng, f) => {
    const { extAt } = chain(f);
    const at = extAt.length > 0 ? rng.pick(extAt) : 40;
    if (at + 1 < f.length) f[at + 1] = rng.pick([0, 1, 2, 3, 4, 7, 31, 0x7f, 0xff, rng.int(256)]);
    return f;
  }],
  ["fragment header", (rng, f) => {
    // Make the first header a fragment header with random offset and flags (its reserved bits too).
    if (f.length < 44) return f;
    const { nextAt } = chain(f);
    f[6] = EXT.FRAGMENT;
    if (nextAt.length < 2) f[40] = IPPROTO_TCP;
    setU16(f, 42, rng.pick([0, 1, 2, 4, 6, 8, 0xfff8, rng.int(0x10000)]));
    return f;
  }],
  ["version change", (rng, f) => {
    f[0] = (rng.pick([0, 4, 5, 7, 15, rng.int(16)]) << 4) | (f[0] & 0x0f);
    return f;
  }],
  ["ICMPv6 fields", (rng, f) => {
    const at = chain(f).upper;
    for (let n = 1 + rng.int(3); n > 0; n--) {
      const field = rng.int(3);
      if (field === 0 && at < f.length) {
        f[at] = rng.pick([0, 1, 2, 3, 4, 5, 127, 128, 129, 135, 143, 255, rng.int(256)]);
      }
      if (field === 1 && at + 1 < f.length) f[at + 1] = rng.pick([0, 1, 3, 4, 6, 7, 255, rng.int(256)]);
      if (field === 2 && at + 7 < f.length) {
        const mtu = rng.pick([0, 1, 68, 1279, 1280, 1500, 0x7fffffff, 0xffffffff, rng.u32()]);
        [f[at + 4], f[at + 5], f[at + 6], f[at + 7]] = [
          mtu >>> 24,
          (mtu >>> 16) & 0xff,
          (mtu >>> 8) & 0xff,
          mtu & 0xff,
        ];
      }
    }
    return f;
  }],
  ["quote truncation", (rng, f) => {
    // Cuts the ICMPv6 message (or whatever the upper layer is) and makes the payload length agree.
    const at = chain(f).upper;
    const keep = rng.pick([0, 4, 7, 8, 47, 55, 56, 57, 8 + 40, 8 + 44, rng.int(Math.max(1, f.length - at))]);
    const out = f.subarray(0, Math.min(f.length, at + keep));
    setU16(out, 4, Math.max(0, out.length - 40));
    return out;
  }],
  ["quoted header change", (rng, f) => {
    const q = chain(f).upper + 8;
    const field = rng.int(4);
    if (field === 0 && q < f.length) f[q] = (rng.pick([0, 4, 6, 15, rng.int(16)]) << 4) | (f[q] & 0x0f);
    if (field === 1 && q + 6 < f.length) f[q + 6] = rng.pick(NEXT_HEADERS);
    if (field === 2) setU16(f, q + 4, rng.int(0x10000));
    if (field === 3 && q + 48 <= f.length) f.set(rng.bytes(8), q + 40);
    return f;
  }],
  ["TCP data offset lie", (rng, f) => {
    const at = chain(f).upper + 12;
    if (at < f.length) f[at] = (rng.int(16) << 4) | (f[at] & 0x0f);
    return f;
  }],
  ["appended junk", appendJunk],
  ["random frame", (rng) => {
    const out = rng.bytes(rng.int(160));
    if (out.length > 0 && rng.chance(0.7)) out[0] = 0x60 | (out[0] & 0x0f);
    if (out.length > 6 && rng.chance(0.6)) out[6] = rng.pick(NEXT_HEADERS);
    if (out.length >= 40 && rng.chance(0.6)) setU16(out, 4, out.length - 40 - rng.int(Math.min(8, out.length - 39)));
    return out;
  }],
];

/** The pseudo-header sum of `ip`'s upper layer as `next`, added up by hand from the frame's address bytes. */
function pseudoSum(frame: Uint8Array, next: number, ip: Ipv6Repr): number {
  return naiveOnesComplementSum(frame, 8, 40) + (ip.payload.length >>> 16) + (ip.payload.length & 0xffff) + next;
}

function isU(value: unknown, bits: number): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value < 2 ** bits;
}

/** An RFC 5952 address that `parseIpv6Address` returns unchanged and whose bytes are `bytes[at..at+16)`. */
function checkAddress(address: unknown, bytes: Uint8Array, at: number, what: string): void {
  assert.equal(typeof address, "string", what);
  assert.equal(parseIpv6Address(address as string), address, `${what} ${address} is canonical`);
  assert.equal(toHex(bytesOf(address as Ipv6Address)), toHex(bytes.subarray(at, at + 16)), `${what} bytes`);
}

function checkIpv6(ip: Ipv6Repr, frame: Uint8Array): void {
  for (
    const [field, bits] of [["dscp", 6], ["ecn", 2], ["flowLabel", 20], ["nextHeader", 8], ["hopLimit", 8]] as const
  ) {
    assert.ok(isU(ip[field], bits), `${field} ${ip[field]}`);
  }
  // The fields are where RFC 8200 §3 puts them.
  assert.equal(frame[0] >> 4, 6, "version");
  const trafficClass = ((frame[0] & 0x0f) << 4) | (frame[1] >> 4);
  assert.deepEqual([ip.dscp, ip.ecn], [trafficClass >> 2, trafficClass & 3], "traffic class");
  assert.equal(ip.flowLabel, ((frame[1] & 0x0f) << 16) | (frame[2] << 8) | frame[3], "flow label");
  assert.equal(ip.hopLimit, frame[7], "hop limit");
  checkAddress(ip.src, frame, 8, "source");
  checkAddress(ip.dst, frame, 24, "destination");
  assert.ok(!EXT_TYPES.has(ip.nextHeader) && ip.nextHeader !== EXT.ESP, `next header ${ip.nextHeader} is an extension`);
  assert.ok(ip.headerLength >= 40 && ip.headerLength % 4 === 0, `header length ${ip.headerLength}`);
  // The payload ends where the payload length says, inside the frame; link padding is left out.
  assert.equal(ip.headerLength + ip.payloadLength, 40 + ((frame[4] << 8) | frame[5]), "payload end");
  assert.ok(ip.headerLength + ip.payloadLength <= frame.length, "payload within frame");
  assert.equal(ip.payload.length, ip.payloadLength);
  assert.equal(ip.payload.buffer, frame.buffer);
  assert.equal(ip.payload.byteOffset, frame.byteOffset + ip.headerLength, "payload offset");
}

function checkTcp(tcp: TcpRepr, segment: Uint8Array, ip: Ipv6Repr): void {
  assert.ok(isU(tcp.srcPort, 16) && isU(tcp.dstPort, 16), "ports");
  assert.ok(isU(tcp.seq, 32) && isU(tcp.ack, 32), "sequence numbers");
  assert.ok(isU(tcp.flags, 8) && isU(tcp.window, 16) && isU(tcp.urgent, 16), "flags, window, urgent");
  const headerLength = segment.length - tcp.payload.length;
  assert.ok(headerLength >= 20 && headerLength <= 60 && headerLength % 4 === 0, "header length");
  assert.equal(typeof formatTcp(tcp), "string");
  // Whatever parsed must come back the same through the network layer, unless Linux's layout of its options needs
  // more than 40 bytes.
  if (tcpOptionsLength(tcp.options) > MAX_OPTIONS_LEN) return;
  const buf = new Uint8Array(40 + tcpHeaderLength(tcp.options) + tcp.payload.length);
  assert.equal(IPV6.emitTcp(tcp, ip.src, ip.dst, 0, buf), buf.length, "emitted length");
  const sent = IPV6.parse(guardReads(buf));
  assert.deepEqual([sent.src, sent.dst, sent.protocol, sent.ecn], [ip.src, ip.dst, IPPROTO_TCP, 0], "emitted header");
  assert.ok(IPV6.verifyTcp(sent, buf), "the emitted checksum verifies");
  const again = parseTcp(guardReads(sent.payload));
  assert.deepEqual({ ...again, payload: null }, { ...tcp, payload: null }, "emit round trip");
  assert.equal(toHex(again.payload), toHex(tcp.payload), "payload round trip");
}

function checkQuoted(q: QuotedTcpV6, quoted: Uint8Array): void {
  checkAddress(q.src, quoted, 8, "quoted source");
  checkAddress(q.dst, quoted, 24, "quoted destination");
  assert.ok(isU(q.srcPort, 16) && isU(q.dstPort, 16) && isU(q.seq, 32), "quoted ports and sequence number");
  assert.equal(q.totalLength, 40 + ((quoted[4] << 8) | quoted[5]), "quoted total length");
}

/** Throws unless `fn` returns or throws a WireError whose message is a sentence naming the part; true if it returned. */
function expectWire(fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    assert.match(e.message, /^Cannot (parse|read) [A-Za-z0-9 ]+: /, "message is a sentence naming the part");
    return false;
  }
}

/** Every parser on the frame, and on the parts of it that parse. */
function runCase(rng: Rng, frame: Uint8Array): void {
  const guarded = guardReads(frame);
  expectWire(() => {
    const ip = parseIpv6(guarded);
    checkIpv6(ip, frame);
    // The network layer reads the same datagram, and its checks read only the frame's and the payload's bytes.
    const dg = IPV6.parse(guarded);
    assert.deepEqual([dg.src, dg.dst, dg.protocol, dg.ecn], [ip.src, ip.dst, ip.nextHeader, ip.ecn], "IPV6.parse");
    assert.equal(dg.payload.byteOffset, ip.payload.byteOffset);
    assert.equal(dg.payload.length, ip.payload.length);
    const view = { ...dg, payload: guardReads(dg.payload) };
    // The checksums against the byte-at-a-time sum, whatever the alignment of the frame.
    const sums = (next: number) => naiveOnesComplementSum(ip.payload, 0, ip.payload.length, pseudoSum(frame, next, ip));
    assert.equal(IPV6.verifyTcp(view, guarded), ip.payload.length >= 20 && sums(IPPROTO_TCP) === 0xffff, "verifyTcp");
    assert.equal(typeof IPV6.isOffloadChecksum(view, guarded), "boolean");
    const reading = IPV6.icmpError(view, guarded);
    // icmpError swallows what it cannot read, so the parsers behind it run here on their own, guarded.
    let direct = null as ReturnType<typeof IPV6.icmpError>;
    if (ip.nextHeader === IPPROTO_ICMPV6) {
      expectWire(() => {
        const valid = ip.payload.length < 56 || sums(IPPROTO_ICMPV6) === 0xffff;
        let icmp: ReturnType<typeof parseIcmpv6>;
        try {
          icmp = parseIcmpv6(guardReads(ip.payload), guarded, 8, guarded, 24);
        } catch (e) {
          // The checksum verdict is the reference sum's.
          if (e instanceof WireError) assert.equal(e.reason === "bad-checksum", !valid, "checksum verdict");
          throw e;
        }
        assert.ok(valid, "a message whose checksum fails was read");
        assert.ok(icmp.type >= 1 && icmp.type <= 4 && isU(icmp.code, 8), `type ${icmp.type} code ${icmp.code}`);
        const mtu = icmp.type === ICMPV6_PACKET_TOO_BIG
          ? ((ip.payload[4] << 24) | (ip.payload[5] << 16) |
            (ip.payload[6] << 8) | ip.payload[7]) >>> 0
          : 0;
        assert.equal(icmp.mtu, mtu, "MTU");
        assert.equal(icmp.quoted.byteOffset, ip.payload.byteOffset + 8, "quote offset");
        assert.equal(icmp.quoted.length, ip.payload.length - 8, "quote length");
        const quoted = parseQuotedTcpV6(guardReads(icmp.quoted));
        checkQuoted(quoted, icmp.quoted);
        direct = {
          type: icmp.type,
          code: icmp.code,
          verdict: icmpv6Verdict(icmp.type, icmp.code),
          mtu: icmp.mtu,
          quoted,
        };
      });
    }
    assert.deepEqual(reading, direct, "icmpError reads what parseIcmpv6 and parseQuotedTcpV6 read");
    if (reading !== null) {
      assert.ok(isU(reading.mtu, 32), `mtu ${reading.mtu}`);
      assert.ok(["hard", "soft", "unreachable", "too-big"].includes(reading.verdict), reading.verdict);
      assert.equal(typeof IPV6.describeIcmp(reading.type, reading.code), "string");
    }
    if (ip.nextHeader === IPPROTO_TCP) expectWire(() => checkTcp(parseTcp(guardReads(ip.payload)), ip.payload, ip));
  });
  // The ICMPv6 and quote parsers on their own, wherever parseIpv6 would have stopped the frame.
  const message = frame.subarray(Math.min(frame.length, 40));
  const [a, b] = frame.length >= 40 ? [guarded, guarded] : [guardReads(rng.bytes(16)), guardReads(rng.bytes(16))];
  const [aAt, bAt] = frame.length >= 40 ? [8, 24] : [0, 0];
  expectWire(() => {
    const icmp = parseIcmpv6(guardReads(message), a, aAt, b, bAt);
    assert.ok(icmp.type >= 1 && icmp.type <= 4 && isU(icmp.code, 8) && isU(icmp.mtu, 32), "ICMPv6 fields");
  });
  expectWire(() => checkQuoted(parseQuotedTcpV6(guarded), frame));
}

/** The case's PRNG and frame: a seed frame mutated once or twice, its checksum fixed most of the time. */
function makeCase(caseSeed: number): { rng: Rng; name: string; frame: Uint8Array } {
  const rng = new Rng(caseSeed);
  const [name, mutate] = rng.pick(MUTATIONS);
  let frame = mutate(rng, rng.pick(SEEDS).slice());
  if (rng.chance(0.3)) frame = mutate(rng, frame.slice());
  if (rng.chance(0.6)) fixChecksum(frame);
  // A frame at any alignment: the checksums read aligned words of the buffer.
  if (rng.chance(0.3)) frame = atOffset(frame, 1 + rng.int(3));
  return { rng, name, frame };
}

Deno.test(`parseIpv6(), IPV6, parseIcmpv6() and parseTcp() survive ${CASES} mutated and random frames (seed ${RUN_SEED})`, () => {
  fuzzCases(CASES, RUN_SEED, makeCase, runCase);
});

Deno.test("the seeds parse: TCP behind extension headers, and ICMPv6 errors that icmpError reads", () => {
  for (const seed of SEEDS) {
    const dg = IPV6.parse(seed);
    if (dg.protocol === IPPROTO_TCP) assert.ok(IPV6.verifyTcp(dg, seed), "TCP checksum");
  }
  const readings = SEEDS.map((s) => IPV6.icmpError(IPV6.parse(s), s)).filter((r) => r !== null);
  assert.deepEqual(readings.map((r) => [r.type, r.code, r.mtu, r.quoted.src, r.quoted.dstPort]), [
    [1, 4, 0, US, 8080],
    [2, 0, 1400, US, 8080],
    [3, 0, 0, US, 8080],
    [4, 1, 0, US, 8080],
    [2, 0, 1280, US, 8080],
  ]);
  assert.equal(parseIpv6(SEEDS.at(-1)!).headerLength, 40 + 8 + 16 + 8 + 8 + 24 + 16 + 8 + 16);
});

/** Every way parseIpv6 refuses a datagram (src/wire/ipv6.ts), by reason and message. */
const IPV6_REJECTIONS: ReadonlyArray<readonly [string, RegExp]> = [
  ["truncated", /^Cannot parse IPv6 header: \d+ bytes is shorter than 40$/],
  ["truncated", /^Cannot parse IPv6 header: payload length \d+ exceeds the \d+ bytes after the header$/],
  ["bad-version", /^Cannot parse IPv6 header: version \d+ is not 6$/],
  ["bad-total-length", /^Cannot parse IPv6 datagram: a jumbogram \(payload length 0\) is not carried$/],
  ["fragment", /^Cannot parse IPv6 datagram: it is a fragment \(offset and flags 0x[0-9a-f]+\)$/],
  ["bad-extension", /^Cannot parse IPv6 extension header \d+: it runs past the payload$/],
  ["bad-extension", /^Cannot parse IPv6 datagram: more than 8 extension headers$/],
  ["bad-extension", /^Cannot parse IPv6 datagram: what follows ESP is encrypted$/],
  ["bad-extension", /^Cannot parse IPv6 datagram: a hop-by-hop options header follows another extension header$/],
];
/** Every way parseIcmpv6 and parseQuotedTcpV6 (src/wire/icmpv6.ts) refuse a message behind a datagram that parses. */
const ICMPV6_REJECTIONS: ReadonlyArray<readonly [string, RegExp]> = [
  ["truncated", /^Cannot parse ICMPv6 error: \d+ bytes is shorter than 56$/],
  ["bad-checksum", /^Cannot parse ICMPv6 error: the checksum does not verify$/],
  ["bad-icmp", /^Cannot parse ICMPv6 error: type \d+ reports no error about a packet$/],
  ["bad-icmp", /^Cannot read the quoted segment: version \d+ is not 6$/],
  ["bad-icmp", /^Cannot read the quoted segment: next header \d+ is not TCP$/],
];

Deno.test("the fuzz mutations reach every rejection reason and still accept some frames", () => {
  const seen = new Map<string, number>();
  const count = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);
  const classify = (e: unknown, table: ReadonlyArray<readonly [string, RegExp]>, layer: string) => {
    if (!(e instanceof WireError)) throw e;
    const i = table.findIndex(([reason, message]) => e.reason === reason && message.test(e.message));
    assert.ok(i >= 0, `an unlisted rejection: ${e.reason}: ${e.message}`);
    count(`${layer} ${i}`);
  };
  for (let i = 0; i < 10_000; i++) {
    const { frame } = makeCase((RUN_SEED ^ 0xabcdef) + i);
    let ip: Ipv6Repr;
    try {
      ip = parseIpv6(frame);
    } catch (e) {
      classify(e, IPV6_REJECTIONS, "IPv6");
      continue;
    }
    count(`accepted ${ip.nextHeader === IPPROTO_TCP || ip.nextHeader === IPPROTO_ICMPV6 ? ip.nextHeader : "other"}`);
    if (ip.nextHeader !== IPPROTO_ICMPV6) continue;
    try {
      parseQuotedTcpV6(parseIcmpv6(ip.payload, frame, 8, frame, 24).quoted);
    } catch (e) {
      classify(e, ICMPV6_REJECTIONS, "ICMPv6");
      continue;
    }
    const reading = IPV6.icmpError(IPV6.parse(frame), frame);
    assert.ok(reading !== null, "icmpError reads what parses");
    count(`ICMPv6 error type ${reading.type}`);
  }
  const expected = [
    ...IPV6_REJECTIONS.map((_, i) => `IPv6 ${i}`),
    ...ICMPV6_REJECTIONS.map((_, i) => `ICMPv6 ${i}`),
    `accepted ${IPPROTO_TCP}`,
    `accepted ${IPPROTO_ICMPV6}`,
    "accepted other",
    ...[1, 2, 3, 4].map((type) => `ICMPv6 error type ${type}`),
  ];
  for (const key of expected) {
    assert.ok((seen.get(key) ?? 0) > 0, `no case ended as ${key}: ${JSON.stringify([...seen].sort())}`);
  }
});
