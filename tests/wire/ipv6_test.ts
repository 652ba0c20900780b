/**
 * The IPv6 codec against frames the kernel sent (curl to a Python server over 2001:2::/48 between two namespaces,
 * checksum offload off, captured with tcpdump), RFC 5952 address text, extension headers, and ICMPv6 errors.
 */

import assert from "node:assert/strict";
import {
  describeIcmpv6,
  emitIcmpv6Error,
  emitIpv6,
  emitTcpUnsummed,
  fillTcpChecksum,
  icmpv6Verdict,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  ipv6FromBytes,
  ipv6ToBytes,
  isFoldedPseudoSum,
  onesComplementSum,
  parseIcmpv6,
  parseIpv6,
  parseIpv6Address,
  parseQuotedTcpV6,
  parseTcp,
  pseudoHeaderSumV6,
  SYN,
  tryParseIpv6Address,
  verifyTcpSum,
  WireError,
} from "../../src/wire/mod.ts";
import { DATA_FRAME, MLD_FRAME, SYN_FRAME } from "./_ipv6_frames.ts";

const tcpSum = (frame: Uint8Array, length: number) => pseudoHeaderSumV6(frame, 8, frame, 24, IPPROTO_TCP, length);

Deno.test("parseIpv6() reads the kernel's SYN: addresses, flow label, hop limit, and a TCP checksum that holds", () => {
  const ip = parseIpv6(SYN_FRAME);
  assert.deepEqual(
    [ip.src, ip.dst, ip.flowLabel, ip.nextHeader, ip.hopLimit, ip.payloadLength, ip.headerLength, ip.ecn],
    ["2001:2::1", "2001:2::2", 0x27e6b, IPPROTO_TCP, 64, 40, 40, 0],
  );
  const seg = parseTcp(ip.payload);
  assert.equal(seg.flags, SYN);
  assert.equal(seg.options.mss, 1440);
  assert.ok(verifyTcpSum(tcpSum(SYN_FRAME, ip.payload.length), ip.payload));
  const body = parseIpv6(DATA_FRAME);
  assert.equal(new TextDecoder().decode(parseTcp(body.payload).payload), "hello over ipv6\n");
  assert.ok(verifyTcpSum(tcpSum(DATA_FRAME, body.payload.length), body.payload));
});

Deno.test("emitIpv6() and emitTcpUnsummed() + fillTcpChecksum() rebuild the kernel's SYN byte for byte", () => {
  const ip = parseIpv6(SYN_FRAME);
  const seg = parseTcp(ip.payload);
  const buf = new Uint8Array(SYN_FRAME.length);
  const n = emitTcpUnsummed(seg, buf, 40);
  emitIpv6({ ...ip, payloadLength: n }, buf, 0);
  fillTcpChecksum(buf, 40, 40 + n, tcpSum(buf, n));
  assert.deepEqual(buf, SYN_FRAME);
});

Deno.test("a flipped bit fails the TCP checksum; the folded pseudo-header sum of an offloading sender is recognised", () => {
  const frame = DATA_FRAME.slice();
  frame[frame.length - 3] ^= 4;
  const ip = parseIpv6(frame);
  assert.ok(!verifyTcpSum(tcpSum(frame, ip.payload.length), ip.payload));
  // What a same-host sender with checksum offload leaves: the folded pseudo-header sum in the field.
  const sum = tcpSum(frame, ip.payload.length);
  ip.payload[16] = sum >> 8;
  ip.payload[17] = sum & 0xff;
  assert.ok(isFoldedPseudoSum(sum, ip.payload));
});

Deno.test("parseIpv6() skips a Hop-by-Hop Options header to the ICMPv6 message behind it", () => {
  const ip = parseIpv6(MLD_FRAME);
  assert.deepEqual([ip.nextHeader, ip.headerLength, ip.src], [IPPROTO_ICMPV6, 48, "fe80::e40d:c5ff:fe72:6ba9"]);
  // The kernel's ICMPv6 checksum holds over our pseudo-header sum: the addresses, length and next header 58.
  const pseudo = pseudoHeaderSumV6(MLD_FRAME, 8, MLD_FRAME, 24, IPPROTO_ICMPV6, ip.payload.length);
  assert.equal(onesComplementSum(ip.payload, 0, ip.payload.length, pseudo), 0xffff);
  // An MLD report (type 143) is no error about a segment of ours.
  assert.throws(() => parseIcmpv6(ip.payload, MLD_FRAME, 8, MLD_FRAME, 24), WireError);
});

