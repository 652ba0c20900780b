/**
 * The `--report` recorder on the simulated link, through the real driver and download loop: frames dropped on
 * purpose must come back as the server's retransmissions, the segments between a loss and its repair as out of
 * order, and the link's round-trip time as the RTT series.
 *
 * @module
 */

import assert from "node:assert/strict";
import { download } from "../../src/fetch/mod.ts";
import { renderReportHtml, type Report, reportJson, ReportRecorder, SegmentKind } from "../../src/report/mod.ts";
import { TcpConnection } from "../../src/tcp/mod.ts";
import {
  Driver,
  driverSession,
  type Endpoint,
  type FrameLink,
  type ReceivedFrames,
  type StreamSession,
} from "../../src/transport/mod.ts";
import { withTempDir } from "../_support/files.ts";
import { SIM_FLOW, SimFrameLink, type SimPath } from "../sim/frame_link.ts";
import { body } from "../sim/prng.ts";
import { httpResponse } from "../sim/streams.ts";

/** Drops the server's data frames whose 0-based arrival index is listed (loss on the wire, before the driver). */
class DroppingLink implements FrameLink {
  readonly #inner: SimFrameLink;
  readonly #drop: Set<number>;
  #dataFrames = 0;
  readonly #kept: Uint8Array[] = [];
  /** `[seq offset, length]` of each dropped frame, from the server's first data byte. */
  readonly dropped: Array<[number, number]> = [];
  #irs = -1;

  constructor(inner: SimFrameLink, drop: number[]) {
    this.#inner = inner;
    this.#drop = new Set(drop);
  }

