/**
 * The testbed's network: three namespaces, two veth links, addresses in 198.18.0.0/15 only, forwarding in the router,
 * and one route each on client and server (no default routes, so nothing can leave). Drawn in `testbed.ts`.
 *
 * @module
 */

import { execSync, run } from "./exec.ts";

/** The testbed's addresses. */
export const ADDRS = {
  client: "198.18.1.2",
  routerToClient: "198.18.1.1",
  routerToServer: "198.18.2.1",
  server: "198.18.2.2",
} as const;

/** The interface names (the same in every testbed: each lives in its own namespace). */
export const IFS = { client: "c-r", routerToClient: "r-c", routerToServer: "r-s", server: "s-r" } as const;

/** The three namespace names of one testbed. */
export interface Namespaces {
  /** `rhg-c-<id>`. */
  client: string;
  /** `rhg-r-<id>`. */
  router: string;
  /** `rhg-s-<id>`. */
  server: string;
}

/** The namespace names for testbed `id`. */
export function namespacesFor(id: string): Namespaces {
  return { client: `rhg-c-${id}`, router: `rhg-r-${id}`, server: `rhg-s-${id}` };
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

/** Creates the namespaces, links, addresses and routes; IPv6 is disabled so captures show only the tests. */
export async function createTopology(ns: Namespaces, mtu: number): Promise<void> {
  for (const name of [ns.client, ns.router, ns.server]) {
    await run(["ip", "netns", "add", name]);
    await sysctlOn(name, ["net/ipv6/conf/all/disable_ipv6", "net/ipv6/conf/default/disable_ipv6"]);
  }
  const link = (a: string, aNs: string, b: string, bNs: string) =>
    run(["ip", "link", "add", a, "netns", aNs, "type", "veth", "peer", "name", b, "netns", bNs]);
  await link(IFS.client, ns.client, IFS.routerToClient, ns.router);
  await link(IFS.server, ns.server, IFS.routerToServer, ns.router);
  const ends: [string, string, string][] = [
    [ns.client, IFS.client, ADDRS.client],
    [ns.router, IFS.routerToClient, ADDRS.routerToClient],
    [ns.router, IFS.routerToServer, ADDRS.routerToServer],
    [ns.server, IFS.server, ADDRS.server],
  ];
  for (const [name, dev, addr] of ends) {
    await run(["ip", "-n", name, "addr", "add", `${addr}/24`, "dev", dev]);
    await run(["ip", "-n", name, "link", "set", "dev", dev, "mtu", String(mtu), "up"]);
  }
  for (const name of [ns.client, ns.router, ns.server]) await run(["ip", "-n", name, "link", "set", "dev", "lo", "up"]);
  await sysctlOn(ns.router, ["net/ipv4/ip_forward"]);
  await run(["ip", "-n", ns.client, "route", "add", "198.18.2.0/24", "via", ADDRS.routerToClient]);
  await run(["ip", "-n", ns.server, "route", "add", "198.18.1.0/24", "via", ADDRS.routerToServer]);
}

/** Writes "1" into `/proc/sys/<key>` inside a namespace (keys that do not exist are skipped; needs only `sh`). */
async function sysctlOn(ns: string, keys: string[]): Promise<void> {
  const script = keys.map((k) => `if [ -e /proc/sys/${k} ]; then echo 1 > /proc/sys/${k}; fi`).join("; ");
  await run(["ip", "netns", "exec", ns, "sh", "-c", script]);
}

/**
 * Kills every process left in the namespaces (all were started by this testbed: nginx workers, clients' children) and
 * deletes them, which removes their veths, firewall rules and qdiscs. Synchronous, never throws.
 */
export function deleteNamespacesSync(ns: Namespaces): void {
  for (const name of [ns.client, ns.router, ns.server]) {
    for (const pid of execSync(["ip", "netns", "pids", name]).stdout.split(/\s+/).filter((p) => p !== "")) {
      try {
        Deno.kill(Number(pid), "SIGKILL");
      } catch { /* exited */ }
    }
    if (namespaceExists(name)) execSync(["ip", "netns", "del", name]);
  }
}
