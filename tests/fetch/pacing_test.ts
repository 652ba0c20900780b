import assert from "node:assert/strict";
import { DEFAULT_WAIT_RETRY, Pacing } from "../../src/fetch/mod.ts";

Deno.test("Pacing: no pause before the run's first request, -w before every other", () => {
  const p = new Pacing({ wait: 0.4 });
  assert.deepEqual([p.beforeRequestMs(), p.beforeRequestMs(), p.beforeRequestMs()], [0, 400, 400]);
  assert.equal(new Pacing().beforeRequestMs(), 0);
  const none = new Pacing();
  none.beforeRequestMs();
  assert.equal(none.beforeRequestMs(), 0);
});

Deno.test("Pacing: --random-wait draws each pause from 0.5 to 1.5 times -w; retries are not randomised", () => {
  const draws = [0, 0.999, 0.5];
  const p = new Pacing({ wait: 2, randomWait: true, waitRetry: 0 }, () => draws.shift()!);
  p.beforeRequestMs();
  assert.deepEqual([p.beforeRequestMs(), p.beforeRequestMs(), p.beforeRequestMs()], [1000, 2998, 2000]);
  assert.equal(p.beforeRetryMs(1), 2000);
  const spread = new Pacing({ wait: 1, randomWait: true });
  spread.beforeRequestMs();
  for (let i = 0; i < 200; i++) {
    const ms = spread.beforeRequestMs();
    assert.ok(ms >= 500 && ms <= 1500, `${ms}`);
  }
});

Deno.test("Pacing: --waitretry's linear back-off as wget computes it (try n waits n-1 s until n passes WAITRETRY)", () => {
  const standard = new Pacing();
  assert.equal(DEFAULT_WAIT_RETRY, 10);
  assert.deepEqual([1, 2, 9, 10, 11, 30].map((n) => standard.beforeRetryMs(n)), [
    1000,
    2000,
    9000,
    10000,
    10000,
    10000,
  ]);
  // A fraction: try 2 waits 1 s (2 <= 2.5), try 3 waits 2.5 s (3 > 2.5), as wget 1.21.3 measured here.
  const fraction = new Pacing({ waitRetry: 2.5 });
  assert.deepEqual([1, 2, 3].map((n) => fraction.beforeRetryMs(n)), [1000, 2500, 2500]);
  assert.deepEqual([1, 2].map((n) => new Pacing({ waitRetry: 0.3 }).beforeRetryMs(n)), [300, 300]);
  // --waitretry=0: -w between retries, or nothing.
  assert.equal(new Pacing({ waitRetry: 0, wait: 0.2 }).beforeRetryMs(1), 200);
  assert.equal(new Pacing({ waitRetry: 0 }).beforeRetryMs(1), 0);
});

Deno.test("Pacing: a retry counts as a request made, so the next request pauses", () => {
  const p = new Pacing({ wait: 1 });
  p.beforeRetryMs(1);
  assert.equal(p.beforeRequestMs(), 1000);
});
