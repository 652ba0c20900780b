/**
 * What a run fetches, how it names and paces the downloads, how long it waits and what it prints, against GNU wget
 * with the same command lines on the testbed: `-i` (a file and standard input, `-B`), `-nc`, `--start-pos`,
 * `--restrict-file-names`, `--https-only`, `-w` and `--random-wait`, `--waitretry` and `--retry-connrefused`, `-nv`,
 * `-o` and `-a`, and `-T`, `--connect-timeout`, `--read-timeout`, `--dns-timeout` (a silent port and a silent DNS
 * server made with nftables in the server namespace). Time-based options use fractions of a second.
 */

import assert from "node:assert/strict";
import { assertSameOutcome, differential, type Side } from "../_support/differential.ts";
import { type Testbed, testbedTest } from "../testbed/testbed.ts";

const encoder = new TextEncoder();

/** wget's -nv text with what differs from run to run (clock, durations, rates) taken out. */
function steady(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, "DATE")
    .replace(/^Total wall clock time: .+$/m, "Total wall clock time: T")
    .replace(/^(Downloaded: \d+ files, \S+) in .+$/m, "$1 in T (RATE)");
}

/** Both sides took at least `ms` (and ours not much more than wget plus start-up). */
function tookAtLeast(d: { wget: Side; rhg: Side }, ms: number, slackMs = 3000): void {
  const times = `wget ${d.wget.timeMs.toFixed(0)} ms, rawhttpget ${d.rhg.timeMs.toFixed(0)} ms`;
  assert.ok(d.wget.timeMs >= ms && d.rhg.timeMs >= ms, `both should take ${ms} ms at least: ${times}`);
  assert.ok(d.rhg.timeMs < d.wget.timeMs + slackMs, `rawhttpget took much longer: ${times}`);
}

/** A server-namespace nftables table that drops TCP to `port` and DNS queries: a silent host and a silent resolver. */
async function silence(tb: Testbed, port: number): Promise<void> {
  const rules = `table ip rhg_silent {\n chain input {\n  type filter hook input priority 0;\n` +
    `  tcp dport ${port} drop\n  udp dport 53 drop\n }\n}\n`;
  const r = await tb.execIn("server", ["nft", "-f", "-"], { stdin: encoder.encode(rules) });
  assert.equal(r.code, 0, r.stderr);
}

