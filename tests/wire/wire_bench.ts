/**
 * Hot-path costs of the wire codecs on a real 1500-byte kernel frame: `deno bench tests/wire/wire_bench.ts`.
 * The download path checksums, parses and (for ACKs) emits once per frame, at 150k+ frames/s.
 */

import { emitIpv4, emitTcp, onesComplementSum, parseIpv4, parseTcp, verifyTcpChecksum } from "../../src/wire/mod.ts";
import { atOffset, naiveOnesComplementSum, readFixtureFrames } from "./_helpers.ts";

const DATA = readFixtureFrames("kernel_http.pcap")[5]; // 1500 bytes
const UNALIGNED = atOffset(DATA, 3);
const ACK_FRAME = readFixtureFrames("kernel_http.pcap")[6];
const ack = parseTcp(parseIpv4(ACK_FRAME).payload);
const ackIp = parseIpv4(ACK_FRAME);
const out = new Uint8Array(1500);

Deno.bench("onesComplementSum() over 1480 aligned bytes", { group: "sum", baseline: true }, () => {
  onesComplementSum(DATA, 20, 1500, 0);
});
Deno.bench("onesComplementSum() over 1480 unaligned bytes", { group: "sum" }, () => {
  onesComplementSum(UNALIGNED, 20, 1500, 0);
});
Deno.bench("naive byte loop over 1480 bytes (reference)", { group: "sum" }, () => {
  naiveOnesComplementSum(DATA, 20, 1500, 0);
});
Deno.bench("parseIpv4() + verifyTcpChecksum() + parseTcp() of a 1500-byte frame", () => {
  const ip = parseIpv4(DATA);
  verifyTcpChecksum(ip.src, ip.dst, ip.payload);
  parseTcp(ip.payload);
});
Deno.bench("emitTcp() + emitIpv4() of a pure ACK with timestamps", () => {
  const n = emitTcp(ack, out, 20, ackIp.src, ackIp.dst);
  emitIpv4({ ...ackIp, payloadLength: n }, out);
});
