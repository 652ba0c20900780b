/**
 * Network namespaces and veth links for real-network tests: created with `ip`, named `rhg-<role>-<pid>-<suffix>` so
 * that a process finds its own, and deleted with every process still inside them (which removes their links,
 * firewall rules and qdiscs too). Addresses only in 198.18.0.0/15 (and 2001:2::/48 for IPv6) and no default routes, so
 * nothing leaves the machine.
 *
 * @example
 * ```ts
 * await withNamespaces([namespaceName("fw", "a"), namespaceName("fw", "b")], async ([a, b]) => {
 *   await linkNamespaces({ ns: a, dev: "va", addr: "198.18.210.1/24" }, { ns: b, dev: "vb", addr: "198.18.210.2/24" });
 * });
 * assert.deepEqual(await leftovers("mine"), []);
 * ```
 *
 * @module
 */

import { execSync, inNamespace, run } from "./exec.ts";

/** One end of a veth link. */
export interface VethEnd {
  /** The namespace it lives in. */
  readonly ns: string;
  /** The interface name. */
  readonly dev: string;
  /** Its address with prefix length, e.g. `198.18.1.2/24`. */
  readonly addr: string;
}

/** Options of {@linkcode createNamespace}. */
export interface NamespaceOptions {
  /** Disable IPv6, so that captures show only the test's traffic (default: left on). */
  readonly noIpv6?: boolean;
  /** Addresses (with prefix length) to put on `lo`. */
  readonly loopback?: readonly string[];
}

/** `rhg-<role>-<pid>-<suffix>`: a namespace name of this process, which {@linkcode leftovers} can tell as its own. */
export function namespaceName(role: string, suffix: string | number): string {
  return `rhg-${role}-${Deno.pid}-${suffix}`;
}

/** Whether a named network namespace exists (iproute2 keeps them in /run/netns). */
export function namespaceExists(name: string): boolean {
  try {
    Deno.statSync(`/run/netns/${name}`);
    return true;
  } catch {
    return false;
  }
}

/** Creates namespace `name` with `lo` up (and the options' addresses on it); throws if it exists. */
export async function createNamespace(name: string, opts: NamespaceOptions = {}): Promise<void> {
  await run(["ip", "netns", "add", name]);
  await setUp(name, opts);
}

/** Joins two namespaces by a veth pair, addresses both ends and brings them up (with `mtu` when given). */
export async function linkNamespaces(a: VethEnd, b: VethEnd, mtu?: number): Promise<void> {
  await run(["ip", "link", "add", a.dev, "netns", a.ns, "type", "veth", "peer", "name", b.dev, "netns", b.ns]);
  for (const end of [a, b]) {
    await run(["ip", "-n", end.ns, "addr", "add", end.addr, "dev", end.dev]);
    const mtuArgs = mtu === undefined ? [] : ["mtu", String(mtu)];
    await run(["ip", "-n", end.ns, "link", "set", "dev", end.dev, ...mtuArgs, "up"]);
  }
}

/** Writes "1" into `/proc/sys/<key>` inside a namespace (keys that do not exist are skipped; needs only `sh`). */
export async function enableSysctls(ns: string, keys: readonly string[]): Promise<void> {
  await setSysctls(ns, Object.fromEntries(keys.map((k) => [k, 1])));
}

/**
 * Writes each value into `/proc/sys/<key>` inside a namespace, in the order given (keys that do not exist are
 * skipped; needs only `sh`).
 *
 * @example
 * ```ts
 * await setSysctls(ns, { "net/ipv6/conf/default/accept_ra": 0, "net/ipv6/conf/all/forwarding": 1 });
 * ```
 */
export async function setSysctls(ns: string, values: Readonly<Record<string, number | string>>): Promise<void> {
  const lines = Object.entries(values).map(([k, v]) => {
    // They go into a shell script: names and plain values only, nothing the shell would read as syntax.
    if (!/^[\w./-]+$/.test(k) || !/^[\w-]+$/.test(String(v))) throw new TypeError(`Cannot set sysctl "${k}" to "${v}"`);
    return `if [ -e /proc/sys/${k} ]; then echo ${v} > /proc/sys/${k}; fi`;
  });
  await run(inNamespace(ns, ["sh", "-c", lines.join("; ")]));
}

/**
 * Kills every process left in namespace `name` (all were started by the test that made it) and deletes it.
 * Synchronous, for signal and `unload` handlers too; never throws.
 */
export function deleteNamespaceSync(name: string): void {
  for (const pid of execSync(["ip", "netns", "pids", name]).stdout.split(/\s+/).filter((p) => p !== "")) {
    try {
      Deno.kill(Number(pid), "SIGKILL");
    } catch { /* exited */ }
  }
  if (namespaceExists(name)) execSync(["ip", "netns", "del", name]);
}

/** Creates the namespaces `names`, runs `fn` with them, and deletes those it created whatever happens. */
export async function withNamespaces<T>(
  names: readonly string[],
  fn: (names: string[]) => Promise<T>,
  opts: NamespaceOptions = {},
): Promise<T> {
  const made: string[] = [];
  try {
    for (const name of names) {
      await run(["ip", "netns", "add", name]);
      made.push(name);
      await setUp(name, opts);
    }
    return await fn([...names]);
  } finally {
    for (const name of made) deleteNamespaceSync(name);
  }
}

async function setUp(name: string, opts: NamespaceOptions): Promise<void> {
  if (opts.noIpv6) await enableSysctls(name, ["net/ipv6/conf/all/disable_ipv6", "net/ipv6/conf/default/disable_ipv6"]);
  await run(["ip", "-n", name, "link", "set", "dev", "lo", "up"]);
  for (const addr of opts.loopback ?? []) await run(["ip", "-n", name, "addr", "add", addr, "dev", "lo"]);
}

/**
 * Namespaces named `rhg-…` that exist now; `"mine"`: only those this process named with {@linkcode namespaceName}
 * (other processes' tests may run at the same time).
 *
 * @example
 * ```ts
 * assert.deepEqual(await leftovers("mine"), []);
 * ```
 */
export async function leftovers(scope: "all" | "mine" = "all"): Promise<string[]> {
  const out = await run(["ip", "netns", "list"]);
  const names = out.split("\n").map((l) => l.split(" ")[0]).filter((n) => n.startsWith("rhg-"));
  return scope === "all" ? names : names.filter((n) => /^rhg-[a-z]+-(\d+)-/.exec(n)?.[1] === String(Deno.pid));
}
