/**
 * A three-namespace network for end-to-end tests, benchmarks and the demo: a client, a router that forwards (and can
 * drop or rate-limit), and a server running real HTTP servers.
 *
 * ```text
 *   rhg-c-<pid>-<n>             rhg-r-<pid>-<n>                      rhg-s-<pid>-<n>
 *  ┌──────────────┐      ┌─────────────────────────────┐      ┌─────────────────────────┐
 *  │ client       │ veth │ router (ip_forward=1)       │ veth │ server                  │
 *  │  c-r ────────┼──────┼─ r-c               r-s ─────┼──────┼─ s-r                    │
 *  │  198.18.1.2  │      │  198.18.1.1     198.18.2.1  │      │  198.18.2.2             │
 *  │ route        │      │  FORWARD: random loss       │      │  nginx :80  (optional)  │
 *  │ 198.18.2.0/24│      │   per direction (nft/ipt)   │      │  deno  :8080 (always,   │
 *  │ via .1.1     │      │  r-c egress: tbf rate limit │      │     file_server.ts)     │
 *  │              │      │  r-dl: TUN delay line (RTT) │      │  python :8000 (optional)│
 *  └──────────────┘      └─────────────────────────────┘      └─────────────────────────┘
 *   clientGro → GRO on c-r           serverOffloads=false → ethtool -K s-r tx off tso off gso off
 * ```
 *
 * No default routes and only addresses in 198.18.0.0/15: nothing can leave the testbed. IPv6 is disabled in the three
 * namespaces so captures show only the test's traffic, unless `ipv6: true` adds addresses in 2001:2::/48 (ipv6.ts),
 * servers listening on them too ({@linkcode Testbed.url6}), and loss and delay for IPv6 packets. Everything lives in
 * the namespaces and one temp directory, so {@linkcode Testbed.down} (also run on SIGINT, SIGTERM and `unload`)
 * removes all of it.
 *
 * @example
 * ```ts
 * await withTestbed({ servers: ["nginx"], lossToClient: 0.01 }, async (tb) => {
 *   const file = await tb.randomFile("big.bin", 100 * 2 ** 20);
 *   const out = `${tb.tempDir}/out.bin`; // the namespaces share the host's file system
 *   const r = await tb.execClient(["curl", "-sSo", out, tb.url("nginx", "/big.bin")]);
 *   console.log(r.code, r.timeMs, (await sha256File(out)) === file.sha256, await tb.counters());
 * });
 * ```
 *
 * @module
 */

import assert from "node:assert/strict";
import { exec, type ExecOptions, type ExecResult, findProgram } from "../_support/exec.ts";
import { makeOpenTempDir, type RandomFile, writeRandomFile } from "../_support/files.ts";
import { leftovers, namespaceExists } from "../_support/namespaces.ts";
import { networkTest, requireRoot, requireTools } from "../_support/root.ts";
import { DelayLine, type DelayLineStats } from "./delay_line.ts";
import { type LossBackend, type RouterCounters, RouterImpairments, setGro, setTxOffloads } from "./impair.ts";
import { nextTestbedId, register, unregister } from "./lifecycle.ts";
import { ADDRS, createTopology, deleteNamespacesSync, IFS, type Namespaces, namespacesFor } from "./topology.ts";
import { ADDRS6, httpUrl } from "./ipv6.ts";
import { SERVER_PORTS, type ServerKind, type ServerProcess, startServer } from "./servers.ts";

export type { ExecOptions, ExecResult } from "../_support/exec.ts";
export type { RandomFile } from "../_support/files.ts";
export type { DirectionCounters, LossBackend, RouterCounters } from "./impair.ts";
export type { DelayLineStats } from "./delay_line.ts";
export { ADDRS, IFS } from "./topology.ts";
export { ADDRS6, PREFIXES6 } from "./ipv6.ts";
export { SERVER_PORTS, serverAvailable, type ServerKind, type ServerProcess } from "./servers.ts";

