/**
 * Downloads over several connections (`--connections N`) on the router testbed, against an nginx that logs the TCP
 * connection, `Range` and `If-Range` of every request (tests/e2e/_parallel_nginx.ts) and python's http.server, which
 * serves no ranges. The simulated tests (tests/fetch/parallel_download_test.ts) show the logic; these show it holds
 * with real servers, real connections, real signals and a real router resetting a flow:
 *
 * - a split download gives the file wget gives (name, bytes, mtime), though over 4 connections where wget uses one
 *   (wget 1.21 has no option to split a file), the non-first ones asking `Range` with the ETag in `If-Range`;
 * - a server that does not announce ranges gets one connection, and the same file as wget's;
 * - a file replaced on the server mid-download ends it with exit 8 and leaves nothing of either version;
 * - `kill -9` and SIGINT in the middle leave `NAME.part` and its map, from which `-c` (with or without
 *   `--connections`) asks only what is missing and finishes byte-exact;
 * - a connection the router resets mid-way costs a retry of that part alone;
 * - a server under 5 ms away gets one connection (one goes as fast as several there).
 *
 * The testbed has a 10 ms round trip (the router's delay line) but for the last case.
 *
 * @module
 */

import assert from "node:assert/strict";
import { exec, inNamespace } from "../_support/exec.ts";
import { exists, listDir, makeOpenTempDir, sha256File, writeRandomFile } from "../_support/files.ts";
import { pollUntil } from "../_support/poll.ts";
import { mainCommand, rhg } from "../_support/program.ts";
import { type Testbed, testbedTest } from "../testbed/testbed.ts";
import { MiB, routerNft } from "./_helpers.ts";
import { PARALLEL_PORT, type ParallelNginx, type RangeRequest, startParallelNginx } from "./_parallel_nginx.ts";

const OURS = "rawhttpget/";
/** Each run here takes a few seconds; one still running after this long is stuck. */
const RUN_LIMIT_MS = 30_000;

/** Asserts that a run exited with `code` by itself (not killed at {@linkcode RUN_LIMIT_MS}). */
function assertExit(r: { code: number; timedOut?: boolean; stderr: string }, code: number): void {
  assert.ok(!r.timedOut, `rawhttpget was still running after ${RUN_LIMIT_MS} ms:\n${r.stderr}`);
  assert.equal(r.code, code, r.stderr);
}

/** A fresh working directory for one run, open to the user rawhttpget drops to. */
function runDir(tb: Testbed, label: string): Promise<string> {
  return makeOpenTempDir({ dir: tb.tempDir, prefix: `${label}-` });
}

/** What a side left in its directory: names, and the one file's sha256 and mtime (whole seconds). */
async function leftFile(dir: string, name: string): Promise<{ names: string[]; sha256: string; mtime: number }> {
  const stat = await Deno.stat(`${dir}/${name}`);
  return {
    names: await listDir(dir),
    sha256: await sha256File(`${dir}/${name}`),
    mtime: Math.floor(stat.mtime!.getTime() / 1000),
  };
}

/** wget downloads `url` in a fresh directory (one connection: it cannot split a file). */
async function wgetIn(tb: Testbed, url: string): Promise<string> {
  const dir = await runDir(tb, "wget");
  const r = await exec(inNamespace(tb.clientNs, ["wget", "--no-config", "-q", url]), {
    cwd: dir,
    timeoutMs: RUN_LIMIT_MS,
  });
  assert.equal(r.code, 0, `wget ${url} failed: ${r.stderr}`);
  return dir;
}

/** A rawhttpget started in the client namespace in `dir`, to be stopped by the test (by its own PID). */
interface Started {
  readonly child: Deno.ChildProcess;
  /** Exit code, signal and stderr once it ends (killed after {@linkcode RUN_LIMIT_MS}: `timedOut`). */
  readonly done: Promise<{ code: number; signal: Deno.Signal | null; stderr: string; timedOut: boolean }>;
}

function startIn(tb: Testbed, dir: string, args: readonly string[]): Started {
  // `ip netns exec` execs the command: the child's PID is rawhttpget's own.
  const cmd = inNamespace(tb.clientNs, mainCommand(args));
  const child = new Deno.Command(cmd[0], { args: cmd.slice(1), cwd: dir, stdout: "null", stderr: "piped" }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, RUN_LIMIT_MS);
  const done = child.output().then((o) => {
    clearTimeout(timer);
    return { code: o.code, signal: o.signal, stderr: new TextDecoder().decode(o.stderr), timedOut };
  });
  return { child, done };
}

/** Stops a started run that the test did not end itself (a failed assertion): nothing of ours outlives the test. */
async function reap(run: Started): Promise<void> {
  try {
    run.child.kill("SIGKILL");
  } catch { /* it has exited */ }
  await run.done;
}

