/**
 * Byte-exact downloads through the simulated lossy link: sizes around the MSS, loss rates, reordering,
 * duplication, corruption, and sequence numbers that wrap. A failing seed prints a replay hint (`RHG_SEED=…`).
 */

import { expectOutcome, runScenario, seeds } from "./harness.ts";
import { deliveredExactly } from "./checks.ts";
import { mulberry32 } from "./prng.ts";
import type { LinkConfig } from "./link.ts";

const MSS = 1448; // 1460 minus the timestamps option

Deno.test("sizes 0, 1, MSS−1, MSS, MSS+1 and 3 MiB arrive byte-exact on a clean link", () => {
  for (const size of [0, 1, MSS - 1, MSS, MSS + 1, 2 * MSS, 3 << 20]) {
    for (const seed of seeds(100, 5)) {
      const o = runScenario({ seed, responseSize: size, up: { delayMs: 5 }, down: { delayMs: 5, bytesPerMs: 50000 } });
      expectOutcome(`clean size ${size}`, seed, o, deliveredExactly(size));
    }
  }
});

Deno.test("sizes around the MSS arrive byte-exact under 10% loss, without SACK and without timestamps too", () => {
  for (const size of [0, 1, MSS - 1, MSS, MSS + 1]) {
    for (const seed of seeds(200, 30)) {
      const variant = seed % 3;
      const client = variant === 0 ? {} : variant === 1 ? { sack: false } : { timestamps: false };
      const link: LinkConfig = { delayMs: 10, loss: 0.1 };
      const o = runScenario({ seed, responseSize: size, up: link, down: link, client });
      expectOutcome(`lossy size ${size}`, seed, o, deliveredExactly(size));
    }
  }
});

for (const loss of [0.01, 0.05, 0.2]) {
  Deno.test(`random sizes arrive byte-exact under ${loss * 100}% loss in both directions`, () => {
    for (const seed of seeds(1000 + loss * 1000, loss === 0.2 ? 500 : 1000)) {
      const rand = mulberry32(seed);
      const size = Math.floor(rand() * (loss === 0.2 ? 60000 : 300000));
      const link: LinkConfig = { delayMs: 2 + rand() * 20, jitterMs: rand() * 3, loss, bytesPerMs: 20000 };
      const o = runScenario({ seed, responseSize: size, up: link, down: link, maxTimeMs: 3_600_000 });
      expectOutcome(`loss ${loss}`, seed, o, deliveredExactly(size));
    }
  });
}

Deno.test("heavy reordering, duplication, jitter and corruption still deliver byte-exact", () => {
  for (const seed of seeds(5000, 1000)) {
    const rand = mulberry32(seed);
    const size = Math.floor(rand() * 200000);
    const link: LinkConfig = {
      delayMs: 5 + rand() * 10,
      jitterMs: rand() * 10,
      reorder: 0.3,
      reorderMs: 30,
      duplicate: 0.2,
      corrupt: 0.02,
      loss: 0.02,
    };
    const client = seed % 4 === 0 ? { sack: false } : seed % 4 === 1 ? { recvBufferSize: 32768 } : {};
    const o = runScenario({ seed, responseSize: size, up: link, down: { ...link, bytesPerMs: 10000 }, client });
    expectOutcome("reorder+dup+corrupt", seed, o, deliveredExactly(size));
  }
});

Deno.test("sequence numbers of both sides wrap during the transfer", () => {
  for (const seed of seeds(7000, 500)) {
    const rand = mulberry32(seed);
    const size = 50000 + Math.floor(rand() * 100000);
    const link: LinkConfig = { delayMs: 5, loss: 0.03, reorder: 0.05 };
    const o = runScenario({
      seed,
      responseSize: size,
      up: link,
      down: link,
      client: { isn: 0xffffffff - Math.floor(rand() * 20) },
      peer: { isn: 0xffffffff - Math.floor(rand() * size) },
    });
    expectOutcome("wrap", seed, o, deliveredExactly(size));
  }
});

Deno.test("several MiB arrive byte-exact at 0%, 1% and 5% loss with a bottleneck queue", () => {
  for (const [i, loss] of [0, 0.01, 0.05].entries()) {
    for (const seed of seeds(9000 + i * 10, 2)) {
      const size = 4 << 20;
      const o = runScenario({
        seed,
        responseSize: size,
        up: { delayMs: 5, loss },
        down: { delayMs: 5, loss, bytesPerMs: 100000, queueBytes: 1 << 20 },
        maxTimeMs: 3_600_000,
      });
      expectOutcome(`large ${loss}`, seed, o, deliveredExactly(size));
    }
  }
});
