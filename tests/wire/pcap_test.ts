/**
 * PcapWriter against the real reader: frames written by the writer are read back with `tcpdump -r`.
 * Needs tcpdump on PATH; without it the test fails unless RHG_ALLOW_SKIP=1.
 */

import assert from "node:assert/strict";
import {
  ACK,
  emitIpv4,
  emitTcp,
  FIN,
  IPPROTO_TCP,
  LINKTYPE_RAW,
  parseIpv4Address,
  PcapWriter,
  PSH,
  seq,
  SYN,
  type TcpRepr,
} from "../../src/wire/mod.ts";
import { exec } from "../_support/exec.ts";
import { skipWithout } from "../_support/root.ts";
import { concatBytes, readPcap, toHex } from "./_helpers.ts";

const CLIENT = parseIpv4Address("198.18.0.1");
const SERVER = parseIpv4Address("198.18.0.2");
const T0 = 1_700_000_000_123_456; // µs

function frame(fromClient: boolean, tcp: Partial<TcpRepr>): Uint8Array {
  const repr: TcpRepr = {
    srcPort: fromClient ? 40000 : 80,
    dstPort: fromClient ? 80 : 40000,
    seq: seq(0),
    ack: seq(0),
    flags: ACK,
    window: 502,
    urgent: 0,
    options: {},
    payload: new Uint8Array(0),
    ...tcp,
  };
  const buf = new Uint8Array(1500);
  const src = fromClient ? CLIENT : SERVER;
  const dst = fromClient ? SERVER : CLIENT;
  const length = emitTcp(repr, buf, 20, src, dst);
  emitIpv4({
    dscp: 0,
    ecn: 0,
    identification: 1,
    dontFragment: true,
    ttl: 64,
    protocol: IPPROTO_TCP,
    src,
    dst,
    payloadLength: length,
  }, buf);
  return buf.slice(0, 20 + length);
}

const FRAMES = [
  frame(true, {
    flags: SYN,
    seq: seq(1000),
    window: 64240,
    options: { mss: 1460, sackPermitted: true, timestamp: { tsVal: 7, tsEcr: 0 }, windowScale: 7 },
  }),
  frame(false, { flags: SYN | ACK, seq: seq(0xfffffff0), ack: seq(1001), window: 65160, options: { mss: 1460 } }),
  frame(true, { flags: ACK, seq: seq(1001), ack: seq(0xfffffff1) }),
  frame(false, {
    flags: PSH | ACK,
    seq: seq(0xfffffff1),
    ack: seq(1001),
    window: 509,
    payload: new Uint8Array(100).fill(0x41),
  }),
  frame(true, {
    flags: ACK,
    seq: seq(1001),
    ack: seq(0x55),
    options: { sackBlocks: [{ left: seq(0x100), right: seq(0x200) }] },
  }),
  frame(false, { flags: FIN | ACK, seq: seq(0x55), ack: seq(1001) }),
];

/** Writes FRAMES one millisecond apart; `snaplen` applies to every record. */
function writeCapture(snaplen?: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  const writer = new PcapWriter((bytes) => chunks.push(bytes.slice()), snaplen);
  writer.header();
  FRAMES.forEach((f, i) => writer.frame(T0 + i * 1000, f));
  return concatBytes(chunks);
}

