/**
 * HTTP authentication on the testbed, against GNU wget with the same command line: Basic and Digest challenges of
 * the Deno file server (`/basic-auth/USER/PASS/FILE`, `/digest-auth/ALG/USER/PASS/FILE`), credentials from the
 * options, from the URL and from `$HOME/.netrc`, a wrong password and no password (exit 6), a scheme nobody knows.
 * Passwords never appear in what we print.
 */

import assert from "node:assert/strict";
import { assertSameOutcome, differential } from "../_support/differential.ts";
import { testbedTest } from "../testbed/testbed.ts";
import { makeOpenTempDir } from "../_support/files.ts";

testbedTest(
  "authentication: Basic, Digest, URL credentials, netrc, as wget does",
  { servers: ["deno"] },
  async (t, tb) => {
    const f = await tb.randomFile("locked.bin", 100_000, "auth");
    const url = (path: string) => tb.url("deno", path);
    const basic = url("/basic-auth/tester/s3cret/locked.bin");

    await t.step("Basic with --user/--password and --http-user/--http-password", async () => {
      const d = await differential(tb, ["-q", "--user", "tester", "--password", "s3cret", basic]);
      assertSameOutcome(d);
      assert.equal(d.rhg.code, 0, d.rhg.stderr);
      assert.equal(d.rhg.files.get("locked.bin")?.sha256, f.sha256);
      const http = await differential(tb, [
        "-q",
        "--user",
        "x",
        "--http-user",
        "tester",
        "--http-password",
        "s3cret",
        basic,
      ]);
      assertSameOutcome(http);
      assert.equal(http.rhg.code, 0, http.rhg.stderr);
    });

    await t.step("credentials in the URL; never printed back", async () => {
      const withCreds = basic.replace("http://", "http://tester:s3cret@");
      const d = await differential(tb, ["-v", withCreds]);
      assertSameOutcome(d);
      assert.equal(d.rhg.code, 0, d.rhg.stderr);
      assert.ok(!d.rhg.stderr.includes("s3cret"), d.rhg.stderr);
    });

    await t.step("a wrong password and no password: exit 6, no file", async () => {
      const wrong = await differential(tb, ["-q", "--user", "tester", "--password", "nope", basic]);
      assertSameOutcome(wrong);
      assert.equal(wrong.rhg.code, 6);
      assert.equal(wrong.rhg.stderr, `rawhttpget: ${tb.serverAddr}:8080 refused the user name and password\n`);
      const none = await differential(tb, ["-q", basic]);
      assertSameOutcome(none);
      assert.equal(none.rhg.code, 6);
    });

    await t.step("Digest MD5", async () => {
      const d = await differential(tb, [
        "-q",
        "--user",
        "tester",
        "--password",
        "s3cret",
        url("/digest-auth/MD5/tester/s3cret/locked.bin"),
      ]);
      assertSameOutcome(d);
      assert.equal(d.rhg.code, 0, d.rhg.stderr);
    });

    await t.step("Digest SHA-256: we answer it; wget 1.21 knows only MD5 (a difference on purpose)", async () => {
      const d = await differential(tb, [
        "-q",
        "--user",
        "tester",
        "--password",
        "s3cret",
        url("/digest-auth/SHA-256/tester/s3cret/locked.bin"),
      ]);
      assert.equal(d.rhg.code, 0, d.rhg.stderr);
      assert.equal(d.rhg.files.get("locked.bin")?.sha256, f.sha256);
      assert.notEqual(d.wget.code, 0);
    });

    await t.step("$HOME/.netrc, and --no-netrc", async () => {
      const home = await makeOpenTempDir({ dir: tb.tempDir, prefix: "home-" });
      await Deno.writeTextFile(`${home}/.netrc`, `machine ${tb.serverAddr} login tester password s3cret\n`);
      await Deno.chmod(`${home}/.netrc`, 0o600);
      const d = await differential(tb, ["-q", basic], { env: { HOME: home } });
      assertSameOutcome(d);
      assert.equal(d.rhg.code, 0, d.rhg.stderr);
      const off = await differential(tb, ["-q", "--no-netrc", basic], { env: { HOME: home } });
      assertSameOutcome(off);
      assert.equal(off.rhg.code, 6);
    });

    await t.step("--auth-no-challenge sends Basic at once", async () => {
      const d = await differential(tb, [
        "-q",
        "--auth-no-challenge",
        "--user",
        "tester",
        "--password",
        "s3cret",
        basic,
      ]);
      assertSameOutcome(d);
      assert.equal(d.rhg.code, 0, d.rhg.stderr);
    });

    await t.step("a scheme nobody knows: exit 6", async () => {
      const d = await differential(tb, [
        "-q",
        "--user",
        "tester",
        "--password",
        "s3cret",
        url("/auth-unknown/locked.bin"),
      ]);
      assertSameOutcome(d);
      assert.equal(d.rhg.code, 6);
    });
  },
);
