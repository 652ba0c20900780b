/**
 * The driver on a simulated link (tests/sim/frame_link.ts): a turn is synchronous, a run delivers every byte in
 * order through loss, a paused handler closes the window without losing a byte, an abort ends with our RST. No root,
 * no network: time is virtual and moves only when the driver waits.
 *
 * @module
 */

import assert from "node:assert/strict";
import { TcpConnection } from "../../src/tcp/mod.ts";
import { Driver, type FrameTap, TracingLink } from "../../src/transport/mod.ts";
import { CWR, ECE, FIN, RST, SYN } from "../../src/wire/mod.ts";
import { SIM_FLOW, SimFrameLink, type SimPath } from "../sim/frame_link.ts";
import { body } from "../sim/prng.ts";
import { Recorder } from "./_recorder.ts";

function setUp(path: SimPath, recvBufferSize?: number) {
  const link = new SimFrameLink(path);
  const conn = new TcpConnection({
    localPort: SIM_FLOW.localPort,
    remotePort: SIM_FLOW.remotePort,
    mss: 1460,
    isn: 7,
    recvBufferSize,
  });
  const driver = new Driver(link, conn, SIM_FLOW, { mss: 1460, clock: link.clock });
  return { link, conn, driver };
}

Deno.test("Driver.poll() is one synchronous turn: the SYN leaves and the next deadline is the SYN's RTO", () => {
  const { link, driver } = setUp({ peer: { silent: true } });
  driver.start(new Recorder());
  const due = driver.poll(0);
  assert.equal(link.sent.length, 1);
  assert.equal(link.sent[0].flags & ~(ECE | CWR), SYN); // ECE and CWR ask for ECN (RFC 3168)
  assert.equal(due, 1000); // RFC 6298 §2.1: the initial RTO is 1 s
  assert.equal(driver.poll(0), 1000); // nothing new in a second turn at the same time
  assert.equal(link.sent.length, 1);
  assert.equal(driver.outcome, null);
});

Deno.test("Driver.run() delivers a 300 KB response byte-exact in order and reports open, data, end, closed", async () => {
  const data = body(300_000);
  const { driver } = setUp({ peer: { respond: () => data } });
  const app = new Recorder();
  assert.equal(await driver.run(app), "normal");
  assert.deepEqual(app.events, ["open", "data", "end", "closed:normal"]);
  assert.deepEqual(app.bytes(), data);
});

Deno.test("endAtLastAck: a finished handler's run ends once our FIN follows the server's, a round trip sooner", async () => {
  const data = body(50_000);
  const runs = [];
  for (const [endAtLastAck, busy] of [[false, false], [true, false], [true, true]]) {
    const link = new SimFrameLink({ up: { delayMs: 50 }, down: { delayMs: 50 }, peer: { respond: () => data } });
    const conn = new TcpConnection({
      localPort: SIM_FLOW.localPort,
      remotePort: SIM_FLOW.remotePort,
      mss: 1460,
      isn: 7,
    });
    const driver = new Driver(link, conn, SIM_FLOW, { mss: 1460, clock: link.clock, endAtLastAck });
    const app = new Recorder();
    app.busy = busy;
    assert.equal(await driver.run(app), "normal");
    assert.deepEqual(app.events, ["open", "data", "end", "closed:normal"]);
    assert.deepEqual(app.bytes(), data);
    assert.ok((link.sent.at(-1)!.flags & FIN) !== 0, "our FIN was the last thing sent");
    runs.push({ state: conn.state, at: link.clock() });
  }
  assert.equal(runs[0].state, "CLOSED");
  assert.equal(runs[1].state, "LAST-ACK");
  assert.equal(runs[2].state, "CLOSED", "a handler still busy (TLS decrypting) keeps the full close");
  // One round trip (2 × 50 ms) sooner.
  assert.ok(Math.abs(runs[0].at - runs[1].at - 100) < 5, `${runs[0].at} ms against ${runs[1].at} ms`);
});

Deno.test("Driver.run() recovers from 10% loss both ways, still byte-exact", async () => {
  const data = body(200_000);
  for (const seed of [1, 2, 3]) {
    const lossy = { delayMs: 10, loss: 0.1 };
    const { driver, conn } = setUp({ seed, up: lossy, down: lossy, peer: { respond: () => data } });
    const app = new Recorder();
    assert.equal(await driver.run(app), "normal", `seed ${seed}`);
    assert.deepEqual(app.bytes(), data, `seed ${seed}`);
    assert.ok(conn.stats.outOfOrderSegments > 0, `seed ${seed}: the loss did not show`);
  }
});

