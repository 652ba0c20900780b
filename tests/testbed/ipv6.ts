/**
 * The testbed's IPv6 (option `ipv6: true`): the same three namespaces and two links, with addresses from 2001:2::/48
 * (RFC 5180, the benchmarking prefix, as 198.18.0.0/15 is for IPv4), forwarding in the router and one route each on
 * client and server, so that, as for IPv4, nothing can leave.
 *
 * ```text
 *   client c-r 2001:2:0:1::2/64 ── r-c 2001:2:0:1::1/64  router  r-s 2001:2:0:2::1/64 ── s-r 2001:2:0:2::2/64 server
 *   route 2001:2:0:2::/64 via 2001:2:0:1::1                       route 2001:2:0:1::/64 via 2001:2:0:2::1
 * ```
 *
 * Addresses carry `nodad`, and DAD is off for link-local ones too, so nothing waits a second for duplicate address
 * detection. Router advertisements and autoconfiguration are off: only these addresses and routes (plus link-local
 * ones) exist.
 *
 * @module
 */

import { run } from "../_support/exec.ts";
import { setSysctls } from "../_support/namespaces.ts";

/** The testbed's IPv6 addresses (with `ipv6: true`). */
export const ADDRS6 = {
  client: "2001:2:0:1::2",
  routerToClient: "2001:2:0:1::1",
  routerToServer: "2001:2:0:2::1",
  server: "2001:2:0:2::2",
} as const;

/** The two links' IPv6 prefixes: client side and server side. */
export const PREFIXES6 = { client: "2001:2:0:1::/64", server: "2001:2:0:2::/64" } as const;

/** Interface names and namespaces {@linkcode addIpv6} addresses. */
export interface Ipv6Ends {
  /** Client namespace and its interface. */
  readonly client: { readonly ns: string; readonly dev: string };
  /** Router namespace and its interfaces toward client and server. */
  readonly router: { readonly ns: string; readonly toClient: string; readonly toServer: string };
  /** Server namespace and its interface. */
  readonly server: { readonly ns: string; readonly dev: string };
}

/**
 * Settings of a namespace before its links exist (new interfaces copy `default`): no router advertisements, no
 * autoconfiguration, no DAD (link-local addresses would otherwise stay tentative for a second).
 */
export async function prepareIpv6(ns: string): Promise<void> {
  const values: Record<string, number> = {};
  for (const conf of ["all", "default"]) {
    values[`net/ipv6/conf/${conf}/accept_ra`] = 0;
    values[`net/ipv6/conf/${conf}/autoconf`] = 0;
    values[`net/ipv6/conf/${conf}/accept_dad`] = 0;
  }
  await setSysctls(ns, values);
}

/** Puts the addresses and routes on the links (which must be up) and turns forwarding on in the router. */
export async function addIpv6(ends: Ipv6Ends): Promise<void> {
  const addr = (ns: string, dev: string, a: string) =>
    run(["ip", "-n", ns, "-6", "addr", "add", `${a}/64`, "dev", dev, "nodad"]);
  await addr(ends.client.ns, ends.client.dev, ADDRS6.client);
  await addr(ends.router.ns, ends.router.toClient, ADDRS6.routerToClient);
  await addr(ends.router.ns, ends.router.toServer, ADDRS6.routerToServer);
  await addr(ends.server.ns, ends.server.dev, ADDRS6.server);
  // Forwarding on "all" turns it on for every interface; a forwarding router ignores advertisements anyway.
  await setSysctls(ends.router.ns, { "net/ipv6/conf/all/forwarding": 1 });
  await run(["ip", "-n", ends.client.ns, "-6", "route", "add", PREFIXES6.server, "via", ADDRS6.routerToClient]);
  await run(["ip", "-n", ends.server.ns, "-6", "route", "add", PREFIXES6.client, "via", ADDRS6.routerToServer]);
}

/**
 * An `http://` URL for `host` (an IPv4 or IPv6 address; IPv6 goes in brackets, RFC 3986 §3.2.2) and `port` (left
 * out when 80), with `path` (a missing leading `/` is added).
 *
 * @example
 * ```ts
 * httpUrl("2001:2:0:2::2", 8080, "a.bin"); // "http://[2001:2:0:2::2]:8080/a.bin"
 * ```
 */
export function httpUrl(host: string, port: number, path: string): string {
  const h = host.includes(":") ? `[${host}]` : host;
  return `http://${h}${port === 80 ? "" : `:${port}`}${path.startsWith("/") ? "" : "/"}${path}`;
}
