/**
 * The check every real-network test makes after running our program: no firewall rule of rawhttpget is left in the
 * namespace it ran in (its RST guard's nftables table or iptables rules carry the name `rawhttpget`), and, given a
 * listing from before the run, nothing else changed either.
 *
 * @module
 */

import assert from "node:assert/strict";
import { exec, findProgram, inNamespace } from "./exec.ts";

/** A namespace's firewall as the installed tools list it. */
export interface FirewallRules {
  /** `nft list ruleset` ("" without nft). */
  readonly nft: string;
  /** `iptables -S` of the filter, raw and mangle tables ("" without iptables). */
  readonly iptables: string;
}

/**
 * Lists the firewall of namespace `ns`. The first listing may create iptables' empty tables: take a listing to
 * compare against after one has been taken.
 */
export async function firewallRules(ns: string): Promise<FirewallRules> {
  let nft = "", iptables = "";
  if (findProgram("nft") !== null) {
    const r = await exec(inNamespace(ns, ["nft", "list", "ruleset"]));
    assert.equal(r.code, 0, `nft list ruleset failed: ${r.stderr}`);
    nft = r.stdout.trim();
  }
  if (findProgram("iptables") !== null) {
    const tables: string[] = [];
    for (const table of ["filter", "raw", "mangle"]) {
      const r = await exec(inNamespace(ns, ["iptables", "-w", "5", "-t", table, "-S"]));
      assert.equal(r.code, 0, `iptables -t ${table} -S failed: ${r.stderr}`);
      tables.push(r.stdout.trim());
    }
    iptables = tables.join("\n");
  }
  return { nft, iptables };
}

/**
 * Asserts that namespace `ns` holds no nftables table or iptables rule of rawhttpget and, when `before` is given,
 * that its firewall is as it was then.
 *
 * @example
 * ```ts
 * const before = await firewallRules(tb.clientNs);
 * // … run and stop rawhttpget …
 * await assertNoFirewallLeft(tb.clientNs, before);
 * ```
 */
export async function assertNoFirewallLeft(ns: string, before?: FirewallRules): Promise<void> {
  const now = await firewallRules(ns);
  assert.ok(!now.nft.includes("rawhttpget"), `an nftables table of rawhttpget is left:\n${now.nft}`);
  assert.ok(!now.iptables.includes("rawhttpget"), `an iptables rule of rawhttpget is left:\n${now.iptables}`);
  if (before !== undefined) assert.deepEqual(now, before, "the firewall is not as it was before the run");
}
