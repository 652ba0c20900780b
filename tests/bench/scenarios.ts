/**
 * The benchmark's scenarios: each sets the testbed's impairments and offloads from a clean state, names the file
 * sizes it downloads, and states its performance target (ratios to curl measured in the same run).
 *
 * Loss is made in the router namespace, so both ends see real loss; "data" loss drops server → client packets, "ACK"
 * loss drops client → server packets. Round-trip time comes from the router's delay line (tests/testbed/delay_line.ts),
 * half of it each way; the loss is applied after it.
 *
 * @module
 */

import type { Testbed } from "../testbed/testbed.ts";
import type { ToolName } from "./tools.ts";

const MIB = 1024 * 1024;

/** A condition a scenario's result is held to. */
export type Target =
  | { readonly kind: "ratio"; readonly min: number; readonly size: number }
  | { readonly kind: "rss"; readonly maxMB: number; readonly size: number }
  | { readonly kind: "wall-delta"; readonly maxS: number; readonly size: number }
  | { readonly kind: "report-cost"; readonly maxCost: number; readonly size: number }
  /**
   * `tool`'s speed over `against`'s, by the whole process's wall time (the tools' own clocks start at different
   * moments, and aria2 reports none): against's median wall seconds / tool's.
   */
  | {
    readonly kind: "speed-ratio";
    readonly tool: ToolName;
    readonly against: ToolName;
    readonly min: number;
    readonly size: number;
  };

/** One benchmark scenario. */
export interface Scenario {
  /** Short name (the `--only` filter and the table's first column). */
  readonly name: string;
  /** What the network looks like. */
  readonly description: string;
  /** File sizes downloaded, in bytes (full mode). */
  readonly sizes: readonly number[];
  /** File sizes in short mode (empty: skipped). */
  readonly shortSizes: readonly number[];
  /** Served over TLS by the testbed's HTTPS nginx (tests/testbed/tls.ts), the tools trusting its test CA. */
  readonly https?: boolean;
  /** Also run rawhttpget with `--report` (the row `rawhttpget+report`, its ratio to plain rawhttpget). */
  readonly report?: boolean;
  /** The tools compared (default: rawhattpget, curl and wget; see tools.ts). */
  readonly tools?: readonly ToolName[];
  /** Targets, checked in full mode and printed (never failing the run). */
  readonly targets: readonly Target[];
  /** Loss to client and to server, rate toward the client (Mbit/s), client GRO, server offloads, round trip (ms). */
  readonly net: {
    readonly lossToClient?: number;
    readonly lossToServer?: number;
    readonly rateMbit?: number;
    readonly clientGro?: boolean;
    readonly serverOffloads?: boolean;
    readonly rttMs?: number;
  };
}

/** Every scenario, in the order they run. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: "clean",
    description: "no impairment, 1500-byte frames, server offloads off",
    sizes: [1 * MIB, 10 * MIB, 100 * MIB],
    shortSizes: [1 * MIB],
    report: true,
    targets: [
      { kind: "ratio", min: 0.5, size: 100 * MIB },
      { kind: "wall-delta", maxS: 0.15, size: 1 * MIB },
      { kind: "report-cost", maxCost: 0.03, size: 100 * MIB },
    ],
    net: {},
  },
  {
    name: "loss-1%",
    description: "1% of data packets dropped in the router",
    sizes: [100 * MIB],
    shortSizes: [],
    report: true,
    targets: [{ kind: "ratio", min: 0.8, size: 100 * MIB }, { kind: "report-cost", maxCost: 0.03, size: 100 * MIB }],
    net: { lossToClient: 0.01 },
  },
  {
    name: "loss-5%",
    description: "5% of data packets dropped in the router",
    sizes: [10 * MIB, 100 * MIB],
    shortSizes: [1 * MIB],
    targets: [{ kind: "ratio", min: 0.8, size: 100 * MIB }],
    net: { lossToClient: 0.05 },
  },
  {
    name: "ack-loss-1%",
    description: "1% of the client's packets (ACKs) dropped in the router",
    sizes: [100 * MIB],
    shortSizes: [1 * MIB],
    targets: [],
    net: { lossToServer: 0.01 },
  },
  {
    name: "tbf-100M",
    description: "100 Mbit/s token bucket in the router toward the client",
    sizes: [10 * MIB, 50 * MIB],
    shortSizes: [],
    targets: [{ kind: "ratio", min: 0.97, size: 50 * MIB }],
    net: { rateMbit: 100 },
  },
  {
    name: "gro",
    description: "GRO on on the client's interface",
    sizes: [100 * MIB],
    shortSizes: [1 * MIB],
    targets: [{ kind: "ratio", min: 0.5, size: 100 * MIB }],
    net: { clientGro: true },
  },
  {
    name: "offloads",
    description: "server offloads on (TSO/GSO, partial checksums) and client GRO on",
    sizes: [100 * MIB],
    shortSizes: [],
    targets: [{ kind: "ratio", min: 0.5, size: 100 * MIB }],
    net: { clientGro: true, serverOffloads: true },
  },
  {
    name: "https",
    description: "the clean link, the file served over TLS (port 443, the testbed's own CA)",
    sizes: [100 * MIB],
    shortSizes: [1 * MIB],
    https: true,
    targets: [],
    net: {},
  },
  ...rttScenarios(),
  ...parallelScenarios(),
  {
    name: "memory",
    description: "a 1 GiB download on a clean link",
    sizes: [1024 * MIB],
    shortSizes: [],
    targets: [{ kind: "rss", maxMB: 100, size: 1024 * MIB }],
    net: {},
  },
];

/**
 * Round trips of a regional, a continental and an intercontinental path, each clean and with 1% data loss. Only the
 * 20 ms one runs in short mode: a 1 MiB download there is a few round trips, so CI stays quick. No 100 MiB at 300 ms:
 * the server's send buffer caps every tool near 7 MiB/s there (4 MiB/s with loss), 14–26 s a download.
 */
