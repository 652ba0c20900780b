/**
 * Leaving root: start the privileged helper while we are still root, then drop to the user the drop policy chose.
 * From then on every raw socket, packet receiver and RST guard comes from the helper (`HelperOpener`), and nothing
 * that parses network input runs with any privilege.
 *
 * @module
 */

import {
  channelPair,
  currentUids,
  describeCredentials,
  dropPrivileges,
  type FdChannel,
  getEnv,
  lookupUid,
  lookupUser,
  PrivilegeDropError,
  processCredentials,
  spawnWithChannel,
  waitChild,
} from "../../ffi/mod.ts";
import type { OpenerSettings, PrivilegedOpener } from "../transport/mod.ts";
import { type DropVerdict, planDrop } from "./drop_policy.ts";
import { HelperOpener } from "./helper_client.ts";
import { encodeHelperConfig, HELPER_ARGUMENT } from "./helper_main.ts";
import { cannotWriteMessage, type OutputPlaces, unwritablePlace } from "./output_access.ts";

/** The options name no user to drop to (`--user-drop` of an unknown user, or of root): a usage error. */
export class DropRefusedError extends Error {
  /** Builds the error; `message` is the sentence the user sees. */
  constructor(message: string) {
    super(message);
    this.name = "DropRefusedError";
  }
}

/** How long the end of a run waits for the helper to remove what it holds and exit. */
const HELPER_EXIT_MS = 2000;

/** Where a run stands after {@linkcode leaveRoot}. */
export interface RunPrivileges {
  /** The helper's opener when we dropped; absent when we stayed (then connections open their sockets themselves). */
  readonly opener?: PrivilegedOpener;
  /** The user we dropped to, when we did. */
  readonly user?: string;
  /** The helper's process id, when there is one. */
  readonly helperPid?: number;
  /** One sentence for `-v`: who we run as, with which capabilities. */
  readonly description: string;
  /** Closes the helper's channel (it then removes what it holds and exits). */
  close(): void;
  /** Closes the channel and waits (2 s at most) for the helper to exit, so that the run leaves no process behind. */
  finish(): Promise<void>;
}

/** The helper's command line: the program itself, compiled or run by `deno run`. */
function helperCommand(): string[] {
  if (Deno.build.standalone) return [Deno.execPath(), HELPER_ARGUMENT];
  // --no-config: the helper imports only our own modules, whatever deno.json the working directory holds.
  const entry = new URL("./helper_main.ts", import.meta.url).href;
  return [Deno.execPath(), "run", "--allow-ffi", "--no-config", "--quiet", entry];
}

/** A started helper that waits for its settings (see {@linkcode configureHelper}). */
export interface SpawnedHelper {
  /** Our end of its channel. */
  readonly channel: FdChannel;
  /** Its process id. */
  readonly pid: number;
}

/**
 * Starts the privileged helper (we must still be root); it waits for its settings, then serves. Closing the channel
 * before that makes it exit. Started as early as possible: its start-up then overlaps ours.
 *
 * @example
 * ```ts
 * const helper = spawnHelper();
 * configureHelper(helper, { firewall: "auto" });
 * ```
 */
export function spawnHelper(): SpawnedHelper {
  const [ours, theirs] = channelPair();
  try {
    return { channel: ours, pid: spawnWithChannel(helperCommand(), theirs.fd) };
  } catch (e) {
    ours.close();
    throw e;
  } finally {
    theirs.close();
  }
}

/**
 * Sends the helper its settings: the first message, sent while we are still root (after it, the helper takes only
 * requests, so the unprivileged side can never choose the interface, the mark or the firewall method).
 *
 * @example
 * ```ts
 * configureHelper(spawnHelper(), { firewall: "auto" });
 * ```
 */
export function configureHelper(helper: SpawnedHelper, settings: OpenerSettings): void {
  helper.channel.send(encodeHelperConfig(settings));
}

/**
 * The helper to start before the program's modules load, when this run will likely drop root (root with
 * `--allow-ffi`, and neither `--no-drop-privileges`, `--help` nor `--version` among `args`); else undefined. A run that then keeps root closes
 * it unused.
 *
 * @example
 * ```ts
 * const helper = earlyHelper(Deno.args);
 * ```
 */
export function earlyHelper(args: readonly string[]): SpawnedHelper | undefined {
  const stay = ["--no-drop-privileges", "--help", "-h", "--version", "-V"];
  if (args.some((arg) => stay.includes(arg))) return undefined;
  // Without --allow-ffi the program says so in one sentence; nothing is started here.
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return undefined;
  if (currentUids().euid !== 0) return undefined;
  try {
    return spawnHelper();
  } catch {
    return undefined; // started again, and its failure said, when the run needs it
  }
}

