/**
 * The tool's own safety, checked on the real program: ISNs from a cryptographic RNG and local ports from the kernel's
 * ephemeral range; a redirect to another scheme refused; CR/LF in a URL refused before anything is sent; an output
 * name from a hostile URL stays in the output directory (tests/http/url_test.ts covers `fileNameFor` in depth); files
 * written under sudo belong to the invoking user.
 */

import assert from "node:assert/strict";
import { readTrace } from "../adversarial/_harness.ts";
import { ACK, SYN } from "../../src/wire/tcp_repr.ts";
import { testbedTest } from "../testbed/testbed.ts";
import { exists, makeOpenTempDir } from "../_support/files.ts";
import { rhg } from "../_support/program.ts";
import { finish, startGet } from "./_run.ts";

testbedTest(
  "ISN and port sources, hostile URLs and redirects, file ownership under sudo",
  { servers: ["deno"] },
  async (t, tb) => {
    const file = await tb.randomFile("e.bin", 4096, 5);
    const url = tb.url("deno", "/e.bin");

    await t.step("ISNs are unpredictable and ports come from the kernel's ephemeral range", async () => {
      const pcap = `${tb.tempDir}/isn.pcap`;
      // Twelve connections (no keep-alive), twelve ISNs.
      const args = ["-q", "--no-http-keep-alive", "--pcap", pcap, "-O", "-", ...Array(12).fill(url)];
      const r = await finish(startGet(tb, args));
      assert.equal(r.code, 0, r.stderr);
      const syns = (await readTrace(pcap)).filter((e) =>
        e.dir === "out" && e.seg !== null && (e.seg.flags & (SYN | ACK)) === SYN
      );
      assert.equal(syns.length, 12);
      const isns = syns.map((e) => e.seg!.seq as number);
      assert.equal(new Set(isns).size, isns.length, "every ISN differs");
      const steps = new Set(isns.slice(1).map((x, i) => (x - isns[i]) >>> 0));
      assert.ok(steps.size > 1, "ISNs are not a counter");
      const range = (await tb.execClient(["cat", "/proc/sys/net/ipv4/ip_local_port_range"])).stdout.trim();
      const [low, high] = range.split(/\s+/).map(Number);
      for (const e of syns) assert.ok(e.seg!.srcPort >= low && e.seg!.srcPort <= high, `port ${e.seg!.srcPort}`);
    });

    await t.step("a redirect to another scheme is refused", async () => {
      for (const target of ["ftp://198.18.2.2/e.bin", "file:///etc/passwd"]) {
        const dir = await makeOpenTempDir({ dir: tb.tempDir });
        const redirect = tb.url("deno", `/redirect-to?url=${encodeURIComponent(target)}`);
        const r = await finish(startGet(tb, ["-q", "-O", `${dir}/out`, redirect]));
        assert.notEqual(r.code, 0, r.stderr);
        assert.match(r.stderr, /scheme "(ftp|file)" is not supported/);
        // Only -O's file, created empty before connecting (as wget does).
        assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["out"]);
        assert.equal((await Deno.stat(`${dir}/out`)).size, 0);
      }
    });

    await t.step("CR or LF in a URL is refused before anything is sent", async () => {
      for (const bad of [`${url}\r\nX-Injected: 1`, `${url}\nHost: evil`]) {
        const pcap = `${tb.tempDir}/crlf.pcap`;
        const r = await finish(startGet(tb, ["-q", "--pcap", pcap, "-O", `${tb.tempDir}/crlf.out`, bad]));
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /URL|character/i);
        assert.deepEqual(await readTrace(pcap), []);
        // wget creates -O's file before it reads the URL; it stays empty.
        assert.equal((await Deno.stat(`${tb.tempDir}/crlf.out`)).size, 0);
      }
    });

    await t.step("a name derived from a hostile URL stays in the output directory", async () => {
      const hostile = `${url}?name=../../escape.bin&x=%2F..%2F..%2Fescape.bin`;
      const r = await rhg(tb, ["-q", "--tries", "1", hostile]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual([...Deno.readDirSync(r.dir)].map((e) => e.name), ["e.bin"]);
      assert.equal(await exists(`${tb.tempDir}/escape.bin`), false);
    });

    await t.step("under sudo, the saved file belongs to the invoking user", async () => {
      const out = `${tb.tempDir}/owned.bin`;
      const r = await finish(startGet(tb, ["-q", "-O", out, url], { SUDO_UID: "4242", SUDO_GID: "4343" }));
      assert.equal(r.code, 0, r.stderr);
      const info = await Deno.stat(out);
      assert.equal(info.uid, 4242);
      assert.equal(info.gid, 4343);
      assert.equal(info.size, file.size);
    });
  },
);