testbedTest(
  "input lists, no-clobber, start positions, file-name rules, pauses, -nv, log files and timeouts, as wget does",
  { servers: ["deno"], tools: ["wget", "nft"] },
  async (t, tb) => {
    const a = await tb.randomFile("a.bin", 100_000, "a");
    const b = await tb.randomFile("b.bin", 5000, "b");
    const url = (path: string) => tb.url("deno", path);
    const bytes = async (path: string) => await Deno.readFile(path);
    const served = { a: await bytes(a.path), b: await bytes(b.path) };

    await t.step(
      "-i FILE: lines trimmed, blank lines skipped, '#' is no comment (exit 1), given URLs first",
      async () => {
        const list = `${url("/a.bin")}\n\n   ${url("/b.bin")}  \r\n# not a comment\n`;
        const d = await differential(tb, ["-q", "-i", "list", "-O", "all", url("/b.bin")], {
          setup: (dir) => Deno.writeTextFile(`${dir}/list`, list),
        });
        assertSameOutcome(d);
        assert.equal(d.rhg.code, 1, d.rhg.stderr);
        // The command line's URL first, then the list's, all in one -O file.
        assert.deepEqual(await bytes(`${d.rhg.dir}/all`), new Uint8Array([...served.b, ...served.a, ...served.b]));
        assert.match(d.rhg.stderr, /^rawhttpget: list: URL "# not a comment" contains a space/m);
      },
    );

    await t.step("-i - reads standard input; -B resolves relative lines; a missing list is exit 0", async () => {
      const stdin = encoder.encode(`${url("/b.bin")}\n`);
      const piped = await differential(tb, ["-q", "-i", "-"], { stdin });
      assertSameOutcome(piped);
      assert.deepEqual([...piped.rhg.files.keys()], ["b.bin"]);
      const relative = await differential(tb, ["-q", "-B", url("/"), "-i", "rel"], {
        setup: (dir) => Deno.writeTextFile(`${dir}/rel`, "a.bin\n/b.bin\n"),
      });
      assertSameOutcome(relative);
      assert.deepEqual([...relative.rhg.files.keys()], ["a.bin", "b.bin", "rel"]);
      const missing = await differential(tb, ["-i", "missing"]);
      assertSameOutcome(missing);
      assert.equal(missing.rhg.code, 0);
      assert.match(missing.rhg.stderr, /Cannot read the URL list 'missing': No such file or directory\nNo URLs found/);
    });

    await t.step("-nc: an existing file is not fetched again (exit 0); -nc -O FILE that exists is exit 1", async () => {
      const setup = (dir: string) => Deno.writeTextFile(`${dir}/a.bin`, "old\n");
      const d = await differential(tb, ["-nc", url("/a.bin"), url("/b.bin"), url("/b.bin")], { setup });
      assertSameOutcome(d);
      assert.deepEqual([...d.rhg.files.keys()], ["a.bin", "b.bin"]);
      assert.equal(await Deno.readTextFile(`${d.rhg.dir}/a.bin`), "old\n");
      assert.match(d.rhg.stderr, /^File 'a\.bin' already there; not retrieving$/m);
      assert.match(d.rhg.stderr, /^File 'b\.bin' already there; not retrieving$/m);
      const named = await differential(tb, ["-q", "-nc", "-O", "a.bin", url("/b.bin")], { setup });
      assertSameOutcome(named);
      assert.equal(named.rhg.code, 1);
      const stamped = await differential(tb, ["-q", "-nc", "-N", url("/b.bin")]);
      assert.equal(stamped.rhg.code, stamped.wget.code, stamped.rhg.stderr);
      assert.equal(stamped.rhg.files.size, 0);
    });

    await t.step(
      "--start-pos: the bytes from OFFSET, written from the file's start (a new name if taken)",
      async () => {
        const d = await differential(tb, ["-q", "--start-pos=1000", url("/a.bin"), url("/a.bin")]);
        assertSameOutcome(d);
        assert.deepEqual([...d.rhg.files.keys()], ["a.bin", "a.bin.1"]);
        assert.deepEqual(await bytes(`${d.rhg.dir}/a.bin.1`), served.a.subarray(1000));
        // A server that ignores the range: the first OFFSET bytes of its body are skipped (1.5k = 1536).
        const ignored = await differential(tb, ["-q", "--start-pos=1.5k", "-O", "o", url("/no-range/b.bin")]);
        assertSameOutcome(ignored);
        assert.deepEqual(await bytes(`${ignored.rhg.dir}/o`), served.b.subarray(1536));
        // At or past the end: nothing to fetch, no file, exit 0; -c is turned off with wget's warning.
        const past = await differential(tb, ["-q", "-c", "--start-pos=5000", url("/b.bin")]);
        assertSameOutcome(past);
        assert.equal(past.rhg.files.size, 0);
        assert.match(past.rhg.stderr, /--continue will be disabled/);
        assertSameOutcome(await differential(tb, ["-q", "--start-pos=ten", url("/b.bin")]));
      },
    );

    await t.step("--restrict-file-names: wget's escaping and case for each mode, combined with commas", async () => {
      const names = ["Mixed Case.bin", "a:b*c?d.bin", "\u00fcn\u00ef.bin", "x\\y.bin", "ctl\x01\x7f.bin", 'q"<>|.bin'];
      for (const name of names) await tb.writeFile(`odd/${name}`, `${name}\n`);
      const urls = names.map((n) => url(`/odd/${encodeURIComponent(n)}`));
      for (const modes of ["unix", "windows", "nocontrol", "ascii", "lowercase", "uppercase", "windows,lowercase"]) {
        const d = await differential(tb, ["-q", `--restrict-file-names=${modes}`, ...urls]);
        assertSameOutcome(d);
        assert.equal(d.rhg.code, 0, `${modes}: ${d.rhg.stderr}`);
      }
      const stacked = await differential(tb, [
        "-q",
        "--restrict-file-names=ascii",
        "--restrict-file-names=uppercase",
        urls[2],
      ]);
      assertSameOutcome(stacked);
      assert.deepEqual([...stacked.rhg.files.keys()], ["%C3%BCN%C3%AF.BIN"]);
      assertSameOutcome(await differential(tb, ["-q", "--restrict-file-names=vms,bogus", urls[0]]));
    });

    await t.step(
      "--https-only: a URL given is fetched whatever its scheme (wget applies it to recursion only)",
      async () => {
        const d = await differential(tb, ["-q", "--https-only", url("/b.bin")]);
        assertSameOutcome(d);
        assert.equal(d.rhg.code, 0);
      },
    );

    await t.step("-w: a pause before every request but the first, redirects included; --random-wait", async () => {
      const d = await differential(tb, ["-q", "-w", "0.4", url("/a.bin"), url("/b.bin"), url("/b.bin")]);
      assertSameOutcome(d);
      tookAtLeast(d, 800);
      // Two redirects, three requests: two pauses (the file is the echo of our request, so only its name compares).
      const hops = await differential(tb, ["-q", "-w", "0.4", "-O", "echo", url("/redirect/2")]);
      assert.deepEqual([hops.rhg.code, [...hops.rhg.files.keys()]], [hops.wget.code, [...hops.wget.files.keys()]]);
      tookAtLeast(hops, 800);
      const random = await differential(tb, ["-q", "-w", "0.4", "--random-wait", url("/b.bin"), url("/b.bin")]);
      assertSameOutcome(random);
      tookAtLeast(random, 200);
    });

    await t.step("--retry-connrefused with --waitretry: refused connections retried after linear pauses", async () => {
      const refused = "http://198.18.2.2:9/x";
      const d = await differential(tb, ["-q", "-t", "3", "--retry-connrefused", "--waitretry=0.3", refused]);
      assertSameOutcome(d);
      assert.equal(d.rhg.code, 4);
      tookAtLeast(d, 600);
      assert.equal((d.rhg.stderr.match(/refused the connection/g) ?? []).length, 1, d.rhg.stderr);
      // --waitretry=0: -w is the pause between retries.
      const waits = await differential(tb, [
        "-q",
        "-t",
        "3",
        "--retry-connrefused",
        "--waitretry=0",
        "-w",
        "0.2",
        refused,
      ]);
      assertSameOutcome(waits);
      tookAtLeast(waits, 400);
      // Without it, a refused connection is final at once.
      const once = await differential(tb, ["-q", "-t", "3", "--waitretry=0.3", refused]);
      assertSameOutcome(once);
      assert.ok(once.wget.timeMs < 300, `wget took ${once.wget.timeMs} ms`);
    });

    await t.step("-nv: wget's line per file, in wget's format, and its FINISHED block", async () => {
      const d = await differential(tb, ["-nv", url("/a.bin"), url("/chunked/b.bin"), url("/status/204")]);
      assertSameOutcome(d);
      assert.equal(steady(d.rhg.stderr), steady(d.wget.stderr));
      assert.match(
        d.rhg.stderr,
        /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d URL:http:\/\/198\.18\.2\.2:8080\/a\.bin \[100000\/100000\] -> "a\.bin" \[1]$/m,
      );
      const stdout = await differential(tb, ["-nv", "-O", "-", url("/b.bin")]);
      assertSameOutcome(stdout);
      assert.equal(steady(stdout.rhg.stderr), steady(stdout.wget.stderr));
      assert.equal(stdout.rhg.stdout, stdout.wget.stdout);
    });

    await t.step(
      "-o and -a: the messages go to the log file, emptied or appended to; a log that cannot be made is exit 1",
      async () => {
        const setup = (dir: string) => Deno.writeTextFile(`${dir}/log`, "before\n");
        for (const option of ["-o", "-a"]) {
          const d = await differential(tb, ["-nv", option, "log", url("/b.bin"), url("/a.bin")], { setup });
          assertSameOutcome(d, { ignore: ["log"] }); // the logs differ in their clock times only (compared below)
          assert.deepEqual([d.rhg.stderr, d.wget.stderr], ["", ""]);
          const log = await Deno.readTextFile(`${d.rhg.dir}/log`);
          assert.equal(steady(log), steady(await Deno.readTextFile(`${d.wget.dir}/log`)));
          assert.equal(log.startsWith("before\n"), option === "-a", log);
        }
        const nowhere = await differential(tb, ["-q", "-o", "/nonexistent/log", url("/b.bin")]);
        assertSameOutcome(nowhere);
        assert.equal(nowhere.rhg.code, 1);
      },
    );

    await t.step("-T, --connect-timeout, --read-timeout, --dns-timeout: each bounds its phase", async () => {
      await silence(tb, 9999);
      const silent = "http://198.18.2.2:9999/x";
      const connect = await differential(tb, ["-q", "-t", "1", "--connect-timeout=0.5", silent]);
      assertSameOutcome(connect);
      assert.equal(connect.rhg.code, 4);
      tookAtLeast(connect, 500);
      assert.match(connect.rhg.stderr, /did not answer our connection request \(SYN\) in time/);
      // A handshake that times out is retried (wget: "Connection timed out. Retrying.").
      const again = await differential(tb, ["-q", "-t", "2", "--waitretry=0.2", "-T", "0.3", silent]);
      assertSameOutcome(again);
      tookAtLeast(again, 800);
      const read = await differential(tb, ["-q", "-t", "1", "--read-timeout=0.5", url("/hang")]);
      assertSameOutcome(read);
      assert.equal(read.rhg.code, 4);
      tookAtLeast(read, 500);
      assertSameOutcome(await differential(tb, ["-q", "-t", "1", "-T", "0.5", url("/hang")]));
      // A resolver that never answers: the lookup is given up after 0.5 s and not retried (wget: a host error).
      const netns = `/etc/netns/${tb.clientNs}`;
      await Deno.mkdir(netns, { recursive: true });
      try {
        await Deno.writeTextFile(`${netns}/resolv.conf`, `nameserver ${tb.serverAddr}\n`);
        const dns = await differential(tb, ["-q", "-t", "2", "--dns-timeout=0.5", "http://nowhere.test/x"]);
        assertSameOutcome(dns);
        assert.equal(dns.rhg.code, 4);
        tookAtLeast(dns, 500);
        assert.ok(dns.wget.timeMs < 2000 && dns.rhg.timeMs < 3000, `${dns.wget.timeMs} / ${dns.rhg.timeMs} ms`);
        assert.match(dns.rhg.stderr, /Cannot resolve host "nowhere\.test": no answer within 0\.5 s/);
      } finally {
        await Deno.remove(netns, { recursive: true });
      }
    });
  },
);
