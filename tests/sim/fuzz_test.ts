/**
 * Randomised whole-connection runs: every impairment, option and size drawn from the seed (client ISN near the
 * wrap on some seeds, SACK/timestamps/window scale on or off, small buffers, either side closing first, a reader
 * that pauses). The invariant is always the same: the body arrives byte-exact and the connection closes normally.
 */

import { expectOutcome, runScenario, seeds } from "./harness.ts";
import { deliveredExactly } from "./checks.ts";
import { mulberry32 } from "./prng.ts";
import type { LinkConfig } from "./link.ts";

function randomLink(rand: () => number): LinkConfig {
  const pick = (p: number, max: number) => (rand() < p ? rand() * max : 0);
  return {
    delayMs: 1 + rand() * 40,
    jitterMs: pick(0.5, 10),
    loss: pick(0.6, 0.1),
    duplicate: pick(0.3, 0.1),
    reorder: pick(0.3, 0.2),
    reorderMs: 5 + rand() * 40,
    corrupt: pick(0.2, 0.03),
    bytesPerMs: rand() < 0.5 ? 1000 + rand() * 50000 : 0,
    queueBytes: 16384 + Math.floor(rand() * 262144),
  };
}

Deno.test("random links, options and sizes: every body arrives byte-exact and the connection closes", () => {
  for (const seed of seeds(30000, 5000)) {
    const rand = mulberry32(seed);
    const size = rand() < 0.1 ? Math.floor(rand() * 3000) : Math.floor(rand() * 150000);
    const pauseFrom = rand() * 300;
    const o = runScenario({
      seed,
      responseSize: size,
      up: randomLink(rand),
      down: randomLink(rand),
      client: {
        isn: rand() < 0.3 ? 0xffffffff - Math.floor(rand() * 100) : (rand() * 2 ** 32) >>> 0,
        sack: rand() < 0.8,
        timestamps: rand() < 0.8,
        recvBufferSize: rand() < 0.3 ? 2048 + Math.floor(rand() * 30000) : undefined,
        mss: rand() < 0.2 ? 536 : 1460,
      },
      peer: {
        isn: rand() < 0.3 ? 0xffffffff - Math.floor(rand() * size) : (rand() * 2 ** 32) >>> 0,
        windowScale: rand() < 0.2 ? null : Math.floor(rand() * 10),
        sack: rand() < 0.8,
        timestamps: rand() < 0.8,
        mss: rand() < 0.2 ? 1000 : 1460,
      },
      closeFirst: rand() < 0.5 ? "client" : "peer",
      pauseRead: rand() < 0.2 ? { from: pauseFrom, to: pauseFrom + rand() * 3000 } : undefined,
      maxTimeMs: 3_600_000,
    });
    expectOutcome("fuzz", seed, o, deliveredExactly(size));
  }
});
