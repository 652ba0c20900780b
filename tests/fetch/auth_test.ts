/**
 * Authentication in the download loop (simulated servers) and its parts: `~/.netrc` parsing and lookup, which
 * credentials a host gets, Basic and Digest answers to a 401, a refusal after our answer, and credentials that never
 * follow a redirect to another host.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Authenticator, AuthError, download, netrcFor, parseNetrc } from "../../src/fetch/mod.ts";
import { type HeadEvent, parseUrl, ResponseParser } from "../../src/http/mod.ts";
import { withTempDir } from "../_support/files.ts";
import { httpResponse, simulatedStreams } from "../sim/streams.ts";

const text = (bytes: number[]) => new TextDecoder().decode(new Uint8Array(bytes));
const authOf = (request: number[]) => /\r\nAuthorization: ([^\r]*)\r\n/.exec(text(request))?.[1];
const tools = { hash: () => "0".repeat(32), cnonce: () => "c" };

/** The head of a 401 asking with `challenge`. */
function head401(challenge: string): HeadEvent {
  const parser = new ResponseParser();
  const wire = `HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: ${challenge}\r\nContent-Length: 0\r\n\r\n`;
  parser.receiveData(new TextEncoder().encode(wire));
  return parser.nextEvent() as HeadEvent;
}

Deno.test("parseNetrc() reads machine and default entries, quotes, and skips macdef bodies and accounts", () => {
  const entries = parseNetrc([
    'machine A.test login me password "p w" account acct',
    "macdef init",
    "cd /pub",
    "",
    "machine b.test",
    "  login you",
    "default login anonymous password guest",
  ].join("\n"));
  assert.deepEqual(entries, [
    { machine: "a.test", login: "me", password: "p w" },
    { machine: "b.test", login: "you" },
    { machine: null, login: "anonymous", password: "guest" },
  ]);
  assert.equal(netrcFor(entries, "B.TEST")?.login, "you");
  assert.equal(netrcFor(entries, "c.test")?.login, "anonymous");
  assert.equal(netrcFor(parseNetrc("machine a.test login x"), "c.test"), null);
});

Deno.test("Authenticator sends nothing until asked, unless --auth-no-challenge", () => {
  const url = parseUrl("http://198.18.2.2/x");
  assert.equal(new Authenticator(url, { user: "u", password: "p" }, tools).authorization(url, "GET", "/x"), undefined);
  const eager = new Authenticator(url, { user: "u", password: "p", authNoChallenge: true }, tools);
  assert.equal(eager.authorization(url, "GET", "/x"), `Basic ${btoa("u:p")}`);
});

const ok = (body = "secret data") => httpResponse("200 OK", {}, body);
const basic401 = () => httpResponse("401 Unauthorized", { "WWW-Authenticate": 'Basic realm="r"' }, "no");

Deno.test("download() answers a Basic 401 with the URL's credentials and gets the file", async () => {
  await withTempDir("rhg-auth-", async (dir) => {
    const sim = simulatedStreams([{ peer: { respond: basic401 } }, { peer: { respond: () => ok() } }]);
    const result = await download("http://me:p%40ss@198.18.2.2/f", { directory: dir, tries: 1 }, {}, sim.open);
    assert.equal(result.status, 200);
    assert.equal(result.url, "http://198.18.2.2/f"); // never the credentials
    assert.equal(await Deno.readTextFile(`${dir}/f`), "secret data");
    assert.equal(authOf(sim.links[0].peer.request), undefined);
    assert.equal(authOf(sim.links[1].peer.request), `Basic ${btoa("me:p@ss")}`);
  });
});

Deno.test("download() answers a Digest 401 and prefers it to Basic", async () => {
  await withTempDir("rhg-auth-", async (dir) => {
    const challenge = 'Digest realm="r", qop="auth", nonce="n1", algorithm=SHA-256, Basic realm="r"';
    const sim = simulatedStreams([
      { peer: { respond: () => httpResponse("401 Unauthorized", { "WWW-Authenticate": challenge }) } },
      { peer: { respond: () => ok() } },
    ]);
    await download(
      "http://198.18.2.2/f",
      { directory: dir, tries: 1, auth: { user: "u", password: "p" } },
      {},
      sim.open,
    );
    const answer = authOf(sim.links[1].peer.request)!;
    assert.match(
      answer,
      /^Digest username="u", realm="r", nonce="n1", uri="\/f", algorithm=SHA-256, response="[0-9a-f]{64}"/,
    );
    assert.match(answer, /qop=auth, nc=00000001, cnonce="[0-9a-f]{32}"$/);
  });
});

