/**
 * One `poll(2)` over several fds: the helpers of ffi/poll.ts on pipes, and the raw frame links' wait over several
 * links (their receivers and wakers) with pipes for receivers. No root needed.
 *
 * @module
 */

import assert from "node:assert/strict";
import { pollAnyReadable, POLLIN, waitAnyReadable, Waker } from "../../ffi/poll.ts";
import { RawFrameLink } from "../../ffi/raw_link.ts";
import type { RawReceiver, RawSender } from "../../ffi/raw_socket.ts";
import { ipv4 } from "../../src/wire/mod.ts";

Deno.test("waitAnyReadable() says which of two pipes is readable, and times out when none is", async () => {
  const first = new Waker(), second = new Waker(); // pipes: readable once written
  try {
    const t0 = performance.now();
    assert.deepEqual(await waitAnyReadable([first.readFd, second.readFd], 50), [0, 0]);
    assert.ok(performance.now() - t0 >= 45, "waited the whole timeout");
    setTimeout(() => second.wake(), 10);
    assert.deepEqual(await waitAnyReadable([first.readFd, second.readFd], 5000), [0, POLLIN]);
    assert.deepEqual(pollAnyReadable([first.readFd, second.readFd], 0), [0, POLLIN], "the synchronous poll agrees");
    second.clear();
    assert.deepEqual(pollAnyReadable([first.readFd, second.readFd], 1), [0, 0]);
  } finally {
    first.close();
    second.close();
  }
});

/** A raw link whose receiver is the read end of `pipe` (written to: "a frame waits"), sending nowhere. */
function pipeLink(pipe: Waker): RawFrameLink {
  const rx = { fd: pipe.readFd, recvBatch: () => 0, close() {} } as unknown as RawReceiver;
  const tx = { mark: 1, send: () => true, close() {} } as unknown as RawSender;
  return new RawFrameLink(tx, rx, { remoteAddr: ipv4(0xc6120202) });
}

Deno.test("RawFrameLink.waitWith() waits on every link's receiver and waker with one poll", async () => {
  const pipes = [new Waker(), new Waker(), new Waker()];
  const [a, b, c] = pipes.map(pipeLink);
  try {
    // Nothing queued anywhere: the brief wait times out.
    assert.equal(a.waitBrieflyWith([b, c], 1), false);
    // A frame for the third link: the first link's wait over all three sees it.
    pipes[2].wake();
    assert.equal(a.waitBrieflyWith([b, c], 1), true);
    let t0 = performance.now();
    await a.waitWith([b, c], 5000);
    assert.ok(performance.now() - t0 < 1000, "a queued frame on any link ends the wait");
    pipes[2].clear();
    // A wake-up of the second link ends the wait too, and every wake-up is consumed by it.
    setTimeout(() => b.wake(), 10);
    t0 = performance.now();
    await a.waitWith([b, c], 5000);
    assert.ok(performance.now() - t0 < 1000, "a wake-up of any link ends the wait");
    t0 = performance.now();
    await a.waitWith([b, c], 30);
    assert.ok(performance.now() - t0 >= 25, "no wake-up was left over");
    // A link of another kind cannot be waited on with ours.
    assert.equal(a.waitWith([{}], 10), null);
    assert.equal(a.waitBrieflyWith([{}], 10), null);
  } finally {
    for (const link of [a, b, c]) link.close();
    for (const pipe of pipes) pipe.close();
  }
});
