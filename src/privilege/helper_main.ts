/**
 * The privileged helper's entry point: `deno run --allow-ffi --no-config helper_main.ts`, or the compiled program
 * with {@linkcode HELPER_ARGUMENT} first. It serves fd 3 (its channel) until our side closes it. The first message
 * is the JSON of the opener's settings, sent by the parent while it is still root.
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
 * The first message the helper takes: its settings, as {@linkcode parseHelperConfig} reads them.
 *
 * @example
 * ```ts
 * channel.send(encodeHelperConfig({ firewall: "auto" }));
 * ```
 */
export function encodeHelperConfig(settings: OpenerSettings): Uint8Array {
  const { firewall, device, socketMark } = settings;
  return new TextEncoder().encode(JSON.stringify({ firewall, device, socketMark }));
}

/**
 * Runs the helper on fd 3: its settings first, then requests until the channel ends; returns the exit code. A
 * channel that ends before the settings (the run kept root, or stopped early) is a quiet exit.
 *
 * @example
 * ```ts
 * Deno.exit(await runHelper());
 * ```
 */
export async function runHelper(): Promise<number> {
  try {
    const channel = new FdChannel(CHILD_CHANNEL_FD);
    const first = await channel.receive();
    if (first === undefined) return 0;
    if (first.fds.length > 0) throw new TypeError("The helper's settings came with descriptors");
    const settings = parseHelperConfig(new TextDecoder().decode(first.bytes));
    await serveHelper(channel, directOpener(settings));
    return 0;
  } catch (e) {
    // Started by hand, or its parent broke the channel: one sentence, as for any other failure.
    const text = `rawhttpget: the privileged helper stopped: ${(e as Error).message}\n`;
    Deno.stderr.writeSync(new TextEncoder().encode(text));
    return 1;
  }
}

if (import.meta.main) Deno.exit(await runHelper());
