/**
 * A kept connection's counters, per exchange: counts are what the exchange added, states are as they are now.
 *
 * @module
 */

import assert from "node:assert/strict";
import { countersSince, snapshotCounters } from "../../src/fetch/counters.ts";
import { newStats } from "../../src/tcp/mod.ts";
import { newFrameCounters } from "../../src/transport/mod.ts";

Deno.test("countersSince() subtracts the counts of the exchanges before, and keeps the gauges as they are now", () => {
  const tcp = newStats(), frames = newFrameCounters();
  tcp.retransmissions = 3;
  tcp.segmentsIn = 100;
  tcp.srttMs = 12;
  frames.badChecksum = 1;
  const before = snapshotCounters(tcp, frames);
  tcp.retransmissions = 5;
  tcp.segmentsIn = 160;
  tcp.srttMs = 9;
  tcp.pathMtu = 1400;
  frames.badChecksum = 1;
  frames.icmp = 2;
  const since = countersSince(snapshotCounters(tcp, frames), before);
  assert.equal(since.tcp.retransmissions, 2);
  assert.equal(since.tcp.segmentsIn, 60);
  assert.equal(since.tcp.srttMs, 9, "a gauge: the value now");
  assert.equal(since.tcp.pathMtu, 1400, "a gauge: the value now");
  assert.equal(since.frames.badChecksum, 0);
  assert.equal(since.frames.icmp, 2);
  // The snapshot is a copy: later counts do not change it.
  tcp.retransmissions = 9;
  assert.equal(before.tcp.retransmissions, 3);
});