/** Bytes the part map beside `part` says are on disk (0 while there is no map, or it is being replaced). */
async function mapped(part: string): Promise<number> {
  try {
    const map = JSON.parse(await Deno.readTextFile(`${part}.map`)) as { have: [number, number][] };
    return map.have.reduce((n, [start, end]) => n + end - start, 0);
  } catch {
    return 0;
  }
}

/** Waits until the part map of `part` says at least `bytes` are on disk. */
async function waitMapped(part: string, bytes: number, run: Started): Promise<void> {
  let ended = false;
  run.done.then(() => (ended = true));
  const ok = await pollUntil(async () => ended || await mapped(part) >= bytes, 20_000, 50);
  if (!ok || ended) {
    const r = await run.done;
    assert.fail(`${part}.map did not reach ${bytes} bytes while the download ran (exit ${r.code}):\n${r.stderr}`);
  }
}

/** The requests of a run, each as `connection:status:range:if-range`, for messages. */
function shape(requests: readonly RangeRequest[]): string {
  return requests.map((r) => `${r.connection}:${r.status}:${r.range || "-"}:${r.ifRange || "-"}`).join(" ");
}

/**
 * Stops a 4-connection download of `url` (1 MiB/s per connection) in `dir` with `signal` once its map holds 4 MiB,
 * and returns how it ended.
 */
async function stopMidway(tb: Testbed, dir: string, name: string, url: string, signal: Deno.Signal) {
  const run = startIn(tb, dir, ["--connections", "4", "--limit-rate", "1m", url]);
  try {
    await waitMapped(`${dir}/${name}.part`, 4 * MiB, run);
    try {
      run.child.kill(signal);
    } catch (e) {
      const r = await run.done;
      assert.fail(`cannot send ${signal} (${e}); it ended with ${r.code}:\n${r.stderr}`);
    }
    return await run.done;
  } finally {
    await reap(run);
  }
}

/**
 * Resumes `name` in `dir` with `-c` and `extra`, and asserts it finished byte-exact asking only ranges. It sends a
 * User-Agent of its own: nginx logs a stopped run's requests when it notices the client has gone, which may be after
 * the resume began.
 */
async function resume(tb: Testbed, nginx: ParallelNginx, dir: string, name: string, sha256: string, extra: string[]) {
  const before = await mapped(`${dir}/${name}.part`);
  assert.ok(before > 0 && before < 16 * MiB, `the part map holds ${before} bytes`);
  await nginx.clearLog();
  const agent = `resume-${crypto.randomUUID()}`;
  const r = await rhg(tb, ["-c", "-U", agent, ...extra, nginx.url(`/${name}`)], { dir, timeoutMs: RUN_LIMIT_MS });
  assertExit(r, 0);
  assert.equal(await sha256File(`${dir}/${name}`), sha256, `-c ${extra.join(" ")} saved other bytes`);
  assert.deepEqual(await listDir(dir), [name], "a .part or .part.map is left after the resume");
  // Only the missing ranges: every request of the resume asks a Range, with the file's ETag in If-Range.
  const requests = await nginx.requestsOf(agent);
  assert.ok(requests.length > 0);
  for (const q of requests) {
    assert.ok(q.range !== "" && q.ifRange !== "", `a request of the resume asked no range: ${shape(requests)}`);
    assert.equal(q.status, 206, shape(requests));
  }
}

/**
 * While `fn` runs the router cuts one flow to the server's `port` once it has carried 3 MB (conntrack counts both
 * directions): the first connection's flow, or (`ranged`) the first other one to get there. The first client →
 * server segment past 3 MB puts the client's port in a set (`limit … burst 1`: one flow only); from then on the
 * server's segments of that flow are dropped and the client's refused with an RST, whose sequence number (the
 * client's acknowledgement) is exact once nothing more arrives (RFC 5961 §3.2: an inexact one is not obeyed). `fn`
 * gets a count of the flows cut so far. `ct bytes` matching works in this kernel.
 */
async function withOneFlowCut(
  tb: Testbed,
  port: number,
  which: "first" | "ranged",
  fn: (cuts: () => Promise<number>) => Promise<void>,
): Promise<void> {
  const toServer = `ip saddr ${tb.clientAddr} ip daddr ${tb.serverAddr} tcp dport ${port}`;
  await routerNft(
    tb,
    `table ip rhg_cut {\n set first { type inet_service; flags dynamic; size 4; }\n` +
      ` set cut { type inet_service; flags dynamic; size 4; }\n` +
      ` chain cut_flow {\n type filter hook forward priority 0;\n` +
      ` ip saddr ${tb.serverAddr} tcp sport ${port} tcp dport @cut drop\n` +
      ` ${toServer} tcp sport @cut reject with tcp reset\n` +
      // The first SYN of the run is the first connection's.
      ` ${toServer} tcp flags & (syn | ack) == syn limit rate 1/hour burst 1 packets add @first { tcp sport }\n` +
      ` ${toServer} tcp sport ${which === "first" ? "" : "!= "}@first ct bytes > 3000000` +
      ` limit rate 1/hour burst 1 packets add @cut { tcp sport } counter reject with tcp reset\n }\n}\n`,
  );
  try {
    await fn(async () => {
      const listed = await tb.execIn("router", ["nft", "list", "table", "ip", "rhg_cut"]);
      return Number(/counter packets (\d+)/.exec(listed.stdout)?.[1] ?? -1);
    });
  } finally {
    await routerNft(tb, "delete table ip rhg_cut");
  }
}

