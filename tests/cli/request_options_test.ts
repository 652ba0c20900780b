/**
 * The request options against GNU wget with the same command line, on the testbed's Deno file server: what the
 * server received (`/echo-headers` answers with the request as JSON, its content included), the files left and the
 * exit codes. `--method`, `--body-data`, `--body-file`, `--post-data`, `--post-file` (and redirects of a POST),
 * `--header`, `-U`, `--referer`, `-S`, `--spider`, `--content-on-error`, `--ignore-length`.
 */

import assert from "node:assert/strict";
import { assertSameOutcome, differential, type Side } from "../_support/differential.ts";
import { testbedTest } from "../testbed/testbed.ts";

/** What `/echo-headers` says it received. */
interface Echo {
  readonly method: string;
  readonly target: string;
  readonly headers: [string, string][];
  readonly body: string;
}

/**
 * Fields that differ between wget and us by default, made the same: then both requests are byte for byte alike but
 * for the version (wget asks in HTTP/1.1, we in HTTP/1.0).
 */
const ALIKE = ["-U", "probe", "--header=Accept-Encoding: identity", "--header=Connection: close"];

async function echoOf(side: Side, file = "echo.json"): Promise<Echo> {
  const { method, target, headers, body } = JSON.parse(await Deno.readTextFile(`${side.dir}/${file}`));
  return { method, target, headers, body };
}

/** Both sides succeeded and the server received the same request from each; returns it. */
async function sameRequest(d: { wget: Side; rhg: Side }): Promise<Echo> {
  assertSameOutcome(d, { ignore: ["echo.json"] });
  assert.equal(d.rhg.code, 0, d.rhg.stderr);
  const [wget, rhg] = [await echoOf(d.wget), await echoOf(d.rhg)];
  assert.deepEqual(rhg, wget);
  return rhg;
}

/** The `-S` lines (two spaces, then the head) a run printed. */
const heads = (side: Side) => side.stderr.split("\n").filter((line) => line.startsWith("  "));
/** The methods the server saw, from the `X-Request-Method` field of each `-S` head. */
const methods = (side: Side) => heads(side).flatMap((l) => /^ {2}X-Request-Method: (\S+)$/.exec(l)?.[1] ?? []);

