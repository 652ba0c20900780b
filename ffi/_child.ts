/**
 * Private pieces of the two ways ffi/ starts a child process (spawn.ts for commands, spawn_channel.ts for the
 * privileged helper): the `char *argv[]` array, and waiting for the child's end.
 *
 * @module
 */

import { addressOf } from "./_bytes.ts";
import { libc } from "./libc.ts";

const WNOHANG = 1;

/**
 * `char *argv[]` for posix_spawn: the addresses of `args` (NUL-terminated strings), then NULL. `args` must stay
 * referenced until the call returns.
 */
export function argvArray(args: readonly Uint8Array<ArrayBuffer>[]): Uint8Array<ArrayBuffer> {
  const array = new Uint8Array(Math.max(4096, 8 * (args.length + 1)));
  const view = new DataView(array.buffer);
  args.forEach((a, i) => view.setBigUint64(i * 8, addressOf(a), true));
  return array;
}

/**
 * Waits (on a worker thread) for child `pid` to end and returns its wait status.
 *
 * @example
 * ```ts
 * const status = await waitChild(pid);
 * ```
 */
export async function waitChild(pid: number): Promise<number> {
  const status = new Int32Array(1);
  for (;;) {
    const r = await libc().waitpid_async(pid, new Uint8Array(status.buffer), 0);
    if (r === pid) return status[0];
    // -1 on the worker thread: EINTR is the only expected cause; retry unless the child is already gone.
    if (libc().waitpid(pid, new Uint8Array(status.buffer), WNOHANG) === pid) return status[0];
  }
}
