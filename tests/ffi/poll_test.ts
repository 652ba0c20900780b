import { equal, ok } from "node:assert/strict";
import { POLLIN, pollNow, waitReadable, waitReadableOrWoken, Waker } from "../../ffi/poll.ts";

Deno.test("waitReadable() times out without blocking the event loop, and sees data at once", async () => {
  const waker = new Waker(); // a pipe is a convenient readable-or-not fd
  try {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const t0 = performance.now();
    equal(await waitReadable(waker.readFd, 100), false);
    clearInterval(timer);
    ok(performance.now() - t0 >= 95, "waited the whole timeout");
    ok(ticks >= 5, `timers kept running during the wait (${ticks} ticks)`);
    waker.wake();
    equal(pollNow(waker.readFd, POLLIN), POLLIN);
    equal(await waitReadable(waker.readFd, 1000), true);
  } finally {
    waker.close();
  }
});

Deno.test("waitReadableOrWoken() returns early on wake() and reports readable fds", async () => {
  const waker = new Waker();
  const other = new Waker();
  try {
    setTimeout(() => waker.wake(), 20);
    const t0 = performance.now();
    equal(await waitReadableOrWoken(other.readFd, waker, 5000), "woken");
    ok(performance.now() - t0 < 2000);
    equal(waker.clear(), false, "wake-ups were consumed");
    equal(await waitReadableOrWoken(other.readFd, waker, 10), "timeout");
    other.wake();
    equal(await waitReadableOrWoken(other.readFd, waker, 1000), "readable");
    for (let i = 0; i < 70_000; i++) waker.wake(); // more than a pipe holds: still no error
    ok(waker.clear());
  } finally {
    waker.close();
    other.close();
  }
});
