/**
 * The transport's second public surface: only what opens the privileged pieces of a connection (the direct opener,
 * the RST guard and their types), without the TCP engine and the driver. The privileged helper imports this alone,
 * so that it starts in about half the time `mod.ts`'s whole graph takes (tests/bench/README.md).
 *
 * @example
 * ```ts
 * import { directOpener } from "./privileged.ts";
 * const tx = await directOpener({ firewall: "auto" }).sender();
 * ```
 *
 * @module
 */

export type { FirewallMode, Guard, GuardMethod } from "./firewall.ts";
export type { Flow } from "./flow.ts";
export { directOpener, type OpenerSettings, type PrivilegedOpener } from "./opener.ts";
