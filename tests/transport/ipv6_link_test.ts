/**
 * TCP over IPv6 on the simulated link: the driver, the engine and the IPv6 layer (src/transport/network.ts `IPV6`)
 * carry a response byte-exact, clean and through loss; a router's ICMPv6 "packet too big" resizes our segments to a
 * 1280-byte path (RFC 8201); ICMPv6 that quotes nothing in flight changes nothing. No root, no network.
 *
 * @module
 */

import assert from "node:assert/strict";
import { TcpConnection } from "../../src/tcp/mod.ts";
import { type ByteStream, Driver, IPV6, type StreamHandler, type StreamOutcome } from "../../src/transport/mod.ts";
import {
  ACK,
  emitIcmpv6Error,
  emitIpv6,
  IPPROTO_ICMPV6,
  IPV6_HEADER_LEN,
  type Ipv6Address,
  ipv6ToBytes,
  parseTcp,
  seq,
  SYN,
  type TcpRepr,
} from "../../src/wire/mod.ts";
import { icmpv6TooBig, SIM_FLOW6, SIM_ROUTER6, SimFrameLink, type SimPath } from "../sim/frame_link.ts";
import { body } from "../sim/prng.ts";

class Client implements StreamHandler {
  readonly chunks: Uint8Array[] = [];
  outcome: StreamOutcome | null = null;
  constructor(readonly request: Uint8Array) {}
  onOpen(stream: ByteStream): void {
    stream.write(this.request);
  }
  onData(bytes: Uint8Array): void {
    this.chunks.push(bytes.slice());
  }
  onEnd(): void {}
  onClosed(outcome: StreamOutcome): void {
    this.outcome = outcome;
  }
  received(): Uint8Array {
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.chunks) (out.set(c, at), at += c.length);
    return out;
  }
}

/** A connection over IPv6 on a 1500-byte link: MSS 1500 − 60, path MTU never below 1280. */
function setUp(path: SimPath, data: Uint8Array, requestSize = 100) {
  const link = new SimFrameLink<Ipv6Address>(
    { ...path, peer: { respond: undefined, requestSize, responseSize: data.length, ...path.peer } },
    SIM_FLOW6,
    IPV6,
  );
  const conn = new TcpConnection({
    localPort: SIM_FLOW6.localPort,
    remotePort: SIM_FLOW6.remotePort,
    mss: IPV6.mssFor(1500),
    isn: 11,
    networkHeaderLength: IPV6.headerLength,
    minPathMtu: IPV6.minMtu,
  });
  const driver = new Driver(link, conn, SIM_FLOW6, { mss: IPV6.mssFor(1500), clock: link.clock, network: IPV6 });
  return { link, conn, driver, client: new Client(new Uint8Array(requestSize).fill(0x42)) };
}

Deno.test("IPv6: a 300 KB response arrives byte-exact, and the SYN announces MSS 1440", async () => {
  const data = body(300_000);
  const { link, driver, client } = setUp({}, data);
  assert.equal(await driver.run(client), "normal");
  assert.deepEqual(client.received(), data);
  assert.equal(link.sent[0].flags & SYN, SYN);
  assert.equal(link.sent[0].options.mss, 1440);
  assert.equal(driver.frameCounters.badChecksum, 0, "every checksum over the IPv6 pseudo-header holds");
});

Deno.test("IPv6: 10% loss both ways, still byte-exact", async () => {
  const data = body(200_000);
  const lossy = { delayMs: 10, loss: 0.1 };
  for (const seed of [1, 2]) {
    const { driver, client } = setUp({ seed, up: lossy, down: lossy }, data);
    assert.equal(await driver.run(client), "normal", `seed ${seed}`);
    assert.deepEqual(client.received(), data, `seed ${seed}`);
  }
});

Deno.test("IPv6: 'packet too big' at 1280 resizes a 4.5 KB request to 1208-byte segments", async () => {
  const data = body(20_000);
  const { link, conn, driver, client } = setUp({ upMtu: 1280, routerSaysTooBig: true }, data, 4500);
  assert.equal(await driver.run(client), "normal");
  assert.deepEqual(client.received(), data);
  assert.ok(link.tooBig >= 1);
  assert.equal(conn.stats.pathMtu, 1280);
  // 1280 − 40 − 20 − 12 (timestamps).
  assert.ok(link.sent.some((s) => s.payload.length === 1208));
  assert.equal(driver.lastIcmp?.from, "2001:2:0:1::1");
  assert.equal(driver.lastIcmp?.words, "packet too big");
});

