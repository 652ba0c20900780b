/**
 * wget's configuration against GNU wget 1.21 on the testbed (tests/_support/differential.ts with `readConfig`): both
 * read the same wgetrc files from a temporary HOME (`$SYSTEM_WGETRC` stands for /etc/wgetrc, so that the machine's
 * own files play no part), and must leave the same files with the same exit code: `-e` among the options, the files'
 * order, `--config FILE`, `--no-config`, proxy commands over the environment, `tries`, `check_certificate`, and the
 * errors (an unknown command, a bad `-e`, a missing `$WGETRC` or `--config FILE`).
 */

import assert from "node:assert/strict";
import { assertSameOutcome, differential, type DifferentialOptions } from "../_support/differential.ts";
import { type Testbed, testbedTest } from "../testbed/testbed.ts";
import { startHttpsServer } from "../testbed/tls.ts";
import { makeOpenTempDir } from "../_support/files.ts";

/** A temporary HOME with `~/.wgetrc` and a system file (given as `$SYSTEM_WGETRC`); empty texts mean no file. */
async function makeHome(tb: Testbed, files: { user?: string; system?: string; others?: Record<string, string> }) {
  const home = await makeOpenTempDir({ dir: tb.tempDir, prefix: "home-" });
  const system = `${home}/system.wgetrc`;
  await Deno.writeTextFile(system, files.system ?? "");
  if (files.user !== undefined) await Deno.writeTextFile(`${home}/.wgetrc`, files.user);
  for (const [name, text] of Object.entries(files.others ?? {})) await Deno.writeTextFile(`${home}/${name}`, text);
  const env: Record<string, string> = { HOME: home, SYSTEM_WGETRC: system, WGETRC: "" };
  return { home, env, options: { env, readConfig: true } satisfies DifferentialOptions };
}

