/**
 * Every address of a name, with scripted attempts: the handler sees one stream whatever happened to the attempts
 * before, each attempt gets its share of the connect time, and an outcome after the handshake is final.
 *
 * @module
 */

import assert from "node:assert/strict";
import { newStats } from "../../src/tcp/mod.ts";
import {
  type ByteStream,
  failoverSession,
  newFrameCounters,
  type StreamHandler,
  type StreamOutcome,
  type StreamSession,
} from "../../src/transport/mod.ts";
import { formatIpAddress, type IpAddress, parseIpv4Address } from "../../src/wire/mod.ts";

const A = parseIpv4Address("198.18.2.3"), B = parseIpv4Address("198.18.2.2"), C = parseIpv4Address("198.18.2.4");

/** An attempt that ends as scripted: before its handshake (`connects` false) or after it. */
function attempt(outcome: StreamOutcome, connects: boolean, log: string[], address: IpAddress): StreamSession {
  const stream: ByteStream = { write() {}, closeWrite() {}, pause() {}, resume() {}, abort() {} };
  return {
    run(handler: StreamHandler) {
      if (connects) {
        handler.onOpen(stream);
        handler.onData(new Uint8Array(3));
        handler.onEnd();
      }
      handler.onClosed(outcome);
      return Promise.resolve(outcome);
    },
    abort: (why) => log.push(`abort ${why} ${formatIpAddress(address)}`),
    tcpStats: newStats(),
    frameCounters: newFrameCounters(),
    lastIcmp: null,
    close: () => {
      log.push(`close ${formatIpAddress(address)}`);
      return Promise.resolve();
    },
  };
}

class Handler implements StreamHandler {
  readonly calls: string[] = [];
  onOpen(): void {
    this.calls.push("open");
  }
  onData(bytes: Uint8Array): void {
    this.calls.push(`data ${bytes.length}`);
  }
  onEnd(): void {
    this.calls.push("end");
  }
  onClosed(outcome: StreamOutcome): void {
    this.calls.push(`closed ${outcome}`);
  }
}

Deno.test("failoverSession() moves past refused and unreachable addresses; the handler sees one stream", async () => {
  const log: string[] = [];
  const script: Record<string, [StreamOutcome, boolean]> = {
    "198.18.2.3": ["unreachable", false],
    "198.18.2.4": ["refused", false],
    "198.18.2.2": ["normal", true],
  };
  const budgets: number[] = [];
  const notices: string[] = [];
  let now = 0;
  const session = await failoverSession(
    [A, C, B],
    (address, ms) => {
      budgets.push(ms);
      now += 100;
      const [outcome, connects] = script[formatIpAddress(address)];
      return Promise.resolve(attempt(outcome, connects, log, address));
    },
    { connectTimeoutMs: 3000, port: 80, notice: (m) => notices.push(m), clock: () => now },
  );
  const handler = new Handler();
  assert.equal(await session.run(handler), "normal");
  assert.deepEqual(handler.calls, ["open", "data 3", "end", "closed normal"]);
  assert.deepEqual(notices, [
    "198.18.2.3:80: no answer; trying 198.18.2.4",
    "198.18.2.4:80: refused the connection; trying 198.18.2.2",
  ]);
  // The time left shared by the addresses left: 3000/3, then (3000 − 100)/2, then 3000 − 200.
  assert.deepEqual(budgets, [1000, 1450, 2800]);
  assert.deepEqual(log, ["close 198.18.2.3", "close 198.18.2.4"]);
  await session.close();
  assert.deepEqual(log.at(-1), "close 198.18.2.2");
});

Deno.test("failoverSession() ends with the last address's outcome when none connects", async () => {
  const log: string[] = [];
  const session = await failoverSession(
    [A, B],
    (address) => Promise.resolve(attempt("timeout", false, log, address)),
    { connectTimeoutMs: 1000, port: 80 },
  );
  const handler = new Handler();
  assert.equal(await session.run(handler), "timeout");
  assert.deepEqual(handler.calls, ["closed timeout"]);
});

Deno.test("failoverSession() does not fail over once connected, nor after an abort", async () => {
  const log: string[] = [];
  const connected = await failoverSession(
    [A, B],
    (address) => Promise.resolve(attempt("reset", true, log, address)),
    { connectTimeoutMs: 1000, port: 80 },
  );
  const handler = new Handler();
  assert.equal(await connected.run(handler), "reset");
  assert.deepEqual(handler.calls, ["open", "data 3", "end", "closed reset"]);
  assert.deepEqual(log, []);

  const interrupted = await failoverSession(
    [A, B],
    (address) => Promise.resolve(attempt("timeout", false, log, address)),
    { connectTimeoutMs: 1000, port: 80 },
  );
  interrupted.abort("interrupted");
  const second = new Handler();
  assert.equal(await interrupted.run(second), "timeout");
  assert.deepEqual(second.calls, ["closed timeout"]);
  assert.deepEqual(log, ["abort interrupted 198.18.2.3"]);
});

Deno.test("failoverSession() with one address is that attempt itself; with none it refuses", async () => {
  const log: string[] = [];
  const only = attempt("normal", true, log, B);
  assert.equal(
    await failoverSession([B], () => Promise.resolve(only), { connectTimeoutMs: 1000, port: 80 }),
    only,
  );
  await assert.rejects(
    failoverSession([], () => Promise.resolve(only), { connectTimeoutMs: 1000, port: 80 }),
    RangeError,
  );
});
