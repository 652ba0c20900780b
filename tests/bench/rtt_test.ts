/**
 * rawhttpget against curl on long paths: at 20 and 100 ms round trip (the router's delay line), 1 MiB and 10 MiB from
 * nginx, both tools on the same testbed, alternating. Every file must be byte-exact; the times are printed as a
 * table. Timing is judged only loosely (the machine is shared): the downloads must show the round trips they cross,
 * and rawhttpget's 10 MiB at 100 ms may take at most twice curl's time.
 */

import assert from "node:assert/strict";
import { type RandomFile } from "../testbed/testbed.ts";
import { testbedTest } from "../testbed/testbed.ts";
import { measureRun, type RunResult } from "./measure.ts";
import { formatSize } from "./scenarios.ts";
import type { ToolName } from "./tools.ts";

const MiB = 1 << 20;
const RTTS = [20, 100];
const SIZES = [1 * MiB, 10 * MiB];
const TOOLS: ToolName[] = ["rawhttpget", "curl"];

testbedTest(
  "at 20 and 100 ms round trip rawhttpget saves 1 MiB and 10 MiB byte-exact, within twice curl's time",
  { servers: ["nginx"], tools: ["curl", "time"] },
  async (_t, tb) => {
    const files = new Map<number, RandomFile>();
    for (const size of SIZES) files.set(size, await tb.randomFile(`rtt-${size}.bin`, size, size));
    const rows: { rttMs: number; size: number; best: Map<ToolName, RunResult> }[] = [];
    for (const rttMs of RTTS) {
      await tb.setDelay(rttMs);
      for (const size of SIZES) {
        const url = tb.url("nginx", `/rtt-${size}.bin`);
        const best = new Map<ToolName, RunResult>();
        // Two runs each, the order swapped, the faster kept: one stall of a loaded machine does not decide.
        for (const order of [TOOLS, [...TOOLS].reverse()]) {
          for (const tool of order) {
            const r = await measureRun(tb, tool, url, files.get(size)!.sha256, 60_000);
            assert.ok(r.ok, `${tool} at ${rttMs} ms, ${formatSize(size)}: ${r.error}`);
            if (!best.has(tool) || r.wallS < best.get(tool)!.wallS) best.set(tool, r);
          }
        }
        rows.push({ rttMs, size, best });
      }
    }
    const line = (cells: string[]) => `| ${cells.map((c) => c.padEnd(10)).join(" | ")} |`;
    const table = [line(["RTT", "size", "rawhttpget", "curl", "difference", "rhg MiB/s", "curl MiB/s"])];
    for (const { rttMs, size, best } of rows) {
      const [ours, curl] = [best.get("rawhttpget")!, best.get("curl")!];
      table.push(line([
        `${rttMs} ms`,
        formatSize(size),
        `${ours.wallS.toFixed(2)} s`,
        `${curl.wallS.toFixed(2)} s`,
        `${((ours.wallS - curl.wallS) * 1000).toFixed(0)} ms`,
        (ours.mibps ?? NaN).toFixed(1),
        (curl.mibps ?? NaN).toFixed(1),
      ]));
    }
    console.log(`Whole-process wall time, best of two runs each:\n${table.join("\n")}`);
    for (const { rttMs, size, best } of rows) {
      // Handshake, request and response take three round trips at least: fewer means the delay was not there.
      for (const [tool, r] of best) {
        assert.ok(r.wallS >= 3 * rttMs / 1000, `${tool} took ${r.wallS} s at ${rttMs} ms for ${formatSize(size)}`);
      }
    }
    const last = rows.find((r) => r.rttMs === 100 && r.size === 10 * MiB)!.best;
    const [ours, curl] = [last.get("rawhttpget")!.wallS, last.get("curl")!.wallS];
    assert.ok(ours <= 2 * curl, `10 MiB at 100 ms: rawhttpget ${ours} s, curl ${curl} s`);
  },
);
