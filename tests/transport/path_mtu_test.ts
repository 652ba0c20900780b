/**
 * ICMP through the driver on the simulated link: a router whose next hop is narrower than our segments says
 * "fragmentation needed" (or says nothing: a black hole), an unreachable host ends the attempt, and ICMP that does
 * not quote a segment in flight changes nothing. No root, no network: time is virtual.
 *
 * @module
 */

import assert from "node:assert/strict";
import { TcpConnection } from "../../src/tcp/mod.ts";
import { type ByteStream, Driver, icmpWords, type StreamHandler, type StreamOutcome } from "../../src/transport/mod.ts";
import {
  emitIcmpv4Error,
  emitIpv4,
  IPPROTO_ICMP,
  ipv4,
  IPV4_HEADER_LEN,
  type Ipv4Address,
} from "../../src/wire/mod.ts";
import { SIM_FLOW, SIM_ROUTER, SimFrameLink, type SimPath } from "../sim/frame_link.ts";

/** A request as long as a pre-signed URL with cookies: three full segments and a bit. */
const REQUEST = new Uint8Array(4500).fill(0x41);

class Client implements StreamHandler {
  received = 0;
  outcome: StreamOutcome | null = null;
  onOpen(stream: ByteStream): void {
    stream.write(REQUEST);
  }
  onData(bytes: Uint8Array): void {
    this.received += bytes.length;
  }
  onEnd(): void {}
  onClosed(outcome: StreamOutcome): void {
    this.outcome = outcome;
  }
}

function setUp(path: SimPath) {
  const link = new SimFrameLink({ ...path, peer: { requestSize: REQUEST.length, responseSize: 20_000, ...path.peer } });
  const conn = new TcpConnection({ localPort: SIM_FLOW.localPort, remotePort: SIM_FLOW.remotePort, mss: 1460, isn: 7 });
  const driver = new Driver(link, conn, SIM_FLOW, { mss: 1460, clock: link.clock });
  return { link, conn, driver };
}

/** An ICMP error from `from` about a segment of ours with sequence number `seqNumber`, as a frame to us. */
function icmpAbout(from: Ipv4Address, type: number, code: number, seqNumber: number, ports = SIM_FLOW): Uint8Array {
  const quote = new Uint8Array(28);
  quote[0] = 0x45;
  quote[9] = 6;
  new DataView(quote.buffer).setUint32(12, SIM_FLOW.localAddr);
  new DataView(quote.buffer).setUint32(16, SIM_FLOW.remoteAddr);
  new DataView(quote.buffer).setUint16(20, ports.localPort);
  new DataView(quote.buffer).setUint16(22, ports.remotePort);
  new DataView(quote.buffer).setUint32(24, seqNumber);
  const message = emitIcmpv4Error(type, code, 0, quote);
  const frame = new Uint8Array(IPV4_HEADER_LEN + message.length);
  const header = { dscp: 0, ecn: 0, identification: 0, dontFragment: false, ttl: 64, protocol: IPPROTO_ICMP };
  emitIpv4({ ...header, src: from, dst: SIM_FLOW.localAddr, payloadLength: message.length }, frame, 0, message);
  return frame;
}

Deno.test("a 4.5 KB request crosses an MTU-576 hop: the router's 'fragmentation needed' lowers our segments", async () => {
  const { link, conn, driver } = setUp({ upMtu: 576, routerSaysTooBig: true });
  const client = new Client();
  assert.equal(await driver.run(client), "normal");
  assert.equal(client.received, 20_000);
  assert.ok(link.tooBig >= 1, "the router dropped a full-sized segment");
  assert.equal(conn.stats.pathMtu, 576);
  assert.ok(link.sent.every((s, i) => i < 2 || s.payload.length <= 524 || s.payload.length === 1448));
  assert.equal(driver.frameCounters.icmp, link.tooBig);
  assert.equal(driver.lastIcmp?.from, "198.18.1.1");
  // One round trip lost to the drop, not a timeout: well under the 1 s RTO.
  assert.ok(link.clock() < 500, `took ${link.clock()} ms of virtual time`);
});

Deno.test("the same hop as a black hole (no ICMP): repeated timeouts halve the segment size until it passes", async () => {
  const { conn, driver } = setUp({ upMtu: 576 });
  const client = new Client();
  assert.equal(await driver.run(client), "normal");
  assert.equal(client.received, 20_000);
  assert.equal(conn.stats.blackHoleSteps, 2);
  assert.equal(conn.stats.pathMtu, 576);
  assert.equal(driver.frameCounters.icmp, 0);
});

Deno.test("a router's 'host unreachable' for our SYN ends the attempt at once, and says who said it", async () => {
  const { link, driver } = setUp({ peer: { silent: true } });
  link.injectFrame(3, () => icmpAbout(SIM_ROUTER, 3, 1, 7));
  const client = new Client();
  assert.equal(await driver.run(client), "unreachable");
  assert.ok(link.clock() < 10, `took ${link.clock()} ms`);
  assert.equal(link.sent.length, 1, "one SYN, no retransmission");
  assert.equal(icmpWords(driver.lastIcmp!), "the router 198.18.1.1 says host unreachable");
});

Deno.test("ICMP that quotes no segment in flight, another port, or comes damaged changes nothing", async () => {
  const { link, driver } = setUp({});
  const attacker = ipv4(0xc6120303);
  link.injectFrame(3, () => icmpAbout(attacker, 3, 13, 8)); // SYN-SENT: only ISS 7 is in flight
  link.injectFrame(3, () => icmpAbout(attacker, 3, 1, 7, { ...SIM_FLOW, localPort: 40001 }));
  link.injectFrame(4, () => {
    const f = icmpAbout(attacker, 3, 1, 7);
    f[f.length - 1] ^= 1; // the ICMP checksum no longer holds
    return f;
  });
  link.injectFrame(30, () => icmpAbout(attacker, 3, 4, 7)); // our SYN was acknowledged by then
  const client = new Client();
  assert.equal(await driver.run(client), "normal");
  assert.equal(client.received, 20_000);
  assert.equal(driver.lastIcmp, null);
  assert.equal(driver.frameCounters.icmp, 2, "two quoted our 4-tuple and reached the engine");
  assert.equal(driver.frameCounters.foreign, 2);
});
