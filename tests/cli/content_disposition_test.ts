/**
 * `--content-disposition` on the testbed, against GNU wget with the same command line: the file server's
 * `/disposition/<value>/<file>` route sends the field; both programs must leave the same files (names and bytes) and
 * exit the same way. Where rawhttpget follows RFC 6266 rather than wget, the step says so and checks the difference.
 */

import assert from "node:assert/strict";
import { assertSameOutcome, differential } from "../_support/differential.ts";
import { testbedTest } from "../testbed/testbed.ts";

/** The route that answers with `Content-Disposition: value` and the file `name`. */
function route(value: string, name = "f.bin"): string {
  const b64 = btoa(String.fromCharCode(...new TextEncoder().encode(value)));
  return `/disposition/${b64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")}/${name}`;
}

testbedTest("--content-disposition names files as wget does", { servers: ["deno"] }, async (t, tb) => {
  const f = await tb.randomFile("f.bin", 20_000, "disposition");
  const url = (value: string) => tb.url("deno", route(value));
  const same = async (args: string[], name: string, setup?: (dir: string) => Promise<void>) => {
    const d = await differential(tb, ["-q", ...args], { setup });
    assertSameOutcome(d);
    assert.equal(d.rhg.code, 0, d.rhg.stderr);
    assert.equal(d.rhg.files.get(name)?.sha256, f.sha256, `${name} in ${[...d.rhg.files.keys()]}`);
    return d;
  };

  await t.step("filename, filename*, both, and none", async () => {
    await same(["--content-disposition", url('attachment; filename="report 2024.pdf"')], "report 2024.pdf");
    await same(
      ["--content-disposition", url("attachment; filename*=UTF-8''%E2%82%AC%20rates.txt")],
      "\u20ac rates.txt",
    );
    await same([
      "--content-disposition",
      url("attachment; filename=\"EURO rates.txt\"; filename*=utf-8''%e2%82%ac%20rates.txt"),
    ], "\u20ac rates.txt");
    await same(["--content-disposition", url("inline; filename=shown.txt")], "shown.txt");
    await same(["--content-disposition", url("attachment")], "f.bin");
  });

  await t.step("off by default and with --no-content-disposition; -O wins", async () => {
    await same([url('attachment; filename="other.pdf"')], "f.bin");
    await same(["--content-disposition", "--no-content-disposition", url('attachment; filename="o.pdf"')], "f.bin");
    await same(["--content-disposition", "-O", "chosen", url('attachment; filename="o.pdf"')], "chosen");
  });

  await t.step("never outside the output directory, never clobbering", async () => {
    await same(["--content-disposition", url('attachment; filename="../../escape.txt"')], "escape.txt");
    await same(["--content-disposition", url('attachment; filename="..\\\\x\\\\win.txt"')], "win.txt");
    await same(["--content-disposition", "-P", "sub", url('attachment; filename="/etc/in-sub.txt"')], "sub/in-sub.txt");
    const taken = await same(
      ["--content-disposition", url('attachment; filename="taken.txt"')],
      "taken.txt.1",
      (dir) => Deno.writeTextFile(`${dir}/taken.txt`, "mine\n"),
    );
    assert.equal(taken.rhg.files.get("taken.txt")?.size, 5);
  });

  await t.step("differences on purpose: % in a plain filename, '..' alone (RFC 6266 §4.3, Appendix D)", async () => {
    // wget decodes %XX in a plain filename; RFC 6266 says it is no escape there.
    const percent = await differential(tb, ["-q", "--content-disposition", url('attachment; filename="a%20b.txt"')]);
    assert.equal(percent.rhg.code, 0, percent.rhg.stderr);
    assert.ok(percent.rhg.files.has("a%20b.txt"), [...percent.rhg.files.keys()].join());
    assert.ok(percent.wget.files.has("a b.txt"), [...percent.wget.files.keys()].join());
    // wget saves "%2E%2E" for a name of "..": we use the URL's name instead.
    const dots = await differential(tb, ["-q", "--content-disposition", url('attachment; filename=".."')]);
    assert.equal(dots.rhg.code, 0, dots.rhg.stderr);
    assert.deepEqual([...dots.rhg.files.keys()], ["f.bin"]);
    assert.deepEqual([...dots.wget.files.keys()], ["%2E%2E"]);
  });
});
