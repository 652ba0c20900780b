/**
 * The HTTP servers a testbed can run in its server namespace: the testbed's own file server (`deno`, always
 * available), `nginx` (when installed) and `python3 -m http.server` (when installed). Each runs as a direct child of
 * this process (`ip netns exec` execs the server in place, so the child's PID is the server's) and is ready when its
 * listening socket shows in `ss`.
 *
 * @module
 */

import { CommandError, exec, findProgram } from "../_support/exec.ts";
import { denoRun } from "../_support/program.ts";
import { pollUntil } from "../_support/poll.ts";

/** Which server: nginx on port 80, the testbed's file server on 8080, python's http.server on 8000. */
export type ServerKind = "nginx" | "deno" | "python";

/** The TCP port each server listens on. */
export const SERVER_PORTS: Readonly<Record<ServerKind, number>> = { nginx: 80, deno: 8080, python: 8000 };

/** A server process started by {@linkcode runServer}. */
export interface RunningServer {
  /** The child process (its `pid` is the server's). */
  readonly child: Deno.ChildProcess;
  /** The last few KiB the server wrote on stderr. */
  stderrTail(): string;
  /** Sends SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** A server process started by {@linkcode startServer}. */
export interface ServerProcess extends RunningServer {
  /** Which server it is. */
  readonly kind: ServerKind;
}

/** Where and how to start a server. */
export interface ServerContext {
  /** Namespace to run the server in. */
  ns: string;
  /** Address to listen on. */
  addr: string;
  /** IPv6 address to listen on as well (default none; python then listens on every address, see serverCommand). */
  addr6?: string;
  /** Document root. */
  wwwDir: string;
  /** A private directory for the server's configuration, logs and temp files. */
  tempDir: string;
}

/**
 * Whether a server kind can run on this machine (`deno` always can).
 *
 * @example
 * ```ts
 * if (!serverAvailable("nginx")) console.log("apt-get install nginx-light");
 * ```
 */
export function serverAvailable(kind: ServerKind): boolean {
  if (kind === "deno") return true;
  return findProgram(kind === "nginx" ? "nginx" : "python3") !== null;
}

/** Starts a server in `ctx.ns` and resolves once it accepts connections; throws with its stderr if it does not. */
export async function startServer(kind: ServerKind, ctx: ServerContext): Promise<ServerProcess> {
  const port = SERVER_PORTS[kind];
  const where = { ns: ctx.ns, addr: ctx.addr, port };
  const server: ServerProcess = { kind, ...await runServer(kind, await serverCommand(kind, ctx, port), where) };
  // Listening on the IPv4 address does not say the IPv6 socket is bound yet (the file server opens them one by one).
  const addr6 = ctx.addr6;
  if (addr6 !== undefined && !(await pollUntil(() => isListening(ctx.ns, `[${addr6}]`, port), 15_000, 50))) {
    await server.stop(0);
    throw new Error(`The ${kind} server did not listen on [${addr6}]:${port} in 15 s. ${server.stderrTail()}`);
  }
  return server;
}

/** Where {@linkcode runServer} runs a server, and how it starts the process. */
export interface RunWhere {
  /** Namespace to run the server in. */
  readonly ns: string;
  /** Address it listens on. */
  readonly addr: string;
  /** Port it listens on. */
  readonly port: number;
  /**
   * Starts `ip netns exec NS ARGV…` with stderr piped (default: a direct child of this process); e.g.
   * `Testbed.spawnIn`, so that the testbed kills the server when it goes down.
   */
  readonly spawn?: (argv: readonly string[]) => Deno.ChildProcess;
}

/**
 * Runs `argv` in a namespace and resolves once it listens on the address and port of `where`; throws with its stderr
 * if it exits first or does not listen within 15 s. `name` names it in messages.
 *
 * @example
 * ```ts
 * const where = { ns: tb.serverNs, addr: tb.serverAddr, port: 8443 };
 * const server = await runServer("perl", ["perl", "server.pl"], where);
 * await server.stop();
 * ```
 */
export async function runServer(name: string, argv: readonly string[], where: RunWhere): Promise<RunningServer> {
  const { ns, addr, port } = where;
  const cmd = ["ip", "netns", "exec", ns, ...argv];
  let child: Deno.ChildProcess;
  try {
    child = where.spawn?.(argv) ?? new Deno.Command(findProgram("ip") ?? "ip", {
      args: cmd.slice(1),
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    throw new CommandError(cmd, null, e instanceof Error ? e.message : String(e), e);
  }
  let tail = "";
  const drained = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of child.stderr) tail = (tail + dec.decode(chunk, { stream: true })).slice(-4096);
  })().catch(() => {});
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const proc: RunningServer = {
    child,
    stderrTail: () => tail,
    async stop(graceMs = 2000) {
      if (!exited) {
        try {
          child.kill("SIGTERM");
        } catch { /* already gone */ }
        const timer = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch { /* already gone */ }
        }, graceMs);
        await status;
        clearTimeout(timer);
      }
      await drained;
    },
  };
  const deadline = performance.now() + 15_000;
  for (;;) {
    if (exited) {
      await drained;
      throw new CommandError(cmd, (await status).code, `the ${name} server exited at start. ${tail}`);
    }
    if (await isListening(ns, addr, port)) return proc;
    if (performance.now() > deadline) {
      await proc.stop(0);
      throw new CommandError(cmd, null, `the ${name} server did not listen on ${addr}:${port} in 15 s. ${tail}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An nginx of a test's own (its own configuration, prefix and logs), running in the server namespace. */
export interface OwnNginx {
  /** Stops it (SIGTERM) and waits for it; harmless when it already exited. */
  stop(): Promise<void>;
}

/**
 * Starts `nginx -p DIR/ -c CONF` in namespace `ns` with `spawn` (a testbed's `spawnIn`, which kills it with the
 * testbed) and waits until it listens on `addr:port` (its last server block): 15 s at most, then it is stopped and
 * the tail of `DIR/nginx-error.log` says why, under `what`.
 */
export async function startOwnNginx(
  spawn: (cmd: string[], opts: { stdout: "null"; stderr: "null" }) => Deno.ChildProcess,
  where: { readonly ns: string; readonly addr: string; readonly port: number },
  dir: string,
  conf: string,
  what: string,
): Promise<OwnNginx> {
  const child = spawn(["nginx", "-p", `${dir}/`, "-c", conf, "-g", "daemon off;"], { stdout: "null", stderr: "null" });
  let exited = false;
  const status = child.status.finally(() => (exited = true));
  const stop = async () => {
    if (!exited) {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
    }
    await status;
  };
  const up = await pollUntil(async () => exited || await isListening(where.ns, where.addr, where.port), 15_000);
  if (!up || exited) {
    await stop();
    const log = await Deno.readTextFile(`${dir}/nginx-error.log`).catch(() => "");
    throw new Error(`The ${what} did not start: ${log.slice(-1000)}`);
  }
  return { stop };
}

/** Whether a TCP socket listens on `addr:port` in namespace `ns` (asks `ss`, part of iproute2). */
export async function isListening(ns: string, addr: string, port: number): Promise<boolean> {
  const r = await exec(["ip", "netns", "exec", ns, "ss", "-Hltn", `sport = :${port}`]);
  return r.code === 0 && r.stdout.split("\n").some((l) => l.includes(`${addr}:${port}`) || l.includes(`*:${port}`));
}

async function serverCommand(kind: ServerKind, ctx: ServerContext, port: number): Promise<string[]> {
  switch (kind) {
    case "deno": {
      const script = new URL("./file_server.ts", import.meta.url);
      if (script.protocol !== "file:") throw new Error(`Cannot run the file server from ${script.href}`);
      const args = ["--root", ctx.wwwDir, "--hostname", ctx.addr, "--port", String(port)];
      const also = ctx.addr6 === undefined ? [] : ["--also-hostname", ctx.addr6];
      const net = ctx.addr6 === undefined ? "" : `,[${ctx.addr6}]:${port}`;
      return denoRun(script.pathname, [...also, ...args], [
        "--quiet",
        "--no-prompt",
        `--allow-net=${ctx.addr}:${port}${net}`,
        `--allow-read=${ctx.wwwDir}`,
      ]);
    }
    case "nginx": {
      const nginx = findProgram("nginx");
      if (nginx === null) {
        throw new CommandError(["nginx"], null, "nginx is not installed (apt-get install nginx-light)");
      }
      const conf = `${ctx.tempDir}/nginx.conf`;
      await Deno.writeTextFile(conf, nginxConf(ctx, port));
      // No `-e` (nginx ≥ 1.19.5 only): the configuration's error_log applies once it is read.
      return [nginx, "-p", `${ctx.tempDir}/`, "-c", conf, "-g", "daemon off;"];
    }
    case "python": {
      const python = findProgram("python3");
      if (python === null) throw new CommandError(["python3"], null, "python3 is not installed");
      // http.server binds one address; `::` makes it a dual-stack socket (IPV6_V6ONLY off) that takes both
      // families, on every address of the server namespace (which has only the testbed's).
      const bind = ctx.addr6 === undefined ? ctx.addr : "::";
      return [python, "-m", "http.server", String(port), "--bind", bind, "--directory", ctx.wwwDir];
    }
  }
}

/**
 * The nginx configuration: one worker, no daemon, pid, logs and temp files in the testbed's temp directory, sendfile,
 * gzip of text/plain only when the client asks (no gzip_static).
 */
export function nginxConf(ctx: ServerContext, port: number): string {
  return `${nginxPreamble("tests/testbed/servers.ts", ctx.tempDir, "nginx-")}
  tcp_nopush on;
  types { text/plain txt; text/html html; application/json json; }
  gzip on;
  gzip_types text/plain;
  gzip_min_length 20;
  server {
    listen ${ctx.addr}:${port};${ctx.addr6 === undefined ? "" : `\n    listen [${ctx.addr6}]:${port};`}
    root ${ctx.wwwDir};
    location / { }
  }
}
`;
}

/**
 * The start of an nginx configuration that keeps everything in `dir` (no daemon state outside the testbed): one
 * worker, pid, logs and temp paths prefixed with `prefix`, sendfile; the `http {` block is left open.
 */
export function nginxPreamble(generator: string, dir: string, prefix: string): string {
  return `# Generated by ${generator} for one testbed; removed with it.
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log ${dir}/nginx-access.log;
  client_body_temp_path ${dir}/${prefix}body;
  proxy_temp_path ${dir}/${prefix}proxy;
  fastcgi_temp_path ${dir}/${prefix}fastcgi;
  uwsgi_temp_path ${dir}/${prefix}uwsgi;
  scgi_temp_path ${dir}/${prefix}scgi;
  sendfile on;
  keepalive_timeout 65;
  default_type application/octet-stream;`;
}
