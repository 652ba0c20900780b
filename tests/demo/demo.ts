/**
 * `deno task demo` (as root): brings up the three-namespace testbed, serves a random multi-MiB file and a text file
 * from a `Deno.serve` server, downloads both through rawhttpget's user-space TCP/IP stack (the text gzip-encoded),
 * prints a table — sha256 match, size, time, throughput, the engine's counters — and tears everything down. Each
 * download also writes its `--report` (what TCP did, drawn: open it in a browser) into a directory that outlives the
 * testbed (`$TMPDIR/rawhttpget-demo/`), and the demo prints their paths.
 *
 * Needs only Deno and iproute2 (`ip`, `ss`): the firewall guard uses netlink, not the `nft`/`iptables` tools; without
 * `ethtool` the server's offloads stay at veth's defaults (64 KiB segments, partial checksums), which the stack
 * handles too. Exit code 0 when every file matches, 1 otherwise, 2 when not root.
 *
 * @module
 */

import { type Testbed, withTestbed } from "../testbed/testbed.ts";
import { sha256Bytes, sha256File } from "../_support/files.ts";
import { leftovers } from "../_support/namespaces.ts";
import { mainCommand } from "../_support/program.ts";
import { startStaticServer } from "./static_server.ts";
import { makeText } from "./text.ts";

const MiB = 1 << 20;
/** Where the reports go: not the testbed's temp directory, which goes with it. */
const REPORT_DIR = `${Deno.env.get("TMPDIR") ?? "/tmp"}/rawhttpget-demo`;

/** One row of the report. */
interface Row {
  file: string;
  encoding: string;
  bytes: number;
  seconds: number;
  match: boolean;
  counters: [string, number][];
  error: string | null;
  /** The `--report` page, when it was written. */
  report: string | null;
}

/** The counters of the program's summary line ("…; 0 retransmitted, 3 out of order, 0 bad checksums"). */
export function parseSummary(stderr: string): { seconds: number | null; counters: [string, number][] } {
  const line = stderr.split("\n").reverse().find((l) => l.startsWith("Saved ")) ?? "";
  const seconds = /\bin ([\d.]+) s\b/.exec(line);
  const tail = line.slice(line.indexOf(";") + 1);
  const counters: [string, number][] = [];
  for (const part of line.includes(";") ? tail.split(",") : []) {
    const m = /^\s*(\d+) (.+?)\s*$/.exec(part);
    if (m !== null) counters.push([m[2], Number(m[1])]);
  }
  return { seconds: seconds === null ? null : Number(seconds[1]), counters };
}

async function fetchThroughStack(tb: Testbed, url: string, expected: string, encoding: string): Promise<Row> {
  const file = url.slice(url.lastIndexOf("/") + 1);
  const out = `${tb.tempDir}/downloaded-${file}`;
  const report = `${REPORT_DIR}/${file}.html`;
  await Deno.remove(report).catch(() => {});
  const r = await tb.execClient(mainCommand(["-O", out, "--report", report, url]), { timeoutMs: 120_000 });
  let sha = "";
  let bytes = 0;
  try {
    sha = await sha256File(out);
    bytes = (await Deno.stat(out)).size;
  } catch { /* nothing saved */ }
  const summary = parseSummary(r.stderr);
  const error = r.code === 0 ? null : `exit code ${r.code}: ${r.stderr.trim().split("\n").pop()}`;
  return {
    file,
    encoding,
    bytes,
    seconds: summary.seconds ?? r.timeMs / 1000,
    match: r.code === 0 && sha === expected,
    counters: summary.counters,
    error,
    report: (await Deno.stat(report).catch(() => null))?.size ? report : null,
  };
}

function size(bytes: number): string {
  return bytes >= MiB
    ? `${(bytes / MiB).toFixed(1)} MiB`
    : bytes >= 1024
    ? `${(bytes / 1024).toFixed(1)} KiB`
    : `${bytes} B`;
}

/** Renders rows as an aligned text table with a header line; columns listed in `left` are left-aligned. */
export function table(header: string[], rows: string[][], left: number[] = [0]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => left.includes(i) ? c.padEnd(widths[i]) : c.padStart(widths[i])).join("  ").trimEnd();
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

function report(rows: Row[]): string {
  const names = [...new Set(rows.flatMap((r) => r.counters.map(([k]) => k)))];
  const header = ["file", "encoding", "size", "time", "throughput", "sha256", ...names];
  const cells = rows.map((r) => [
    r.file,
    r.encoding,
    size(r.bytes),
    `${r.seconds.toFixed(2)} s`,
    r.seconds > 0 ? `${(r.bytes / MiB / r.seconds).toFixed(1)} MiB/s` : "-",
    r.match ? "match" : "MISMATCH",
    ...names.map((n) => String(r.counters.find(([k]) => k === n)?.[1] ?? "-")),
  ]);
  return table(header, cells, [0, 1, 5]);
}

async function main(): Promise<number> {
  if (Deno.uid() !== 0) {
    console.error(
      "The demo creates network namespaces and raw sockets, which needs root: run it as root, e.g. " +
        '`sudo "$(command -v deno)" task demo`.',
    );
    return 2;
  }
  console.log("rawhttpget demo: HTTP downloads through a TCP/IP stack written in TypeScript, on raw sockets\n");
  const started = performance.now();
  let rows: Row[] = [];
  await Deno.mkdir(REPORT_DIR, { recursive: true });
  await withTestbed({ servers: [] }, async (tb) => {
    const big = await tb.randomFile("random.bin", 24 * MiB, "demo");
    const text = makeText(4 * MiB);
    await tb.writeFile("book.txt", text);
    const serve = await startStaticServer(tb);
    console.log(
      `testbed up in ${((performance.now() - started) / 1000).toFixed(1)} s: client ${tb.clientAddr} → router → ` +
        `server ${tb.serverAddr} (Deno.serve at ${serve.base}/)`,
    );
    for (const w of tb.warnings) console.log(`note: ${w}`);
    rows = [
      await fetchThroughStack(tb, `${serve.base}/random.bin`, big.sha256, "identity"),
      await fetchThroughStack(tb, `${serve.base}/book.txt`, sha256Bytes(new TextEncoder().encode(text)), "gzip"),
    ];
  });
  const left = await leftovers("mine");
  console.log(`\n${report(rows)}\n`);
  for (const r of rows) if (r.error !== null) console.log(`${r.file}: ${r.error}`);
  for (const r of rows) if (r.report !== null) console.log(`what TCP did for ${r.file}: ${r.report}`);
  console.log(
    left.length === 0
      ? `testbed down: no namespace, firewall rule or temp file left (${
        ((performance.now() - started) / 1000).toFixed(1)
      } s in all)`
      : `testbed down, but these namespaces remain: ${left.join(", ")}`,
  );
  return rows.every((r) => r.match) && left.length === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
