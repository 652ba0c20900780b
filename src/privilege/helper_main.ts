/**
 * The privileged helper's entry point: `deno run --allow-ffi --no-config helper_main.ts CONFIG`, or the compiled
 * program with {@linkcode HELPER_ARGUMENT} first. It serves fd 3 (its channel) until our side closes it. CONFIG is
 * the JSON of the opener's settings, fixed by the parent while it was still root.
 *
 * @module
 */

import { CHILD_CHANNEL_FD, FdChannel } from "../../ffi/mod.ts";
import { directOpener, type FirewallMode, type OpenerSettings } from "../transport/privileged.ts";
import { serveHelper } from "./helper_server.ts";

/** The first argument that makes the compiled program the helper instead of a download. */
export const HELPER_ARGUMENT = "--privileged-helper-of-rawhttpget";

const MODES: readonly FirewallMode[] = ["auto", "netlink", "nft", "iptables", "none"];

/**
 * Reads the helper's settings from its argument; throws TypeError when they are not what the parent writes.
 *
 * @example
 * ```ts
 * parseHelperConfig('{"firewall":"auto"}'); // { firewall: "auto" }
 * ```
 */
export function parseHelperConfig(text: string | undefined): OpenerSettings {
  const value = JSON.parse(text ?? "null");
  if (typeof value !== "object" || value === null) throw new TypeError("The helper's settings are not an object");
  const { firewall, device, socketMark } = value;
  if (firewall !== undefined && !MODES.includes(firewall)) throw new TypeError(`No firewall mode ${firewall}`);
  if (device !== undefined && typeof device !== "string") throw new TypeError("The device is not a name");
  if (socketMark !== undefined && !(Number.isInteger(socketMark) && socketMark > 0 && socketMark <= 0xffffffff)) {
    throw new TypeError(`The socket mark ${socketMark} is not a non-zero u32`);
  }
  return { firewall, device, socketMark };
}

/**
 * Runs the helper on fd 3 until the channel ends; returns the exit code.
 *
 * @example
 * ```ts
 * Deno.exit(await runHelper(Deno.args));
 * ```
 */
export async function runHelper(args: readonly string[]): Promise<number> {
  try {
    await serveHelper(new FdChannel(CHILD_CHANNEL_FD), directOpener(parseHelperConfig(args[0])));
    return 0;
  } catch (e) {
    // Started by hand, or its parent broke the channel: one sentence, as for any other failure.
    const text = `rawhttpget: the privileged helper stopped: ${(e as Error).message}\n`;
    Deno.stderr.writeSync(new TextEncoder().encode(text));
    return 1;
  }
}

if (import.meta.main) Deno.exit(await runHelper(Deno.args));