async function tcpdump(bytes: Uint8Array): Promise<string[]> {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await Deno.writeFile(path, bytes);
    const out = await exec(["tcpdump", "-tt", "-nn", "-S", "-r", path]);
    assert.equal(out.code, 0, `tcpdump failed: ${out.stderr}`);
    return out.stdout.trim().split("\n");
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("PcapWriter writes a libpcap 2.4 header, µs records and LINKTYPE_RAW", () => {
  const file = readPcap(writeCapture());
  const bytes = writeCapture();
  assert.equal(
    toHex(bytes.subarray(0, 24)),
    "d4c3b2a1" + "0200" + "0400" + "00000000" + "00000000" + "ffff0000" + "65000000",
  );
  assert.equal(file.linkType, LINKTYPE_RAW);
  assert.equal(file.snaplen, 65535);
  assert.equal(file.records.length, FRAMES.length);
  file.records.forEach((r, i) => {
    assert.equal(r.tsMicros, T0 + i * 1000);
    assert.equal(r.originalLength, FRAMES[i].length);
    assert.equal(toHex(r.data), toHex(FRAMES[i]));
  });
});

Deno.test("PcapWriter cuts frames at the snaplen and keeps the original length", () => {
  const file = readPcap(writeCapture(60));
  assert.equal(file.snaplen, 60);
  assert.equal(file.records[3].data.length, 60);
  assert.equal(file.records[3].originalLength, FRAMES[3].length);
  assert.equal(file.records[2].data.length, FRAMES[2].length);
});

Deno.test("PcapWriter writes the file header before the first frame when header() was not called", () => {
  const chunks: Uint8Array[] = [];
  const writer = new PcapWriter((bytes) => chunks.push(bytes.slice()));
  writer.frame(0, FRAMES[0]);
  writer.header();
  assert.deepEqual(chunks.map((c) => c.length), [24, 16, FRAMES[0].length]);
});

Deno.test("PcapWriter rejects a bad snaplen or timestamp with RangeError", () => {
  assert.throws(() => new PcapWriter(() => {}, 0), {
    name: "RangeError",
    message: "Cannot create a pcap writer: snaplen 0 is not an integer in 1..65535",
  });
  const writer = new PcapWriter(() => {});
  assert.throws(() => writer.frame(-1, FRAMES[0]), {
    name: "RangeError",
    message: "Cannot write a pcap record: timestamp -1 µs is outside 0..2^32 s",
  });
  assert.throws(() => writer.frame(NaN, FRAMES[0]), RangeError);
});

Deno.test("tcpdump -r reads PcapWriter's file: flags, absolute seq and ack, options, timestamps", async () => {
  if (skipWithout("tcpdump")) return;
  const lines = await tcpdump(writeCapture());
  assert.equal(lines.length, FRAMES.length, lines.join("\n"));
  const expected = [
    /^1700000000\.123456 IP 198\.18\.0\.1\.40000 > 198\.18\.0\.2\.80: Flags \[S\], seq 1000, win 64240, options \[mss 1460,sackOK,TS val 7 ecr 0,nop,wscale 7\], length 0$/,
    /^1700000000\.124456 IP 198\.18\.0\.2\.80 > 198\.18\.0\.1\.40000: Flags \[S\.\], seq 4294967280, ack 1001, win 65160, options \[mss 1460\], length 0$/,
    /^1700000000\.125456 IP 198\.18\.0\.1\.40000 > 198\.18\.0\.2\.80: Flags \[\.\], ack 4294967281, win 502, length 0$/,
    /^1700000000\.126456 IP 198\.18\.0\.2\.80 > 198\.18\.0\.1\.40000: Flags \[P\.\], seq 4294967281:85, ack 1001, win 509, length 100/,
    /^1700000000\.127456 IP 198\.18\.0\.1\.40000 > 198\.18\.0\.2\.80: Flags \[\.\], ack 85, win 502, options \[nop,nop,sack 1 \{256:512\}\], length 0$/,
    /^1700000000\.128456 IP 198\.18\.0\.2\.80 > 198\.18\.0\.1\.40000: Flags \[F\.\], seq 85, ack 1001, win 502, length 0$/,
  ];
  expected.forEach((pattern, i) => assert.match(lines[i], pattern));
});

Deno.test("tcpdump -r reads a PcapWriter file whose frames were cut by the snaplen", async () => {
  if (skipWithout("tcpdump")) return;
  const lines = await tcpdump(writeCapture(60));
  assert.equal(lines.length, FRAMES.length, lines.join("\n"));
  assert.match(lines[3], /Flags \[P\.\], seq 4294967281:85, ack 1001, win 509, length 100/);
});
