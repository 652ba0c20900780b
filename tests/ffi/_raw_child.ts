/**
 * Child process of raw_socket_test.ts, run with only `--allow-ffi` inside a fresh namespace whose `lo` holds
 * 198.18.0.1 and 198.18.0.2. Modes: `loop` (send one frame, receive it byte for byte, then a batch),
 * `filter` (a flow filter passes only the matching frames), `packet` (the same through an AF_PACKET socket on lo).
 * Exits non-zero with the failed assertion on stderr.
 */

import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  openPacketReceiver,
  openRawReceiver,
  openRawSender,
  OsError,
  POLLIN,
  pollNow,
  type RawReceiver,
  RecvBatch,
  tcpFlowFilter,
} from "../../ffi/mod.ts";
import { IPPROTO_TCP, parseIpv4Address } from "../../src/wire/mod.ts";
import { buildFrame } from "./_frame.ts";

const A = parseIpv4Address("198.18.0.1"); // "our" address
const B = parseIpv4Address("198.18.0.2"); // the "server"
const UNROUTED = parseIpv4Address("198.19.0.1");
const flow = { srcAddr: B, srcPort: 80, dstAddr: A, dstPort: 40000 };
const matching = (payload: string, extra: { ipOptions?: Uint8Array; id?: number } = {}) =>
  buildFrame({ src: B, dst: A, srcPort: 80, dstPort: 40000, payload: new TextEncoder().encode(payload), ...extra });

async function receiveAll(rx: RawReceiver, quietMs: number): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  while (await rx.waitReadable(quietMs)) {
    for (let n = rx.recv(buf); n >= 0; n = rx.recv(buf)) frames.push(buf.slice(0, n));
  }
  return frames;
}

const mode = Deno.args[0];
const tx = openRawSender();
if (mode === "loop") {
  const rx = openRawReceiver({ protocol: IPPROTO_TCP, rcvbuf: 4 << 20 });
  ok(rx.rcvbuf >= 4 << 20, `rcvbuf ${rx.rcvbuf}`);
  equal(rx.recv(new Uint8Array(2048)), -1, "a fresh namespace has nothing queued");
  const frame = matching("hello, raw world");
  ok(tx.send(frame, A));
  ok(await rx.waitReadable(1000), "frame did not arrive");
  const buf = new Uint8Array(2048);
  const n = rx.recv(buf);
  deepEqual(buf.subarray(0, n), frame, "received bytes differ from the sent frame");
  // The kernel answers our segment with RST (nobody listens on 40000 → 80 in reverse); clear that away.
  rx.drain();
  // A cut frame reports its real length.
  ok(tx.send(matching("0123456789"), A));
  ok(await rx.waitReadable(1000));
  equal(rx.recv(new Uint8Array(8)), 50);
  rx.attachFilter(tcpFlowFilter(flow));
  const sent = [1, 2, 3].map((i) => matching(`batch ${i}`, { id: i }));
  for (const f of sent) ok(tx.send(f, A));
  ok(await rx.waitReadable(1000));
  const batch = new RecvBatch(8, 2048);
  const got = rx.recvBatch(batch);
  equal(got, 3);
  for (let i = 0; i < got; i++) deepEqual(batch.frame(i), sent[i]);
  equal(rx.recvBatch(batch), 0);
  equal(await rx.waitReadable(20), false, "waitReadable() times out on an empty queue");
  equal(pollNow(rx.fd, POLLIN), 0);
  // No route to 198.19.0.1 in this namespace: a typed error, not a silent loss.
  throws(
    () => tx.send(buildFrame({ src: A, dst: UNROUTED, srcPort: 1, dstPort: 2 }), UNROUTED),
    (e: unknown) => e instanceof OsError && e.code === "ENETUNREACH" && e.call === "sendto",
  );
  const big = openRawSender({ sndbuf: 1 << 20 });
  ok(big.sndbuf >= 1 << 20, `sndbuf ${big.sndbuf}`);
  ok(await big.waitWritable(100));
  big.close();
  rx.close();
  rx.close();
} else if (mode === "filter") {
  const rx = openRawReceiver({ protocol: IPPROTO_TCP });
  ok(tx.send(matching("before the filter"), A));
  ok(await rx.waitReadable(1000));
  const drained = rx.attachFilter(tcpFlowFilter(flow));
  ok(drained >= 1, `attachFilter drained ${drained} frames`);
  const wrong = [
    buildFrame({ src: B, dst: A, srcPort: 81, dstPort: 40000 }),
    buildFrame({ src: B, dst: A, srcPort: 80, dstPort: 40001 }),
    buildFrame({ src: A, dst: B, srcPort: 80, dstPort: 40000 }),
    buildFrame({ src: A, dst: A, srcPort: 80, dstPort: 40000 }),
    buildFrame({ src: B, dst: B, srcPort: 80, dstPort: 40000 }),
  ];
  for (const f of wrong) ok(tx.send(f, f[16] === 198 && f[19] === 2 ? B : A));
  // IP options (4 NOPs, IHL 6) move the TCP header: the filter must follow IHL.
  const withOptions = matching("with options", { ipOptions: new Uint8Array([1, 1, 1, 1]) });
  const plain = matching("plain");
  ok(tx.send(withOptions, A));
  ok(tx.send(plain, A));
  const frames = await receiveAll(rx, 200);
  deepEqual(frames, [withOptions, plain]);
  rx.close();
} else if (mode === "packet") {
  const rx = openPacketReceiver({ ifname: "lo", rcvbuf: 1 << 20, filter: tcpFlowFilter(flow) });
  ok(tx.send(buildFrame({ src: B, dst: A, srcPort: 81, dstPort: 40000 }), A));
  const frame = matching("over AF_PACKET");
  ok(tx.send(frame, A));
  deepEqual(await receiveAll(rx, 200), [frame]);
  rx.close();
} else {
  throw new Error(`unknown mode ${mode}`);
}
tx.close();
console.log(`${mode}: ok`);