/** Options of {@linkcode Testbed.up}. */
export interface TestbedOptions {
  /** Servers to start in the server namespace (default `["deno"]`). */
  servers?: ServerKind[];
  /** Leave the server's transmit offloads at veth's defaults (default `false`: tx, tso, gso off). */
  serverOffloads?: boolean;
  /** Turn GRO on on the client's interface (default `false`, veth's default). */
  clientGro?: boolean;
  /** Fraction of server → client packets the router drops (default 0). */
  lossToClient?: number;
  /** Fraction of client → server packets the router drops (default 0). */
  lossToServer?: number;
  /** Rate limit of the router toward the client in Mbit/s (default none). */
  rateMbit?: number | null;
  /** MTU of all four veth ends (default 1500). */
  mtu?: number;
  /** Firewall used for loss (default: nft when installed, else iptables). */
  lossBackend?: LossBackend;
  /** Round-trip time the router adds, half each way, in ms (default 0: no delay line; see delay_line.ts). */
  rttMs?: number;
  /** Each round trip takes up to this many ms more (uniform per direction, no reordering; default 0). */
  jitterMs?: number;
  /** IPv6 as well: addresses {@linkcode ADDRS6}, servers listening on them, loss and delay for it (default false). */
  ipv6?: boolean;
}

/** Options of {@linkcode Testbed.spawnClient}. */
export interface SpawnOptions {
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Standard output (default `"piped"`). */
  stdout?: "piped" | "inherit" | "null";
  /** Standard error (default `"piped"`). */
  stderr?: "piped" | "inherit" | "null";
  /** Standard input (default `"null"`). */
  stdin?: "piped" | "inherit" | "null";
}

/** A namespace of the testbed by role, or a namespace name. */
export type NamespaceRole = "client" | "router" | "server";

/** A running testbed; create with {@linkcode Testbed.up} or {@linkcode withTestbed}. */
export class Testbed {
  /** Client namespace (`rhg-c-<pid>-<n>`). */
  readonly clientNs: string;
  /** Router namespace (`rhg-r-<pid>-<n>`). */
  readonly routerNs: string;
  /** Server namespace (`rhg-s-<pid>-<n>`). */
  readonly serverNs: string;
  /** The client's address (`198.18.1.2`). */
  readonly clientAddr: string = ADDRS.client;
  /** The server's address (`198.18.2.2`). */
  readonly serverAddr: string = ADDRS.server;
  /** All four addresses: client, router toward client and server, server. */
  readonly addrs: typeof ADDRS = ADDRS;
  /** Whether the testbed has IPv6 (option `ipv6`); without it no namespace has an IPv6 address. */
  readonly ipv6: boolean;
  /** The client's IPv6 address (`2001:2:0:1::2`), there only with `ipv6`. */
  readonly clientAddr6: string = ADDRS6.client;
  /** The server's IPv6 address (`2001:2:0:2::2`), there only with `ipv6`. */
  readonly serverAddr6: string = ADDRS6.server;
  /** All four IPv6 addresses, as {@linkcode Testbed.addrs}; there only with `ipv6`. */
  readonly addrs6: typeof ADDRS6 = ADDRS6;
  /** Interface names: `c-r` (client), `r-c`, `r-s` (router toward client and server), `s-r` (server). */
  readonly ifs: typeof IFS = IFS;
  /** Private temp directory (server configs and logs); removed by {@linkcode Testbed.down}. */
  readonly tempDir: string;
  /** Document root of every server. */
  readonly wwwDir: string;
  /** Things that could not be set up as asked (for example offloads left on without ethtool). */
  readonly warnings: string[] = [];
  #servers = new Map<ServerKind, ServerProcess>();
  #clients = new Set<Deno.ChildProcess>();
  #router: RouterImpairments;
  #delay: DelayLine;
  #isDown = false;
  #downing: Promise<void> | null = null;
  #ns: Namespaces;

