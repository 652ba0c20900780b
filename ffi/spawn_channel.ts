/**
 * Starts a long-lived child that talks to us over a descriptor-passing channel: the child's end becomes its fd 3,
 * its stdin and stdout are /dev/null, its stderr is ours (a fatal error of the child still reaches the user), and
 * every descriptor above 3 is closed before the exec, so the child inherits nothing else.
 *
 * @module
 */

import { argvArray } from "./_child.ts";

export { waitChild } from "./_child.ts";
import { cString, libc } from "./libc.ts";
import { check, OsError } from "./os_error.ts";

/** The descriptor number the channel has in the child. */
export const CHILD_CHANNEL_FD = 3;
const O_RDWR = 2;
const FILE_ACTIONS_LEN = 128;

/**
 * Starts `argv` (`argv[0]` an absolute path) with `channelFd` as its fd 3 and our environment; returns its pid.
 * Throws OsError when it cannot be started.
 *
 * @example
 * ```ts
 * const [ours, theirs] = channelPair();
 * const pid = spawnWithChannel([Deno.execPath(), "run", "--allow-ffi", helperPath], theirs.fd);
 * theirs.close();
 * ```
 */
export function spawnWithChannel(argv: readonly string[], channelFd: number): number {
  if (argv.length === 0 || !argv[0].startsWith("/")) {
    throw new TypeError(`Cannot start "${argv[0] ?? ""}": an absolute path is needed`);
  }
  const c = libc();
  const args = argv.map(cString);
  const argvBuf = argvArray(args);
  const actions = new Uint8Array(FILE_ACTIONS_LEN);
  check(c.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
  try {
    const devNull = cString("/dev/null");
    c.posix_spawn_file_actions_addopen(actions, 0, devNull, O_RDWR, 0);
    c.posix_spawn_file_actions_addopen(actions, 1, devNull, O_RDWR, 0);
    // dup2 onto another number drops close-on-exec from the copy, so the channel (and only it) crosses the exec.
    c.posix_spawn_file_actions_adddup2(actions, channelFd, CHILD_CHANNEL_FD);
    // Close-on-exec covers what we open; a descriptor our own parent let us inherit does not have it.
    check(
      c.posix_spawn_file_actions_addclosefrom_np(actions, CHILD_CHANNEL_FD + 1),
      "posix_spawn_file_actions_addclosefrom_np",
    );
    const pidBuf = new Int32Array(1);
    const rc = c.posix_spawnp(new Uint8Array(pidBuf.buffer), args[0], actions, null, argvBuf, c.environ);
    if (rc !== 0) throw new OsError(rc, "posix_spawn", `"${argv[0]}"`);
    return pidBuf[0];
  } finally {
    c.posix_spawn_file_actions_destroy(actions);
  }
}