Deno.test("IPv6: 'packet too big' quoting a sequence number not in flight cannot shrink us", async () => {
  const data = body(50_000);
  const { link, conn, driver, client } = setUp({}, data);
  /** Our segment as a router would quote it (header and TCP), with a sequence number a blind attacker guessed. */
  const quote = (guess: number) => {
    const buf = new Uint8Array(128);
    const segment = {
      srcPort: SIM_FLOW6.localPort,
      dstPort: SIM_FLOW6.remotePort,
      seq: seq(guess),
      ack: seq(0),
      flags: ACK,
      window: 0,
      urgent: 0,
      options: {},
      payload: new Uint8Array(0),
    };
    IPV6.emitTcp(segment, SIM_FLOW6.localAddr, SIM_FLOW6.remoteAddr, 0, buf);
    return buf.slice(0, 48);
  };
  // Our request is long acknowledged by then: nothing of ours is in flight.
  link.injectFrame(40, () => icmpv6TooBig(quote(12345), 1280, SIM_FLOW6.localAddr));
  link.injectFrame(41, () => icmpv6TooBig(quote(11), 1280, SIM_FLOW6.localAddr)); // our ISN: acknowledged too
  assert.equal(await driver.run(client), "normal");
  assert.deepEqual(client.received(), data);
  assert.equal(conn.stats.pathMtu, 0, "the segment size never changed");
  assert.equal(driver.frameCounters.icmp, 2, "both reached the engine, which checked the quoted sequence number");
  assert.equal(driver.lastIcmp, null);
  // What we sent parses back through the IPv6 codec with a TCP checksum over the IPv6 pseudo-header.
  const buf = new Uint8Array(128);
  const n = IPV6.emitTcp(link.sent[0], SIM_FLOW6.localAddr, SIM_FLOW6.remoteAddr, 0, buf);
  const ip = IPV6.parse(buf.subarray(0, n));
  assert.equal(parseTcp(ip.payload).flags & SYN, SYN);
  assert.ok(IPV6.verifyTcp(ip, buf.subarray(0, n)));
});

/** Our sent segment `s`, quoted as a router quotes it (our IPv6 header and the TCP header), with `change` applied. */
function quoted(s: TcpRepr, change: Partial<TcpRepr> = {}): Uint8Array {
  const buf = new Uint8Array(128);
  IPV6.emitTcp({ ...s, payload: new Uint8Array(0), ...change }, SIM_FLOW6.localAddr, SIM_FLOW6.remoteAddr, 0, buf);
  return buf.slice(0, 48);
}

/** An ICMPv6 error from the simulated router to us. */
function icmpv6(type: number, code: number, param: number, quote: Uint8Array): Uint8Array {
  const router = new Uint8Array(16), us = new Uint8Array(16);
  ipv6ToBytes(SIM_ROUTER6, router);
  ipv6ToBytes(SIM_FLOW6.localAddr, us);
  const message = emitIcmpv6Error(type, code, param, quote, router, us);
  const frame = new Uint8Array(IPV6_HEADER_LEN + message.length);
  const header = { dscp: 0, ecn: 0, flowLabel: 0, nextHeader: IPPROTO_ICMPV6, hopLimit: 64 };
  emitIpv6({ ...header, src: SIM_ROUTER6, dst: SIM_FLOW6.localAddr, payloadLength: message.length }, frame, 0, message);
  return frame;
}

Deno.test("IPv6: 'packet too big' with an absurd MTU about our request cuts us to 1280, never below (RFC 8201 §4)", async () => {
  const data = body(30_000);
  const { link, conn, driver, client } = setUp({ down: { delayMs: 20 } }, data, 4500);
  // The request leaves at 25 ms (the SYN-ACK's arrival) and is in flight until 50 ms: its sequence number is believed.
  const request = () => link.sent.find((s) => s.payload.length > 0)!;
  link.injectFrame(35, () => icmpv6(2, 0, 600, quoted(request())));
  assert.equal(await driver.run(client), "normal");
  assert.deepEqual(client.received(), data);
  assert.equal(conn.stats.pathMtu, 1280);
  // The 4500-byte request again from SND.UNA: three full 1208-byte segments (1280 − 40 − 20 − 12) and the rest.
  const sizes = link.sent.map((s) => s.payload.length).filter((n) => n > 0);
  assert.deepEqual(sizes.slice(-4), [1208, 1208, 1208, 876], `${sizes}`);
});

Deno.test("IPv6: 'administratively prohibited' about another port or a guessed sequence number changes nothing", async () => {
  const data = body(30_000);
  const { link, driver, client } = setUp({ down: { delayMs: 20 } }, data);
  link.injectFrame(10, () => icmpv6(1, 1, 0, quoted(link.sent[0], { srcPort: 40001 })));
  link.injectFrame(11, () => icmpv6(1, 1, 0, quoted(link.sent[0], { seq: seq(12345) })));
  link.injectFrame(12, () => icmpv6(1, 1, 0, quoted(link.sent[0], { dstPort: 81 })));
  assert.equal(await driver.run(client), "normal");
  assert.deepEqual(client.received(), data);
  assert.equal(driver.lastIcmp, null);
});

Deno.test("IPv6: control: 'administratively prohibited' quoting our SYN ends the attempt as unreachable", async () => {
  const { link, driver, client } = setUp({ down: { delayMs: 20 } }, body(1000));
  link.injectFrame(10, () => icmpv6(1, 1, 0, quoted(link.sent[0])));
  assert.equal(await driver.run(client), "unreachable");
  assert.equal(driver.lastIcmp?.from, "2001:2:0:1::1");
  assert.match(driver.lastIcmp?.words ?? "", /administratively prohibited/);
});