  private constructor(ns: Namespaces, tempDir: string, opts: TestbedOptions) {
    this.#ns = ns;
    this.ipv6 = opts.ipv6 ?? false;
    this.clientNs = ns.client;
    this.routerNs = ns.router;
    this.serverNs = ns.server;
    this.tempDir = tempDir;
    this.wwwDir = `${tempDir}/www`;
    const { routerToClient, routerToServer } = this.ifs;
    this.#router = new RouterImpairments(this.routerNs, routerToClient, routerToServer, opts.lossBackend, this.ipv6);
    this.#delay = new DelayLine(this.routerNs, [routerToClient, routerToServer], this.ipv6);
  }

  /** Creates the namespaces, links, routes and impairments, starts the servers and waits until they listen. */
  static async up(opts: TestbedOptions = {}): Promise<Testbed> {
    requireRoot("The testbed");
    // Open to all: nginx workers read it, and rawhttpget, dropped to nobody, writes into it.
    const tempDir = await makeOpenTempDir({ prefix: "rhg-testbed-" });
    const id = nextTestbedId((id) => Object.values(namespacesFor(id)).some(namespaceExists));
    const tb = new Testbed(namespacesFor(id), tempDir, opts);
    register(tb);
    try {
      await tb.#build(opts);
    } catch (e) {
      await tb.down();
      throw e;
    }
    return tb;
  }

  async #build(opts: TestbedOptions): Promise<void> {
    await Deno.mkdir(this.wwwDir, { mode: 0o755 });
    await createTopology(this.#ns, opts.mtu ?? 1500, this.ipv6);
    if (!(opts.serverOffloads ?? false)) await this.setServerOffloads(false);
    if (opts.clientGro ?? false) await this.setClientGro(true);
    if ((opts.lossToClient ?? 0) > 0 || (opts.lossToServer ?? 0) > 0) {
      await this.setLoss(opts.lossToClient ?? 0, opts.lossToServer ?? 0);
    }
    if (opts.rateMbit !== undefined && opts.rateMbit !== null) await this.setRate(opts.rateMbit);
    if ((opts.rttMs ?? 0) > 0 || (opts.jitterMs ?? 0) > 0) await this.setDelay(opts.rttMs ?? 0, opts.jitterMs ?? 0);
    for (const kind of opts.servers ?? ["deno"]) await this.startServer(kind);
  }

  /** Starts one more server (no-op if it runs already) and waits until it listens. */
  async startServer(kind: ServerKind): Promise<void> {
    if (this.#servers.has(kind)) return;
    const addr6 = this.ipv6 ? this.serverAddr6 : undefined;
    const ctx = { ns: this.serverNs, addr: this.serverAddr, addr6, wwwDir: this.wwwDir, tempDir: this.tempDir };
    this.#servers.set(kind, await startServer(kind, ctx));
  }

  /** The servers running, with their child processes (for PIDs and stderr). */
  get servers(): ReadonlyMap<ServerKind, ServerProcess> {
    return this.#servers;
  }

  /** The URL of `path` on a running server, e.g. `http://198.18.2.2:8080/a.bin`. */
  url(server: ServerKind, path: string): string {
    return httpUrl(this.serverAddr, this.#port(server), path);
  }

  /** The IPv6 URL of `path` on a running server, e.g. `http://[2001:2:0:2::2]:8080/a.bin` (needs `ipv6: true`). */
  url6(server: ServerKind, path: string): string {
    if (!this.ipv6) throw new Error(`Cannot make an IPv6 URL for the ${server} server: the testbed has no IPv6`);
    return httpUrl(this.serverAddr6, this.#port(server), path);
  }

  #port(server: ServerKind): number {
    if (!this.#servers.has(server)) {
      throw new Error(
        `Cannot make a URL for the ${server} server: it is not running (start it with servers: ["${server}"])`,
      );
    }
    return SERVER_PORTS[server];
  }

  /** Writes a file under {@linkcode Testbed.wwwDir} (creating directories) and returns its absolute path. */
  async writeFile(name: string, data: Uint8Array | string): Promise<string> {
    const path = this.#wwwPath(name);
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true, mode: 0o755 });
    if (typeof data === "string") await Deno.writeTextFile(path, data, { mode: 0o644 });
    else await Deno.writeFile(path, data, { mode: 0o644 });
    return path;
  }

