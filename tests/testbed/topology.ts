/**
 * The testbed's network: three namespaces, two veth links, addresses in 198.18.0.0/15 only, forwarding in the router,
 * and one route each on client and server (no default routes, so nothing can leave). Drawn in `testbed.ts`; with
 * `ipv6`, the same in 2001:2::/48 as well (ipv6.ts).
 *
 * @module
 */

import { run } from "../_support/exec.ts";
import { createNamespace, deleteNamespaceSync, enableSysctls, linkNamespaces } from "../_support/namespaces.ts";
import { addIpv6, prepareIpv6 } from "./ipv6.ts";

export { ADDRS6, PREFIXES6 } from "./ipv6.ts";

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

/**
 * Creates the namespaces, links, addresses and routes. Without `ipv6`, IPv6 is disabled so captures show only the
 * tests; with it, the IPv6 addresses and routes of ipv6.ts are added too.
 */
export async function createTopology(ns: Namespaces, mtu: number, ipv6 = false): Promise<void> {
  for (const name of [ns.client, ns.router, ns.server]) {
    await createNamespace(name, { noIpv6: !ipv6 });
    if (ipv6) await prepareIpv6(name);
  }
  const end = (name: string, dev: string, addr: string) => ({ ns: name, dev, addr: `${addr}/24` });
  await linkNamespaces(
    end(ns.client, IFS.client, ADDRS.client),
    end(ns.router, IFS.routerToClient, ADDRS.routerToClient),
    mtu,
  );
  await linkNamespaces(
    end(ns.server, IFS.server, ADDRS.server),
    end(ns.router, IFS.routerToServer, ADDRS.routerToServer),
    mtu,
  );
  await enableSysctls(ns.router, ["net/ipv4/ip_forward"]);
  await run(["ip", "-n", ns.client, "route", "add", "198.18.2.0/24", "via", ADDRS.routerToClient]);
  await run(["ip", "-n", ns.server, "route", "add", "198.18.1.0/24", "via", ADDRS.routerToServer]);
  if (!ipv6) return;
  await addIpv6({
    client: { ns: ns.client, dev: IFS.client },
    router: { ns: ns.router, toClient: IFS.routerToClient, toServer: IFS.routerToServer },
    server: { ns: ns.server, dev: IFS.server },
  });
}

/**
 * Kills every process left in the namespaces (all were started by this testbed: nginx workers, clients' children) and
 * deletes them, which removes their veths, firewall rules and qdiscs. Synchronous, never throws.
 */
export function deleteNamespacesSync(ns: Namespaces): void {
  for (const name of [ns.client, ns.router, ns.server]) deleteNamespaceSync(name);
}
