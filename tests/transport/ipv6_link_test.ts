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
import { ACK, type Ipv6Address, parseTcp, seq, SYN } from "../../src/wire/mod.ts";
import { icmpv6TooBig, SIM_FLOW6, SimFrameLink, type SimPath } from "../sim/frame_link.ts";
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
