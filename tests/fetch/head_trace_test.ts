/**
 * What `-d` prints of each request and response head, and that a download with `debug` logs both.
 *
 * @module
 */

import assert from "node:assert/strict";
import { download, requestTrace, responseTrace } from "../../src/fetch/mod.ts";
import { HttpHeaders } from "../../src/http/mod.ts";
import { withTempDir } from "../_support/files.ts";
import { httpResponse, simulatedStreams } from "../sim/streams.ts";

Deno.test("requestTrace() frames the request head as wget -d does and hides credentials", () => {
  const request = "GET http://h/ HTTP/1.0\r\nHost: h\r\nProxy-Authorization: Basic dTpw\r\nauthorization: x\r\n\r\n";
  assert.equal(
    requestTrace(new TextEncoder().encode(request)),
    [
      "---request begin---",
      "GET http://h/ HTTP/1.0",
      "Host: h",
      "Proxy-Authorization: <hidden>",
      "authorization: <hidden>",
      "---request end---",
    ].join("\n"),
  );
});

Deno.test("responseTrace() prints the status line and the fields as received", () => {
  const headers = new HttpHeaders([{ name: "content-length", value: "5" }, { name: "X-A", value: "1" }]);
  assert.equal(
    responseTrace({ version: "1.1", status: 200, reason: "OK", headers }),
    "---response begin---\nHTTP/1.1 200 OK\ncontent-length: 5\nX-A: 1\n---response end---",
  );
  assert.match(responseTrace({ version: "1.0", status: 204, reason: "", headers }), /\nHTTP\/1\.0 204\n/);
});

Deno.test("download() with debug logs each request and response head", async () => {
  await withTempDir("rhg-debug-", async (dir) => {
    const sim = simulatedStreams([{ peer: { respond: () => httpResponse("200 OK", { "X-Test": "yes" }, "hi") } }]);
    const lines: string[] = [];
    await download("http://198.18.2.2/a", { directory: dir, debug: true, log: (l) => lines.push(l) }, {}, sim.open);
    const text = lines.join("\n");
    assert.match(text, /---request begin---\nGET \/a HTTP\/1\.1\nHost: 198\.18\.2\.2\n/);
    assert.match(text, /---response begin---\nHTTP\/1\.1 200 OK\nContent-Length: 2\nX-Test: yes\n---response end---/);
    const quiet: string[] = [];
    await download("http://198.18.2.2/a", { output: `${dir}/b`, log: (l) => quiet.push(l) }, {}, sim.open);
    assert.ok(!quiet.join("\n").includes("---request begin---"));
  });
});