  /** Writes `size` pseudo-random bytes (same `seed`, same bytes) under {@linkcode Testbed.wwwDir}. */
  async randomFile(name: string, size: number, seed?: number | string): Promise<RandomFile> {
    const path = await this.writeFile(name, new Uint8Array(0));
    return await writeRandomFile(path, size, seed);
  }

  #wwwPath(name: string): string {
    const clean = name.replace(/^\/+/, "");
    if (clean === "" || clean.split("/").some((p) => p === ".." || p === "")) {
      throw new Error(`Cannot write "${name}": not a relative path inside the www directory`);
    }
    return `${this.wwwDir}/${clean}`;
  }

  /** Runs a command in the client namespace to completion (see {@linkcode exec}). */
  execClient(cmd: string[], opts?: ExecOptions): Promise<ExecResult> {
    return this.execIn("client", cmd, opts);
  }

  /** Runs a command in a namespace (by role or name) to completion. */
  execIn(ns: NamespaceRole | string, cmd: string[], opts?: ExecOptions): Promise<ExecResult> {
    return exec(["ip", "netns", "exec", this.#name(ns), ...cmd], opts);
  }

  /** Starts a command in the client namespace; its `pid` is the command's own. Killed by {@linkcode Testbed.down}. */
  spawnClient(cmd: string[], opts: SpawnOptions = {}): Deno.ChildProcess {
    return this.spawnIn("client", cmd, opts);
  }

  /** Starts a command in a namespace (by role or name), e.g. `tcpdump` in the router. Killed by `down()`. */
  spawnIn(ns: NamespaceRole | string, cmd: string[], opts: SpawnOptions = {}): Deno.ChildProcess {
    const child = new Deno.Command(findProgram("ip") ?? "ip", {
      args: ["netns", "exec", this.#name(ns), ...cmd],
      env: opts.env,
      stdin: opts.stdin ?? "null",
      stdout: opts.stdout ?? "piped",
      stderr: opts.stderr ?? "piped",
    }).spawn();
    this.#clients.add(child);
    child.status.finally(() => this.#clients.delete(child));
    return child;
  }

  #name(ns: NamespaceRole | string): string {
    return ns === "client" ? this.clientNs : ns === "router" ? this.routerNs : ns === "server" ? this.serverNs : ns;
  }

  /** The firewall making the loss (`null` until loss is first set). */
  get lossBackend(): LossBackend | null {
    return this.#router.lossBackend;
  }

  /** Sets the router's random loss per direction (fractions, 0 = none). */
  setLoss(toClient: number, toServer: number): Promise<void> {
    return this.#router.setLoss(toClient, toServer);
  }

  /** Sets (or with `null` removes) the rate limit of the router toward the client. */
  setRate(mbit: number | null): Promise<void> {
    return this.#router.setRate(mbit);
  }

  /**
   * Puts the router's delay line in the path with round trip `rttMs` (half each way) and up to `jitterMs` more, or
   * with 0 and 0 takes it out. Returns what the line it replaces counted (`null` if it was off).
   */
  setDelay(rttMs: number, jitterMs = 0): Promise<DelayLineStats | null> {
    return this.#delay.set(rttMs, jitterMs);
  }

  /** The round trip the delay line adds, in ms (0: off). */
  get rttMs(): number {
    return this.#delay.rttMs;
  }

  /** Router counters: packets forwarded and dropped per direction. */
  counters(): Promise<RouterCounters> {
    return this.#router.counters();
  }

  /**
   * GRO on the client's interface (throws if ethtool is missing). veth only coalesces frames that its peer did not
   * segment itself, so the router's TSO toward the client is turned off while GRO is on: otherwise nothing merges.
   */
  async setClientGro(on: boolean): Promise<void> {
    if (!(await setGro(this.clientNs, this.ifs.client, on))) {
      throw new Error(`Cannot turn GRO ${on ? "on" : "off"}: ethtool is not installed (apt-get install ethtool)`);
    }
    await this.execIn("router", ["ethtool", "-K", this.ifs.routerToClient, "tso", on ? "off" : "on"]);
  }

  /** Transmit offloads (checksum, TSO, GSO) of the server's interface; without ethtool they stay on (a warning). */
  async setServerOffloads(on: boolean): Promise<void> {
    if (!(await setTxOffloads(this.serverNs, this.ifs.server, on))) {
      this.warnings.push(
        `ethtool is not installed: the server's offloads stay on (oversize segments, partial checksums)`,
      );
    }
  }

  /** Stops servers and clients by PID, deletes the namespaces (links, rules, qdiscs) and the temp dir. Idempotent. */
  down(): Promise<void> {
    return this.#downing ??= this.#stopAll();
  }

  async #stopAll(): Promise<void> {
    if (this.#isDown) return;
    await Promise.all([...this.#servers.values()].map((s) => s.stop(2000)));
    await this.#delay.stop().catch(() => {}); // by its PID, before the namespace goes with whatever is left in it
    const clients = [...this.#clients]; // still running: ours to kill
    for (const child of clients) {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
      await child.status;
      for (const stream of ["stdout", "stderr"] as const) {
        try {
          await child[stream].cancel(); // never read by the caller: release the pipe (test sanitizers count it)
        } catch { /* not piped, or read by the caller */ }
      }
    }
    this.teardownSync();
  }

  /** Synchronous last-resort teardown (signal and `unload` handlers): SIGKILL, delete namespaces and temp dir. */
  teardownSync(): void {
    if (this.#isDown) return;
    this.#isDown = true;
    this.#delay.killSync();
    for (const proc of [...this.#servers.values()].map((s) => s.child).concat([...this.#clients])) {
      try {
        proc.kill("SIGKILL");
      } catch { /* exited */ }
    }
    deleteNamespacesSync(this.#ns);
    try {
      Deno.removeSync(this.tempDir, { recursive: true });
    } catch { /* already removed */ }
    unregister(this);
  }
}

/**
 * Brings a testbed up, runs `fn` with it and always takes it down.
 *
 * @example
 * ```ts
 * const ok = await withTestbed({ servers: ["deno"] }, async (tb) => {
 *   return (await tb.execClient(["curl", "-sf", tb.url("deno", "/status/204")])).code === 0;
 * });
 * ```
 */
export async function withTestbed<T>(opts: TestbedOptions, fn: (tb: Testbed) => Promise<T>): Promise<T> {
  const tb = await Testbed.up(opts);
  try {
    return await fn(tb);
  } finally {
    await tb.down();
  }
}

/**
 * A test in a testbed of its own: skipped or failing as {@linkcode networkTest} says, then (with the `tools` it needs
 * installed) `fn` runs in a testbed brought up with `opts`, and no namespace of this process may be left afterwards.
 *
 * @example
 * ```ts
 * testbedTest("curl gets a file", { servers: ["nginx"], tools: ["curl"] }, async (t, tb) => {
 *   assert.equal((await tb.execClient(["curl", "-sf", tb.url("nginx", "/")])).code, 0);
 * });
 * ```
 */
export function testbedTest(
  name: string,
  opts: TestbedOptions & { tools?: readonly string[] },
  fn: (t: Deno.TestContext, tb: Testbed) => Promise<void>,
  testOptions: Omit<Deno.TestDefinition, "name" | "fn" | "ignore"> = {},
): void {
  const { tools = [], ...testbedOptions } = opts;
  networkTest(name, async (t) => {
    requireTools(tools);
    await withTestbed(testbedOptions, (tb) => fn(t, tb));
    assert.deepEqual(await leftovers("mine"), []);
  }, testOptions);
}
