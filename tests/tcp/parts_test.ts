/** Unit tests of the engine's parts: ring buffer, assembler, RTT estimator, congestion window, states, options. */

import assert from "node:assert/strict";
import { Assembler } from "../../src/tcp/assembler.ts";
import { NewReno } from "../../src/tcp/congestion.ts";
import { defaultWindowScale, resolveOptions } from "../../src/tcp/options.ts";
import { ReceiveRing } from "../../src/tcp/ring_buffer.ts";
import { RttEstimator } from "../../src/tcp/rtt.ts";
import { SendBuffer } from "../../src/tcp/send_buffer.ts";
import { nextState } from "../../src/tcp/states.ts";
import { benchInOrder } from "./bench_inorder.ts";

Deno.test("ReceiveRing writes across the physical end and reads back in order", () => {
  const ring = new ReceiveRing(8);
  ring.writeAt(0, Uint8Array.of(1, 2, 3, 4, 5, 6), 0, 6);
  ring.commit(6);
  assert.deepEqual([...ring.read(4)!], [1, 2, 3, 4]);
  ring.writeAt(2, Uint8Array.of(0, 0, 7, 8, 9, 10), 2, 6); // offsets 2..5 past the head: positions 6, 7, 0, 1
  ring.commit(4);
  assert.deepEqual([...ring.read(100)!], [5, 6, 7, 8]); // a view stops at the physical end
  assert.deepEqual([...ring.read(100)!], [9, 10]);
  assert.equal(ring.read(100), null);
});

Deno.test("Assembler merges intervals, reports only the gaps, and advances over a filled hole", () => {
  const a = new Assembler();
  const gaps: Array<[number, number]> = [];
  const gap = (f: number, t: number) => gaps.push([f, t]);
  a.insert(10, 20, gap);
  a.insert(30, 40, gap);
  assert.deepEqual(gaps, [[10, 20], [30, 40]]);
  gaps.length = 0;
  a.insert(15, 35, gap);
  assert.deepEqual(gaps, [[20, 30]]);
  assert.equal(a.size, 1);
  const out: number[] = [];
  assert.equal(a.sackBlocks(3, out), 1);
  assert.deepEqual(out.slice(0, 2), [10, 40]);
  assert.equal(a.advance(5), 5);
  assert.equal(a.advance(10), 40);
  assert.ok(a.isEmpty);
});

Deno.test("Assembler refuses a new interval beyond its limit but still merges into existing ones", () => {
  const a = new Assembler();
  for (let i = 0; i < Assembler.MAX_INTERVALS; i++) assert.ok(a.insert(i * 10, i * 10 + 5, () => {}));
  const beyond = Assembler.MAX_INTERVALS * 10 + 100;
  assert.equal(a.insert(beyond, beyond + 5, () => {}), false);
  assert.ok(a.insert(3, 8, () => {}));
});

Deno.test("SendBuffer hands out views by stream offset and frees acknowledged bytes", () => {
  const q = new SendBuffer(4);
  assert.equal(q.write(Uint8Array.of(1, 2, 3)), 3);
  q.consumeTo(2);
  assert.equal(q.write(Uint8Array.of(4, 5, 6, 7)), 3);
  assert.deepEqual([...q.view(2, 10)], [3, 4]); // stops at the physical end
  assert.deepEqual([...q.view(4, 10)], [5, 6]);
  assert.equal(q.end, 6);
});

Deno.test("RttEstimator follows RFC 6298: first sample, smoothing, bounds, backoff", () => {
  const r = new RttEstimator(1000, 200, 60000);
  assert.equal(r.rto, 1000);
  r.sample(100);
  assert.equal(r.srtt, 100);
  assert.equal(r.rttvar, 50);
  assert.equal(r.rto, 300);
  r.sample(20);
  assert.equal(r.srtt, 90);
  assert.equal(r.rttvar, 57.5);
  assert.equal(r.rto, 320);
  for (let i = 0; i < 20; i++) r.backoff();
  assert.equal(r.rto, 60000);
  r.sample(1);
  assert.ok(r.rto >= 200);
});

