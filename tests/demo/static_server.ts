/**
 * A static file server built on `Deno.serve`, for the end-to-end tests and the demo ("download from `Deno.serve`").
 * The testbed's own file server (`tests/testbed/file_server.ts`) is built on `node:net` so it can misbehave; this one is
 * the plain, framework-made server a user would write.
 *
 * Paths (GET and HEAD):
 * - `/<file>`: the file with Content-Length; `.txt` files are gzip-encoded (CompressionStream, no Content-Length)
 *   when the request accepts gzip.
 * - `/status/<code>`: that status with a short text body.
 *
 * Run: `deno run --allow-net --allow-read static_server.ts --root DIR [--hostname ADDR] [--port N]`, or start it in a
 * testbed namespace with {@linkcode startStaticServer}.
 *
 * @module
 */

import { serverArgs } from "../_support/server_args.ts";
import { isListening } from "../testbed/servers.ts";
import type { Testbed } from "../testbed/testbed.ts";
import { denoRun } from "../_support/program.ts";

/** Where a {@linkcode startStaticServer} server listens and what it serves. */
export interface StaticServerOptions {
  /** Namespace role or name to run in (default `"server"`). */
  ns?: string;
  /** Address to listen on (default the testbed's server address). */
  addr?: string;
  /** Port to listen on (default 8081). */
  port?: number;
  /** Document root (default the testbed's www directory). */
  root?: string;
}

/** A running static server: its base URL (`http://addr:port`) and its process. */
export interface StaticServer {
  /** `http://addr:port` without a trailing slash. */
  readonly base: string;
  /** The server process (killed by the testbed's `down()`). */
  readonly child: Deno.ChildProcess;
}

/**
 * Starts the `Deno.serve` static server in a testbed namespace and resolves once it listens.
 *
 * @example
 * ```ts
 * const srv = await startStaticServer(tb);
 * await tb.execClient(["curl", "-sO", `${srv.base}/a.bin`]);
 * ```
 */
export async function startStaticServer(tb: Testbed, opts: StaticServerOptions = {}): Promise<StaticServer> {
  const ns = opts.ns ?? "server";
  const addr = opts.addr ?? tb.serverAddr;
  const port = opts.port ?? 8081;
  const root = opts.root ?? tb.wwwDir;
  const args = ["--root", root, "--hostname", addr, "--port", String(port)];
  const flags = ["--quiet", "--no-prompt", `--allow-net=${addr}:${port}`, `--allow-read=${root}`];
  const child = tb.spawnIn(ns, denoRun(new URL(import.meta.url).pathname, args, flags), {
    stdout: "null",
    stderr: "inherit",
  });
  let exited = false;
  child.status.then(() => exited = true);
  const nsName = ns === "server" ? tb.serverNs : ns === "client" ? tb.clientNs : ns === "router" ? tb.routerNs : ns;
  const deadline = performance.now() + 15_000;
  while (!(await isListening(nsName, addr, port))) {
    if (exited) throw new Error(`The Deno.serve static server exited at start (${addr}:${port} in ${nsName})`);
    if (performance.now() > deadline) throw new Error(`The Deno.serve static server did not listen in 15 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { base: `http://${addr}:${port}`, child };
}

/** The handler: static files under `root`, gzip for `.txt`, `/status/<code>`. */
export function staticHandler(root: string): (req: Request) => Promise<Response> {
  return async (req) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("Method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    const path = decodeURIComponent(new URL(req.url).pathname);
    const status = /^\/status\/([2-5]\d\d)$/.exec(path);
    if (status !== null) return new Response(`Status ${status[1]}\n`, { status: Number(status[1]) });
    if (path.split("/").includes("..")) return new Response("Forbidden\n", { status: 403 });
    let file: Deno.FsFile;
    try {
      file = await Deno.open(`${root}${path}`);
      const info = await file.stat();
      if (!info.isFile) {
        file.close();
        return new Response(`Not found: ${path}\n`, { status: 404 });
      }
      const text = path.endsWith(".txt");
      const headers = new Headers({ "content-type": text ? "text/plain; charset=utf-8" : "application/octet-stream" });
      if (req.method === "HEAD") file.close();
      const body = req.method === "HEAD" ? null : file.readable;
      if (text && /\bgzip\b/.test(req.headers.get("accept-encoding") ?? "")) {
        headers.set("content-encoding", "gzip");
        return new Response(body?.pipeThrough(new CompressionStream("gzip")), { headers });
      }
      headers.set("content-length", String(info.size));
      return new Response(body, { headers });
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return new Response(`Not found: ${path}\n`, { status: 404 });
      throw e;
    }
  };
}

if (import.meta.main) {
  const { root, hostname, port } = serverArgs("static_server.ts", { hostname: "127.0.0.1", port: 8081 });
  Deno.serve({
    hostname,
    port,
    onListen: ({ hostname, port }) => console.log(`listening on http://${hostname}:${port}/`),
  }, staticHandler(root));
}
