/**
 * A host as a request writes it in its Host field, absolute-form target or CONNECT target.
 *
 * @module
 */

import { tryParseIpv6Address } from "../wire/mod.ts";

// RFC 3986 §3.2.2 reg-name or IPv4address: no userinfo, no brackets.
const REG_NAME = /^[A-Za-z0-9\-._~!$&'()*+,;=%]+$/;

/**
 * `host` as an authority carries it, or null when it cannot be carried: a name or IPv4 literal as it is, an IPv6
 * literal (canonical text, as the URL parser leaves it) in brackets (RFC 3986 §3.2.2 IP-literal; RFC 9110 §7.2).
 */
export function authorityHost(host: string): string | null {
  if (REG_NAME.test(host)) return host;
  return tryParseIpv6Address(host) === null ? null : `[${host}]`;
}