function rttScenarios(): Scenario[] {
  return [20, 100, 300].flatMap((rttMs): Scenario[] => [
    {
      name: `rtt-${rttMs}ms`,
      description: `${rttMs} ms round trip (the router's delay line), no loss`,
      sizes: rttMs < 300 ? [1 * MIB, 10 * MIB, 100 * MIB] : [1 * MIB, 10 * MIB],
      shortSizes: rttMs === 20 ? [1 * MIB] : [],
      targets: [],
      net: { rttMs },
    },
    {
      name: `rtt-${rttMs}ms-loss-1%`,
      description: `${rttMs} ms round trip and 1% of data packets dropped in the router`,
      sizes: rttMs < 300 ? [10 * MIB, 100 * MIB] : [10 * MIB],
      shortSizes: [],
      targets: [],
      net: { rttMs, lossToClient: 0.01 },
    },
  ]);
}

/**
 * One file over four connections (`--connections 4`) against curl's single flow and aria2's four: on a long lossy
 * path, where one flow is held back by its losses and by the server's send buffer (≈ 2 MiB in flight per flow), and
 * on the clean link, where splitting must cost nothing.
 */
function parallelScenarios(): Scenario[] {
  const tools: ToolName[] = ["rawhttpget", "rawhttpget-x4", "curl", "aria2c-x4"];
  const size = 100 * MIB;
  const ratio = (against: ToolName, min: number): Target => ({
    kind: "speed-ratio",
    tool: "rawhttpget-x4",
    against,
    min,
    size,
  });
  return [
    {
      name: "parallel-rtt-100ms-loss-1%",
      description: "four connections, 100 ms round trip and 1% of data packets dropped",
      sizes: [size],
      shortSizes: [],
      tools,
      targets: [ratio("curl", 2), ratio("aria2c-x4", 0.9)],
      net: { rttMs: 100, lossToClient: 0.01 },
    },
    {
      name: "parallel-clean",
      description: "four connections on the clean link",
      sizes: [size],
      shortSizes: [],
      tools,
      targets: [ratio("rawhttpget", 1)],
      net: {},
    },
  ];
}

/** Puts the testbed into a scenario's state, undoing whatever the previous scenario set. */
export async function applyScenario(tb: Testbed, s: Scenario): Promise<void> {
  if (tb.rttMs !== (s.net.rttMs ?? 0)) await tb.setDelay(s.net.rttMs ?? 0);
  await tb.setLoss(s.net.lossToClient ?? 0, s.net.lossToServer ?? 0);
  await tb.setRate(s.net.rateMbit ?? null);
  await tb.setClientGro(s.net.clientGro ?? false);
  await tb.setServerOffloads(s.net.serverOffloads ?? false);
}

/** A size as the table shows it (`1 MiB`, `1 GiB`). */
export function formatSize(bytes: number): string {
  return bytes >= 1024 * MIB ? `${bytes / (1024 * MIB)} GiB` : `${bytes / MIB} MiB`;
}
