/**
 * IRIs on the testbed, against GNU wget 1.21.3 (built with IRI support) with the same command line: UTF-8 paths with
 * `--iri` and `--no-iri`, the ISO-8859-1 local and remote encodings, and an international host name (looked up
 * through a hosts file of the client namespace) asked for by its A-label. The saved names are compared byte for
 * byte (`ls -b`), as Deno shows a name that is not UTF-8 with U+FFFD.
 */

import assert from "node:assert/strict";
import { differential } from "../_support/differential.ts";
import { exec, inNamespace } from "../_support/exec.ts";
import { rhg } from "../_support/program.ts";
import { type Testbed, testbedTest } from "../testbed/testbed.ts";
import { makeOpenTempDir } from "../_support/files.ts";

/** What one program left: its exit code, the names as `ls -b` prints them in the C locale, the files' hashes. */
interface Left {
  readonly code: number;
  readonly stderr: string;
  readonly names: string;
  readonly hashes: string[];
}

/** The names and hashes of a directory's files, read through the shell (Deno cannot open a name that is not UTF-8). */
async function left(dir: string, code: number, stderr: string): Promise<Left> {
  const ls = await exec(["env", "LC_ALL=C", "ls", "-b", "-A", dir]);
  const sums = await exec(["sh", "-c", 'cd "$1" && find . -type f -exec sha256sum {} +', "sh", dir]);
  const hashes = sums.stdout.split("\n").filter((line) => line !== "").map((line) => line.slice(0, 64)).sort();
  return { code, stderr, names: ls.stdout.trim(), hashes };
}

/** `args` run by wget and by rawhttpget, each in a new directory; what each left. */
async function both(tb: Testbed, args: string[]): Promise<{ wget: Left; rhg: Left }> {
  const wgetDir = await makeOpenTempDir({ dir: tb.tempDir, prefix: "wget-" });
  const rhgDir = await makeOpenTempDir({ dir: tb.tempDir, prefix: "rhg-" });
  const w = await exec(inNamespace(tb.clientNs, ["wget", "--no-config", ...args]), { cwd: wgetDir });
  const r = await rhg(tb, args, { dir: rhgDir });
  return { wget: await left(wgetDir, w.code, w.stderr), rhg: await left(rhgDir, r.code, r.stderr) };
}

testbedTest("IRIs: paths and encodings as wget --iri/--no-iri saves them", { servers: ["deno"] }, async (t, tb) => {
  const f = await tb.randomFile("caf\u00e9.txt", 5000, "iri");
  await tb.randomFile("d\u00e9j\u00e0 vu/\u20ac rates.bin", 5000, "iri2");

  const same = async (args: string[], raw: string) => {
    const d = await both(tb, ["-q", ...args]);
    const context =
      `\n--- wget (exit ${d.wget.code}): ${d.wget.stderr}\n--- rawhttpget (exit ${d.rhg.code}): ${d.rhg.stderr}`;
    assert.equal(d.rhg.code, d.wget.code, context);
    assert.equal(d.wget.names, raw, context);
    assert.equal(d.rhg.names, raw, context);
    assert.deepEqual(d.rhg.hashes, d.wget.hashes);
    return d;
  };

  await t.step("a UTF-8 path, typed or escaped, with --iri and --no-iri", async () => {
    for (const iri of ["--iri", "--no-iri"]) {
      const typed = await same([iri, tb.url("deno", "/caf\u00e9.txt")], "caf\\303\\251.txt");
      assert.equal(typed.rhg.code, 0, typed.rhg.stderr);
      assert.deepEqual(typed.rhg.hashes, [f.sha256]);
      await same([iri, tb.url("deno", "/caf%C3%A9.txt")], "caf\\303\\251.txt");
      await same([iri, tb.url("deno", "/d\u00e9j\u00e0%20vu/%E2%82%AC%20rates.bin")], "\\342\\202\\254\\ rates.bin");
    }
  });

  await t.step("--local-encoding=ISO-8859-1: %E9 is asked as UTF-8 and saved as the byte E9", async () => {
    const d = await same(["--local-encoding=ISO-8859-1", tb.url("deno", "/caf%E9.txt")], "caf\\351.txt");
    assert.equal(d.rhg.code, 0, d.rhg.stderr);
    // --no-iri converts nothing: the server is asked for the byte E9, which names no file.
    const raw = await both(tb, ["-q", "--no-iri", "--local-encoding=ISO-8859-1", tb.url("deno", "/caf%E9.txt")]);
    assert.equal(raw.rhg.code, raw.wget.code);
    assert.notEqual(raw.rhg.code, 0);
  });

  await t.step("--remote-encoding=ISO-8859-1 reads a redirect and the server's names in ISO-8859-1", async () => {
    const redirect = tb.url("deno", `/redirect-to?url=${encodeURIComponent("/caf%E9.txt")}`);
    await same(["--remote-encoding=ISO-8859-1", "--trust-server-names", redirect], "caf\\303\\203\\302\\251.txt");
  });

  await t.step("an international host is asked for by its A-label (Host field), resolved as such", async () => {
    const netns = `/etc/netns/${tb.clientNs}`;
    await Deno.mkdir(netns, { recursive: true });
    try {
      await Deno.writeTextFile(`${netns}/hosts`, `${tb.serverAddr} xn--bcher-kva.example\n`);
      const url = "http://B\u00fccher.example:8080/echo-headers";
      const d = await differential(tb, ["-q", "-O", "echo.json", url]);
      assert.equal(d.rhg.code, 0, d.rhg.stderr);
      assert.equal(d.wget.code, 0, d.wget.stderr);
      for (const side of [d.rhg, d.wget]) {
        const echo = JSON.parse(await Deno.readTextFile(`${side.dir}/echo.json`));
        const host = echo.headers.find(([name]: [string, string]) => name.toLowerCase() === "host");
        assert.deepEqual(host, ["Host", "xn--bcher-kva.example:8080"]);
      }
      // --no-iri looks the name up as typed, which this hosts file does not know: both fail to resolve it.
      const off = await differential(tb, ["-q", "--no-iri", "-O", "echo.json", url]);
      assert.equal(off.rhg.code, off.wget.code);
      assert.equal(off.rhg.code, 4, off.rhg.stderr);
      // -v shows the A-label, as wget 1.21.3 does.
      const verbose = await rhg(tb, ["-v", "-O", "echo.json", url]);
      assert.match(verbose.stderr, /xn--bcher-kva\.example/);
    } finally {
      await Deno.remove(netns, { recursive: true });
    }
  });
});
