/**
 * Which addresses a run connects to and from, as wget's options say: `-4` (`--inet4-only`, wgetrc `inet4_only`),
 * `-6` (`--inet6-only`, `inet6_only`), `--prefer-family=IPv4|IPv6|none` (`prefer_family`) and `--bind-address`
 * (`bind_address`, or our `--source`). The transport reads them as `family`, `preferFamily` and `source`.
 *
 * A URL whose IP literal is of the family `-4`/`-6` excludes is left to the resolver, which refuses it with
 * `Cannot resolve host "2001:2::1": 2001:2::1 is an IPv6 address, and only IPv4 is allowed (-4)` and exit code 4, as
 * wget 1.21 ("unable to resolve host address", exit 4).
 *
 * @module
 */

import type { TransportOptions } from "../transport/mod.ts";
import { type IpAddress, tryParseIpAddress } from "../wire/mod.ts";
import { UsageError } from "./options.ts";
import { OptionConflictError } from "./request_options.ts";
import type { Assignment } from "./wgetrc.ts";

/** What these options set. */
export type AddressFamilySettings = Pick<TransportOptions, "family" | "preferFamily" | "source">;

const PREFER_FAMILY: Readonly<Record<string, NonNullable<TransportOptions["preferFamily"]>>> = {
  ipv4: "ipv4",
  ipv6: "ipv6",
  none: "none",
};

/**
 * The address-family settings from the option values; only what is set is returned. Throws
 * {@linkcode OptionConflictError} for `-4` with `-6` (wget: "Cannot specify both --inet4-only and --inet6-only.",
 * exit 1, whether they come from the command line or a wgetrc file), {@linkcode UsageError} for a `--prefer-family`
 * that is not IPv4, IPv6 or none (any case; wget: "--prefer-family: Invalid value ‘foo’.", exit 2) and for a bind
 * address that is not an IP address.
 *
 * @example
 * ```ts
 * addressFamilySettings((name) => name === "prefer-family" ? "IPv6" : undefined, () => false, []);
 * // { preferFamily: "ipv6" }
 * ```
 */
export function addressFamilySettings(
  text: (name: string) => string | undefined,
  flag: (name: string) => boolean,
  assignments: readonly Assignment[],
): AddressFamilySettings {
  const only4 = flag("inet4-only"), only6 = flag("inet6-only");
  if (only4 && only6) throw new OptionConflictError("Cannot specify both --inet4-only and --inet6-only");
  const preferText = text("prefer-family");
  const preferFamily = preferText === undefined ? undefined : PREFER_FAMILY[preferText.toLowerCase()];
  if (preferText !== undefined && preferFamily === undefined) {
    throw new UsageError(`--prefer-family takes IPv4, IPv6 or none, not "${preferText}"`);
  }
  // --bind-address (wget's) and --source (ours) set one thing: the one given last wins.
  const last = assignments.findLast((a) =>
    a.kind === "option" && (a.option === "bind-address" || a.option === "source")
  );
  const source = last?.kind === "option" ? sourceAddress(text(last.option)) : undefined;
  return {
    ...(only4 ? { family: "ipv4" } : only6 ? { family: "ipv6" } : {}),
    ...(preferFamily === undefined ? {} : { preferFamily }),
    ...(source === undefined ? {} : { source }),
  };
}

/**
 * A bind address: a dotted quad or IPv6 text (no brackets, no zone id). wget also takes a host name and looks it
 * up; rawhttpget does not (a name is a usage error, as it was for `--source`).
 */
function sourceAddress(text: string | undefined): IpAddress | undefined {
  if (text === undefined) return undefined;
  const address = tryParseIpAddress(text);
  if (address === null) {
    throw new UsageError(`The bind address "${text}" is not an IPv4 or IPv6 address (host names are not looked up)`);
  }
  return address;
}