  receive(): ReceivedFrames {
    const got = this.#inner.receive();
    this.#kept.length = 0;
    for (let i = 0; i < got.count; i++) {
      const f = got.frame(i)!;
      const tcp = f.subarray((f[0] & 15) * 4);
      const seq = new DataView(tcp.buffer, tcp.byteOffset).getUint32(4);
      if ((tcp[13] & 0x02) !== 0) this.#irs = seq;
      const payload = f.length - (f[0] & 15) * 4 - (tcp[12] >> 4) * 4;
      if (payload > 0 && this.#drop.has(this.#dataFrames++)) {
        this.dropped.push([(seq - this.#irs - 1) >>> 0, payload]);
        continue;
      }
      this.#kept.push(f);
    }
    const kept = this.#kept;
    return { count: kept.length, frame: (i) => kept[i] };
  }
  transmit(frame: Uint8Array<ArrayBuffer>): boolean {
    return this.#inner.transmit(frame);
  }
  waitBriefly(ms: number): boolean {
    return this.#inner.waitBriefly(ms);
  }
  wait(ms: number): Promise<void> {
    return this.#inner.wait(ms);
  }
  wake(): void {
    this.#inner.wake();
  }
  close(): void {}
}

interface Run {
  report: Report;
  dropped: Array<[number, number]>;
  engine: { outOfOrderSegments: number };
}

/** Downloads `size` bytes over one simulated path with `drop` frames lost, recording it. */
async function recordedDownload(size: number, path: SimPath, drop: number[], budget?: number): Promise<Run> {
  let link: SimFrameLink | null = null;
  let dropping: DroppingLink | null = null;
  const recorder = new ReportRecorder({
    clock: () => link?.clock() ?? 0,
    wallClock: () => "2026-01-01T00:00:00.000Z",
    budget,
    generator: "test",
  });
  const open = (endpoint: Endpoint): Promise<StreamSession> => {
    const data = body(size);
    link = new SimFrameLink({ seed: 7, ...path, peer: { respond: () => httpResponse("200 OK", {}, data) } }, {
      ...SIM_FLOW,
      remotePort: endpoint.port,
    });
    const sim = link;
    dropping = new DroppingLink(sim, drop);
    const conn = new TcpConnection({ localPort: SIM_FLOW.localPort, remotePort: endpoint.port, mss: 1460, isn: 99 });
    const driver = new Driver(dropping, conn, SIM_FLOW, { mss: 1460, clock: sim.clock, segments: recorder });
    recorder.opened({ flow: SIM_FLOW, family: "IPv4", mtu: 1500, mss: 1460, resolvedAt: sim.clock(), engine: conn });
    return Promise.resolve(driverSession(driver, conn, () => Promise.resolve()));
  };
  return await withTempDir("rhg-report-", async (dir) => {
    recorder.startDownload("http://198.18.2.2/a.bin");
    const result = await download(
      "http://198.18.2.2/a.bin",
      { directory: dir, tries: 1, segments: recorder, watch: recorder },
      {},
      open,
    );
    recorder.endDownload({
      sentence: "done",
      ok: true,
      bytes: result.bytes,
      received: result.received,
      seconds: result.elapsedMs / 1000,
      engine: { ...result.tcp },
      frames: { ...result.frames },
    });
    return { report: recorder.report(), dropped: dropping!.dropped, engine: result.tcp };
  });
}

Deno.test("the recorder marks the dropped segments' repairs as retransmissions and what followed as out of order", async () => {
  const run = await recordedDownload(400_000, { down: { delayMs: 10 }, up: { delayMs: 10 } }, [30, 31, 120]);
  const c = run.report.connections[0];
  assert.equal(run.dropped.length, 3);
  const rtx = c.data.seq.map((s, i) => [s, c.data.len[i], c.data.kind[i]]).filter((r) =>
    r[2] === SegmentKind.Retransmission
  );
  // Each lost range came again, and nothing else was counted as a retransmission.
  for (const [start, len] of run.dropped) {
    assert.ok(rtx.some(([s, l]) => s <= start && s + l >= start + len), `no retransmission covers ${start}+${len}`);
  }
  assert.equal(c.tally.retransmittedIn, rtx.length);
  assert.ok(rtx.length >= 3 && rtx.length <= 4, `${rtx.length} retransmissions`);
  assert.equal(c.tally.reorderedIn, 0);
  // What arrived beyond each hole is out of order, exactly as the engine counted.
  assert.equal(c.tally.outOfOrderIn, run.engine.outOfOrderSegments);
  assert.ok(c.tally.outOfOrderIn > 0);
  // The ACK line ends at the end of the body; SACK blocks were sent while holes were open.
  assert.ok(c.acks.ack.at(-1)! >= 400_000);
  assert.ok(c.tally.sackBlocksOut > 0 && c.sack.t.length === c.tally.sackBlocksOut);
  // Phases in order.
  const p = c.phases;
  assert.ok(p.synSent! <= p.synAckReceived! && p.synAckReceived! <= p.connected! && p.connected! <= p.request!);
  assert.ok(p.request! < p.firstByte! && p.firstByte! <= p.lastByte! && p.lastByte! <= p.closed!);
  assert.deepEqual(c.head?.[0], "HTTP/1.1 200 OK");
  assert.equal(c.server?.sackPermitted, true);
  assert.equal(c.server?.windowScale, 7);
});

Deno.test("the recorder's RTT series is the link's round-trip time", async () => {
  const run = await recordedDownload(200_000, { down: { delayMs: 30 }, up: { delayMs: 20 } }, []);
  const c = run.report.connections[0];
  const ms = [...c.rtt.ms].sort((a, b) => a - b);
  assert.ok(ms.length > 5, `${ms.length} samples`);
  const median = ms[ms.length >> 1];
  assert.ok(median >= 50 && median <= 52, `median RTT ${median} ms`);
  assert.equal(c.tally.retransmittedIn + c.tally.outOfOrderIn + c.tally.reorderedIn, 0);
  // The engine's SRTT is sampled with our ACKs.
  assert.ok(c.acks.srttMs.some((v) => v >= 50 && v <= 52));
});

Deno.test("a report is one page with its data inline and no request out, and JSON with its schema", async () => {
  const run = await recordedDownload(50_000, {}, [5]);
  const html = renderReportHtml(run.report);
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/);
  assert.match(html, /default-src 'none'/);
  const json = JSON.parse(reportJson(run.report));
  assert.equal(json.schema, "rawhttpget-report/1");
  assert.equal(json.connections[0].data.t.length, json.connections[0].data.seq.length);
});

Deno.test("beyond its budget the recorder samples segments in order, keeps every retransmission, counts everything", async () => {
  const run = await recordedDownload(1_500_000, { down: { delayMs: 5 }, up: { delayMs: 5 } }, [100, 500, 900], 512);
  const c = run.report.connections[0];
  assert.ok(c.sampling.data.stride > 1, JSON.stringify(c.sampling.data));
  assert.equal(c.sampling.repairs.stride, 1);
  assert.equal(c.tally.dataSegmentsIn, c.sampling.data.offered + c.sampling.repairs.offered);
  const kinds = c.data.kind.filter((k) => k === SegmentKind.Retransmission).length;
  assert.equal(kinds, c.tally.retransmittedIn);
  assert.ok(c.data.t.every((t, i) => i === 0 || c.data.t[i - 1] <= t), "rows in time order");
  assert.ok(c.data.t.length <= 512 + 128);
});