Deno.test("NewReno: slow start, halving on three duplicate ACKs, loss window after a timeout", () => {
  const cc = new NewReno(1000);
  assert.equal(cc.cwnd, 10000);
  cc.onAck(1000);
  assert.equal(cc.cwnd, 11000);
  cc.enterRecovery(11000, 12000);
  assert.equal(cc.ssthresh, 5500);
  assert.equal(cc.cwnd, 8500);
  assert.equal(cc.onRecoveryAck(5000, 1000, 7000), true); // partial ACK
  assert.equal(cc.onRecoveryAck(12000, 1000, 0), false);
  assert.equal(cc.cwnd, 1000);
  cc.onTimeout(8000);
  assert.equal(cc.cwnd, 1000);
  assert.equal(cc.ssthresh, 4000);
});

Deno.test("nextState follows the RFC 9293 diagram for an active opener", () => {
  assert.equal(nextState("CLOSED", "open"), "SYN-SENT");
  assert.equal(nextState("SYN-SENT", "syn-ack"), "ESTABLISHED");
  assert.equal(nextState("ESTABLISHED", "close"), "FIN-WAIT-1");
  assert.equal(nextState("FIN-WAIT-1", "fin-acked"), "FIN-WAIT-2");
  assert.equal(nextState("FIN-WAIT-1", "fin-received"), "CLOSING");
  assert.equal(nextState("FIN-WAIT-2", "fin-received"), "TIME-WAIT");
  assert.equal(nextState("CLOSING", "fin-acked"), "TIME-WAIT");
  assert.equal(nextState("TIME-WAIT", "time-wait-expired"), "CLOSED");
  assert.equal(nextState("ESTABLISHED", "fin-received"), "CLOSE-WAIT");
  assert.equal(nextState("CLOSE-WAIT", "close"), "LAST-ACK");
  assert.equal(nextState("LAST-ACK", "fin-acked"), "CLOSED");
  assert.equal(nextState("ESTABLISHED", "reset"), "CLOSED");
  assert.equal(nextState("ESTABLISHED", "time-wait-expired"), "ESTABLISHED");
});

Deno.test("options: defaults, window scale from the buffer, validation", () => {
  const o = resolveOptions({ localPort: 1, remotePort: 2, mss: 1460, isn: 0 });
  assert.equal(o.recvBufferSize, 8 * 1024 * 1024);
  assert.equal(o.windowScale, 8);
  assert.equal(o.userTimeoutMs, 60000);
  assert.equal(o.delayedAckMs, 40);
  assert.equal(defaultWindowScale(65535), 0);
  assert.equal(defaultWindowScale(65536), 1);
  assert.equal(defaultWindowScale(1 << 30), 14);
  assert.throws(() => resolveOptions({ localPort: 1, remotePort: 2, mss: 1460, isn: 2 ** 32 }), RangeError);
  assert.throws(() => resolveOptions({ localPort: 1, remotePort: 2, mss: 10, isn: 0 }), RangeError);
});

Deno.test("the in-order fast path takes 100 MiB well under a second of CPU", () => {
  const r = benchInOrder(100 * 1024 * 1024, () => performance.now());
  assert.ok(r.ms < 1000, `took ${r.ms} ms`);
  assert.ok(r.acks > 30000 && r.acks < 40000, `${r.acks} ACKs`); // one per two segments
});

Deno.test("RttEstimator keeps the least sample: the path's delay, without the smoothing's memory of slow ones", () => {
  const r = new RttEstimator(1000, 200, 60000);
  assert.equal(r.minRtt, 0);
  r.sample(12);
  assert.equal(r.minRtt, 12);
  r.sample(3);
  r.sample(40);
  assert.equal(r.minRtt, 3);
  assert.ok(r.srtt > 3);
});
