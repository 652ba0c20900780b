/**
 * The testbed's own HTTP/1.x file server: static files from a root directory plus test paths that misbehave on
 * purpose. It is built on `node:net` rather than `Deno.serve` because `/reset-mid-body` must make the kernel send an
 * RST in the middle of a body (`socket.resetAndDestroy()`, i.e. SO_LINGER 0), and because the framing of each response
 * (Content-Length, chunked, close-delimited) must be chosen by the test, not by a framework.
 *
 * Paths (GET or HEAD, and any method for the paths in `ANY_METHOD`; HTTP/1.1 keep-alive and pipelining work;
 * HTTP/1.0 connections close after one response):
 * - `/<file>`: the file; `Range: bytes=a-b | a- | -n` → 206 or 416; `.txt` files are sent gzip-encoded (chunked or
 *   close-delimited) when the request accepts gzip and has no Range. `Last-Modified` is the file's mtime, and an
 *   `If-Modified-Since` no earlier than it gets 304 Not Modified.
 * - `/undated/<file>`: the same without `Last-Modified` (and without answering `If-Modified-Since`).
 * - `/gzip/<file>`: the file gzip-encoded whenever the request accepts gzip.
 * - `/chunked/<file>?size=n`: the file in chunks of n bytes (default: cycling 1, 7, 100, 1460, 4096, 65536 bytes);
 *   close-delimited for HTTP/1.0 requests.
 * - `/slow/<file>?chunk=n&delay=ms`: the file with Content-Length, n bytes (default 1024) every ms (default 50).
 * - `/status/<code>`: that status with a short text body.
 * - `/redirect/<n>?to=/path&absolute=1`: 302 to `/redirect/<n-1>` … and finally to `to` (default `/echo-headers`).
 * - `/redirect-to?url=<url>&status=<code>`: a redirect (default 302) to `url`.
 * - `/hang`: reads the request and never answers.
 * - `/reset-mid-body[/<file>]?bytes=n`: declares the full length, sends n bytes (default half), then resets.
 * - `/no-range/<file>`: the whole file with 200, whatever the Range header asks (a server without range support).
 * - `/wrong-range/<file>`: a request with Range gets 206 with the whole file, `Content-Range: bytes 0-…` (a server
 *   that misreads ranges); one without gets 200.
 * - `/flaky/<file>?bytes=n`: the 1st, 3rd, … request for the path is cut as `/reset-mid-body/` does; the others get
 *   the whole file with 200, whatever their Range asks.
 * - `/set-cookie[/<path>]?c=<field>&c=…&to=<url>&status=<code>`: one `Set-Cookie: <field>` per `c`, then a redirect
 *   (default 302) to `to`, or without `to` a 200 whose body is what `/cookies` answers.
 * - `/cookies[/<path>]`: the Cookie field of the request as one line, `Cookie: a=1; b=2` or `Cookie: (none)`.
 * - `/echo-headers?head-status=<code>`: JSON `{ method, target, version, headers: [[name, value], …], raw, body }`
 *   of the request (`body` as Latin-1), with `X-Request-Method: <method>`; a HEAD gets `head-status` if given.
 * - `/bad-length/<file>?declared=n`: the whole file after `Content-Length: n` (a wrong one), then the connection closes.
 * - `/disposition/<value>/<file>`: the file with `Content-Disposition: <value>` (the value as base64url of its UTF-8).
 *
 * Run: `deno run --allow-net --allow-read file_server.ts [--also-hostname ADDR]… --root DIR [--hostname 198.18.2.2]
 * [--port 8080]`; it prints `listening on http://host:port/` once it accepts connections on every address.
 * `--also-hostname` (first, before the other options) adds a listener on the same port, e.g. the IPv6 address.
 *
 * @module
 */

import net from "node:net";
import { serverArgs } from "../_support/server_args.ts";
import { type HttpRequest, HttpWriter, readRequests } from "./http1.ts";
import { serveTestPath } from "./test_paths.ts";

/** Options of {@linkcode startFileServer}. */
export interface FileServerOptions {
  /** Directory served at `/`. */
  root: string;
  /** Address to listen on. */
  hostname: string;
  /** TCP port to listen on (0: any free port). */
  port: number;
  /** More addresses to listen on, on the same port (e.g. the IPv6 one); default none. */
  alsoHostnames?: readonly string[];
}

/** A running file server. */
export interface FileServer {
  /** The port it listens on. */
  readonly port: number;
  /** Stops accepting, destroys open connections, resolves when closed. */
  close(): Promise<void>;
}

/**
 * Starts the file server in this process.
 *
 * @example
 * ```ts
 * const srv = await startFileServer({ root: "/tmp/www", hostname: "127.0.0.1", port: 0 });
 * console.log(`http://127.0.0.1:${srv.port}/`);
 * await srv.close();
 * ```
 */
export async function startFileServer(opts: FileServerOptions): Promise<FileServer> {
  const sockets = new Set<net.Socket>();
  const onConnection = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {}); // peers that reset are part of the tests
    socket.setNoDelay(true);
    handleConnection(opts.root, socket).catch(() => socket.destroy());
  };
  const servers: net.Server[] = [];
  const close = () =>
    Promise.all(servers.map((server) => new Promise<void>((done) => server.close(() => done())))).then(() => {});
  let port = opts.port;
  try {
    // One listener per address (not one dual-stack socket): each family listens only where it was asked to.
    for (const hostname of [opts.hostname, ...opts.alsoHostnames ?? []]) {
      const server = net.createServer(onConnection);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, hostname, () => resolve());
      });
      servers.push(server);
      const address = server.address();
      port = typeof address === "object" && address !== null ? address.port : port;
    }
  } catch (e) {
    await close();
    throw e;
  }
  return {
    port,
    close: () => {
      for (const s of sockets) s.destroy();
      return close();
    },
  };
}

async function handleConnection(root: string, socket: net.Socket): Promise<void> {
  for await (const req of readRequests(socket)) {
    const writer = new HttpWriter(socket, req);
    if (req === "malformed") {
      await writer.simple(400, "Bad request\n");
      break;
    }
    await handleRequest(root, req, writer);
    if (writer.mustClose || socket.destroyed) break;
  }
  if (!socket.destroyed) socket.end();
}

/** Paths that answer any method (they echo it, redirect it or answer a status). */
const ANY_METHOD = ["/echo-headers", "/redirect-to", "/redirect/", "/status/"];

async function handleRequest(root: string, req: HttpRequest, writer: HttpWriter): Promise<void> {
  const anyMethod = ANY_METHOD.some((prefix) => req.path.startsWith(prefix));
  if (req.method !== "GET" && req.method !== "HEAD" && !anyMethod) {
    writer.mustClose = true;
    await writer.simple(405, `Method ${req.method} is not allowed\n`, [["allow", "GET, HEAD"]]);
    return;
  }
  await serveTestPath(root, req, writer);
}

if (import.meta.main) {
  const alsoHostnames: string[] = [];
  let rest = Deno.args;
  while (rest[0] === "--also-hostname" && rest.length > 1) {
    alsoHostnames.push(rest[1]);
    rest = rest.slice(2);
  }
  const args = serverArgs("file_server.ts", { hostname: "198.18.2.2", port: 8080 }, rest);
  const srv = await startFileServer({ ...args, alsoHostnames });
  console.log(`listening on http://${args.hostname}:${srv.port}/`);
}