testbedTest("wgetrc files and -e commands act as in wget 1.21", {
  servers: ["deno"],
  tools: ["wget"],
}, async (t, tb) => {
  await tb.writeFile("a.txt", "first\n");
  const file = tb.url("deno", "/a.txt");
  // Nothing listens on port 9 of the server: a proxy there refuses the connection (exit 4).
  const deadProxy = `http://${tb.serverAddr}:9/`;

  await t.step("-e runs in command-line order with the options, after the files", async () => {
    const { options } = await makeHome(tb, { user: "output_document = home.bin\n" });
    const late = await differential(tb, ["-q", "-O", "o.bin", "-e", "output_document=e.bin", file], options);
    assertSameOutcome(late);
    assert.deepEqual([...late.rhg.files.keys()], ["e.bin"]);
    const early = await differential(tb, ["-q", "-e", "output_document=e.bin", "-O", "o.bin", file], options);
    assertSameOutcome(early);
    assert.deepEqual([...early.rhg.files.keys()], ["o.bin"]);
  });

  await t.step("~/.wgetrc after the system file; --config FILE alone; --no-config none", async () => {
    const { home, options } = await makeHome(tb, {
      system: "output_document = system.bin\ntries = 1\n",
      user: "# mine\nOutput-Document = home.bin\n",
      others: { "my.rc": "output_document=mine.bin\n" },
    });
    const expected: Array<[string[], string]> = [
      [[], "home.bin"],
      [["--config", `${home}/my.rc`], "mine.bin"],
      [["--no-config"], "a.txt"],
      [["--no-config", "--config", `${home}/my.rc`], "a.txt"],
      [["--config", `${home}/my.rc`, "--no-config"], "mine.bin"],
    ];
    for (const [args, name] of expected) {
      const d = await differential(tb, ["-q", ...args, file], options);
      assertSameOutcome(d);
      assert.equal(d.rhg.code, 0, d.rhg.stderr);
      assert.deepEqual([...d.rhg.files.keys()], [name], args.join(" "));
    }
    const system = await differential(tb, ["-q", file], { ...options, env: { ...options.env, HOME: tb.tempDir } });
    assertSameOutcome(system);
    assert.deepEqual([...system.rhg.files.keys()], ["system.bin"]);
  });

  await t.step("use_proxy, http_proxy and no_proxy override the environment's proxy", async () => {
    const { env, options } = await makeHome(tb, {});
    const proxied = { ...options, env: { ...env, http_proxy: deadProxy } };
    const viaProxy = await differential(tb, ["-q", file], proxied);
    assertSameOutcome(viaProxy);
    assert.equal(viaProxy.rhg.code, 4, viaProxy.rhg.stderr);
    for (const command of ["use_proxy=off", "usEProxy = no", `no_proxy=${tb.serverAddr}`, "http_proxy="]) {
      const d = await differential(tb, ["-q", "-e", command, file], proxied);
      assertSameOutcome(d);
      assert.equal(d.rhg.code, 0, `${command}: ${d.rhg.stderr}`);
    }
    // no_proxy adds to the environment's list; an empty one clears it.
    const exempt = { ...options, env: { ...env, http_proxy: deadProxy, no_proxy: tb.serverAddr } };
    for (const [command, code] of [["no_proxy=example.test", 0], ["no_proxy=", 4]] as const) {
      const d = await differential(tb, ["-q", "-e", command, file], exempt);
      assertSameOutcome(d);
      assert.equal(d.rhg.code, code, `${command}: ${d.rhg.stderr}`);
    }
    const fromFile = await makeHome(tb, { user: `http_proxy = ${deadProxy}\n` });
    const d = await differential(tb, ["-q", file], fromFile.options);
    assertSameOutcome(d);
    assert.equal(d.rhg.code, 4, d.rhg.stderr);
  });

  await t.step("tries = 1 in ~/.wgetrc: a 504 is not retried", async () => {
    const { options } = await makeHome(tb, { user: "tries = 1\n" });
    const d = await differential(tb, [tb.url("deno", "/status/504")], options);
    assertSameOutcome(d);
    assert.equal(d.rhg.code, 4, d.rhg.stderr);
    assert.equal(d.wget.stderr.match(/HTTP request sent/g)?.length, 1, d.wget.stderr);
    assert.deepEqual(d.rhg.stderr.trimEnd().split("\n"), ["rawhttpget: The server answered 504 Gateway Timeout"]);
  });

  await t.step("commands wget knows and rawhttpget has no use for change nothing", async () => {
    const { options } = await makeHome(tb, { system: "passive_ftp = on\n", user: "robots = off\nhtml_extension=0\n" });
    const d = await differential(tb, ["-q", "-e", "follow_ftp=on", file], options);
    assertSameOutcome(d);
    assert.equal(d.rhg.code, 0, d.rhg.stderr);
  });

  await t.step("errors: an unknown command (2), a bad -e (2), a missing --config FILE (2) or $WGETRC (1)", async () => {
    const { home, env, options } = await makeHome(tb, { user: "tries = 1\nfoo = 1\n" });
    const unknown = await differential(tb, ["-q", file], options);
    assertSameOutcome(unknown);
    assert.equal(unknown.rhg.code, 2);
    assert.match(unknown.wget.stderr, new RegExp(`Unknown command ‘foo’ in ${home}/.wgetrc at line 2\\.`));
    assert.equal(
      unknown.rhg.stderr,
      `rawhttpget: Unknown command "foo" in ${home}/.wgetrc at line 2 (--no-config reads no configuration file)\n`,
    );
    const cases: Array<[string[], Record<string, string>, number]> = [
      [["-e", "foo=1"], {}, 2],
      [["-e", "use_proxy"], {}, 2],
      [["-e", "quiet=maybe"], {}, 2],
      [["--config", `${home}/missing.rc`], {}, 2],
      [[], { WGETRC: `${home}/missing.rc` }, 1],
    ];
    for (const [args, more, code] of cases) {
      const d = await differential(tb, ["-q", ...args, file], { readConfig: true, env: { ...env, ...more } });
      assertSameOutcome(d);
      assert.equal(d.rhg.code, code, `${args.join(" ")}: ${d.rhg.stderr}`);
    }
  });

  await t.step("check_certificate = off and ca_certificate = ~/ca.pem, for https", async () => {
    const https = await startHttpsServer(tb);
    try {
      const url = https.url("/a.txt");
      const plain = await makeHome(tb, {});
      const untrusted = await differential(tb, ["-q", url], plain.options);
      assertSameOutcome(untrusted);
      assert.equal(untrusted.rhg.code, 5, untrusted.rhg.stderr);
      const off = await makeHome(tb, { user: "check_certificate = off\n" });
      const unchecked = await differential(tb, ["-q", url], off.options);
      assertSameOutcome(unchecked);
      assert.equal(unchecked.rhg.code, 0, unchecked.rhg.stderr);
      const ca = await makeHome(tb, { user: "ca_certificate = ~/ca.pem\n" });
      await Deno.copyFile(https.pki.caCert, `${ca.home}/ca.pem`);
      const trusted = await differential(tb, ["-q", url], ca.options);
      assertSameOutcome(trusted);
      assert.equal(trusted.rhg.code, 0, trusted.rhg.stderr);
    } finally {
      await https.stop();
    }
  });
});
