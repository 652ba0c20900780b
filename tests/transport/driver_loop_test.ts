/**
 * Several drivers in one `DriverLoop` over simulated links on one virtual clock (`SimNetwork`): the connections run
 * side by side, a dead path keeps its retransmission timer while the others transfer, one connection ends alone (an
 * abort, a handler that throws), and one driver alone runs exactly as the driver's own loop did. Time is virtual and
 * moves only when the loop waits, so every time below is exact.
 *
 * @module
 */

import assert from "node:assert/strict";
import { TcpConnection } from "../../src/tcp/mod.ts";
import {
  Driver,
  DriverLoop,
  type Flow,
  type FrameLink,
  type StreamHandler,
  type StreamOutcome,
  TracingLink,
} from "../../src/transport/mod.ts";
import { BRIEF_WAIT_MS, IDLE_WAIT_CAP_MS, YIELD_EVERY_MS } from "../../src/transport/driver_options.ts";
import { RST, SYN } from "../../src/wire/mod.ts";
import { SIM_FLOW, SimFrameLink, SimNetwork, type SimPath } from "../sim/frame_link.ts";
import { body } from "../sim/prng.ts";
import { Recorder } from "./_recorder.ts";

/** A body of `size` bytes that differs from every other connection's. */
function bodyOf(i: number, size: number): Uint8Array {
  return body(size).map((b) => b ^ (0x5a + 37 * i));
}

/** Connection `i` (its own port and ISN) over `path`, on `network`'s clock, run by `loop` when given. */
function connection(i: number, network: SimNetwork, path: SimPath, loop?: DriverLoop, times?: number[]) {
  const flow: Flow = { ...SIM_FLOW, localPort: SIM_FLOW.localPort + i };
  const sim = new SimFrameLink({ seed: i + 1, network, ...path }, flow);
  // A tap on the way notes when each SYN left (the loop waits on the simulated links through the tracing ones).
  const syn = { sent: (f: Uint8Array, now: number) => ((f[33] & SYN) !== 0 ? times?.push(now) : 0), received() {} };
  const link: FrameLink = times === undefined ? sim : new TracingLink(sim, syn, sim.clock);
  const conn = new TcpConnection({
    localPort: flow.localPort,
    remotePort: flow.remotePort,
    mss: 1460,
    isn: 1000 * (i + 1),
    connectTimeoutMs: 10_000,
  });
  const driver = new Driver(link, conn, flow, { mss: 1460, clock: sim.clock, loop });
  return { sim, conn, driver, app: new Recorder(sim.clock) };
}

/** A server that answers with `data` over a path of `delayMs` each way (and `bytesPerMs` towards us, when given). */
function serving(data: Uint8Array, delayMs = 20, bytesPerMs?: number): SimPath {
  return { up: { delayMs }, down: { delayMs, bytesPerMs }, peer: { respond: () => data } };
}

Deno.test("DriverLoop runs four connections to four servers on one virtual clock, each body byte-exact", async () => {
  const bodies = [100_000, 250_000, 400_000, 30_000].map((size, i) => bodyOf(i, size));
  const paths = bodies.map((data, i) => serving(data, 10 + 10 * i));
  // Alone, on a clock of its own, each connection closes at its own time.
  const alone: number[] = [];
  for (const [i, path] of paths.entries()) {
    const c = connection(i, new SimNetwork(), path);
    assert.equal(await c.driver.run(c.app), "normal");
    alone.push(c.app.closedAt);
  }
  // Together, in one loop on one clock, starting at 0 ms: the same four exchanges side by side.
  const network = new SimNetwork();
  const loop = new DriverLoop();
  const synTimes = paths.map((): number[] => []);
  const all = paths.map((path, i) => connection(i, network, path, loop, synTimes[i]));
  const runs = all.map((c) => c.driver.run(c.app));
  assert.equal(loop.size, 4);
  assert.deepEqual(await Promise.all(runs), ["normal", "normal", "normal", "normal"]);
  assert.deepEqual(synTimes, [[0], [0], [0], [0]], "the runs started together take their first turn together");
  all.forEach((c, i) => assert.deepEqual(c.app.bytes(), bodies[i], `connection ${i}`));
  // Each closes at the very millisecond it closed alone: no connection waited for another.
  assert.deepEqual(all.map((c) => c.app.closedAt), alone);
  assert.equal(network.now, Math.max(...alone));
  // The loop stopped with its last driver; a later run starts it again.
  assert.equal(loop.size, 0);
  const later = connection(4, network, serving(bodyOf(4, 5000)), loop);
  assert.equal(await later.driver.run(later.app), "normal");
  assert.deepEqual(later.app.bytes(), bodyOf(4, 5000));
});

