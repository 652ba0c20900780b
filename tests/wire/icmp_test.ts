import assert from "node:assert/strict";
import {
  ACK,
  describeIcmp,
  emitIcmpv4Error,
  emitIpv4,
  emitTcp,
  icmpVerdict,
  IPPROTO_TCP,
  IPV4_HEADER_LEN,
  parseIcmpv4,
  parseIpv4Address,
  parseQuotedTcp,
  seq,
  WireError,
} from "../../src/wire/mod.ts";

const US = parseIpv4Address("198.18.1.2"), SERVER = parseIpv4Address("198.18.2.2");

/** Our segment as it left: an IPv4 header and a TCP header with 1400 bytes of data. */
function ourSegment(seqNumber: number): Uint8Array {
  const buf = new Uint8Array(IPV4_HEADER_LEN + 20 + 1400);
  const tcp = {
    srcPort: 40000,
    dstPort: 80,
    seq: seq(seqNumber),
    ack: seq(7),
    flags: ACK,
    window: 512,
    urgent: 0,
    options: {},
    payload: new Uint8Array(1400),
  };
  const length = emitTcp(tcp, buf, IPV4_HEADER_LEN, US, SERVER);
  const header = { dscp: 0, ecn: 0, identification: 1, dontFragment: true, ttl: 64, protocol: IPPROTO_TCP };
  emitIpv4({ ...header, src: US, dst: SERVER, payloadLength: length }, buf, 0);
  return buf;
}

Deno.test("a router's 'fragmentation needed' round-trips: type, code, next-hop MTU and the quoted segment", () => {
  const quote = ourSegment(0xfffffff0).subarray(0, 28 + 40); // Linux quotes more than 8 bytes of TCP
  const icmp = parseIcmpv4(emitIcmpv4Error(3, 4, 1400, quote));
  assert.deepEqual([icmp.type, icmp.code, icmp.nextHopMtu], [3, 4, 1400]);
  const q = parseQuotedTcp(icmp.quoted);
  assert.deepEqual(
    [q.src, q.dst, q.srcPort, q.dstPort, q.seq, q.totalLength],
    [US, SERVER, 40000, 80, 0xfffffff0, 1440],
  );
  assert.equal(icmpVerdict(icmp.type, icmp.code), "too-big");
});

Deno.test("the next-hop MTU is read only for 'fragmentation needed'", () => {
  const message = emitIcmpv4Error(3, 1, 1400, ourSegment(1).subarray(0, 28));
  assert.equal(parseIcmpv4(message).nextHopMtu, 0);
});

Deno.test("parseIcmpv4() rejects short, damaged and non-error messages with WireError", () => {
  const good = emitIcmpv4Error(3, 1, 0, ourSegment(1).subarray(0, 28));
  assert.throws(() => parseIcmpv4(good.subarray(0, 35)), (e) => e instanceof WireError && e.reason === "truncated");
  const damaged = good.slice();
  damaged[20] ^= 1;
  assert.throws(() => parseIcmpv4(damaged), (e) => e instanceof WireError && e.reason === "bad-checksum");
  for (const type of [0, 4, 5, 8]) {
    assert.throws(
      () => parseIcmpv4(emitIcmpv4Error(type, 0, 0, ourSegment(1).subarray(0, 28))),
      (e) => e instanceof WireError && e.reason === "bad-icmp",
    );
  }
});

Deno.test("parseQuotedTcp() rejects a quote that is not IPv4 TCP or is too short for the sequence number", () => {
  const quote = ourSegment(1).subarray(0, 28);
  const udp = quote.slice();
  udp[9] = 17;
  const v6 = quote.slice();
  v6[0] = 0x65;
  const longHeader = quote.slice();
  longHeader[0] = 0x46; // 24-byte header: the sequence number would end past the 28 bytes
  for (const bad of [udp, v6, longHeader, quote.subarray(0, 27)]) {
    assert.throws(() => parseQuotedTcp(bad), (e) => e instanceof WireError && e.reason === "bad-icmp");
  }
});

Deno.test("icmpVerdict() follows RFC 1122 and RFC 5461; describeIcmp() says it in words", () => {
  const cases: Array<[number, number, string, string]> = [
    [3, 0, "unreachable", "network unreachable"],
    [3, 1, "unreachable", "host unreachable"],
    [3, 2, "hard", "protocol unreachable"],
    [3, 3, "hard", "port unreachable"],
    [3, 4, "too-big", "fragmentation needed"],
    [3, 10, "unreachable", "host administratively prohibited"],
    [3, 13, "unreachable", "communication administratively prohibited"],
    [3, 99, "unreachable", "destination unreachable (code 99)"],
    [11, 0, "soft", "time to live exceeded in transit"],
    [12, 0, "soft", "parameter problem"],
  ];
  for (const [type, code, verdict, words] of cases) {
    assert.equal(icmpVerdict(type, code), verdict, `${type}/${code}`);
    assert.equal(describeIcmp(type, code), words);
  }
});

Deno.test("random bytes make parseIcmpv4() and parseQuotedTcp() throw WireError or parse, nothing else", () => {
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) >>> 0) >>> 24;
  for (let i = 0; i < 5000; i++) {
    const bytes = Uint8Array.from({ length: next() % 80 }, next);
    if (i % 2 === 0 && bytes.length >= 36) bytes[0] = 3;
    for (const parse of [parseIcmpv4, parseQuotedTcp]) {
      try {
        parse(bytes);
      } catch (e) {
        assert.ok(e instanceof WireError, String(e));
      }
    }
  }
});
