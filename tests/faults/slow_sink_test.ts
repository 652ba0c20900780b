/**
 * A sink much slower than the network (the requirement: "our own buffer full with a slow disk: the window closes and
 * reopens; no data lost"): `-O -` into a reader that takes 64 KiB every 10 ms (~6 MiB/s), for 20 MiB. The file
 * is written behind on a worker thread, so the loop keeps answering; once our buffer is full the driver stops
 * reading, the receive ring fills, and our pcap must show the advertised window closing (below one MSS) and
 * opening again, and the bytes must arrive whole (the server's resends are logged, not asserted: see below). Over
 * https too: there the TLS socket is paused, and the Duplex under it pauses the driver once its own buffer is full.
 */

import assert from "node:assert/strict";
import { readTrace, type TraceEntry } from "../adversarial/_harness.ts";
import { type RandomFile, type Testbed, testbedTest } from "../testbed/testbed.ts";
import { startHttpsServer } from "../testbed/tls.ts";
import { mainCommand } from "../_support/program.ts";

/** Reads stdin 64 KiB at a time with a 10 ms pause, then prints the byte count and the SHA-256. */
const SLOW_READER = `
import hashlib, sys, time
h, n = hashlib.sha256(), 0
while True:
    b = sys.stdin.buffer.read1(65536)
    if not b:
        break
    h.update(b)
    n += len(b)
    time.sleep(0.01)
print(n, h.hexdigest())
`;

/** What the trace says about our window and the server's data. */
interface WindowStory {
  /** Our segments advertising less than one MSS (after the handshake). */
  closed: number;
  /** Our segments advertising ≥ 64 KiB after the first closed one. */
  reopenedAfterClosing: number;
  /** Server data segments whose sequence number was seen before. */
  resent: number;
  /** Server data segments. */
  data: number;
}

function windowStory(trace: TraceEntry[], mss: number): WindowStory {
  const syn = trace.find((e) => e.dir === "out" && e.seg !== null)!.seg!;
  const shift = syn.options.windowScale ?? 0;
  const story: WindowStory = { closed: 0, reopenedAfterClosing: 0, resent: 0, data: 0 };
  const seen = new Set<number>();
  for (const e of trace.slice(1)) {
    if (e.seg === null) continue;
    if (e.dir === "out") {
      const window = e.seg.window * 2 ** shift;
      if (window < mss) story.closed++;
      else if (story.closed > 0 && window >= 65536) story.reopenedAfterClosing++;
    } else if (e.seg.payload.length > 0) {
      story.data++;
      const start = e.seg.seq as unknown as number;
      if (seen.has(start)) story.resent++;
      seen.add(start);
    }
  }
  return story;
}

/** Downloads `url` with `-O -` into the slow reader; checks the bytes and returns what the pcap says. */
async function slowSink(tb: Testbed, url: string, file: RandomFile, extra: string[] = []): Promise<WindowStory> {
  const pcap = `${tb.tempDir}/slow_sink.pcap`;
  const get = mainCommand(["--tries", "1", "-q", ...extra, "--pcap", pcap, "-O", "-"]);
  const quoted = [...get, url].map((a) => `'${a}'`).join(" ");
  const child = tb.spawnClient(["bash", "-c", `set -o pipefail; ${quoted} | python3 -c '${SLOW_READER}'`]);
  const out = await child.output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const [count, sha256] = new TextDecoder().decode(out.stdout).trim().split(" ");
  assert.equal(Number(count), file.size);
  assert.equal(sha256, file.sha256, "byte-exact");
  const story = windowStory(await readTrace(pcap), 1460);
  console.log(`${url}: ${JSON.stringify(story)}`);
  assert.ok(story.closed > 0, "our window closed below one MSS");
  assert.ok(story.reopenedAfterClosing > 0, "and opened again");
  // Not asserted: `resent`. A segment the server sends again although we hold it already is its tail-loss probe or
  // RTO firing because our ACK came late (a loaded machine, a GC pause): timing, not loss. It is usually 0 here; it
  // was 3 of 14,507 once in CI. What matters is asserted above: no byte lost, the window closes and reopens.
  return story;
}

testbedTest(
  "a sink slower than the network closes our window and reopens it; no byte lost",
  { servers: ["deno"] },
  async (t, tb) => {
    const file = await tb.randomFile("slow_sink.bin", 20 << 20, 11);
    await t.step("over http", async () => {
      await slowSink(tb, tb.url("deno", "/slow_sink.bin"), file);
    });
    await t.step("over https (the TLS socket pauses, then the Duplex under it pauses the driver)", async () => {
      const https = await startHttpsServer(tb);
      try {
        await slowSink(tb, https.url("/slow_sink.bin"), file, ["--ca-certificate", https.pki.caCert]);
      } finally {
        await https.stop();
      }
    });
  },
);
