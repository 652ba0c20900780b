/**
 * Every failure the command line can meet, on the testbed: its one sentence on stderr and wget's exit code.
 */

import assert from "node:assert/strict";
import { testbedTest } from "../testbed/testbed.ts";
import { asNobody } from "../_support/root.ts";
import { FFI_PERMISSION_MESSAGE } from "../../src/cli/messages.ts";
import { PRIVILEGE_MESSAGE } from "../../ffi/os_error.ts";
import { listDir, makeOpenTempDir } from "../_support/files.ts";
import { rhg } from "../_support/program.ts";

/** Asserts exit code `code` and exactly one line on stderr matching `message`. */
function failsWith(r: { code: number; stderr: string }, code: number, message: RegExp | string): void {
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(r.code, code, r.stderr);
  assert.equal(lines.length, 1, r.stderr);
  if (typeof message === "string") assert.equal(lines[0], `rawhttpget: ${message}`);
  else assert.match(lines[0], message);
}

testbedTest(
  "rawhttpget reports each failure in one sentence with wget's exit code",
  { servers: ["deno"] },
  async (t, tb) => {
    await tb.writeFile("small.bin", "hello\n");
    const url = (path: string) => tb.url("deno", path);

    await t.step("usage errors exit 2", async () => {
      failsWith(await rhg(tb, ["--bogus", url("/small.bin")]), 2, /^rawhttpget: Unknown option '--bogus'/);
      failsWith(await rhg(tb, []), 2, "Missing URL; see 'rawhttpget --help'");
      failsWith(await rhg(tb, ["--tries", "x", url("/small.bin")]), 2, /--tries takes a whole number/);
    });

    await t.step("--help and --version exit 0 without any permission", async () => {
      const help = await rhg(tb, ["--help"], { flags: [] });
      assert.equal(help.code, 0);
      assert.match(help.stdout, /--max-redirect N/);
      const version = await rhg(tb, ["--version"], { flags: [] });
      // The first line names the version; then wget's layout: an empty line and the feature line scripts grep.
      assert.match(version.stdout, /^rawhttpget \d+\.\d+\.\d+\n\n(?:[+-][a-z0-9/-]+ )*\+https(?: [+-][a-z0-9/-]+)*\n$/);
    });

    await t.step("without --allow-ffi: one sentence naming the flag", async () => {
      failsWith(await rhg(tb, [url("/small.bin")], { flags: [] }), 1, FFI_PERMISSION_MESSAGE);
    });

    await t.step("without root or CAP_NET_RAW: the privilege sentence", async () => {
      const dir = await makeOpenTempDir({ dir: tb.tempDir });
      await Deno.chmod(dir, 0o777);
      const cache = await makeOpenTempDir({ dir: tb.tempDir });
      await Deno.chmod(cache, 0o777);
      const r = await rhg(tb, [url("/small.bin")], { dir, prefix: asNobody(cache) });
      failsWith(r, 1, PRIVILEGE_MESSAGE);
      assert.deepEqual(await listDir(dir), []);
    });

    await t.step("bad URLs exit 1", async () => {
      failsWith(await rhg(tb, ["ftp://198.18.2.2/x"]), 1, /scheme "ftp" is not supported$/);
      failsWith(await rhg(tb, ["http://"]), 1, /^rawhttpget: Cannot parse URL "http:\/\/"$/);
      failsWith(
        await rhg(tb, [`${url("/a")}\r\nX-Injected: 1`]),
        1,
        /contains a space or control character \(0x0d\)$/,
      );
      failsWith(await rhg(tb, ["http://198.18.2.2/a\nb"]), 1, /contains a space or control character \(0x0a\)$/);
    });

    await t.step("an unknown name exits 4 at once (no DNS server in the namespace)", async () => {
      const r = await rhg(tb, ["http://nowhere.test/x"]);
      failsWith(r, 4, /^rawhttpget: Cannot resolve host "nowhere\.test": /);
      assert.ok(r.timeMs < 20_000, `resolving took ${r.timeMs} ms`);
    });

    await t.step("a name from the namespace's /etc/hosts resolves (getaddrinfo honours it)", async () => {
      const etc = `/etc/netns/${tb.clientNs}`;
      await Deno.mkdir(etc, { recursive: true });
      try {
        await Deno.writeTextFile(`${etc}/hosts`, `127.0.0.1 localhost\n${tb.serverAddr} server.test\n`);
        const r = await rhg(tb, ["-q", "http://server.test:8080/small.bin"]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(await Deno.readTextFile(`${r.dir}/small.bin`), "hello\n");
      } finally {
        await Deno.remove(etc, { recursive: true });
      }
    });

    await t.step("a port where nothing listens: refused, exit 4, no retry", async () => {
      const r = await rhg(tb, [`http://${tb.serverAddr}:81/x`]);
      failsWith(r, 4, `${tb.serverAddr}:81 refused the connection (nothing listens there)`);
      // https:// means port 443 (no HTTPS server in this testbed): refused before any TLS.
      const https = await rhg(tb, [`https://${tb.serverAddr}/x`]);
      failsWith(https, 4, `${tb.serverAddr}:443 refused the connection (nothing listens there)`);
    });

    await t.step("--timeout: a server that never answers, exit 4", async () => {
      const r = await rhg(tb, ["--timeout", "1", "--tries", "1", url("/hang")]);
      failsWith(r, 4, "The server stopped answering before the response headers arrived");
    });

    await t.step("--tries: a connection reset mid-body is retried, the range ignored, then given up", async () => {
      await tb.randomFile("r.bin", 200_000, 7);
      const r = await rhg(tb, ["--tries", "2", url("/reset-mid-body/r.bin?bytes=50000")]);
      assert.equal(r.code, 4, r.stderr);
      const lines = r.stderr.trimEnd().split("\n");
      assert.match(lines[0], /after 50000 bytes \(kept in r\.bin\.part\); retrying in 1 s \(attempt 2 of 2\)$/);
      assert.equal(
        lines[1],
        "The server ignored the range and sent the whole file: its first 50000 bytes, already in r.bin.part, are skipped",
      );
      assert.match(lines[2], /^rawhttpget: The server reset the connection after 50000 bytes/);
      assert.deepEqual(await listDir(r.dir), ["r.bin.part"]);
      failsWith(await rhg(tb, ["-q", "--tries", "1", url("/reset-mid-body/r.bin?bytes=50000")]), 4, /reset/);
    });

    await t.step("an error status exits 8 and creates no file", async () => {
      const r = await rhg(tb, [url("/status/404")]);
      failsWith(r, 8, "The server answered 404 Not Found");
      assert.deepEqual(await listDir(r.dir), []);
      failsWith(await rhg(tb, ["-q", url("/status/503")]), 8, "The server answered 503 Service Unavailable");
    });

    await t.step("--source and --interface that cannot be used exit 4", async () => {
      failsWith(
        await rhg(tb, ["--source", "198.18.9.9", url("/small.bin")]),
        4,
        "Cannot use source address 198.18.9.9: it is not an address of this machine",
      );
      failsWith(
        await rhg(tb, ["--interface", "nope0", url("/small.bin")]),
        4,
        `Cannot use interface "nope0": there is no such interface`,
      );
    });

    await t.step("an output directory that cannot be written exits 3 before connecting", async () => {
      failsWith(await rhg(tb, ["-O", "/nonexistent/dir/f", url("/small.bin")]), 3, /the directory does not exist$/);
    });

    await t.step("several URLs: each is tried, the lowest exit code wins", async () => {
      const r = await rhg(tb, ["-q", url("/status/404"), `http://${tb.serverAddr}:81/`, url("/small.bin")]);
      assert.equal(r.code, 4, r.stderr);
      assert.deepEqual(await listDir(r.dir), ["small.bin"]);
    });
  },
  { sanitizeResources: false, sanitizeOps: false },
);
