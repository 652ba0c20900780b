/**
 * Child process of packet_ring_test.ts, run with only `--allow-ffi` inside a fresh namespace whose `lo` holds
 * 198.18.0.1 and 198.18.0.2. Frames go out through a raw sender and come back through an AF_PACKET receiver on lo
 * with a packet ring. Modes (the second argument is the ring version, 2 or 3, where it matters):
 * - `wrap V`: many more frames than the ring holds, read as they come: all of them, in order, none twice;
 * - `timeout`: V3, a block holding two frames is handed over only after the retire timeout, marked so;
 * - `big V`: a frame longer than a ring frame is read whole (V2, from the socket), or reported cut, never passed on
 *   in part;
 * - `refused`: the link falls back to recvmmsg when the kernel refuses the ring (or a simulated refusal);
 * - `nobody`: after dropping root to nobody, the ring is set up on a packet socket opened before, and works;
 * - `checksum`: a frame with a corrupted TCP checksum, which the kernel did not verify, is still caught.
 * Prints `MODE: ok` or exits non-zero with the failed assertion.
 */

import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import {
  dropPrivileges,
  libcSetSockOpt,
  openPacketReceiver,
  openPacketRing,
  openRawReceiver,
  openRawSender,
  OsError,
  type PacketRingOptions,
  RawFrameLink,
  RingBatch,
  RingFrameLink,
  tcpFlowFilter,
  TP_STATUS_CSUM_VALID,
} from "../../ffi/mod.ts";
import { FrameDecoder, openFrameLink, startReceiveRing } from "../../src/transport/mod.ts";
import { parseIpv4Address } from "../../src/wire/mod.ts";
import { buildFrame } from "./_frame.ts";

const A = parseIpv4Address("198.18.0.1"); // "our" address
const B = parseIpv4Address("198.18.0.2"); // the "server"
const flow = { srcAddr: B, srcPort: 80, dstAddr: A, dstPort: 40000 };
const frameWith = (id: number, payloadBytes = 16) =>
  buildFrame({ src: B, dst: A, srcPort: 80, dstPort: 40000, id, payload: new Uint8Array(payloadBytes).fill(id) });
const ENOPROTOOPT = 92;

const mode = Deno.args[0];
const version = Number(Deno.args[1] ?? "2") as 2 | 3;
const tx = openRawSender();

/** A link over a fresh receiver on lo, with a ring made by `ring` (or the default one). */
async function ringLink(options: PacketRingOptions): Promise<RingFrameLink> {
  const rx = openPacketReceiver({ ifname: "lo", rcvbuf: 1 << 20, filter: tcpFlowFilter(flow) });
  const ring = await openPacketRing(rx.fd, options);
  return new RingFrameLink(new RawFrameLink(openRawSender(), rx, { remoteAddr: B }), ring);
}

/** Reads frames (copies) until `count` came or nothing came for `quietMs`. */
function readFrames(link: RingFrameLink, count: number, quietMs = 300): (Uint8Array | null)[] {
  const got: (Uint8Array | null)[] = [];
  while (got.length < count && link.waitBriefly(quietMs)) {
    const view = link.receive();
    for (let i = 0; i < view.count; i++) got.push(view.frame(i)?.slice() ?? null);
  }
  return got;
}

