/**
 * `--limit-rate` on the simulated link: the driver's token bucket hands the handler bytes at the rate, and the
 * receive window it holds the connection to (about rate × RTT) makes the simulated server send at that rate, never
 * more than one window ahead of what was read. Virtual time: seconds of transfer run in milliseconds.
 *
 * @module
 */

import assert from "node:assert/strict";
import { TcpConnection } from "../../src/tcp/mod.ts";
import { Driver, RateLimit, type ReceivedFrames } from "../../src/transport/mod.ts";
import { parseIpv4, parseTcp, SYN } from "../../src/wire/mod.ts";
import { SIM_FLOW, SimFrameLink, type SimPath } from "../sim/frame_link.ts";
import { body } from "../sim/prng.ts";
import { concatBytes } from "../wire/_helpers.ts";
import { Requester } from "./_recorder.ts";

/** Our window scale with the default 8 MiB receive buffer. */
const SHIFT = 8;

Deno.test("RateLimit hands out one granule at first, refills at the rate, and holds at most two granules", () => {
  const bucket = new RateLimit(512_000, 1460, 0);
  assert.equal(bucket.granule, 10_240); // 20 ms of 500 KiB/s
  assert.equal(bucket.available(0), 10_240);
  bucket.take(10_240);
  assert.equal(bucket.available(0), 0);
  assert.equal(bucket.dueAt(0), 20);
  assert.equal(bucket.available(10), 5_120);
  assert.equal(bucket.available(1000), 20_480); // a late wake-up loses nothing up to two granules
  assert.equal(bucket.dueAt(1000), 1000);
  assert.equal(new RateLimit(1024, 1460, 0).granule, 1024); // below a segment a second: a second's worth
  assert.equal(new RateLimit(10_000, 1460, 0).granule, 1460); // at least a segment
  assert.throws(() => new RateLimit(0, 1460, 0), RangeError);
});

Deno.test("RateLimit's window is what the rate sends in one RTT plus two granules, and at least two segments", () => {
  const bucket = new RateLimit(512_000, 1460, 0);
  assert.equal(bucket.window(0), 20_480);
  assert.equal(bucket.window(100), 20_480 + 51_200);
  assert.equal(new RateLimit(1024, 1460, 0).window(10), 2920);
});

/** Records when each byte reached the handler (virtual ms). */
class TimedReader extends Requester {
  readonly times: number[] = [];
  readonly sizes: number[] = [];
  endedAt = -1;
  override onData(bytes: Uint8Array): void {
    super.onData(bytes);
    this.times.push(this.clock());
    this.sizes.push(bytes.length);
  }
  override onEnd(): void {
    this.endedAt = this.clock();
  }
}

/** A rate-limited download of `size` bytes over `path`: what the handler got, and when data reached us. */
async function limitedRun(path: SimPath, size: number, rate: number) {
  const data = body(size);
  const link = new SimFrameLink({ ...path, peer: { respond: () => data } });
  // Data arrivals at the client, as the server's pacing shows them.
  const arrivals: Array<[number, number]> = [];
  const receive = link.receive.bind(link);
  link.receive = (): ReceivedFrames => {
    const frames = receive();
    for (let i = 0; i < frames.count; i++) {
      const frame = frames.frame(i);
      if (frame === null) continue;
      const seg = parseTcp(parseIpv4(frame).payload);
      if (seg.payload.length > 0) arrivals.push([link.clock(), seg.payload.length]);
    }
    return frames;
  };
  const conn = new TcpConnection({ localPort: SIM_FLOW.localPort, remotePort: SIM_FLOW.remotePort, mss: 1460, isn: 7 });
  const driver = new Driver(link, conn, SIM_FLOW, { mss: 1460, clock: link.clock, rateLimit: rate });
  const app = new TimedReader(link.clock);
  const outcome = await driver.run(app);
  return { data, link, conn, app, outcome, arrivals };
}

