/**
 * Dual stack with scripted lanes (RFC 8305): the leading family alone for the attempt delay, then both; the first
 * to connect carries the stream, the other is aborted; the handler sees one stream whatever the lanes did.
 *
 * @module
 */

import assert from "node:assert/strict";
import { newStats } from "../../src/tcp/mod.ts";
import {
  type ByteStream,
  familyLanes,
  happyEyeballs,
  newFrameCounters,
  type StreamHandler,
  type StreamOutcome,
  type StreamSession,
} from "../../src/transport/mod.ts";
import { parseIpAddress } from "../../src/wire/mod.ts";

/** A lane that, `afterMs` after its run starts, connects (`outcome` after the exchange) or fails with `outcome`. */
function lane(
  name: string,
  afterMs: number,
  connects: boolean,
  outcome: StreamOutcome,
  log: string[],
  deaf = false,
): StreamSession {
  let finish: ((o: StreamOutcome) => void) | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    run(handler: StreamHandler) {
      log.push(`${name} run`);
      return new Promise<StreamOutcome>((resolve) => {
        finish = (o) => {
          clearTimeout(timer);
          finish = null;
          log.push(`${name} ${o}`);
          handler.onClosed(o);
          resolve(o);
        };
        timer = setTimeout(() => {
          if (!connects) return finish?.(outcome);
          const stream: ByteStream = {
            write() {},
            closeWrite() {},
            pause() {},
            resume() {},
            abort: (why) => {
              log.push(`${name} stream abort`);
              setTimeout(() => finish?.(why), 0);
            },
          };
          handler.onOpen(stream);
          handler.onData(new TextEncoder().encode(name));
          handler.onEnd();
          finish?.(outcome);
        }, afterMs);
      });
    },
    abort(why) {
      log.push(`${name} abort`);
      // Deaf: the abort comes too late to stop the handshake (its SYN-ACK was already in the same turn).
      if (!deaf) setTimeout(() => finish?.(why), 0);
    },
    tcpStats: newStats(),
    frameCounters: newFrameCounters(),
    lastIcmp: null,
    close: () => Promise.resolve(void log.push(`${name} close`)),
  };
}

class Handler implements StreamHandler {
  readonly calls: string[] = [];
  onOpen(): void {
    this.calls.push("open");
  }
  onData(bytes: Uint8Array): void {
    this.calls.push(`data ${new TextDecoder().decode(bytes)}`);
  }
  onEnd(): void {
    this.calls.push("end");
  }
  onClosed(outcome: StreamOutcome): void {
    this.calls.push(`closed ${outcome}`);
  }
}

const NAMES = ["IPv6", "IPv4"] as const;

async function race(lead: StreamSession | Error, second: StreamSession | Error, delayMs = 40) {
  const opened: string[] = [];
  const open = (s: StreamSession | Error, name: string) => () => {
    opened.push(name);
    return s instanceof Error ? Promise.reject(s) : Promise.resolve(s);
  };
  const session = await happyEyeballs(open(lead, "v6"), open(second, "v4"), { delayMs, names: NAMES });
  const handler = new Handler();
  const started = performance.now();
  const outcome = await session.run(handler);
  const tookMs = performance.now() - started;
  await session.close();
  return { outcome, calls: handler.calls, opened, tookMs };
}

Deno.test("Happy Eyeballs: a leading family that connects at once is the only one tried", async () => {
  const log: string[] = [];
  const r = await race(lane("v6", 5, true, "normal", log), lane("v4", 0, true, "normal", log));
  assert.deepEqual(r.opened, ["v6"]);
  assert.deepEqual(r.calls, ["open", "data v6", "end", "closed normal"]);
  assert.equal(r.outcome, "normal");
});

Deno.test("Happy Eyeballs: a silent leading family lets the other start after the delay, and the winner's stream is the one", async () => {
  const log: string[] = [];
  const r = await race(lane("v6", 10_000, false, "timeout", log), lane("v4", 5, true, "normal", log), 40);
  assert.deepEqual(r.opened, ["v6", "v4"]);
  assert.deepEqual(r.calls, ["open", "data v4", "end", "closed normal"]);
  assert.equal(r.outcome, "normal");
  assert.ok(log.includes("v6 abort"), "the losing lane is aborted");
  assert.ok(r.tookMs >= 40 && r.tookMs < 1000, `took ${r.tookMs} ms`);
});

Deno.test("Happy Eyeballs: a leading family that fails starts the other at once, before the delay", async () => {
  const log: string[] = [];
  const r = await race(lane("v6", 1, false, "refused", log), lane("v4", 1, true, "normal", log), 5_000);
  assert.deepEqual(r.calls, ["open", "data v4", "end", "closed normal"]);
  assert.ok(r.tookMs < 1000, `took ${r.tookMs} ms: the delay was waited out`);
});

Deno.test("Happy Eyeballs: when both fail, the handler is told once, with the outcome of the lane that failed last", async () => {
  const log: string[] = [];
  const r = await race(lane("v6", 1, false, "refused", log), lane("v4", 20, false, "unreachable", log));
  assert.deepEqual(r.calls, ["closed unreachable"]);
  assert.equal(r.outcome, "unreachable");
});

Deno.test("Happy Eyeballs: a family that cannot be opened (no route) leaves the other alone", async () => {
  const log: string[] = [];
  const r = await race(new Error("No route"), lane("v4", 1, true, "normal", log));
  assert.deepEqual(r.calls, ["open", "data v4", "end", "closed normal"]);
  const s = await race(lane("v6", 1, false, "timeout", log), new Error("No route"));
  assert.deepEqual(s.calls, ["closed timeout"]);
});

Deno.test("Happy Eyeballs: a lane that connects after the other won is reset, never seen by the handler", async () => {
  const log: string[] = [];
  // The second lane (started at 20 ms) connects at 25 ms and wins; the leading one connects anyway at 60 ms.
  const r = await race(lane("v6", 60, true, "normal", log, true), lane("v4", 5, true, "normal", log), 20);
  assert.deepEqual(r.calls, ["open", "data v4", "end", "closed normal"]);
  assert.ok(log.includes("v6 stream abort"), `the late lane's stream is aborted: ${log.join(", ")}`);
});

Deno.test("familyLanes() leads with the resolver's first family unless a family is preferred", () => {
  const [a4, b4, a6, b6] = ["198.18.2.2", "198.18.2.3", "2001:2:0:2::2", "2001:2:0:2::3"].map(parseIpAddress);
  assert.deepEqual(familyLanes([a6, a4, b6, b4]), [[a6, b6], [a4, b4]]);
  assert.deepEqual(familyLanes([a4, a6, b4]), [[a4, b4], [a6]]);
  assert.deepEqual(familyLanes([a6, a4], "ipv4"), [[a4], [a6]]);
  assert.deepEqual(familyLanes([a4, a6], "ipv6"), [[a6], [a4]]);
  assert.deepEqual(familyLanes([a4, b4], "ipv6"), [[a4, b4], []], "a preferred family without addresses");
  assert.deepEqual(familyLanes([a6], "ipv4"), [[a6], []]);
});