Deno.test("download() fails with AuthError when no credentials are known, or when they are refused", async () => {
  await withTempDir("rhg-auth-", async (dir) => {
    const none = simulatedStreams([{ peer: { respond: basic401 } }]);
    await assert.rejects(
      download("http://198.18.2.2/f", { directory: dir, tries: 3 }, {}, none.open),
      (e) => e instanceof AuthError && e.reason === "missing",
    );
    assert.equal(none.links.length, 1);
    const refused = simulatedStreams([{ peer: { respond: basic401 } }]);
    await assert.rejects(
      download(
        "http://198.18.2.2/f",
        { directory: dir, tries: 3, auth: { user: "u", password: "bad" } },
        {},
        refused.open,
      ),
      (e) =>
        e instanceof AuthError && e.reason === "refused" &&
        e.message === "198.18.2.2 refused the user name and password",
    );
    assert.equal(refused.links.length, 2); // asked once without, once with credentials; not retried
    const unknown = simulatedStreams([{
      peer: { respond: () => httpResponse("401 Unauthorized", { "WWW-Authenticate": "Telepathy" }) },
    }]);
    await assert.rejects(
      download("http://198.18.2.2/f", { directory: dir, auth: { user: "u" } }, {}, unknown.open),
      (e) => e instanceof AuthError && e.reason === "unsupported",
    );
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("credentials never follow a redirect to another host; that host gets its own netrc entry", async () => {
  await withTempDir("rhg-auth-", async (dir) => {
    const sim = simulatedStreams([
      { peer: { respond: basic401 } },
      { peer: { respond: () => httpResponse("302 Found", { Location: "http://198.18.2.3/g" }) } },
      { peer: { respond: basic401 } },
      { peer: { respond: () => ok() } },
    ]);
    const netrc = parseNetrc("machine 198.18.2.3 login other password theirs");
    await download(
      "http://198.18.2.2/f",
      { directory: dir, auth: { user: "u", password: "mine", netrc } },
      {},
      sim.open,
    );
    const sent = sim.links.map((l) => authOf(l.peer.request));
    assert.deepEqual(sent, [undefined, `Basic ${btoa("u:mine")}`, undefined, `Basic ${btoa("other:theirs")}`]);
    const alone = simulatedStreams([
      { peer: { respond: () => httpResponse("302 Found", { Location: "http://198.18.2.3/g" }) } },
      { peer: { respond: basic401 } },
    ]);
    await assert.rejects(
      download("http://u:mine@198.18.2.2/f", { directory: dir }, {}, alone.open),
      (e) => e instanceof AuthError && e.reason === "missing",
    );
  });
});

Deno.test("a host that asked for Basic earlier in the run gets Basic credentials at once, as wget sends them", () => {
  const basicHosts = new Set<string>();
  const settings = { user: "u", password: "p", basicHosts };
  const first = parseUrl("http://198.18.2.2/a");
  const one = new Authenticator(first, settings, tools);
  assert.equal(one.authorization(first, "GET", "/a"), undefined, "nothing before the server asks");
  one.challenged(first, head401('Basic realm="r"'));
  assert.ok(basicHosts.has("198.18.2.2"));
  // The next download of the run (a new authenticator): Basic with its first request.
  const second = parseUrl("http://198.18.2.2/b");
  const two = new Authenticator(second, settings, tools);
  assert.equal(two.authorization(second, "GET", "/b"), `Basic ${btoa("u:p")}`);
  // Not to another host, and not after a Digest challenge.
  const other = parseUrl("http://198.18.2.3/c");
  assert.equal(new Authenticator(other, settings, tools).authorization(other, "GET", "/c"), undefined);
  const digestHosts = new Set<string>();
  const three = new Authenticator(other, { ...settings, basicHosts: digestHosts }, tools);
  three.challenged(other, head401('Digest realm="r", nonce="n", qop="auth"'));
  assert.equal(digestHosts.size, 0);
});
