/**
 * The fix for the fault endurance_test.ts found (a reused 4-tuple whose earlier connection the server still holds in
 * TIME-WAIT): our TSval keeps growing from one connection to the next, across processes, so the server accepts the
 * new SYN (RFC 6191). Unit level: no network.
 */

import assert from "node:assert/strict";
import { timestampOffset } from "../../src/transport/mod.ts";
import { TcpConnection } from "../../src/tcp/connection.ts";
import { parseIpv4Address } from "../../src/wire/mod.ts";

const flow = {
  localAddr: parseIpv4Address("198.18.1.2"),
  localPort: 40000,
  remoteAddr: parseIpv4Address("198.18.2.2"),
  remotePort: 80,
};

function synTsVal(tsOffset: number | undefined, now: number, isn: number): number {
  const conn = new TcpConnection({ localPort: 40000, remotePort: 80, mss: 1460, isn, tsOffset });
  conn.connect(now);
  return conn.pollTransmit(now)!.options.timestamp!.tsVal;
}

Deno.test("timestampOffset() makes the SYN's TSval grow from one process to the next", () => {
  // Process A started at wall time 1.7e12 ms and connects 5 s later; process B starts 2 s after that.
  const a = synTsVal(timestampOffset(flow, 1.7e12), 5000, 0xdeadbeef);
  const b = synTsVal(timestampOffset(flow, 1.7e12 + 7000), 10, 0x00000001);
  assert.equal((b - a) >>> 0, 2010);
});

Deno.test("timestampOffset() differs between address pairs (RFC 7323 §7.1)", () => {
  const other = { ...flow, remoteAddr: parseIpv4Address("198.18.2.3") };
  assert.notEqual(timestampOffset(flow, 1.7e12), timestampOffset(other, 1.7e12));
});

Deno.test("without tsOffset the TSval offset stays derived from the ISN", () => {
  assert.notEqual(synTsVal(undefined, 0, 1), synTsVal(undefined, 0, 2));
});
