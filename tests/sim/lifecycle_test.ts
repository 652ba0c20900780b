/**
 * Connection life cycle on the simulated link: who closes first, a reader that stops (zero window), a server that
 * never answers, a server whose window stays shut, and forged RSTs in and out of the window.
 */

import assert from "node:assert/strict";
import { expectOutcome, runScenario, seeds } from "./harness.ts";
import { deliveredExactly } from "./checks.ts";
import { mulberry32 } from "./prng.ts";
import type { LinkConfig } from "./link.ts";

const lossy = (rand: () => number): LinkConfig => ({ delayMs: 3 + rand() * 10, loss: rand() * 0.08, reorder: 0.05 });

Deno.test("peer closes first: CLOSE-WAIT → LAST-ACK → CLOSED, under loss", () => {
  for (const seed of seeds(20000, 500)) {
    const rand = mulberry32(seed);
    const size = Math.floor(rand() * 50000);
    const o = runScenario({ seed, responseSize: size, up: lossy(rand), down: lossy(rand) });
    expectOutcome("peer closes first", seed, o, (x) => {
      const p = deliveredExactly(size)(x);
      if (p !== null) return p;
      const want = "CLOSED,SYN-SENT,ESTABLISHED,CLOSE-WAIT,LAST-ACK,CLOSED";
      if (x.states.join() !== want) return `states ${x.states.join()}`;
      if (x.events.join() !== "connected,peer-closed,closed:normal") return `events ${x.events.join()}`;
      return null;
    });
  }
});

Deno.test("we close first: FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT → CLOSED, and the body still arrives", () => {
  for (const seed of seeds(21000, 500)) {
    const rand = mulberry32(seed);
    const size = Math.floor(rand() * 50000);
    const o = runScenario({ seed, responseSize: size, up: lossy(rand), down: lossy(rand), closeFirst: "client" });
    expectOutcome("we close first", seed, o, (x) => {
      const p = deliveredExactly(size)(x);
      if (p !== null) return p;
      const s = x.states.join();
      // FIN-WAIT-2 is skipped when the server's FIN arrives before the ACK of ours (CLOSING) — both are legal.
      const ok = s === "CLOSED,SYN-SENT,ESTABLISHED,FIN-WAIT-1,FIN-WAIT-2,TIME-WAIT,CLOSED" ||
        s === "CLOSED,SYN-SENT,ESTABLISHED,FIN-WAIT-1,CLOSING,TIME-WAIT,CLOSED" ||
        s === "CLOSED,SYN-SENT,ESTABLISHED,FIN-WAIT-1,TIME-WAIT,CLOSED";
      return ok ? null : `states ${s}`;
    });
  }
});

Deno.test("a reader that pauses makes the window close and reopen without losing a byte", () => {
  for (const seed of seeds(22000, 300)) {
    const rand = mulberry32(seed);
    const size = 200000 + Math.floor(rand() * 300000);
    const pauseFrom = rand() * 200;
    const o = runScenario({
      seed,
      responseSize: size,
      up: { delayMs: 5, loss: rand() * 0.03 },
      down: { delayMs: 5, loss: rand() * 0.03, bytesPerMs: 20000 },
      client: { recvBufferSize: 16384 + Math.floor(rand() * 65536) },
      pauseRead: { from: pauseFrom, to: pauseFrom + 500 + rand() * 5000 },
    });
    expectOutcome("zero window", seed, o, deliveredExactly(size));
  }
});

Deno.test("a server that never answers ends in closed/timeout exactly at userTimeoutMs", () => {
  for (const seed of seeds(23000, 20)) {
    const userTimeoutMs = 5000 + seed % 7 * 10000;
    const o = runScenario({
      seed,
      responseSize: 1000,
      up: { delayMs: 5 },
      down: { delayMs: 5 },
      client: { userTimeoutMs },
      peer: { silent: true },
    });
    expectOutcome("silent server", seed, o, (x) => {
      if (x.reason !== "timeout") return `closed with ${x.reason}`;
      return x.timeMs === userTimeoutMs ? null : `timed out at ${x.timeMs}, not ${userTimeoutMs}`;
    });
    assert.equal(o.events.join(), "closed:timeout");
  }
});

Deno.test("a server whose window stays zero ends in closed/timeout after userTimeoutMs of probing", () => {
  for (const seed of seeds(24000, 20)) {
    const o = runScenario({
      seed,
      responseSize: 1000,
      up: { delayMs: 5 },
      down: { delayMs: 5 },
      client: { userTimeoutMs: 30000 },
      peer: { zeroWindow: true },
    });
    expectOutcome("zero window forever", seed, o, (x) => {
      if (x.reason !== "timeout") return `closed with ${x.reason}`;
      return x.timeMs >= 30000 && x.timeMs <= 30020 ? null : `timed out at ${x.timeMs}`;
    });
  }
});

for (
  const [name, delta, expect] of [
    ["an RST exactly at RCV.NXT resets the connection", 0, "reset"],
    ["an RST inside the window only earns a challenge ACK", 1000, "normal"],
    ["an RST outside the window is ignored", 0x40000000, "normal"],
  ] as const
) {
  Deno.test(`forged RST: ${name}`, () => {
    for (const seed of seeds(25000, 100)) {
      const rand = mulberry32(seed);
      const size = 300000;
      // Quiet link and a reader that pauses, so that RCV.NXT is stable when the RST comes.
      const o = runScenario({
        seed,
        responseSize: size,
        up: { delayMs: 5 },
        down: { delayMs: 5, bytesPerMs: 5000 },
        client: { recvBufferSize: 1 << 20 },
        pauseRead: { from: 0, to: 1000 },
        injectRst: { atMs: 500 + rand() * 400, delta },
      });
      expectOutcome(`rst ${delta}`, seed, o, (x) => {
        if (expect === "reset") return x.reason === "reset" ? null : `closed with ${x.reason}`;
        const p = deliveredExactly(size)(x);
        if (p !== null) return p;
        if (delta === 1000 && x.stats.challengeAcks !== 1) return `${x.stats.challengeAcks} challenge ACKs`;
        return null;
      });
    }
  });
}