if (mode === "wrap") {
  // V2: 16 slots (8 blocks of two 2048-byte slots); V3: 8 blocks of 4 KiB, ~20 small frames each. A burst arrives
  // while the reader still holds the previous one (until its next receive), so the ring holds two at least.
  const link = await ringLink({ version, blockSize: 4096, blockCount: 8, frameSize: 2048, retireTimeoutMs: 1 });
  const sent: Uint8Array[] = [];
  const received: Uint8Array[] = [];
  for (let round = 0; round < 60; round++) {
    const burst = [0, 1, 2, 3, 4].map((k) => frameWith(round * 5 + k + 1)); // id 0 would be replaced by the kernel
    for (const f of burst) ok(tx.send(f, A));
    sent.push(...burst);
    for (const f of readFrames(link, burst.length)) received.push(f!);
  }
  equal(received.length, sent.length, "frames were lost or duplicated");
  deepEqual(received, sent, "frames came out of order or changed");
  link.close();
  link.close();
} else if (mode === "timeout") {
  const ring = { version: 3 as const, blockSize: 64 << 10, blockCount: 4, retireTimeoutMs: 40 };
  const link = await ringLink(ring);
  ok(tx.send(frameWith(1), A));
  ok(tx.send(frameWith(2), A));
  // The block is far from full: nothing is handed over before the timeout.
  equal(link.waitBriefly(5), false, "a half-filled block was handed over at once");
  equal(link.receive().count, 0);
  const start = performance.now();
  const frames = readFrames(link, 2, 1000);
  const waited = performance.now() - start;
  deepEqual(frames, [frameWith(1), frameWith(2)]);
  ok(waited < 500, `waited ${waited} ms for a 40 ms retire timeout`);
  link.close();
  const rx = openPacketReceiver({ ifname: "lo", filter: tcpFlowFilter(flow) });
  const bare = await openPacketRing(rx.fd, ring);
  ok(tx.send(frameWith(3), A));
  await new Promise((resolve) => setTimeout(resolve, 200));
  equal(bare.timedOutBlocks, 0);
  ok(bare.ready(), "the block was not handed over after the retire timeout");
  const batch = new RingBatch(4);
  equal(bare.collect(batch), 1);
  equal(bare.timedOutBlocks, 1, "the block does not say TP_STATUS_BLK_TMO");
  bare.close();
  rx.close();
} else if (mode === "big") {
  const small = { version, blockSize: 4096, blockCount: 4, frameSize: 2048 };
  const big = frameWith(7, version === 2 ? 3000 : 6000);
  const after = frameWith(8);
  const link = await ringLink(small);
  ok(tx.send(big, A));
  ok(tx.send(after, A));
  const frames = readFrames(link, 2);
  // V2 reads the whole frame from the socket (PACKET_COPY_THRESH); V3 cannot and reports it cut.
  deepEqual(frames, [version === 2 ? big : null, after]);
  link.close();
  if (version === 2) {
    // Without the copy (refused), the long frame is reported cut.
    const noCopy = await ringLink({
      ...small,
      setsockopt: (fd, level, name, value) => name === 7 ? ENOPROTOOPT : (libcSetSockOpt(fd, level, name, value)),
    });
    ok(tx.send(big, A));
    ok(tx.send(after, A));
    deepEqual(readFrames(noCopy, 2), [null, after]);
    noCopy.close();
  }
} else if (mode === "refused") {
  // A raw IP socket has no packet ring: ENOPROTOOPT (or EINVAL) from setsockopt(SOL_PACKET).
  const rawRx = openRawReceiver();
  await rejects(openPacketRing(rawRx.fd), (e: unknown) => e instanceof OsError && e.call === "setsockopt");
  const viaRaw = openFrameLink(openRawSender(), rawRx, await startReceiveRing(rawRx, "auto"), {
    remoteAddr: B,
    kind: "auto",
  });
  ok(viaRaw.link instanceof RawFrameLink, "the link did not fall back");
  ok(viaRaw.description.startsWith("Receiving with recvmmsg: the kernel refused a packet ring"), viaRaw.description);
  viaRaw.link.close();
  // A packet socket whose PACKET_RX_RING is refused (simulated): the recvmmsg link, which still receives.
  const rx = openPacketReceiver({ ifname: "lo", filter: tcpFlowFilter(flow) });
  const refuse = (fd: number, level: number, name: number, value: Uint8Array<ArrayBuffer>) =>
    name === 5 ? ENOPROTOOPT : libcSetSockOpt(fd, level, name, value);
  const refused = await startReceiveRing(rx, "auto", { setsockopt: refuse });
  const chosen = openFrameLink(openRawSender(), rx, refused, { remoteAddr: B, kind: "auto" });
  ok(chosen.link instanceof RawFrameLink);
  ok(chosen.description.includes("ENOPROTOOPT"), chosen.description);
  ok(tx.send(frameWith(9), A));
  ok(chosen.link.waitBriefly(1000));
  deepEqual(chosen.link.receive().frame(0), frameWith(9));
  chosen.link.close();
  // "ring" asked for: the refusal is an error, and the sockets are closed.
  const rx2 = openPacketReceiver({ ifname: "lo", filter: tcpFlowFilter(flow) });
  const refused2 = await startReceiveRing(rx2, "ring", { setsockopt: refuse });
  throws(() => openFrameLink(openRawSender(), rx2, refused2, { remoteAddr: B, kind: "ring" }), OsError);
  equal(rx2.fd, -1);
  // "recvmmsg" asked for: no ring is tried.
  const rx3 = openPacketReceiver({ ifname: "lo" });
  const forced = openFrameLink(openRawSender(), rx3, await startReceiveRing(rx3, "recvmmsg"), {
    remoteAddr: B,
    kind: "recvmmsg",
  });
  ok(forced.link instanceof RawFrameLink);
  equal(forced.description, "Receiving with recvmmsg");
  forced.link.close();
} else if (mode === "nobody") {
  const rx = openPacketReceiver({ ifname: "lo", rcvbuf: 1 << 20, filter: tcpFlowFilter(flow) });
  const sender = openRawSender();
  dropPrivileges({ uid: 65534, gid: 65534 });
  throws(() => openRawSender(), "still root after the drop");
  const link = new RingFrameLink(new RawFrameLink(sender, rx, { remoteAddr: B }), await openPacketRing(rx.fd));
  ok(tx.send(frameWith(11), A));
  deepEqual(readFrames(link, 1), [frameWith(11)]);
  link.close();
} else if (mode === "checksum") {
  const link = await ringLink({ version });
  const good = frameWith(21);
  const bad = frameWith(22);
  bad[bad.length - 1] ^= 0xff; // the payload changes, the TCP checksum stays: it no longer matches
  ok(tx.send(bad, A));
  ok(tx.send(good, A));
  // V3 may hand the two over in two blocks (the retire timer can fire between them).
  const decoder = new FrameDecoder({ localAddr: A, localPort: 40000, remoteAddr: B, remotePort: 80 }, 1460);
  const accepted: number[] = [];
  let seen = 0;
  while (seen < 2 && link.waitBriefly(1000)) {
    const view = link.receive();
    for (let i = 0; i < view.count; i++, seen++) {
      // Frames sent through a raw socket on lo are verified by no device: the kernel vouches for neither.
      equal(view.checksumTrusted(i), false);
      const segment = decoder.decode(view.frame(i)!, view.checksumTrusted(i));
      if (segment !== null) accepted.push(seen);
    }
  }
  equal(seen, 2);
  deepEqual(accepted, [1], "the corrupted frame was accepted, or the good one refused");
  equal(decoder.counters.badChecksum, 1);
  equal(decoder.counters.kernelChecksum, 0);
  equal(TP_STATUS_CSUM_VALID, 0x80);
  link.close();
} else {
  throw new Error(`unknown mode ${mode}`);
}
tx.close();
console.log(`${mode}: ok`);