Deno.test("ByteStream.pause() closes the advertised window and resume() reopens it without losing a byte", async () => {
  const data = body(400_000);
  const { driver, link } = setUp({ peer: { respond: () => data } }, 65536);
  const app = new Recorder();
  const onData = app.onData.bind(app);
  let paused = false;
  app.onData = (bytes) => {
    onData(bytes);
    if (paused) return;
    paused = true;
    app.stream!.pause();
    // Resume once the window closed (the test's subject), whatever the machine's load; at most after 10 s.
    const started = Date.now();
    const check = setInterval(() => {
      const closed = link.sent.some((s) => s.window === 0 && (s.flags & SYN) === 0);
      if (!closed && Date.now() - started < 10_000) return;
      clearInterval(check);
      app.stream!.resume();
    }, 2);
  };
  assert.equal(await driver.run(app), "normal");
  assert.deepEqual(app.bytes(), data);
  const zero = link.sent.findIndex((s) => s.window === 0 && (s.flags & SYN) === 0);
  assert.ok(zero >= 0, "no zero window was advertised while paused");
  assert.ok(link.sent.slice(zero).some((s) => s.window > 0), "the window never reopened");
});

Deno.test("ByteStream.abort() ends the run at the next turn with our RST and the reason given", async () => {
  const { driver, link } = setUp({ peer: { respond: () => body(1_000_000) } });
  const app = new Recorder();
  app.onData = () => app.stream!.abort("stopped");
  assert.equal(await driver.run(app), "stopped");
  assert.equal(app.outcome, "stopped");
  assert.ok((link.sent.at(-1)!.flags & RST) !== 0, "the last segment sent is not an RST");
});

Deno.test("a silent server ends the run with 'timeout' after the user timeout, on the virtual clock", async () => {
  const link = new SimFrameLink({ peer: { silent: true } });
  const conn = new TcpConnection({ localPort: 40000, remotePort: 80, mss: 1460, isn: 7, userTimeoutMs: 5000 });
  const driver = new Driver(link, conn, SIM_FLOW, { mss: 1460, clock: link.clock });
  assert.equal(await driver.run(new Recorder()), "timeout");
  assert.ok(link.clock() >= 5000 && link.clock() < 6000, `ended at ${link.clock()} ms`);
});

Deno.test("TracingLink shows every frame sent and received to its tap", async () => {
  const data = body(50_000);
  const inner = new SimFrameLink({ peer: { respond: () => data } });
  let sent = 0, received = 0;
  const tap: FrameTap = { sent: () => sent++, received: () => received++ };
  const conn = new TcpConnection({ localPort: 40000, remotePort: 80, mss: 1460, isn: 7 });
  const driver = new Driver(new TracingLink(inner, tap, inner.clock), conn, SIM_FLOW, {
    mss: 1460,
    clock: inner.clock,
  });
  await driver.run(new Recorder());
  assert.equal(sent, inner.sent.length);
  assert.equal(received, conn.stats.segmentsIn);
});

Deno.test("a handler paused through TIME-WAIT still gets every byte, then onEnd, then closed:normal", async () => {
  const data = body(100_000);
  const { driver, conn } = setUp({ peer: { respond: () => data } });
  const app = new Recorder();
  const onOpen = app.onOpen.bind(app), onData = app.onData.bind(app);
  app.onOpen = (stream) => {
    onOpen(stream);
    stream.closeWrite(); // our FIN right after the request: the connection can close while we do not read
  };
  app.onData = (bytes) => {
    onData(bytes);
    if (app.chunks.length > 1) return;
    app.stream!.pause();
    const resume = () => conn.state === "CLOSED" ? app.stream!.resume() : setTimeout(resume, 5);
    setTimeout(resume, 5);
  };
  assert.equal(await driver.run(app), "normal");
  assert.deepEqual(app.events, ["open", "data", "end", "closed:normal"]);
  assert.deepEqual(app.bytes(), data);
});

Deno.test("a handler that writes after the run ended is told done at once and the closed link is not touched", async () => {
  const { link, driver } = setUp({ peer: { respond: () => body(1000) } });
  const app = new Recorder();
  assert.equal(await driver.run(app), "normal");
  link.wake = () => {
    throw new Error("the link was woken after the run ended");
  };
  let done = false;
  app.stream!.write(new Uint8Array(10), () => (done = true));
  app.stream!.closeWrite();
  app.stream!.resume();
  app.stream!.abort("stopped");
  assert.ok(done);
});
