/**
 * Least privilege: the download runs without root once its sockets can be opened. A small root helper process,
 * started first, hands over raw senders, flow receivers and RST guards over a Unix socket (SCM_RIGHTS), checking
 * each request; this process drops to the sudo user (or `--user-drop`, default nobody), with no capabilities and
 * no_new_privs.
 *
 * @example
 * ```ts
 * import { leaveRoot, planDrop } from "./mod.ts";
 * const run = leaveRoot(planDrop({ euid: 0 }, lookupUser, lookupUid), { firewall: "auto" });
 * ```
 *
 * @module
 */

export { DEFAULT_DROP_USER, type DropFacts, type DropVerdict, type KnownUser, planDrop } from "./drop_policy.ts";
export { HelperError, HelperOpener } from "./helper_client.ts";
export { encodeHelperConfig, HELPER_ARGUMENT, parseHelperConfig, runHelper } from "./helper_main.ts";
export { HelperSession, serveHelper } from "./helper_server.ts";
export {
  configureHelper,
  type DropOptions,
  DropRefusedError,
  earlyHelper,
  leaveRoot,
  type RunPrivileges,
  type RunStart,
  type SpawnedHelper,
  spawnHelper,
  startHelper,
  startRun,
} from "./start.ts";
export { cannotWriteMessage, type OutputPlaces, unwritablePlace } from "./output_access.ts";
export {
  decodeReply,
  decodeRequest,
  encodeReply,
  encodeRequest,
  type HelperReply,
  type HelperRequest,
  PROTOCOL_VERSION,
} from "./protocol.ts";
