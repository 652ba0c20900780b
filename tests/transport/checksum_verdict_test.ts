/**
 * The kernel's checksum verdict (a packet ring's `TP_STATUS_CSUM_VALID` / `TP_STATUS_CSUMNOTREADY`) reaches the frame
 * decoder as data: a frame the kernel vouches for skips our checksum, every other one is verified, and the
 * "always verify" switch verifies them all. No root, no network.
 *
 * @module
 */

import { deepEqual, equal, ok } from "node:assert/strict";
import { TcpConnection } from "../../src/tcp/mod.ts";
import {
  Driver,
  type Flow,
  FrameDecoder,
  FrameEncoder,
  type FrameLink,
  IPV4,
  type ReceivedFrames,
} from "../../src/transport/mod.ts";
import { ACK, seq } from "../../src/wire/mod.ts";
import { SIM_FLOW } from "../sim/frame_link.ts";

const SERVER_SIDE: Flow = {
  localAddr: SIM_FLOW.remoteAddr,
  localPort: SIM_FLOW.remotePort,
  remoteAddr: SIM_FLOW.localAddr,
  remotePort: SIM_FLOW.localPort,
};

/** A data segment from the server, with its TCP checksum broken when `corrupt`. */
function serverFrame(corrupt: boolean): Uint8Array {
  const payload = new TextEncoder().encode("hello");
  const segment = {
    srcPort: 80,
    dstPort: SIM_FLOW.localPort,
    seq: seq(1000),
    ack: seq(2000),
    flags: ACK,
    window: 65535,
    urgent: 0,
    options: {},
    payload,
  };
  const frame = new FrameEncoder(SERVER_SIDE).encode(segment).slice();
  if (corrupt) frame[frame.length - 1] ^= 0xff;
  return frame;
}

Deno.test("FrameDecoder verifies a checksum the kernel did not vouch for, and drops a corrupted frame", () => {
  const decoder = new FrameDecoder(SIM_FLOW, 1460);
  equal(decoder.decode(serverFrame(true), false), null);
  equal(decoder.decode(serverFrame(true)), null);
  ok(decoder.decode(serverFrame(false), false) !== null);
  equal(decoder.counters.badChecksum, 2);
  equal(decoder.counters.kernelChecksum, 0);
});

Deno.test("FrameDecoder does not verify again a checksum the kernel vouched for", () => {
  const decoder = new FrameDecoder(SIM_FLOW, 1460);
  // Only the kernel's word says it is good: a frame that was corrupted after its verdict is not our concern.
  ok(decoder.decode(serverFrame(true), true) !== null);
  ok(decoder.decode(serverFrame(false), true) !== null);
  equal(decoder.counters.kernelChecksum, 2);
  equal(decoder.counters.badChecksum, 0);
});

Deno.test("FrameDecoder told to always verify drops a corrupted frame whatever the kernel said", () => {
  const decoder = new FrameDecoder(SIM_FLOW, 1460, IPV4, true);
  equal(decoder.decode(serverFrame(true), true), null);
  ok(decoder.decode(serverFrame(false), true) !== null);
  equal(decoder.counters.badChecksum, 1);
  equal(decoder.counters.kernelChecksum, 0);
});

/** A link that hands over the given frames once, each with the given verdict. */
class VerdictLink implements FrameLink {
  #frames: { frame: Uint8Array; trusted: boolean }[];
  constructor(frames: { frame: Uint8Array; trusted: boolean }[]) {
    this.#frames = frames;
  }
  transmit(): boolean {
    return true;
  }
  receive(): ReceivedFrames {
    const frames = this.#frames;
    this.#frames = [];
    return { count: frames.length, frame: (i) => frames[i].frame, checksumTrusted: (i) => frames[i].trusted };
  }
  waitBriefly(): boolean {
    return false;
  }
  wait(): Promise<void> {
    return Promise.resolve();
  }
  wake(): void {}
  close(): void {}
}

function countersAfter(alwaysVerify: boolean): [number, number] {
  const link = new VerdictLink([
    { frame: serverFrame(true), trusted: false },
    { frame: serverFrame(true), trusted: true },
    { frame: serverFrame(false), trusted: true },
  ]);
  const conn = new TcpConnection({ localPort: SIM_FLOW.localPort, remotePort: 80, mss: 1460, isn: 1 });
  const driver = new Driver(link, conn, SIM_FLOW, { mss: 1460, clock: () => 0, alwaysVerifyChecksums: alwaysVerify });
  driver.start({ onOpen() {}, onData() {}, onEnd() {}, onClosed() {} });
  driver.poll(0);
  return [driver.frameCounters.badChecksum, driver.frameCounters.kernelChecksum];
}

Deno.test("the driver passes the link's verdict on, and alwaysVerifyChecksums overrides it", () => {
  deepEqual(countersAfter(false), [1, 2]);
  deepEqual(countersAfter(true), [2, 0]);
});
