/**
 * Keeping the kernel quiet: our TCP runs over raw sockets, so the host kernel knows no socket for our 4-tuple and
 * answers the server's SYN-ACK (and every later segment) with an RST that would kill the connection (RFC 9293
 * §3.10.7.1: a segment for a CLOSED connection gets a reset). While a connection lives, a guard drops exactly those
 * RSTs, and optionally the incoming segments themselves (for an AF_PACKET receiver, which sees frames before
 * netfilter does).
 *
 * Methods, in the order "auto" tries them:
 * 1. `nftables-netlink`: an nftables owner table made over our own netlink socket; the kernel deletes it when the
 *    socket closes, so nothing is left behind even after `kill -9`.
 * 2. `nft-command`: the same table made by the `nft` tool (no owner flag: removed by `close()` or at exit).
 * 3. `iptables-command`: `iptables` rules commented `rawhttpget-<pid>` (removed the same way).
 *
 * Teardown: `await guard.close()` when the connection ends. Command-made rules are also removed by an `unload`
 * listener (normal end, `Deno.exit`), which runs `closeSync()`: a blocking twin, since nothing can be awaited there.
 * A signal handler that exits should call `closeSync()` (or `await close()`) first: a signal's default action skips
 * `unload`. The netlink table needs none of this (the kernel drops it with our socket), so for it both are cheap.
 * Commands run with a time limit (`COMMAND_TIMEOUT_MS`): a hung `nft`/`iptables` is killed, never waited for forever.
 *
 * @module
 */

import { type DropChain, NFT, NftOwnerTable } from "../../ffi/nftables.ts";
import { type CommandResult, findProgram, runCommand, runCommandSync } from "../../ffi/spawn.ts";
import { formatIpv4Address } from "../wire/ipv4.ts";
import { type Flow, formatFlow } from "./flow.ts";

/** The connection to protect, as seen from our side (the shared `Flow` of `src/net/flow.ts`). */
export type GuardedFlow = Flow;

/** Which method to use; "auto" tries netlink, then `nft`, then `iptables`; "none" is `--no-firewall`. */
export type FirewallMode = "auto" | "netlink" | "nft" | "iptables" | "none";

/** Options of `installRstGuard`. */
export interface RstGuardOptions {
  /** Which method to use. */
  readonly mode: FirewallMode;
  /** Also drop incoming segments of the flow before the kernel's TCP (and conntrack) sees them. */
  readonly dropIncoming?: boolean;
}

/** The method a guard uses. */
export type GuardMethod = "nftables-netlink" | "nft-command" | "iptables-command" | "none";

/** An installed guard: keep it for the connection's life, then close it. Both closes are idempotent. */
export interface Guard {
  /** How the RSTs are dropped. */
  readonly method: GuardMethod;
  /** One sentence for verbose mode. */
  readonly description: string;
  /** Removes the rules; rejects with `FirewallError` if a command-made rule could not be removed. */
  close(): Promise<void>;
  /** Removes the rules, blocking until done: for exit paths only. Throws `FirewallError` like `close()`. */
  closeSync(): void;
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

/** The nftables table name for a flow of this process: `rawhttpget_<pid>_<localPort>`. */
export function guardTableName(flow: GuardedFlow): string {
  return `rawhttpget_${Deno.pid}_${flow.localPort}`;
}

function checkFlow(flow: GuardedFlow): void {
  for (const key of ["localAddr", "remoteAddr"] as const) {
    const v = flow[key];
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new RangeError(`Cannot guard flow: ${key} ${v} is not a u32`);
    }
  }
  for (const key of ["localPort", "remotePort"] as const) {
    const v = flow[key];
    if (!Number.isInteger(v) || v < 1 || v > 65535) {
      throw new RangeError(`Cannot guard flow: ${key} ${v} is not in 1–65535`);
    }
  }
}

/**
 * Installs a guard that drops the kernel's RSTs for exactly `flow` (and, with `dropIncoming`, the flow's incoming
 * segments). Rejects with `FirewallError` when the chosen method (or, for "auto", every method) fails, and with
 * `RangeError` for a malformed flow.
 *
 * @example
 * ```ts
 * const guard = await installRstGuard(
 *   { localAddr: 0xC6120102, localPort: 40000, remoteAddr: 0xC6120202, remotePort: 80 },
 *   { mode: "auto" },
 * );
 * try { /* run the connection *\/ } finally { await guard.close(); }
 * ```
 */
