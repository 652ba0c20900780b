/**
 * HTTP/1.1 persistent connections against wget 1.21: the same command lines run with wget and with rawhttpget against
 * an nginx that logs the TCP connection of every request (tests/e2e/_keep_alive_nginx.ts); both must leave the same
 * files (bytes and mtimes) and exit codes, and open as many connections, each carrying the same requests in the same
 * order. wget's side is checked first against what wget 1.21.3 was seen to do, so that a failure of ours is ours:
 *
 * - it asks `GET … HTTP/1.1` with `Connection: Keep-Alive`, and with `--no-http-keep-alive` `Connection: Close` and
 *   one connection per request;
 * - it reuses the connection for the next URL of the command line or of an `-i` list, for a redirect to the same
 *   origin (relative or absolute), for the retry of a 401 with credentials, after an error status (404), and over
 *   TLS; at its default verbosity and with `-v` (not with `-nv`) it says `Reusing existing connection to HOST:PORT.`;
 * - it opens a new connection, silently, when the server has closed the idle one (`keepalive_timeout 1s`, `-w 2`),
 *   after a response with `Connection: close` (`keepalive_requests 2`), and after a close-delimited body.
 *
 * `--http1.0` is ours only: HTTP/1.0 with `Connection: close`, one connection per request.
 */

import assert from "node:assert/strict";
import { assertSameOutcome, differential, type DifferentialOptions, type Side } from "../_support/differential.ts";
import { rhg } from "../_support/program.ts";
import { type Testbed, testbedTest } from "../testbed/testbed.ts";
import {
  type ClientLog,
  KA_AUTH,
  KA_PORTS,
  type KeepAliveNginx,
  type LoggedRequest,
  startKeepAliveNginx,
} from "./_keep_alive_nginx.ts";

const FILES = 20;

/**
 * A server (Python, argv: address, port) that answers the first request of each connection with a kept-alive
 * `hello` and closes the connection, unanswered, on its second request: a server that timed the idle connection out
 * just as our next request came.
 */
const DIES_ON_SECOND_REQUEST = `
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen()
print("listening", flush=True)
while True:
    c, _ = s.accept()
    buf, n = b"", 0
    while True:
        try:
            data = c.recv(65536)
        except OSError:
            break  # our RST, when the client ends a kept connection
        if not data:
            break
        buf += data
        if b"\\r\\n\\r\\n" not in buf:
            continue
        head, buf = buf.split(b"\\r\\n\\r\\n", 1)
        if b"Content-Length: 1" in head:
            buf = buf[1:]
        n += 1
        if n > 1:
            break
        try:
            c.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello")
        except OSError:
            break
    c.close()
`;
const names = Array.from({ length: FILES }, (_, i) => `f${String(i + 1).padStart(2, "0")}.bin`);

/** Each request as `connection#:request#:status:target`, connections numbered 1, 2, … in order of first use. */
function shape(log: ClientLog): string[] {
  const ids = new Map<number, number>();
  return log.requests.map((r: LoggedRequest) => {
    if (!ids.has(r.connection)) ids.set(r.connection, ids.size + 1);
    return `${ids.get(r.connection)}:${r.connectionRequests}:${r.status}:${r.target}`;
  });
}

/** How often a side said `Reusing existing connection to 198.18.2.2:PORT.` (wget's sentence). */
function reuseLines(side: Side, tb: Testbed, port: number): number {
  return side.stderr.split("\n").filter((l) => l.trim() === `Reusing existing connection to ${tb.serverAddr}:${port}.`)
    .length;
}

/** What wget must be seen to do, so that the test's own logic is right before ours is judged. */
interface WgetExpected {
  /** TCP connections wget opens. */
  readonly connections: number;
  /** Requests it sends. */
  readonly requests: number;
  /** Its exit code (default 0). */
  readonly code?: number;
}

/** A differential run with both sides' connection logs. */
interface KeepAliveRun {
  readonly d: { wget: Side; rhg: Side };
  readonly wget: ClientLog;
  readonly ours: ClientLog;
}

/**
 * Runs `args` with wget and rawhttpget, checks wget against `expected`, then asserts that ours left the same files,
 * mtimes and exit code and used its connections as wget did.
 */