/**
 * Starts the privileged helper and sends it `settings` (we must still be root).
 *
 * @example
 * ```ts
 * const { channel } = startHelper({ firewall: "auto" });
 * const opener = new HelperOpener(channel);
 * ```
 */
export function startHelper(settings: OpenerSettings): SpawnedHelper {
  const helper = spawnHelper();
  configureHelper(helper, settings);
  return helper;
}

/**
 * Carries out `verdict`: for a drop, starts the helper (or takes `spawned`, started earlier) and drops this
 * process's privileges (irreversibly); for a stay, changes nothing (and closes `spawned`). Throws `DropRefusedError` for a refusal, and `PrivilegeDropError` (after stopping the
 * helper) when the drop fails.
 *
 * @example
 * ```ts
 * const run = leaveRoot(planDrop(facts, lookupUser, lookupUid), { firewall: "auto" });
 * try { await download(url, { ...settings, opener: run.opener }); } finally { run.close(); }
 * ```
 */
export function leaveRoot(verdict: DropVerdict, settings: OpenerSettings, spawned?: SpawnedHelper): RunPrivileges {
  if (verdict.kind !== "drop") spawned?.channel.close();
  if (verdict.kind === "refuse") throw new DropRefusedError(verdict.message);
  if (verdict.kind === "stay") {
    const why = verdict.why === "asked" ? " (--no-drop-privileges)" : "";
    const description = `${describeCredentials(processCredentials())}${why}`.replace(/\.(?= \(--)/, "");
    return { description, close() {}, finish: () => Promise.resolve() };
  }
  const helper = spawned ?? spawnHelper();
  configureHelper(helper, settings);
  const { channel, pid } = helper;
  const opener = new HelperOpener(channel);
  try {
    dropPrivileges({ uid: verdict.uid, gid: verdict.gid });
  } catch (e) {
    opener.close();
    throw e;
  }
  const who = describeCredentials(processCredentials(), verdict.user);
  return {
    opener,
    user: verdict.user,
    helperPid: pid,
    description: `${who.slice(0, -1)}; a privileged helper (pid ${pid}) opens the raw sockets and the firewall rules.`,
    close: () => opener.close(),
    async finish() {
      opener.close();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => timer = setTimeout(resolve, HELPER_EXIT_MS));
      await Promise.race([waitChild(pid), late]);
      clearTimeout(timer);
    },
  };
}

/** The options that decide whom a run drops to, and how the helper opens sockets. */
export interface DropOptions extends OpenerSettings {
  /** `--user-drop USER`. */
  readonly userDrop?: string;
  /** `--no-drop-privileges`. */
  readonly noDropPrivileges?: boolean;
}

/** How starting a run went: its privileges, or a sentence and the kind of failure (exit 2, 3 or 1). */
export type RunStart =
  | { readonly ok: true; readonly run: RunPrivileges }
  | { readonly ok: false; readonly message: string; readonly failure: "usage" | "file" | "drop" };

/**
 * Decides from this process's ids, `SUDO_UID`/`SUDO_GID` and `options` whom to run as and does it
 * ({@linkcode leaveRoot}); then, when we dropped, checks that the user we became may write where the run writes
 * (`unwritablePlace`). A refusal, a failed drop or an unwritable place is a sentence, before any traffic.
 *
 * @example
 * ```ts
 * const start = startRun({ firewall: "auto", output: "/root/f" });
 * if (!start.ok) console.error(start.message);
 * ```
 */
export function startRun(options: DropOptions & OutputPlaces, spawned?: SpawnedHelper): RunStart {
  const facts = {
    euid: currentUids().euid,
    sudoUid: getEnv("SUDO_UID"),
    sudoGid: getEnv("SUDO_GID"),
    userDrop: options.userDrop,
    noDrop: options.noDropPrivileges,
  };
  let run: RunPrivileges;
  try {
    run = leaveRoot(planDrop(facts, lookupUser, lookupUid), options, spawned);
  } catch (e) {
    if (e instanceof DropRefusedError) return { ok: false, message: e.message, failure: "usage" };
    // A container may refuse a step (setgroups in a user namespace, seccomp): say how to go on without the drop.
    if (e instanceof PrivilegeDropError) {
      return { ok: false, message: `${e.message}; pass --no-drop-privileges to run as root`, failure: "drop" };
    }
    throw e;
  }
  const place = run.user === undefined ? null : unwritablePlace(options);
  if (place === null) return { ok: true, run };
  run.close();
  return { ok: false, message: cannotWriteMessage(run.user!, place), failure: "file" };
}