export async function installRstGuard(flow: GuardedFlow, opts: RstGuardOptions): Promise<Guard> {
  checkFlow(flow);
  const incoming = opts.dropIncoming ?? false;
  if (opts.mode === "none") {
    return {
      method: "none",
      description: `Not dropping the kernel's RSTs for ${formatFlow(flow)} (--no-firewall): unless another rule ` +
        `drops them, the kernel will reset the connection.`,
      close: () => Promise.resolve(),
      closeSync() {},
    };
  }
  const installers: [GuardMethod, () => Guard | Promise<Guard>][] = [
    ["nftables-netlink", () => netlinkGuard(flow, incoming)],
    ["nft-command", () => nftCommandGuard(flow, incoming)],
    ["iptables-command", () => iptablesGuard(flow, incoming)],
  ];
  const only: Record<string, GuardMethod> = {
    netlink: "nftables-netlink",
    nft: "nft-command",
    iptables: "iptables-command",
  };
  const chosen = opts.mode === "auto" ? installers : installers.filter(([m]) => m === only[opts.mode]);
  if (chosen.length === 0) throw new RangeError(`Cannot guard flow: unknown firewall mode "${opts.mode}"`);
  const attempts: FirewallAttempt[] = [];
  for (const [method, install] of chosen) {
    try {
      return await install();
    } catch (e) {
      attempts.push({ method, error: e instanceof Error ? e : new Error(String(e)) });
    }
  }
  const why = attempts.map((a) => `${a.method}: ${a.error.message.replaceAll("\n", " ")}`).join("; ");
  throw new FirewallError(
    `Cannot stop the kernel from resetting ${formatFlow(flow)} (${why}); run as root (CAP_NET_ADMIN), or pass ` +
      `--no-firewall and drop the kernel's outgoing RSTs for this connection yourself.`,
    attempts,
  );
}

function dropChains(flow: GuardedFlow, incoming: boolean): DropChain[] {
  const out = { srcAddr: flow.localAddr, srcPort: flow.localPort, dstAddr: flow.remoteAddr, dstPort: flow.remotePort };
  const chains: DropChain[] = [{ name: "drop_rst_out", hook: NFT.NF_INET_LOCAL_OUT, tuple: out, rstOnly: true }];
  if (incoming) {
    const tuple = { srcAddr: out.dstAddr, srcPort: out.dstPort, dstAddr: out.srcAddr, dstPort: out.srcPort };
    chains.push({ name: "drop_in", hook: NFT.NF_INET_PRE_ROUTING, tuple, rstOnly: false });
  }
  return chains;
}

function what(flow: GuardedFlow, incoming: boolean): string {
  return `Dropping the kernel's RSTs for ${formatFlow(flow)}` +
    (incoming ? " and the flow's incoming segments before the kernel's TCP sees them," : "");
}

function netlinkGuard(flow: GuardedFlow, incoming: boolean): Guard {
  const table = NftOwnerTable.create(guardTableName(flow), dropChains(flow, incoming));
  return {
    method: "nftables-netlink",
    description: `${what(flow, incoming)} with nftables table ${table.name} (owner flag: removed by the kernel ` +
      `when we exit).`,
    close: () => Promise.resolve(table.close()),
    closeSync: () => table.close(),
  };
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
async function commandGuard(
  method: GuardMethod,
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
  return { method, description, close: () => rules.close(), closeSync: () => rules.closeSync() };
}

function nftCommandGuard(flow: GuardedFlow, incoming: boolean): Promise<Guard> {
  const name = guardTableName(flow);
  const script = [`create table ip ${name}`];
  for (const c of dropChains(flow, incoming)) {
    const hook = c.hook === NFT.NF_INET_LOCAL_OUT ? "output" : "prerouting";
    const { srcAddr, srcPort, dstAddr, dstPort } = c.tuple;
    const match = `ip saddr ${formatIpv4Address(srcAddr)} ip daddr ${formatIpv4Address(dstAddr)} ` +
      `tcp sport ${srcPort} tcp dport ${dstPort}${c.rstOnly ? " tcp flags rst" : ""}`;
    script.push(
      `add chain ip ${name} ${c.name} { type filter hook ${hook} priority raw; policy accept; }`,
      `add rule ip ${name} ${c.name} ${match} counter drop`,
    );
  }
  return commandGuard(
    "nft-command",
    `${what(flow, incoming)} with nftables table ${name} made by the nft command (removed when the connection ` +
      `closes or we exit normally; after a crash run \`nft delete table ip ${name}\`).`,
    [[["nft", script.join("; ")], ["nft", "delete", "table", "ip", name]]],
  );
}

function iptablesGuard(flow: GuardedFlow, incoming: boolean): Promise<Guard> {
  const comment = ["-m", "comment", "--comment", `rawhttpget-${Deno.pid}`];
  const match = (src: number, sport: number, dst: number, dport: number) => [
    ...["-p", "tcp", "-s", `${formatIpv4Address(src)}/32`, "-d", `${formatIpv4Address(dst)}/32`],
    ...["--sport", String(sport), "--dport", String(dport)],
  ];
  const out = [...match(flow.localAddr, flow.localPort, flow.remoteAddr, flow.remotePort), "--tcp-flags", "RST", "RST"];
  const rules = [["filter", "OUTPUT", ...out, ...comment, "-j", "DROP"]];
  if (incoming) {
    const inSpec = match(flow.remoteAddr, flow.remotePort, flow.localAddr, flow.localPort);
    rules.push(["raw", "PREROUTING", ...inSpec, ...comment, "-j", "DROP"]);
  }
  const iptables = ["iptables", "-w", "5", "-t"];
  return commandGuard(
    "iptables-command",
    `${what(flow, incoming)} with iptables rules commented rawhttpget-${Deno.pid} (removed when the connection ` +
      `closes or we exit normally; after a crash delete them with \`iptables -D\`).`,
    rules.map(([table, chain, ...spec]) => [
      [...iptables, table, "-I", chain, "1", ...spec],
      [...iptables, table, "-D", chain, ...spec],
    ]),
  );
}
