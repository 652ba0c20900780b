/**
 * Measures the in-order fast path: 100 MiB through `handleSegment` + `read` (+ the ACKs it produces).
 * Run: `deno run tests/tcp/bench_inorder.ts`.
 *
 * @module
 */

import { TcpConnection } from "../../src/tcp/connection.ts";
import { seq, seqAdd } from "../../src/wire/seq.ts";
import { ACK, SYN, type TcpRepr } from "../../src/wire/tcp_repr.ts";

/** Pushes `totalBytes` in 1448-byte segments through a fresh connection; returns elapsed ms and segments sent. */
export function benchInOrder(totalBytes: number, clock: () => number): { ms: number; acks: number } {
  const conn = new TcpConnection({ localPort: 40000, remotePort: 80, mss: 1460, isn: 1000 });
  conn.connect(0);
  const syn = conn.pollTransmit(0)!;
  const irs = seq(0xfffff000);
  const synAck: TcpRepr = {
    srcPort: 80,
    dstPort: 40000,
    seq: irs,
    ack: seqAdd(syn.seq, 1),
    flags: SYN | ACK,
    window: 65535,
    urgent: 0,
    options: {
      mss: 1460,
      windowScale: 7,
      sackPermitted: true,
      timestamp: { tsVal: 1, tsEcr: syn.options.timestamp!.tsVal },
    },
    payload: new Uint8Array(0),
  };
  conn.handleSegment(1, synAck);
  while (conn.pollTransmit(1) !== null);
  const payload = new Uint8Array(1448).fill(7);
  let acks = 0;
  const start = clock();
  let s = seqAdd(irs, 1);
  let now = 2;
  for (let sent = 0; sent < totalBytes; sent += payload.length) {
    conn.handleSegment(now, {
      srcPort: 80,
      dstPort: 40000,
      seq: s,
      ack: seqAdd(syn.seq, 1),
      flags: ACK,
      window: 65535,
      urgent: 0,
      options: { timestamp: { tsVal: now | 0, tsEcr: 1 } },
      payload,
    });
    s = seqAdd(s, payload.length);
    while (conn.pollTransmit(now) !== null) acks++;
    while (conn.read() !== null);
    now += 0.01;
  }
  return { ms: clock() - start, acks };
}

if (import.meta.main) {
  const r = benchInOrder(100 * 1024 * 1024, () => performance.now());
  console.log(`100 MiB in order: ${r.ms.toFixed(0)} ms CPU, ${r.acks} segments sent`);
}