testbedTest(
  "parallel downloads: split over connections, one connection where ranges are not served, a changed file, " +
    "kill -9, SIGINT and a reset part",
  // A 10 ms round trip (the router's delay line): below 5 ms one connection is used whatever --connections says.
  { servers: ["python"], tools: ["wget", "nginx", "nft"], rttMs: 10 },
  async (t, tb) => {
    const nginx = await startParallelNginx(tb);
    try {
      await t.step(
        "--connections 4 of 24 MiB: wget's file (name, bytes, mtime) over 4 ranged connections",
        async () => {
          const f = await tb.randomFile("big.bin", 24 * MiB, "parallel-24");
          const url = nginx.url("/big.bin");
          const wget = await leftFile(await wgetIn(tb, url), "big.bin");
          await nginx.clearLog();
          const r = await rhg(tb, ["--connections", "4", url], { timeoutMs: RUN_LIMIT_MS });
          assertExit(r, 0);
          const ours = await leftFile(r.dir, "big.bin");
          assert.equal(ours.sha256, f.sha256, "rawhttpget saved other bytes than served");
          // wget 1.21 cannot split a file, so it uses one connection; what it leaves must be the same.
          assert.deepEqual(ours, wget, "rawhttpget left other files (names, bytes, mtime) than wget");
          const requests = await nginx.requestsOf(OURS);
          const connections = new Set(requests.map((q) => q.connection));
          assert.ok(connections.size >= 4, `${connections.size} connection(s): ${shape(requests)}`);
          // The first connection asks the whole file; every other one a range, pinned to the first 200's ETag.
          const whole = requests.filter((q) => q.range === "");
          assert.equal(whole.length, 1, shape(requests));
          assert.equal(whole[0].status, 200, shape(requests));
          const firstConnection = whole[0].connection;
          const etag = /^"[0-9a-f]+-[0-9a-f]+"$/;
          for (const q of requests.filter((q) => q.connection !== firstConnection)) {
            assert.match(q.range, /^bytes=\d+-\d+$/, shape(requests));
            assert.match(q.ifRange, etag, shape(requests));
            assert.equal(q.status, 206, shape(requests));
          }
          assert.equal(new Set(requests.map((q) => q.ifRange).filter((v) => v !== "")).size, 1, shape(requests));
          await Deno.remove(`${tb.wwwDir}/big.bin`);
        },
      );

      await t.step("a server that serves no ranges (python): one connection, wget's file, exit 0", async () => {
        const f = await tb.randomFile("noranges.bin", 4 * MiB, "parallel-noranges");
        const url = tb.url("python", "/noranges.bin");
        const wget = await leftFile(await wgetIn(tb, url), "noranges.bin");
        const r = await rhg(tb, ["-v", "--connections", "4", url], { timeoutMs: RUN_LIMIT_MS });
        assertExit(r, 0);
        const ours = await leftFile(r.dir, "noranges.bin");
        assert.equal(ours.sha256, f.sha256);
        assert.deepEqual(ours, wget, "rawhttpget left other files (names, bytes, mtime) than wget");
        assert.match(r.stderr, /One connection: the server does not say it serves byte ranges \(Accept-Ranges\)/);
        // -v says each connection it opens.
        assert.equal(r.stderr.match(/^Connecting to /gm)?.length, 1, r.stderr.slice(-2000));
      });

      await t.step("the file replaced on the server mid-download: exit 8, the sentence, nothing left", async () => {
        await tb.randomFile("changing.bin", 16 * MiB, "parallel-old");
        const dir = await runDir(tb, "changing");
        // 2 MB/s per connection: 16 MiB take about 4 s, and every 1 MiB range asks again with If-Range.
        const args = ["--connections", "2", "--chunk-size", "1m", "--limit-rate", "2m", nginx.url("/changing.bin")];
        const run = startIn(tb, dir, args);
        try {
          assert.ok(await pollUntil(() => exists(`${dir}/changing.bin.part`), 10_000, 20), "no changing.bin.part");
          // Atomically, as a deploy does: other bytes, a new mtime (nginx's ETag is mtime-size), renamed over.
          const temp = `${tb.wwwDir}/.changing.bin.new`;
          await writeRandomFile(temp, 16 * MiB, "parallel-new");
          const later = new Date(Date.now() + 60_000);
          await Deno.utime(temp, later, later);
          await Deno.rename(temp, `${tb.wwwDir}/changing.bin`);
          const r = await run.done;
          assertExit(r, 8);
          assert.match(
            r.stderr,
            /The file changed on the server during the download: the server .*; changing\.bin\.part was removed \(download it again\)/,
          );
          assert.deepEqual(await listDir(dir), [], "something of the changed file is left");
        } finally {
          await reap(run);
        }
      });

      const resumable = await tb.randomFile("resume.bin", 16 * MiB, "parallel-resume");
      const resumeUrl = nginx.url("/resume.bin");

      await t.step("kill -9 mid-download: -c --connections 4 finishes byte-exact from the part map", async () => {
        const dir = await runDir(tb, "kill9");
        const r = await stopMidway(tb, dir, "resume.bin", resumeUrl, "SIGKILL");
        assert.equal(r.signal, "SIGKILL", r.stderr);
        assert.ok(await exists(`${dir}/resume.bin.part.map`));
        await resume(tb, nginx, dir, "resume.bin", resumable.sha256, ["--connections", "4"]);
      });

      await t.step(
        "kill -9 mid-download: plain -c (one connection) finishes byte-exact from the part map",
        async () => {
          const dir = await runDir(tb, "kill9-single");
          const r = await stopMidway(tb, dir, "resume.bin", resumeUrl, "SIGKILL");
          assert.equal(r.signal, "SIGKILL", r.stderr);
          await resume(tb, nginx, dir, "resume.bin", resumable.sha256, []);
        },
      );

      await t.step("SIGINT mid-download: exit 130, the part file and its map kept, then -c finishes", async () => {
        const dir = await runDir(tb, "sigint");
        const r = await stopMidway(tb, dir, "resume.bin", resumeUrl, "SIGINT");
        assertExit(r, 130);
        assert.match(r.stderr, /interrupted; the partial file is kept/);
        assert.deepEqual(await listDir(dir), ["resume.bin.part", "resume.bin.part.map"]);
        await resume(tb, nginx, dir, "resume.bin", resumable.sha256, ["--connections", "4"]);
      });

      for (const which of ["ranged", "first"] as const) {
        const whose = which === "first" ? "the first connection (the whole-file GET)" : "a ranged part's connection";
        await t.step(`${whose} reset by the router mid-way: that part alone is retried, byte-exact`, async () => {
          const f = await tb.randomFile("reset.bin", 16 * MiB, `parallel-reset-${which}`);
          await withOneFlowCut(tb, PARALLEL_PORT, which, async (cuts) => {
            // 2 MB/s per connection: the server cannot run far ahead of what we acknowledge, so the cut comes
            // while the part still has bytes to come.
            const args = ["--connections", "4", "--limit-rate", "2m", "-t", "5", nginx.url("/reset.bin")];
            const r = await rhg(tb, args, { timeoutMs: RUN_LIMIT_MS });
            assertExit(r, 0);
            assert.equal(await sha256File(`${r.dir}/reset.bin`), f.sha256);
            assert.deepEqual(await listDir(r.dir), ["reset.bin"]);
            assert.equal(await cuts(), 1, "the router cut no flow, or more than one");
            const notices = r.stderr.split("\n").filter((l) => /A part failed \(.*\); retrying it in \d+ s/.test(l));
            assert.equal(notices.length, 1, r.stderr);
          });
        });
      }

      await t.step("a server under 5 ms away: one connection, whatever --connections says", async () => {
        await tb.setDelay(0);
        const f = await tb.randomFile("near.bin", 8 * MiB, "parallel-near");
        const url = nginx.url("/near.bin");
        await nginx.clearLog();
        const r = await rhg(tb, ["-v", "--connections", "4", url], { timeoutMs: RUN_LIMIT_MS });
        assertExit(r, 0);
        assert.equal((await leftFile(r.dir, "near.bin")).sha256, f.sha256);
        assert.match(
          r.stderr,
          /One connection: the server is \d+\.\d ms away, where one connection goes as fast as several/,
        );
        // Only this file's requests: the connection the router cut in the step before may be logged late.
        const requests = (await nginx.requestsOf(OURS)).filter((q) => q.target === "/near.bin");
        assert.equal(new Set(requests.map((q) => q.connection)).size, 1, shape(requests));
        await Deno.remove(`${tb.wwwDir}/near.bin`);
      });
    } finally {
      await nginx.stop();
    }
  },
  { sanitizeResources: false, sanitizeOps: false },
);
