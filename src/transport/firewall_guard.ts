/**
 * The pieces of the RST guard shared by its methods: the `Guard` it hands out, its errors, and the machinery of the
 * command-made methods (`nft`, `iptables`): each rule's install paired with its removal, run with a time limit, and
 * removed by `close()`, `closeSync()` or at exit (see `firewall.ts`).
 *
 * @module
 */

import { type CommandResult, findProgram, runCommand, runCommandSync } from "../../ffi/mod.ts";

/** The method a guard uses. */
export type GuardMethod = "nftables-netlink" | "nft-command" | "iptables-command" | "none";

/** An installed guard: keep it for the connection's life, then close it. Both closes are idempotent. */
export interface Guard {
  /** How the RSTs are dropped. */
  readonly method: GuardMethod;
  /** One sentence for verbose mode. */
  readonly description: string;
  /** The mark whose RSTs pass (ours); null when our own RSTs are dropped too, or for "none". */
  readonly ownMark: number | null;
  /** Removes the rules; rejects with `FirewallError` if a command-made rule could not be removed. */
  close(): Promise<void>;
  /** Removes the rules, blocking until done: for exit paths only. Throws `FirewallError` like `close()`. */
  closeSync(): void;
  /**
   * Present when the guard lives exactly as long as a descriptor (the netlink owner table: the kernel removes it when
   * the socket is released): that descriptor, and `forget()`, which closes our copy without removing the guard once
   * a copy was handed to another process.
   */
  readonly handover?: { readonly fd: number; forget(): void };
}

/** One method that failed, with its error. */
export interface FirewallAttempt {
  /** The method tried. */
  readonly method: GuardMethod;
  /** Why it failed: an `OsError` (`NetlinkError` for the kernel's refusals) or a `FirewallCommandError`. */
  readonly error: Error;
}

/** The guard could not be installed (all methods failed) or a command-made rule could not be removed. */
export class FirewallError extends Error {
  /** The methods tried, in order, with their errors. */
  readonly attempts: readonly FirewallAttempt[];

  /** Builds the error; `message` is the sentence the user sees. */
  constructor(message: string, attempts: readonly FirewallAttempt[] = []) {
    super(message, { cause: attempts[0]?.error });
    this.name = "FirewallError";
    this.attempts = attempts;
  }
}

/** How long an `nft` or `iptables` command may run before it is killed (iptables waits up to 5 s for its lock). */
export const COMMAND_TIMEOUT_MS = 10_000;

/** A firewall command exited with a non-zero status, was killed, or outlived `COMMAND_TIMEOUT_MS`. */
export class FirewallCommandError extends Error {
  /** The command as given (program name, not its resolved path). */
  readonly argv: readonly string[];
  /** How it ended. */
  readonly result: CommandResult;

  /** Builds `nft exited with status 1: <first line of its stderr>` (or "was killed by signal 9", "did not finish"). */
  constructor(argv: readonly string[], result: CommandResult) {
    const said = new TextDecoder().decode(result.stderr).trim().split("\n")[0];
    const how = result.timedOut
      ? `did not finish within ${COMMAND_TIMEOUT_MS} ms and was killed`
      : result.code === null
      ? `was killed by signal ${result.signal}`
      : `exited with status ${result.code}`;
    super(`${argv[0]} ${how}${said ? `: ${said}` : ""}`);
    this.name = "FirewallCommandError";
    this.argv = argv;
    this.result = result;
  }
}

/** The command as a user would type it in a shell. */
const shellLine = (argv: readonly string[]): string => argv.map((a) => (/[\s{};]/.test(a) ? `'${a}'` : a)).join(" ");

/** `argv` with its program looked up in PATH and the sbin directories (sudo may keep a user's PATH). */
const resolved = (argv: readonly string[]): string[] => [findProgram(argv[0]), ...argv.slice(1)];

function mustSucceed(argv: readonly string[], result: CommandResult): void {
  if (result.code !== 0) throw new FirewallCommandError(argv, result);
}

async function mustRun(argv: readonly string[]): Promise<void> {
  mustSucceed(argv, await runCommand(resolved(argv), { timeoutMs: COMMAND_TIMEOUT_MS }));
}

function mustRunSync(argv: readonly string[]): void {
  mustSucceed(argv, runCommandSync(resolved(argv), { timeoutMs: COMMAND_TIMEOUT_MS }));
}

/**
 * Rules made by commands, each install paired with the command that removes it. Removals are owed from the moment
 * an install starts (an exit mid-install still cleans up) and each is started once, by `close()`, `closeSync()` or
 * the `unload` listener, newest first.
 */
class CommandRules {
  readonly #method: GuardMethod;
  readonly #owed: (readonly string[])[] = [];
  #closing: Promise<void> | null = null;
  readonly #onUnload = (): void => {
    try {
      this.closeSync();
    } catch (e) {
      console.error((e as Error).message);
    }
  };

  constructor(method: GuardMethod) {
    this.#method = method;
    globalThis.addEventListener("unload", this.#onUnload);
  }

  /** Runs `install`; if it fails, `removal` is no longer owed. */
  async add(install: readonly string[], removal: readonly string[]): Promise<void> {
    this.#owed.push(removal);
    try {
      await mustRun(install);
    } catch (e) {
      this.#owed.splice(this.#owed.indexOf(removal), 1);
      throw e;
    }
  }

  /** Runs the owed removals; a second call shares the first one's outcome. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const failures: [readonly string[], Error][] = [];
      for (let argv = this.#next(); argv !== undefined; argv = this.#next()) {
        try {
          await mustRun(argv);
        } catch (e) {
          failures.push([argv, e as Error]);
        }
      }
      this.#report(failures);
    })();
    return this.#closing;
  }

  /** Runs the owed removals, blocking (for exit paths). */
  closeSync(): void {
    const failures: [readonly string[], Error][] = [];
    for (let argv = this.#next(); argv !== undefined; argv = this.#next()) {
      try {
        mustRunSync(argv);
      } catch (e) {
        failures.push([argv, e as Error]);
      }
    }
    this.#report(failures);
  }

  #next(): readonly string[] | undefined {
    const argv = this.#owed.pop();
    if (this.#owed.length === 0) globalThis.removeEventListener("unload", this.#onUnload);
    return argv;
  }

  #report(failures: [readonly string[], Error][]): void {
    if (failures.length === 0) return;
    const why = failures.map(([, e]) => e.message).join("; ");
    const commands = failures.map(([argv]) => `\`${shellLine(argv)}\``).join(" and ");
    throw new FirewallError(
      `Cannot remove the firewall rule this program added (${why}): run ${commands} as root.`,
      failures.map(([, error]) => ({ method: this.#method, error })),
    );
  }
}

/** Runs each `[install, removal]` in turn; on a failure, removes what was installed and rethrows. */
export async function commandGuard(
  method: GuardMethod,
  ownMark: number | null,
  description: string,
  steps: readonly [readonly string[], readonly string[]][],
): Promise<Guard> {
  const rules = new CommandRules(method);
  try {
    for (const [install, removal] of steps) await rules.add(install, removal);
  } catch (e) {
    await rules.close().catch(() => {}); // the install's error is the one to report
    throw e;
  }
  return { method, ownMark, description, close: () => rules.close(), closeSync: () => rules.closeSync() };
}