Deno.test("a dead path keeps its SYN timer in the loop while three transfers run: a SYN every RTO (1, 2, 4 s)", async () => {
  const network = new SimNetwork();
  const loop = new DriverLoop();
  const synTimes: number[] = [];
  // Every frame to server 0 is lost; servers 1–3 send 200–400 kB at 100 kB/s, for 2 to 4 s.
  const dead = connection(0, network, { up: { delayMs: 20, loss: 1 }, peer: { silent: true } }, loop, synTimes);
  const busy = [1, 2, 3].map((i) => connection(i, network, serving(bodyOf(i, 100_000 + 100_000 * i), 20, 100), loop));
  const runs = [dead, ...busy].map((c) => c.driver.run(c.app));
  assert.deepEqual(await Promise.all(runs), ["timeout", "normal", "normal", "normal"]);
  busy.forEach((c, i) => assert.deepEqual(c.app.bytes(), bodyOf(i + 1, 200_000 + 100_000 * i)));
  const lastTransfer = Math.max(...busy.map((c) => c.app.closedAt));
  assert.ok(lastTransfer > 3000 && lastTransfer < 7000, `the transfers ended at ${lastTransfer} ms`);
  // RFC 6298 §2.1 and §5.5: the SYN's RTO is 1 s, doubled at each expiry. The loop woke for each deadline while the
  // others' frames arrived (the first two) and after they ended (the third): each SYN left when its RTO had run from
  // the one before, or up to one brief wait (BRIEF_WAIT_MS) later, as a driver alone does.
  assert.equal(synTimes.length, 4, `SYNs at ${synTimes}`);
  assert.equal(synTimes[0], 0);
  for (const [k, rto] of [1000, 2000, 4000].entries()) {
    const late = synTimes[k + 1] - synTimes[k] - rto;
    assert.ok(late >= 0 && late <= BRIEF_WAIT_MS, `SYN ${k + 2} at ${synTimes[k + 1]} ms, ${late} ms after its RTO`);
  }
  assert.ok(synTimes[2] < lastTransfer && synTimes[3] > lastTransfer, `SYNs at ${synTimes}`);
  // The connect timeout (10 s) ends the dead connection alone, after the others.
  assert.ok(dead.app.closedAt >= 10_000 && dead.app.closedAt < 11_000, `it ended at ${dead.app.closedAt} ms`);
  assert.equal(loop.size, 0);
});

Deno.test("an aborted connection ends alone with 'stopped' and our RST; the other three complete byte-exact", async () => {
  const network = new SimNetwork();
  const loop = new DriverLoop();
  const all = [0, 1, 2, 3].map((i) => connection(i, network, serving(bodyOf(i, 300_000)), loop));
  const victim = all[2].app;
  const onData = victim.onData.bind(victim);
  victim.onData = (bytes) => {
    onData(bytes);
    if (victim.received >= 50_000) victim.stream!.abort("stopped"); // mid-way: the rest is not wanted
  };
  const outcomes = await Promise.all(all.map((c) => c.driver.run(c.app)));
  assert.deepEqual(outcomes, ["normal", "normal", "stopped", "normal"]);
  assert.ok(victim.received >= 50_000 && victim.received < 300_000, `it got ${victim.received} bytes`);
  assert.ok((all[2].sim.sent.at(-1)!.flags & RST) !== 0, "its last segment is our RST");
  assert.ok(victim.closedAt < Math.min(...[0, 1, 3].map((i) => all[i].app.closedAt)), "it ended first");
  for (const i of [0, 1, 3]) assert.deepEqual(all[i].app.bytes(), bodyOf(i, 300_000), `connection ${i}`);
});

Deno.test("a handler that throws rejects its own run only; the loop goes on with the others", async () => {
  const network = new SimNetwork();
  const loop = new DriverLoop();
  const all = [0, 1, 2].map((i) => connection(i, network, serving(bodyOf(i, 100_000)), loop));
  all[1].app.onData = () => {
    throw new Error("Cannot write to the output file");
  };
  const settled = await Promise.allSettled(all.map((c) => c.driver.run(c.app)));
  assert.deepEqual(settled.map((s) => s.status), ["fulfilled", "rejected", "fulfilled"]);
  assert.equal((settled[1] as PromiseRejectedResult).reason.message, "Cannot write to the output file");
  assert.equal(all[1].app.outcome, null, "onClosed is not called for a run that threw (as Driver.run)");
  for (const i of [0, 2]) assert.deepEqual(all[i].app.bytes(), bodyOf(i, 100_000));
});

/**
 * The driver's own loop as it was before `DriverLoop`: the reference a loop of one driver must match turn for turn.
 */
async function referenceRun(driver: Driver, handler: StreamHandler): Promise<StreamOutcome> {
  const clock = driver.clock, link = driver.link;
  driver.start(handler);
  let lastYield = clock();
  for (;;) {
    const due = driver.poll(clock());
    if (driver.outcome !== null) break;
    const now = clock();
    if (driver.busy) {
      if (driver.paused || now - lastYield >= YIELD_EVERY_MS) {
        await link.wait(0);
        lastYield = clock();
      }
      continue;
    }
    if (due !== null && due <= now) continue;
    const wait = due === null ? IDLE_WAIT_CAP_MS : Math.min(IDLE_WAIT_CAP_MS, due - now);
    const brief = now - lastYield < YIELD_EVERY_MS && !driver.finished;
    if (brief && link.waitBriefly(Math.min(BRIEF_WAIT_MS, wait))) continue;
    await link.wait(wait);
    lastYield = clock();
  }
  handler.onClosed(driver.outcome);
  return driver.outcome;
}

Deno.test("a loop of one driver sends the same segments at the same times as the driver's former loop", async () => {
  for (const seed of [1, 2, 3]) {
    const lossy = { delayMs: 15, loss: 0.1, jitterMs: 3 };
    const data = bodyOf(seed, 200_000);
    const path: SimPath = { seed, up: lossy, down: lossy, peer: { respond: () => data } };
    const runs = [];
    for (const loop of [undefined, new DriverLoop(), null]) {
      const times: number[] = [];
      const c = connection(0, new SimNetwork(), path, loop ?? undefined, times);
      const outcome = loop === null ? await referenceRun(c.driver, c.app) : await c.driver.run(c.app);
      assert.deepEqual(c.app.bytes(), data, `seed ${seed}`);
      runs.push({ outcome, sent: c.sim.sent, closedAt: c.app.closedAt, frames: c.sim.receivedFrames });
    }
    // Driver.run (a loop of its own), a DriverLoop given, and the former loop: one trace.
    assert.deepEqual(runs[0], runs[2], `seed ${seed}`);
    assert.deepEqual(runs[1], runs[2], `seed ${seed}`);
    assert.equal(runs[2].outcome, "normal");
  }
});
