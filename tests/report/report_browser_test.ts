/**
 * `--report` end to end: a download through the testbed's router at 1 % loss, its report opened by a real browser
 * (Debian's headless Chromium) with no network at all (a fresh network namespace with no interface up, and a proxy
 * that goes nowhere), the rendered DOM read back: every chart drew (the page counts the coloured pixels of each
 * canvas with `getImageData`), retransmissions are on the time-sequence graph, no error reached the console, and the
 * summary's numbers are those of the sentence the program printed. A screenshot goes to the test's output folder
 * (`tests/.out/report/`, or `$RHG_TEST_OUTPUT`). Bad report paths fail before anything is downloaded.
 *
 * @module
 */

import assert from "node:assert/strict";
import { rhg } from "../_support/program.ts";
import { testbedTest } from "../testbed/testbed.ts";
import { exec } from "../_support/exec.ts";

const MiB = 2 ** 20;
const OUTPUT = Deno.env.get("RHG_TEST_OUTPUT") ?? new URL("../.out/report/", import.meta.url).pathname;

/** Chromium, headless, in a network namespace of its own with no interface up: nothing can leave it. */
function chromium(profile: string, args: string[]): string[] {
  return [
    "unshare",
    "--net",
    "chromium",
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--proxy-server=127.0.0.1:9",
    `--user-data-dir=${profile}`,
    "--virtual-time-budget=10000",
    "--window-size=1280,2800",
    ...args,
  ];
}

/** The value of `attr` on the first element that has `marker`, from the dumped DOM. */
function attribute(dom: string, marker: string, attr: string): string {
  const tag = new RegExp(`${marker.startsWith("<") ? "" : "<[^>]*"}${marker}[^>]*>`).exec(dom)?.[0] ?? "";
  const value = new RegExp(`${attr}="([^"]*)"`).exec(tag)?.[1];
  assert.ok(value !== undefined, `no ${attr} on ${marker} in the page`);
  return value;
}

/** The text of the summary cell `field`. */
function cell(dom: string, field: string): string {
  const m = new RegExp(`data-summary="${field}"[^>]*>([^<]*)<`).exec(dom);
  assert.ok(m !== null, `no summary cell ${field}`);
  return m[1];
}

const unescape = (s: string) =>
  s.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"').replaceAll("&#39;", "'")
    .replaceAll("&amp;", "&");

testbedTest("--report of a download at 1 % loss opens offline in Chromium, drawn, with the CLI's numbers", {
  servers: ["nginx"],
  lossToClient: 0.01,
  tools: ["nginx", "chromium", "unshare"],
}, async (_t, tb) => {
  await tb.randomFile("lossy.bin", 16 * MiB, "report");
  // The file goes where any user may write (the program may run as nobody once its sockets are open); the report
  // files, opened before that, stay in the run's private directory.
  const saved = `/tmp/rhg-report-${crypto.randomUUID()}.bin`;
  const args = ["-O", saved, "--report", "report.html", "--report-json", "report.json", tb.url("nginx", "/lossy.bin")];
  const r = await rhg(tb, args).finally(() => Deno.remove(saved).catch(() => {}));
  assert.equal(r.code, 0, r.stderr);
  const sentence = /^Saved .*$/m.exec(r.stderr)?.[0];
  assert.ok(sentence !== undefined, r.stderr);
  const [, bytes, seconds, retransmitted, outOfOrder, badChecksums] =
    /\((\d+) bytes\) in ([\d.]+) s, [\d.]+ MiB\/s; (\d+) retransmitted, (\d+) out of order, (\d+) bad checksums/
      .exec(sentence)!;
  const json = JSON.parse(await Deno.readTextFile(`${r.dir}/report.json`));
  assert.equal(json.schema, "rawhttpget-report/1");
  const c = json.connections[0];
  // The router dropped about 1 % of the server's packets: they came again, and the engine saw holes.
  assert.ok(c.tally.retransmittedIn > 0 && c.tally.outOfOrderIn > 0, JSON.stringify(c.tally));
  assert.equal(c.tally.outOfOrderIn, Number(outOfOrder));

  const profile = await Deno.makeTempDir({ dir: tb.tempDir, prefix: "chromium-" });
  const page = `file://${r.dir}/report.html`;
  const dump = await exec(chromium(profile, ["--dump-dom", page]), { timeoutMs: 60_000 });
  assert.equal(dump.code, 0, dump.stderr);
  const dom = dump.stdout;
  assert.equal(attribute(dom, "<body", "data-report-status"), "ready");
  assert.equal(attribute(dom, "<body", "data-errors"), "0", /<ul id="report-errors">.*?<\/ul>/s.exec(dom)?.[0]);
  for (const chart of ["time-sequence", "throughput", "rtt", "in-flight"]) {
    assert.ok(Number(attribute(dom, `data-chart="${chart}"`, "data-pixels")) > 1000, `${chart} is blank`);
  }
  assert.ok(Number(attribute(dom, `data-chart="time-sequence"`, "data-pixels-data")) > 200);
  assert.ok(Number(attribute(dom, `data-chart="time-sequence"`, "data-pixels-retransmission")) > 0);
  // The summary says what the command line said.
  assert.equal(unescape(/data-sentence="">([^<]*)</.exec(dom)![1]), sentence);
  assert.equal(cell(dom, "bytes"), bytes);
  assert.equal(cell(dom, "seconds"), seconds);
  assert.equal(cell(dom, "retransmissions"), retransmitted);
  assert.equal(cell(dom, "outOfOrder"), outOfOrder);
  assert.equal(cell(dom, "badChecksums"), badChecksums);

  await Deno.mkdir(OUTPUT, { recursive: true });
  const shot = `${OUTPUT}/report_1pct_loss.png`;
  const taken = await exec(chromium(profile, [`--screenshot=${shot}`, page]), { timeoutMs: 60_000 });
  assert.equal(taken.code, 0, taken.stderr);
  assert.ok((await Deno.stat(shot)).size > 10_000);
}, { sanitizeResources: false, sanitizeOps: false });

testbedTest("--report to a path that cannot be written fails with exit 3 before any download", {
  servers: ["nginx"],
}, async (_t, tb) => {
  await tb.randomFile("a.bin", 1000, "a");
  const url = tb.url("nginx", "/a.bin");
  for (
    const args of [["--report", "missing/dir/r.html"], ["--report-json", "."], [
      "--report",
      "ok.html",
      "--report-json",
      "/proc/x.json",
    ]]
  ) {
    const r = await rhg(tb, [...args, url]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^rawhttpget: Cannot write the report to '[^']+': .+$/m);
    // Nothing was fetched, and the report that could be opened was not left behind.
    const left = [...Deno.readDirSync(r.dir)].map((e) => e.name);
    assert.deepEqual(left, [], `${args.join(" ")} left ${left.join(", ")}`);
  }
});
