/**
 * A user made for a test, with a sudoers rule that lets it run anything as root, as a user of rawhttpget who types
 * `sudo deno run …` is; both are removed afterwards.
 *
 * @module
 */

import { run } from "./exec.ts";

/** The test user. */
export interface SudoUser {
  /** Login name. */
  readonly name: string;
  /** User id. */
  readonly uid: number;
  /** Primary group id. */
  readonly gid: number;
}

/**
 * Creates the user and its sudoers rule, runs `fn`, and removes both whatever happens.
 *
 * @example
 * ```ts
 * await withSudoUser(async (user) => await run(["runuser", "-u", user.name, "--", "sudo", "-n", "id"]));
 * ```
 */
export async function withSudoUser(fn: (user: SudoUser) => Promise<void>): Promise<void> {
  const name = `rhg-sudo-${Deno.pid}`;
  const rule = `/etc/sudoers.d/${name}`;
  await run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "--user-group", name]);
  try {
    await Deno.writeTextFile(rule, `${name} ALL=(root) NOPASSWD: ALL\n`, { mode: 0o440 });
    const uid = Number((await run(["id", "-u", name])).trim());
    const gid = Number((await run(["id", "-g", name])).trim());
    await fn({ name, uid, gid });
  } finally {
    await Deno.remove(rule).catch(() => {});
    await run(["userdel", name]);
  }
}

/**
 * `runuser -u USER -- sudo -n [--preserve-env=DENO_DIR] ip netns exec NS COMMAND…`: what the user types, run in the
 * namespace `ns` (sudo resets the environment; DENO_DIR is kept so that the tests' module cache is used).
 *
 * @example
 * ```ts
 * const argv = sudoAs(user, tb.clientNs, ["deno", "run", "--allow-ffi", "main.ts", url]);
 * ```
 */
export function sudoAs(user: SudoUser, ns: string, command: readonly string[], ipPath = "ip"): string[] {
  return [
    "runuser",
    "-u",
    user.name,
    "--",
    "sudo",
    "-n",
    "--preserve-env=DENO_DIR",
    ipPath,
    "netns",
    "exec",
    ns,
    ...command,
  ];
}