testbedTest(
  "request options: method, content, headers, agent, referer, -S, spider, error bodies, lengths, as wget does",
  { servers: ["deno"] },
  async (t, tb) => {
    const echo = tb.url("deno", "/echo-headers");
    const content = new Uint8Array([97, 61, 0, 1, 255, 13, 10, 98]); // a=, controls, a high byte, CRLF, b
    const bodyFile = `${tb.tempDir}/content.bin`;
    await Deno.writeFile(bodyFile, content);
    const run = (args: string[], options = {}) => differential(tb, ["-q", ...args], options);

    await t.step("--method with --body-data, --body-file, or no content", async () => {
      const put = await sameRequest(
        await run([...ALIKE, "--method=put", "--body-data=a=1&b=2", "-O", "echo.json", echo]),
      );
      assert.equal(put.method, "PUT");
      assert.equal(put.body, "a=1&b=2");
      assert.deepEqual(put.headers.slice(-2), [["Content-Type", "application/x-www-form-urlencoded"], [
        "Content-Length",
        "7",
      ]]);
      const patch = await sameRequest(
        await run([...ALIKE, "--method=PATCH", `--body-file=${bodyFile}`, "-O", "echo.json", echo]),
      );
      assert.equal(patch.body, String.fromCharCode(...content));
      const del = await sameRequest(await run([...ALIKE, "--method=DELETE", "-O", "echo.json", echo]));
      assert.ok(!del.headers.some(([name]) => name.startsWith("Content-")), JSON.stringify(del.headers));
      const post = await sameRequest(await run([...ALIKE, "--method=POST", "-O", "echo.json", echo]));
      assert.deepEqual(post.headers.at(-1), ["Content-Length", "0"]);
    });

    await t.step("--body-data without --method, or with --body-file too: exit 1", async () => {
      for (const args of [["--body-data=x"], ["--method=PUT", "--body-data=x", `--body-file=${bodyFile}`]]) {
        const d = await run([...args, echo]);
        assertSameOutcome(d);
        assert.equal(d.rhg.code, 1, d.rhg.stderr);
      }
    });

    await t.step("--post-data and --post-file; a missing file exits 3 and sends nothing", async () => {
      const data = await sameRequest(await run([...ALIKE, "--post-data=q=rawhttpget", "-O", "echo.json", echo]));
      assert.equal(data.method, "POST");
      assert.equal(data.body, "q=rawhttpget");
      const file = await sameRequest(await run([...ALIKE, `--post-file=${bodyFile}`, "-O", "echo.json", echo]));
      assert.equal(file.body, String.fromCharCode(...content));
      const missing = await run([`--post-file=${tb.tempDir}/missing`, "-O", "echo.json", echo]);
      assertSameOutcome(missing);
      assert.equal(missing.rhg.code, 3);
      assert.equal(missing.rhg.files.get("echo.json")?.size, 0); // -O FILE is created first, as wget does
      const both = await run(["--post-data=x", "--method=PUT", echo]);
      assertSameOutcome(both);
      assert.equal(both.rhg.code, 1);
    });

    await t.step("a POST redirected: 301, 302, 303 become a GET without content; 307, 308 keep both", async () => {
      for (const status of [301, 302, 303, 307, 308]) {
        const url = tb.url("deno", `/redirect-to?url=/echo-headers&status=${status}`);
        const d = await sameRequest(await run([...ALIKE, "--post-data=a=1", "-O", "echo.json", url]));
        const kept = status === 307 || status === 308;
        assert.equal(d.method, kept ? "POST" : "GET", `after ${status}`);
        assert.equal(d.body, kept ? "a=1" : "", `after ${status}`);
      }
      // Another method survives 302, not 303.
      const url = (status: number) => tb.url("deno", `/redirect-to?url=/echo-headers&status=${status}`);
      const put302 = await sameRequest(
        await run([...ALIKE, "--method=PUT", "--body-data=v", "-O", "echo.json", url(302)]),
      );
      assert.equal(put302.method, "PUT");
      const put303 = await sameRequest(
        await run([...ALIKE, "--method=PUT", "--body-data=v", "-O", "echo.json", url(303)]),
      );
      assert.equal(put303.method, "GET");
    });

    await t.step("--header replaces a field of ours or its own of the same name; an empty one clears", async () => {
      const d = await sameRequest(
        await run([
          ...ALIKE,
          "--header=X-Probe: 1",
          "--header=x-probe:   2",
          "--header=Host: other.test",
          "--header=Accept: text/plain",
          "--header=Empty:",
          "-O",
          "echo.json",
          echo,
        ]),
      );
      assert.deepEqual(d.headers, [
        ["Host", "other.test"],
        ["User-Agent", "probe"],
        ["Accept", "text/plain"],
        ["Accept-Encoding", "identity"],
        ["Connection", "close"],
        ["x-probe", "2"],
        ["Empty", ""],
      ]);
      const cleared = await sameRequest(
        await run([...ALIKE, "--header=X-Gone: 1", "--header=", ...ALIKE.slice(2), "-O", "echo.json", echo]),
      );
      assert.ok(!cleared.headers.some(([name]) => name === "X-Gone"));
      const bad = await run(["--header=no colon", echo]);
      assertSameOutcome(bad);
      assert.equal(bad.rhg.code, 2);
    });

    await t.step("-U: wget says Wget/1.21.3, we rawhttpget/VERSION; -U AGENT, and -U '' for none", async () => {
      const byDefault = await run(["-O", "echo.json", echo]);
      assertSameOutcome(byDefault, { ignore: ["echo.json"] });
      const agent = async (s: Side) => (await echoOf(s)).headers.find(([n]) => n === "User-Agent")?.[1];
      assert.equal(await agent(byDefault.wget), "Wget/1.21.3");
      assert.match((await agent(byDefault.rhg))!, /^rawhttpget\/\d+\.\d+\.\d+$/);
      const none = await sameRequest(await run([...ALIKE, "-U", "", "-O", "echo.json", echo]));
      assert.ok(!none.headers.some(([name]) => name === "User-Agent"));
      const mine = await sameRequest(
        await run([...ALIKE, "--user-agent=Mozilla/5.0 (probe)", "-O", "echo.json", echo]),
      );
      assert.equal(mine.headers[1][1], "Mozilla/5.0 (probe)");
    });

    await t.step("--referer goes with every request of a redirect chain", async () => {
      const url = tb.url("deno", "/redirect-to?url=/echo-headers&status=302");
      const d = await sameRequest(await run([...ALIKE, "--referer=http://ref.test/page", "-O", "echo.json", url]));
      assert.deepEqual(d.headers[1], ["Referer", "http://ref.test/page"]);
    });

    await t.step("-S prints each response head, indented, even with -q", async () => {
      await tb.writeFile("shown.bin", "shown\n");
      const d = await run(["-S", "-O", "shown.bin", tb.url("deno", "/redirect-to?url=/shown.bin&status=301")]);
      assertSameOutcome(d);
      assert.equal(d.rhg.code, 0, d.rhg.stderr);
      assert.deepEqual(heads(d.rhg), heads(d.wget));
      assert.equal(d.rhg.stderr, d.wget.stderr);
      assert.equal(heads(d.rhg)[0], "  HTTP/1.1 301 Moved Permanently");
      const error = await run(["-S", tb.url("deno", "/status/404")]);
      assertSameOutcome(error);
      assert.deepEqual(heads(error.rhg), heads(error.wget));
    });

    await t.step(
      "--spider: a HEAD, no file; a broken link exits 8; a HEAD refused with 501 is asked again by GET",
      async () => {
        const exists = await run(["-S", "--spider", echo]);
        assertSameOutcome(exists);
        assert.equal(exists.rhg.code, 0, exists.rhg.stderr);
        assert.deepEqual(methods(exists.rhg), ["HEAD"]);
        assert.deepEqual(methods(exists.wget), ["HEAD"]);
        const broken = await differential(tb, ["--spider", tb.url("deno", "/status/404")]);
        assertSameOutcome(broken);
        assert.equal(broken.rhg.code, 8);
        for (const side of [broken.rhg, broken.wget]) {
          assert.match(side.stderr, /^Remote file does not exist -- broken link!!!$/m);
        }
        // wget: --method=HEAD fetches nothing, so it is spider mode.
        const head = await run(["-S", "--method=HEAD", echo]);
        assertSameOutcome(head);
        assert.equal(head.rhg.code, 0, head.rhg.stderr);
        assert.deepEqual(methods(head.rhg), ["HEAD"]);
        const fallback = await run(["-S", "--spider", `${echo}?head-status=501`]);
        assertSameOutcome(fallback);
        assert.equal(fallback.rhg.code, 0, fallback.rhg.stderr);
        assert.deepEqual(methods(fallback.rhg), ["HEAD", "GET"]);
        assert.deepEqual(methods(fallback.wget), ["HEAD", "GET"]);
        // What wget says: a page "could contain further links", anything else simply exists.
        await tb.writeFile("page.html", "<a href=x>x</a>\n");
        for (
          const [path, note] of [["/page.html", "exists and could contain further links"], [
            "/echo-headers",
            "exists\\.$",
          ]]
        ) {
          const said = await differential(tb, ["--spider", tb.url("deno", path)]);
          assert.match(said.rhg.stderr, new RegExp(`^Remote file ${note}`, "m"));
          assert.match(said.wget.stderr, new RegExp(`^Remote file ${note}`, "m"));
        }
        const withOutput = await run(["--spider", "-O", "spied", echo]);
        assertSameOutcome(withOutput);
        assert.equal(withOutput.rhg.files.get("spied")?.size, 0);
      },
    );

    await t.step("--content-on-error saves the error body; the exit code stays 8", async () => {
      const d = await run(["--content-on-error", tb.url("deno", "/status/404")]);
      assertSameOutcome(d);
      assert.equal(d.rhg.code, 8);
      assert.equal(await Deno.readTextFile(`${d.rhg.dir}/404`), "Status 404\n");
      const named = await run(["--content-on-error", "-O", "page", tb.url("deno", "/status/500")]);
      assertSameOutcome(named);
      assert.equal(named.rhg.code, 8);
      const without = await run([tb.url("deno", "/status/404")]);
      assertSameOutcome(without);
      assert.equal(without.rhg.files.size, 0);
    });

    await t.step("--ignore-length reads the body to the end of the connection", async () => {
      const f = await tb.randomFile("lie.bin", 50_000, "lie");
      for (const declared of [100, 1_000_000]) {
        const url = tb.url("deno", `/bad-length/lie.bin?declared=${declared}`);
        const d = await run(["--ignore-length", "-O", "lie.bin", url]);
        assertSameOutcome(d);
        assert.equal(d.rhg.code, 0, d.rhg.stderr);
        assert.equal(d.rhg.files.get("lie.bin")?.sha256, f.sha256);
      }
    });
  },
);
