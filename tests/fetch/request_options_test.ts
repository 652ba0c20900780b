/**
 * The request options in the download loop (simulated servers) and their pure parts: the method and content of each
 * hop through redirects, `--spider`, `--content-on-error`, `--ignore-length`, the user's fields, and `-S`'s text.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  afterRedirect,
  BodyFileError,
  BROKEN_LINK,
  download,
  FORM_TYPE,
  judgeSpider,
  PLAIN_GET,
  requestBody,
  requestMethod,
  SavedErrorStatus,
  serverResponseText,
  ServerStatusError,
} from "../../src/fetch/mod.ts";
import { type HeadEvent, HttpHeaders } from "../../src/http/mod.ts";
import { withTempDir } from "../_support/files.ts";
import { httpResponse, simulatedStreams } from "../sim/streams.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | number[]) => new TextDecoder().decode(new Uint8Array(b));
const inTempDir = (f: (dir: string) => Promise<void>) => withTempDir("rhg-request-", f);

function head(status: number, fields: Record<string, string> = {}, reason = "Reason"): HeadEvent {
  const headers = new HttpHeaders(Object.entries(fields).map(([name, value]) => ({ name, value })));
  return {
    type: "head",
    version: "1.1",
    status,
    reason,
    headers,
    contentLength: null,
    chunked: false,
    untilClose: false,
  };
}

Deno.test("requestMethod() reads --method, the content and the body file, and fails on a file it cannot read", () => {
  assert.equal(requestMethod({}), PLAIN_GET);
  assert.deepEqual(requestMethod({ method: "delete" }), { name: "DELETE", content: null });
  assert.deepEqual(requestMethod({ method: "PUT", bodyData: "a=é" }), { name: "PUT", content: bytes("a=é") });
  assert.deepEqual(requestMethod({ method: "POST", bodyFile: "f" }, () => bytes("file")), {
    name: "POST",
    content: bytes("file"),
  });
  assert.throws(
    () => requestMethod({ method: "POST", bodyFile: "/nonexistent/body" }),
    (e) =>
      e instanceof BodyFileError && e.message === "Cannot read the body file '/nonexistent/body': " +
          "No such file or directory",
  );
});

Deno.test("afterRedirect() keeps the method on 307 and 308, and on 301 and 302 unless it is POST; 303 is a GET", () => {
  const post = { name: "POST", content: bytes("a=1") };
  const put = { name: "PUT", content: bytes("a=1") };
  for (const status of [307, 308]) assert.equal(afterRedirect(post, status), post);
  for (const status of [301, 302, 303]) assert.equal(afterRedirect(post, status), PLAIN_GET);
  for (const status of [301, 302, 307, 308]) assert.equal(afterRedirect(put, status), put);
  assert.equal(afterRedirect(put, 303), PLAIN_GET);
});

Deno.test("requestBody() types the user's content as a form; POST, PUT, PATCH without it say length 0", () => {
  assert.deepEqual(requestBody({ name: "PUT", content: bytes("x") }, "PUT"), { bytes: bytes("x"), type: FORM_TYPE });
  for (const name of ["POST", "PUT", "PATCH"]) {
    assert.deepEqual(requestBody({ name, content: null }, name), { bytes: new Uint8Array(0) });
  }
  assert.equal(requestBody({ name: "DELETE", content: null }, "DELETE"), undefined);
  assert.equal(requestBody({ name: "POST", content: bytes("x") }, "HEAD"), undefined);
});

Deno.test("judgeSpider() says a file exists as wget does, asks again with GET after a HEAD's 500 or 501", () => {
  assert.deepEqual(judgeSpider(head(200, { "Content-Type": "application/octet-stream" }), "HEAD"), {
    kind: "exists",
    note: "Remote file exists.",
  });
  const pages: Record<string, string>[] = [{}, { "Content-Type": "text/html; charset=utf-8" }, {
    "Content-Type": "TEXT/CSS",
  }];
  for (const page of pages) {
    assert.match((judgeSpider(head(200, page), "HEAD") as { note: string }).note, /could contain further links/);
  }
  assert.deepEqual(judgeSpider(head(501), "HEAD"), { kind: "get" });
  assert.throws(() => judgeSpider(head(501), "GET"), ServerStatusError);
  assert.throws(() => judgeSpider(head(404), "HEAD"), ServerStatusError);
  assert.deepEqual(judgeSpider(head(302, { Location: "/b" }), "HEAD"), { kind: "redirect", location: "/b" });
});

Deno.test("serverResponseText() indents each line of the head by two spaces and escapes controls", () => {
  assert.equal(
    serverResponseText(head(200, { "Content-Length": "5", "X-Odd": "a\tb\\c" }, "OK")),
    "  HTTP/1.1 200 OK\n  Content-Length: 5\n  X-Odd: a\\tb\\\\c",
  );
});

Deno.test("download() POSTs the content, and a 302 turns it into a GET without content", async () => {
  await inTempDir(async (dir) => {
    const sim = simulatedStreams([
      { peer: { respond: () => httpResponse("302 Found", { Location: "/done" }) } },
      { peer: { respond: () => httpResponse("200 OK", {}, "thanks") } },
    ]);
    await download("http://198.18.2.2/form", { directory: dir, method: "POST", bodyData: "a=1" }, {}, sim.open);
    const [first, second] = sim.links.map((l) => text(l.peer.request));
    assert.match(first, /^POST \/form HTTP\/1\.1\r\n/);
    assert.match(first, /\r\nContent-Type: application\/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=1$/);
    assert.match(second, /^GET \/done HTTP\/1\.1\r\n/);
    assert.doesNotMatch(second, /Content-/);
    assert.equal(await Deno.readTextFile(`${dir}/form`), "thanks");
  });
});

Deno.test("download() sends the method and content again after a 307, and on every attempt", async () => {
  await inTempDir(async (dir) => {
    const sim = simulatedStreams([
      { peer: { respond: () => httpResponse("307 Temporary Redirect", { Location: "/b" }) } },
      { peer: { respond: () => httpResponse("200 OK", { "Content-Length": "10" }) } }, // cut before the body
      { peer: { respond: () => httpResponse("307 Temporary Redirect", { Location: "/b" }) } },
      { peer: { respond: () => httpResponse("200 OK", {}, "whole body") } },
    ]);
    const options = { directory: dir, method: "PUT", bodyData: "v=2", tries: 2, retryDelayMs: () => 0 };
    await download("http://198.18.2.2/a", options, {}, sim.open);
    const requests = sim.links.map((l) => text(l.peer.request));
    assert.deepEqual(requests.map((r) => r.split(" ", 2).join(" ")), ["PUT /a", "PUT /b", "PUT /a", "PUT /b"]);
    for (const r of requests) assert.ok(r.endsWith("\r\n\r\nv=2"), r);
    assert.equal(await Deno.readTextFile(`${dir}/a`), "whole body");
  });
});

Deno.test("download() fails on a body file it cannot read before connecting", async () => {
  await inTempDir(async (dir) => {
    const sim = simulatedStreams([{ peer: { respond: () => httpResponse("200 OK", {}, "x") } }]);
    const options = { directory: dir, method: "POST", bodyFile: `${dir}/missing` };
    await assert.rejects(download("http://198.18.2.2/a", options, {}, sim.open), BodyFileError);
    assert.equal(sim.links.length, 0);
  });
});

Deno.test("download() sends the user's fields, -U and --referer with every request", async () => {
  await inTempDir(async (dir) => {
    const sim = simulatedStreams([
      { peer: { respond: () => httpResponse("301 Moved", { Location: "/b" }) } },
      { peer: { respond: () => httpResponse("200 OK", {}, "x") } },
    ]);
    const options = {
      directory: dir,
      userAgent: "probe/1",
      referer: "http://ref.test/",
      headers: [["X-Probe", "1"], ["Accept-Encoding", "identity"]] as const,
    };
    await download("http://198.18.2.2/a", options, {}, sim.open);
    for (const link of sim.links) {
      const request = text(link.peer.request);
      assert.match(request, /\r\nReferer: http:\/\/ref\.test\/\r\nUser-Agent: probe\/1\r\n/);
      assert.match(request, /\r\nAccept-Encoding: identity\r\nConnection: close\r\nX-Probe: 1\r\n\r\n$/);
    }
  });
});

Deno.test("download() with spider sends HEAD, saves nothing and says the file exists", async () => {
  await inTempDir(async (dir) => {
    const sim = simulatedStreams([
      { peer: { respond: () => httpResponse("302 Found", { Location: "/b" }) } },
      { peer: { respond: () => httpResponse("200 OK", { "Content-Type": "image/png", "Content-Length": "9" }) } },
    ]);
    const notices: string[] = [];
    const result = await download("http://198.18.2.2/a", { directory: dir, spider: true }, {
      notice: (m) => notices.push(m),
    }, sim.open);
    assert.equal(result.saved, false);
    assert.deepEqual(sim.links.map((l) => text(l.peer.request).split(" ", 2).join(" ")), ["HEAD /a", "HEAD /b"]);
    assert.deepEqual(notices, ["Redirected (302) to http://198.18.2.2/b", "Remote file exists."]);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("download() with spider asks again with GET after a HEAD's 501, and a 404 is a broken link", async () => {
  await inTempDir(async (dir) => {
    const sim = simulatedStreams([
      { peer: { respond: () => httpResponse("501 Not Implemented") } },
      { peer: { respond: () => httpResponse("200 OK", {}, "a body that is not kept") } },
    ]);
    const result = await download("http://198.18.2.2/a", { directory: dir, spider: true }, {}, sim.open);
    assert.equal(result.status, 200);
    assert.deepEqual(sim.links.map((l) => text(l.peer.request).split(" ", 1)[0]), ["HEAD", "GET"]);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
    const broken = simulatedStreams([{ peer: { respond: () => httpResponse("404 Not Found", {}, "gone") } }]);
    const notices: string[] = [];
    await assert.rejects(
      download(
        "http://198.18.2.2/a",
        { directory: dir, spider: true },
        { notice: (m) => notices.push(m) },
        broken.open,
      ),
      (e) => e instanceof ServerStatusError && e.status === 404,
    );
    assert.deepEqual(notices, [BROKEN_LINK]);
  });
});

Deno.test("download() with contentOnError saves an error body to a new name and still fails, not retried", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/page`, "kept");
    const sim = simulatedStreams([{ peer: { respond: () => httpResponse("504 Gateway Timeout", {}, "try later") } }]);
    await assert.rejects(
      download("http://198.18.2.2/page", { directory: dir, contentOnError: true, tries: 3 }, {}, sim.open),
      (e) => e instanceof SavedErrorStatus && e.status === 504 && !e.transient && e.path === `${dir}/page.1`,
    );
    assert.equal(sim.links.length, 1);
    assert.equal(await Deno.readTextFile(`${dir}/page`), "kept");
    assert.equal(await Deno.readTextFile(`${dir}/page.1`), "try later");
  });
});

Deno.test("download() with ignoreLength reads the body to the end of the connection", async () => {
  await inTempDir(async (dir) => {
    const sim = simulatedStreams([
      { peer: { respond: () => httpResponse("200 OK", { "Content-Length": "4" }, "more than four bytes") } },
    ]);
    const result = await download("http://198.18.2.2/a", { directory: dir, ignoreLength: true }, {}, sim.open);
    assert.equal(result.bytes, 20);
    assert.equal(await Deno.readTextFile(`${dir}/a`), "more than four bytes");
  });
});

Deno.test("download() hands each response head to serverResponse", async () => {
  await inTempDir(async (dir) => {
    const sim = simulatedStreams([
      { peer: { respond: () => httpResponse("302 Found", { Location: "/b" }) } },
      { peer: { respond: () => httpResponse("200 OK", {}, "x") } },
    ]);
    const heads: string[] = [];
    await download("http://198.18.2.2/a", { directory: dir }, { serverResponse: (h) => heads.push(h) }, sim.open);
    assert.deepEqual(heads, [
      "  HTTP/1.1 302 Found\n  Content-Length: 0\n  Location: /b",
      "  HTTP/1.1 200 OK\n  Content-Length: 1",
    ]);
  });
});