async function sameAsWget(
  tb: Testbed,
  ka: KeepAliveNginx,
  args: readonly string[],
  expected: WgetExpected,
  options: DifferentialOptions = {},
): Promise<KeepAliveRun> {
  await ka.clearLog();
  const d = await differential(tb, args, options);
  const wget = await ka.logOf("Wget/");
  const ours = await ka.logOf("rawhttpget/");
  const context = `\n--- wget (exit ${d.wget.code}):\n${
    d.wget.stderr.slice(-3000)
  }\n--- rawhttpget (exit ${d.rhg.code}):\n${d.rhg.stderr.slice(-3000)}`;
  // The test's own logic first: wget 1.21 as it was seen to behave.
  assert.equal(d.wget.code, expected.code ?? 0, `wget's exit code is not the expected one${context}`);
  assert.equal(wget.requests.length, expected.requests, `wget's requests: ${shape(wget).join(" ")}${context}`);
  assert.equal(wget.connections, expected.connections, `wget's connections: ${shape(wget).join(" ")}${context}`);
  assertSameOutcome(d, { mtimes: true });
  assert.deepEqual(
    shape(ours),
    shape(wget),
    `rawhttpget used ${ours.connections} connection(s) for ${ours.requests.length} request(s) where wget used ` +
      `${wget.connections} for ${wget.requests.length} (connection:request:status:target)${context}`,
  );
  return { d, wget, ours };
}