/** Bytes per second between the end of the first granule and the last byte. */
function averageRate(times: readonly number[], sizes: readonly number[], granule: number): number {
  let skipped = 0, i = 0;
  while (i < sizes.length && skipped < granule) skipped += sizes[i++];
  const bytes = sizes.slice(i).reduce((a, b) => a + b, 0);
  return bytes / ((times.at(-1)! - times[i - 1]) / 1000);
}

/** The most bytes that arrived in any `spanMs` of the run. */
function largestBurst(arrivals: ReadonlyArray<[number, number]>, spanMs: number): number {
  let most = 0, sum = 0, from = 0;
  for (let k = 0; k < arrivals.length; k++) {
    sum += arrivals[k][1];
    while (arrivals[k][0] - arrivals[from][0] >= spanMs) sum -= arrivals[from++][1];
    most = Math.max(most, sum);
  }
  return most;
}

for (
  const [label, rate, path] of [
    ["500 KiB/s over a 10 ms RTT", 512_000, {}],
    ["100 KiB/s over a 100 ms RTT", 102_400, { up: { delayMs: 50 }, down: { delayMs: 50 } }],
    ["100 KiB/s over a 40 ms RTT with 1% loss", 102_400, {
      seed: 3,
      up: { delayMs: 20 },
      down: { delayMs: 20, loss: 0.01 },
    }],
  ] as const
) {
  Deno.test(`--limit-rate ${label}: the average is the rate ±15% and the window never exceeds its cap`, async () => {
    const seconds = 4;
    const { data, link, conn, app, outcome, arrivals } = await limitedRun(path, rate * seconds, rate);
    assert.equal(outcome, "normal");
    assert.deepEqual(concatBytes(app.chunks), data);
    const bucket = new RateLimit(rate, 1460, 0);
    const average = averageRate(app.times, app.sizes, bucket.granule);
    assert.ok(Math.abs(average / rate - 1) <= 0.15, `average ${Math.round(average)} B/s for a limit of ${rate}`);
    // The window follows the budget: never above the cap for the (largest) SRTT it was set for.
    const cap = bucket.window(conn.srttMs * 9 / 8 + 1) + (1 << SHIFT);
    const windows = link.sent.filter((s) => (s.flags & SYN) === 0).map((s) => s.window << SHIFT);
    assert.ok(Math.max(...windows) <= cap, `a window of ${Math.max(...windows)} above the cap of ${cap}`);
    // So the server sends at the rate: in any second, no more than the rate, the bucket's two granules and a window.
    const burst = largestBurst(arrivals, 1000);
    const most = rate + 2 * bucket.granule + cap;
    assert.ok(burst <= most, `${burst} bytes arrived within one second at a limit of ${rate} (at most ${most})`);
  });
}

Deno.test("the server's FIN is heard as soon as the last byte held back is read, not after an idle wait", async () => {
  const { app } = await limitedRun({}, 300_000, 512_000);
  assert.equal(app.endedAt, app.times.at(-1)!);
});

Deno.test("without --limit-rate the same transfer is not paced (the test above measures the limit, not the link)", async () => {
  const data = body(2_000_000);
  const link = new SimFrameLink({ peer: { respond: () => data } });
  const conn = new TcpConnection({ localPort: SIM_FLOW.localPort, remotePort: SIM_FLOW.remotePort, mss: 1460, isn: 7 });
  const driver = new Driver(link, conn, SIM_FLOW, { mss: 1460, clock: link.clock });
  const app = new TimedReader(link.clock);
  assert.equal(await driver.run(app), "normal");
  assert.ok(link.clock() < 1000, `2 MB took ${link.clock()} ms of virtual time without a limit`);
});

Deno.test("Driver refuses a rate limit that is not above 0", () => {
  const link = new SimFrameLink({});
  const conn = new TcpConnection({ localPort: 40000, remotePort: 80, mss: 1460, isn: 7 });
  assert.throws(() => new Driver(link, conn, SIM_FLOW, { mss: 1460, rateLimit: 0 }), RangeError);
});