/** A datagram from us to the server whose extension headers are `ext` (next header values chained in order). */
function withExtensions(ext: Array<{ type: number; bytes: Uint8Array }>, last = IPPROTO_TCP): Uint8Array {
  const tcp = parseIpv6(SYN_FRAME).payload;
  const body = new Uint8Array([...ext.flatMap((e) => [...e.bytes]), ...tcp]);
  ext.forEach((_, i) => (body[ext.slice(0, i).reduce((n, x) => n + x.bytes.length, 0)] = ext[i + 1]?.type ?? last));
  const frame = new Uint8Array(40 + body.length);
  const header = { dscp: 0, ecn: 0, flowLabel: 0, hopLimit: 64, src: parseIpv6Address("2001:2::1") };
  emitIpv6(
    { ...header, dst: parseIpv6Address("2001:2::2"), nextHeader: ext[0]?.type ?? last, payloadLength: body.length },
    frame,
    0,
    body,
  );
  return frame;
}
const opts = (type: number, units: number) => ({
  type,
  bytes: new Uint8Array(8 * (units + 1)).map((_, i) => i === 1 ? units : 0),
});
const fragment = (offsetAndFlags: number) => {
  const bytes = new Uint8Array(8);
  bytes[2] = offsetAndFlags >> 8;
  bytes[3] = offsetAndFlags & 0xff;
  return { type: 44, bytes };
};

Deno.test("extension headers: routing and destination options are skipped, an atomic fragment passes", () => {
  const ip = parseIpv6(withExtensions([opts(0, 0), opts(43, 1), opts(60, 0), fragment(0)]));
  assert.deepEqual([ip.nextHeader, ip.headerLength], [IPPROTO_TCP, 40 + 8 + 16 + 8 + 8]);
  assert.equal(parseTcp(ip.payload).flags, SYN);
});

Deno.test("extension headers: fragments, ESP, a late hop-by-hop header, one past the payload, too long a chain: refused", () => {
  const reason = (frame: Uint8Array) => {
    try {
      parseIpv6(frame);
      return "parsed";
    } catch (e) {
      return (e as WireError).reason;
    }
  };
  assert.equal(reason(withExtensions([fragment(1)])), "fragment"); // more fragments
  assert.equal(reason(withExtensions([fragment(185 << 3)])), "fragment"); // a later fragment
  assert.equal(reason(withExtensions([opts(60, 0)], 50)), "bad-extension"); // ESP after it
  assert.equal(reason(withExtensions(Array.from({ length: 9 }, () => opts(60, 0)))), "bad-extension");
  // RFC 8200 §4.3: a hop-by-hop header comes first or not at all.
  assert.equal(reason(withExtensions([opts(60, 0), opts(0, 0)])), "bad-extension");
  assert.equal(reason(withExtensions([opts(0, 0), opts(0, 0)])), "bad-extension");
  const long = withExtensions([opts(60, 0)]);
  long[41] = 200; // its length now runs past the payload
  assert.equal(reason(long), "bad-extension");
  assert.equal(reason(SYN_FRAME.subarray(0, 39)), "truncated");
  assert.equal(reason(SYN_FRAME.subarray(0, 70)), "truncated"); // the payload length says 40 more
  const v4 = SYN_FRAME.slice();
  v4[0] = 0x45;
  assert.equal(reason(v4), "bad-version");
});

