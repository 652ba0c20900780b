/**
 * Prints the counters of a 50 MiB download at 5% loss (both directions) on the simulator, with the CPU time.
 * Run: `deno run --allow-env --allow-read tests/sim/report.ts` (optional env `RHG_SEED`).
 *
 * @module
 */

import { runScenario } from "./harness.ts";

if (import.meta.main) {
  const seed = Number(Deno.env.get("RHG_SEED") ?? 50);
  const size = 50 * 1024 * 1024;
  const started = performance.now();
  const o = runScenario({
    seed,
    responseSize: size,
    up: { delayMs: 5, loss: 0.05 },
    down: { delayMs: 5, loss: 0.05, bytesPerMs: 100_000, queueBytes: 1 << 20 },
    maxTimeMs: 3_600_000,
  });
  const cpuMs = performance.now() - started;
  console.log(`50 MiB at 5% loss each way, 10 ms RTT, 100 MB/s bottleneck, seed ${seed}`);
  console.log(`  result: ${o.received === size && o.mismatchAt < 0 ? "byte-exact" : "WRONG"}, closed ${o.reason}`);
  console.log(`  virtual time ${(o.timeMs / 1000).toFixed(2)} s, CPU ${cpuMs.toFixed(0)} ms (engine + simulator)`);
  console.log(`  client: ${JSON.stringify(o.stats)}`);
  console.log(`  server retransmissions: ${o.peerRetransmissions}`);
  console.log(`  link down: ${JSON.stringify(o.down)}; up: ${JSON.stringify(o.up)}`);
}