testbedTest(
  "keep-alive: rawhttpget reuses connections exactly where wget 1.21 does, and opens new ones where it does",
  { servers: [], tools: ["wget", "nginx", "openssl"] },
  async (t, tb) => {
    for (const [i, name] of names.entries()) await tb.randomFile(name, 16 * 1024, `keep-alive-${i}`);
    const ka = await startKeepAliveNginx(tb);
    const url = (port: number, path: string) => ka.url(port, path);
    const some = (port: number, n: number, prefix = "/") => names.slice(0, n).map((f) => url(port, `${prefix}${f}`));
    try {
      await t.step("5 URLs on one command line: one connection, HTTP/1.1 with Connection: Keep-Alive", async () => {
        const r = await sameAsWget(tb, ka, ["-v", ...some(KA_PORTS.keep, 5)], { connections: 1, requests: 5 });
        assert.ok(r.wget.requests.every((q) => q.protocol === "HTTP/1.1" && q.connectionField === "Keep-Alive"));
        for (const q of r.ours.requests) {
          assert.equal(q.protocol, "HTTP/1.1", `rawhttpget asked ${q.protocol} for ${q.target}`);
          assert.equal(q.connectionField.toLowerCase(), "keep-alive", `Connection: ${q.connectionField}`);
        }
        assert.equal(reuseLines(r.d.wget, tb, KA_PORTS.keep), 4);
        assert.equal(
          reuseLines(r.d.rhg, tb, KA_PORTS.keep),
          4,
          `-v did not say "Reusing…" 4 times:\n${r.d.rhg.stderr}`,
        );
      });

      await t.step("an -i list of 20 URLs: one connection", async () => {
        const list = `${tb.tempDir}/keep-alive-list.txt`;
        await Deno.writeTextFile(list, some(KA_PORTS.keep, 20).join("\n") + "\n", { mode: 0o644 });
        await sameAsWget(tb, ka, ["-nv", "-i", list], { connections: 1, requests: 20 });
      });

      await t.step("a redirect chain on the same origin (relative, absolute, relative): one connection", async () => {
        const r = await sameAsWget(tb, ka, ["-v", url(KA_PORTS.keep, "/hop/1")], { connections: 1, requests: 4 });
        assert.equal(reuseLines(r.d.wget, tb, KA_PORTS.keep), 3);
        assert.equal(reuseLines(r.d.rhg, tb, KA_PORTS.keep), 3, r.d.rhg.stderr);
      });

      await t.step(
        "a 401 answered with credentials: the retry on the same connection, Basic at once after it",
        async () => {
          // After a Basic challenge wget (and we) send that host's credentials with every later request at once: the
          // second URL gets no 401.
          const args = [
            "-v",
            `--user=${KA_AUTH.user}`,
            `--password=${KA_AUTH.password}`,
            url(KA_PORTS.keep, "/auth/f01.bin"),
            url(KA_PORTS.keep, "/auth/f02.bin"),
          ];
          const r = await sameAsWget(tb, ka, args, { connections: 1, requests: 3 });
          assert.deepEqual(r.wget.requests.map((q) => q.status), [401, 200, 200]);
          assert.equal(reuseLines(r.d.wget, tb, KA_PORTS.keep), 2);
          assert.equal(reuseLines(r.d.rhg, tb, KA_PORTS.keep), 2, r.d.rhg.stderr);
        },
      );

      await t.step("an error status (404) does not end the connection: exit 8, one connection", async () => {
        const args = [url(KA_PORTS.keep, "/missing.bin"), ...some(KA_PORTS.keep, 2)];
        await sameAsWget(tb, ka, args, { connections: 1, requests: 3, code: 8 });
      });

      await t.step("a server that closes idle connections after 1 s, -w 2: both files, two connections", async () => {
        await sameAsWget(tb, ka, ["-w", "2", ...some(KA_PORTS.idle1s, 2)], { connections: 2, requests: 2 });
      });

      await t.step("keepalive_requests 2 and 5 URLs: three connections (2 + 2 + 1)", async () => {
        const r = await sameAsWget(tb, ka, some(KA_PORTS.twoRequests, 5), { connections: 3, requests: 5 });
        assert.deepEqual(r.wget.requests.map((q) => q.connectionRequests), [1, 2, 1, 2, 1]);
      });

      await t.step("--no-http-keep-alive: Connection: close and one connection per request", async () => {
        const args = ["--no-http-keep-alive", ...some(KA_PORTS.keep, 3), url(KA_PORTS.keep, "/hop/1")];
        const r = await sameAsWget(tb, ka, args, { connections: 7, requests: 7 });
        assert.ok(r.wget.requests.every((q) => q.protocol === "HTTP/1.1" && q.connectionField === "Close"));
        for (const q of r.ours.requests) {
          assert.equal(q.protocol, "HTTP/1.1", `rawhttpget asked ${q.protocol} for ${q.target}`);
          assert.equal(q.connectionField.toLowerCase(), "close", `Connection: ${q.connectionField}`);
        }
      });

      await t.step("--http1.0 (ours only): HTTP/1.0, Connection: close, one connection per request", async () => {
        await ka.clearLog();
        const run = await rhg(tb, ["-nv", "--http1.0", ...some(KA_PORTS.keep, 3)]);
        assert.equal(run.code, 0, run.stderr);
        const ours = await ka.logOf("rawhttpget/");
        assert.equal(ours.connections, 3, shape(ours).join(" "));
        for (const q of ours.requests) {
          assert.equal(q.protocol, "HTTP/1.0", `rawhttpget asked ${q.protocol} for ${q.target}`);
          assert.equal(q.connectionField.toLowerCase(), "close", `Connection: ${q.connectionField}`);
        }
      });

      await t.step("HTTPS: 5 URLs reuse one TLS connection", async () => {
        const args = ["-v", `--ca-certificate=${ka.pki.caCert}`, ...some(KA_PORTS.tls, 5)];
        const r = await sameAsWget(tb, ka, args, { connections: 1, requests: 5 });
        assert.equal(reuseLines(r.d.wget, tb, KA_PORTS.tls), 4);
        assert.equal(reuseLines(r.d.rhg, tb, KA_PORTS.tls), 4, r.d.rhg.stderr);
      });

      await t.step("close-delimited bodies (no Content-Length, no chunking): one connection per URL", async () => {
        await sameAsWget(tb, ka, some(KA_PORTS.closeDelimited, 3), { connections: 3, requests: 3 });
      });

      await t.step(
        "a kept connection that dies unanswered: a GET is sent again on a new one, a POST is not",
        async () => {
          const server = tb.spawnIn("server", ["python3", "-c", DIES_ON_SECOND_REQUEST, tb.serverAddr, "8090"], {
            stdout: "piped",
            stderr: "null",
          });
          try {
            // The server says when it listens.
            const reader = server.stdout.getReader();
            await reader.read();
            reader.releaseLock();
            const base = `http://${tb.serverAddr}:8090`;
            const r = await rhg(tb, ["-v", `${base}/a`, `${base}/b`]);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stderr, /^Reusing existing connection to 198\.18\.2\.2:8090\.$/m);
            assert.match(r.stderr, /^The server had closed the connection; connecting again$/m);
            assert.equal(await Deno.readTextFile(`${r.dir}/a`), "hello");
            assert.equal(await Deno.readTextFile(`${r.dir}/b`), "hello");
            // A POST may have had its effect before the connection died (RFC 9110 §9.2.2): not sent twice.
            const post = await rhg(tb, ["-t", "1", "--post-data=x", `${base}/c`, `${base}/d`]);
            assert.notEqual(post.code, 0, post.stderr);
            assert.equal(await Deno.readTextFile(`${post.dir}/c`), "hello");
            assert.doesNotMatch(post.stderr, /connecting again/);
          } finally {
            try {
              server.kill("SIGTERM");
            } catch { /* it exited: its status says how */ }
            const status = await server.status;
            assert.ok(status.signal === "SIGTERM", `the test server exited by itself (${status.code})`);
          }
        },
      );
    } finally {
      await ka.stop();
    }
  },
  { sanitizeResources: false, sanitizeOps: false },
);
