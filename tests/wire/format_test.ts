import assert from "node:assert/strict";
import {
  ACK,
  CWR,
  ECE,
  FIN,
  formatTcp,
  formatTcpFlags,
  formatTcpOptions,
  formatTrace,
  parseIpv4,
  parseTcp,
  PSH,
  RST,
  seq,
  SYN,
  type TcpRepr,
  URG,
} from "../../src/wire/mod.ts";
import { readFixtureFrames } from "./_helpers.ts";

const ackSegment: TcpRepr = {
  srcPort: 40000,
  dstPort: 80,
  seq: seq(123),
  ack: seq(456),
  flags: ACK,
  window: 502,
  urgent: 0,
  options: {},
  payload: new Uint8Array(0),
};

Deno.test("formatTcpFlags() names flags in bit order, FIN first", () => {
  assert.equal(formatTcpFlags(SYN | ACK), "SYN ACK");
  assert.equal(formatTcpFlags(FIN | PSH | ACK), "FIN PSH ACK");
  assert.equal(formatTcpFlags(0xff), "FIN SYN RST PSH ACK URG ECE CWR");
  assert.equal(formatTcpFlags(RST | URG | ECE | CWR), "RST URG ECE CWR");
  assert.equal(formatTcpFlags(0), "");
});

Deno.test("formatTcp() prints ports, flags, numbers and length on one line", () => {
  assert.equal(
    formatTcp({ ...ackSegment, seq: seq(1), ack: seq(2), flags: SYN | ACK }),
    "TCP 40000→80 [SYN ACK] seq=1 ack=2 win=502 len=0",
  );
});

Deno.test("formatTcp() leaves out ack= when the ACK flag is clear", () => {
  assert.equal(formatTcp({ ...ackSegment, flags: SYN }), "TCP 40000→80 [SYN] seq=123 win=502 len=0");
});

Deno.test("formatTcp() appends the options of a kernel SYN", () => {
  const tcp = parseTcp(parseIpv4(readFixtureFrames("kernel_http.pcap")[0]).payload);
  assert.equal(
    formatTcp(tcp),
    "TCP 33422→8080 [SYN] seq=890867915 win=64240 len=0 mss=1460 sackOK ts=1356945642/0 ws=7",
  );
});

Deno.test("formatTcpOptions() prints SACK blocks as left-right pairs", () => {
  assert.equal(
    formatTcpOptions({ sackBlocks: [{ left: seq(1), right: seq(5) }, { left: seq(9), right: seq(12) }] }),
    " sack=1-5,9-12",
  );
  assert.equal(formatTcpOptions({}), "");
});

Deno.test("formatTrace() prints the earlier tools' send and receive lines", () => {
  assert.equal(formatTrace("-->", ackSegment, 40), "--> send 40 bytes Flags: [ACK] seq: 123 ack: 456 win: 502");
  assert.equal(
    formatTrace("<--", { ...ackSegment, flags: PSH | ACK, payload: new Uint8Array(1448) }, 1500),
    "<-- recv 1500 bytes Flags: [PSH ACK] seq: 123 ack: 456 win: 502 len: 1448",
  );
});