Deno.test("IPv6 text: RFC 5952 canonical form, embedded IPv4, and refusals", () => {
  const cases: Array<[string, string]> = [
    ["2001:0002:0000:0000:0000:0000:0000:0001", "2001:2::1"],
    ["2001:2:0:0:1:0:0:1", "2001:2::1:0:0:1"], // the first of two equal runs
    ["2001:2:0:1:0:0:0:1", "2001:2:0:1::1"], // the longest run
    ["2001:2:0:1:2:3:4:5", "2001:2:0:1:2:3:4:5"], // one zero group is not shortened
    ["::", "::"],
    ["::1", "::1"],
    ["FE80::ABCD", "fe80::abcd"],
    ["::ffff:198.18.0.1", "::ffff:c612:1"],
  ];
  for (const [text, canonical] of cases) assert.equal(parseIpv6Address(text), canonical, text);
  for (
    const bad of ["2001:2::1::1", "12345::", "fe80::1%eth0", "2001:2:3:4:5:6:7:8:9", "2001:2", "198.18.0.1", "g::1"]
  ) {
    assert.equal(tryParseIpv6Address(bad), null, bad);
  }
  assert.throws(() => parseIpv6Address("fe80::1%eth0"), /zone identifier/);
  const bytes = new Uint8Array(16);
  ipv6ToBytes(parseIpv6Address("2001:2::a:b"), bytes);
  assert.equal(ipv6FromBytes(bytes), "2001:2::a:b");
});

Deno.test("ICMPv6 'packet too big' round-trips with its pseudo-header; the quote names our segment", () => {
  const router = new Uint8Array(16), us = new Uint8Array(16);
  ipv6ToBytes(parseIpv6Address("2001:2:0:1::1"), router);
  ipv6ToBytes(parseIpv6Address("2001:2::1"), us);
  const message = emitIcmpv6Error(2, 0, 1400, SYN_FRAME, router, us);
  const icmp = parseIcmpv6(message, router, 0, us, 0);
  assert.deepEqual([icmp.type, icmp.code, icmp.mtu], [2, 0, 1400]);
  const q = parseQuotedTcpV6(icmp.quoted);
  assert.deepEqual([q.src, q.dst, q.srcPort, q.dstPort, q.seq, q.totalLength], [
    "2001:2::1",
    "2001:2::2",
    38664,
    8080,
    0xf380ee93,
    80,
  ]);
  // The same message "from" another address fails: the pseudo-header is part of the checksum.
  assert.throws(() => parseIcmpv6(message, us, 0, us, 0), (e) => e instanceof WireError && e.reason === "bad-checksum");
  assert.equal(icmpv6Verdict(icmp.type, icmp.code), "too-big");
});

Deno.test("icmpv6Verdict() and describeIcmpv6() follow RFC 4443 and RFC 5461", () => {
  const cases: Array<[number, number, string, string]> = [
    [1, 0, "unreachable", "no route to destination"],
    [1, 1, "unreachable", "communication administratively prohibited"],
    [1, 3, "unreachable", "address unreachable"],
    [1, 4, "hard", "port unreachable"],
    [1, 6, "unreachable", "reject route to destination"],
    [2, 0, "too-big", "packet too big"],
    [3, 0, "soft", "hop limit exceeded in transit"],
    [4, 1, "hard", "parameter problem"],
    [4, 0, "soft", "parameter problem"],
  ];
  for (const [type, code, verdict, words] of cases) {
    assert.equal(icmpv6Verdict(type, code), verdict, `${type}/${code}`);
    assert.equal(describeIcmpv6(type, code), words);
  }
});

Deno.test("random bytes make the IPv6 parsers throw WireError or parse, nothing else", () => {
  let state = 99;
  const next = () => (state = (state * 1103515245 + 12345) >>> 0) >>> 24;
  const addr = new Uint8Array(16);
  for (let i = 0; i < 5000; i++) {
    const bytes = Uint8Array.from({ length: next() % 120 }, next);
    if (bytes.length > 0 && i % 2 === 0) bytes[0] = 0x60;
    if (bytes.length > 6 && i % 3 === 0) bytes[6] = [0, 43, 44, 60, 51][next() % 5];
    for (const parse of [parseIpv6, parseQuotedTcpV6, (b: Uint8Array) => parseIcmpv6(b, addr, 0, addr, 0)]) {
      try {
        parse(bytes);
      } catch (e) {
        assert.ok(e instanceof WireError, String(e));
      }
    }
  }
});
