/**
 * `deno task demo`: it works on a machine with nothing beyond Deno and iproute2 (simulated: a private mount namespace
 * where `nft`, `iptables`, `ethtool`, `curl`, `nginx`… are hidden under /dev/null), reports two matching files and
 * leaves nothing behind; and it refuses clearly when not root. Needs root (fails without unless RHG_ALLOW_SKIP=1),
 * `unshare` and `setpriv` (util-linux).
 */

import assert from "node:assert/strict";
import { leftovers } from "../_support/namespaces.ts";
import { asNobody, skipNetworkTests } from "../_support/root.ts";
import { exec, findProgram, shellQuote } from "../_support/exec.ts";
import { withTempDir } from "../_support/files.ts";
import { denoRun, REPO_ROOT } from "../_support/program.ts";
import { parseSummary, table } from "./demo.ts";

const ignore = skipNetworkTests();
const DEMO = new URL("./demo.ts", import.meta.url).pathname;

/** Tools a fresh machine lacks; the demo must not need them. */
const HIDDEN = ["nft", "iptables", "iptables-legacy", "iptables-nft", "xtables-nft-multi", "xtables-legacy-multi"]
  .concat(["ethtool", "curl", "wget", "nginx", "tcpdump", "python3"]);

/** Every executable file named `name` in PATH and the sbin directories. */
function allCopies(name: string): string[] {
  const dirs = (Deno.env.get("PATH") ?? "").split(":").concat(["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin"]);
  const found = new Set<string>();
  for (const dir of dirs.filter((d) => d.startsWith("/"))) {
    try {
      const real = Deno.realPathSync(`${dir}/${name}`);
      if (Deno.statSync(real).isFile) found.add(`${dir}/${name}`).add(real);
    } catch { /* not there */ }
  }
  return [...found];
}

/** Runs `cmd` in the repository root, as `deno task demo` does. */
const run = (cmd: string[]) => exec(cmd, { cwd: REPO_ROOT });

Deno.test("demo: the summary line's counters and the table layout", () => {
  const s = parseSummary(
    "x\nSaved 'a' (5 bytes) in 0.25 s, 1.0 MiB/s; 2 retransmitted, 3 out of order, 0 bad checksums\n",
  );
  assert.equal(s.seconds, 0.25);
  assert.deepEqual(s.counters, [["retransmitted", 2], ["out of order", 3], ["bad checksums", 0]]);
  assert.deepEqual(parseSummary("rawhttpget: failed"), { seconds: null, counters: [] });
  assert.equal(table(["a", "bb"], [["xyz", "1"]]), "a    bb\n───  ──\nxyz   1");
});

Deno.test({
  name: "demo: runs with only Deno and iproute2, both files match, nothing is left",
  ignore,
  fn: async () => {
    assert.ok(findProgram("unshare") !== null, "unshare is not installed (apt-get install util-linux)");
    const hide = HIDDEN.flatMap(allCopies).map((p) => `mount --bind /dev/null '${p}'`).join("\n");
    const script = `set -e\nmount --make-rprivate /\n${hide}\nexec ${shellQuote(denoRun(DEMO, [], ["--allow-all"]))}\n`;
    const r = await run(["unshare", "--mount", "sh", "-c", script]);
    const output = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.code, 0, output);
    assert.match(r.stdout, /random\.bin\s+identity\s+24\.0 MiB\s.*\smatch\s/, output);
    assert.match(r.stdout, /book\.txt\s+gzip\s+4\.0 MiB\s.*\smatch\s/, output);
    assert.match(r.stdout, /retransmitted/, "the engine's counters are shown");
    // Each download's --report outlives the testbed, and the demo says where.
    const report = /what TCP did for random\.bin: (\S+\.html)$/m.exec(r.stdout)?.[1];
    assert.ok(report !== undefined && (await Deno.stat(report)).size > 50_000, output);
    assert.match(r.stdout, /testbed down: no namespace/, output);
    assert.deepEqual(await leftovers("mine"), []);
  },
});

Deno.test({
  name: "demo: refuses clearly when not root",
  ignore,
  fn: async () => {
    assert.ok(findProgram("setpriv") !== null, "setpriv is not installed (apt-get install util-linux)");
    await withTempDir("rhg-demo-denodir-", async (denoDir) => {
      await Deno.chmod(denoDir, 0o777);
      const r = await run([...asNobody(denoDir), ...denoRun(DEMO, [], ["--allow-all"])]);
      assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stderr, /needs root: run it as root/);
      assert.equal(r.stdout, "", "nothing is started before the refusal");
    });
  },
});
