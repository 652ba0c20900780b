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
 * 2. `nft-command`: the same table made by the `nft` tool (no owner flag: removed by `close()` or a normal exit).
 * 3. `iptables-command`: `iptables` rules commented `rawhttpget-<pid>` (removed the same way).
 * The caller should `close()` the guard on SIGINT/SIGTERM too; normal exits and `Deno.exit` run an unload hook.
 *
 * @module
 */

import { type DropChain, NFT, NftOwnerTable, runCommand } from "../../ffi/nftables.ts";

/** The connection to protect, as seen from our side; addresses are u32 (198.18.0.1 = 0xC6120001). */
export interface GuardedFlow {
  /** Our IPv4 address. */
  readonly localAddr: number;
  /** Our TCP port. */
  readonly localPort: number;
  /** The server's IPv4 address. */
  readonly remoteAddr: number;
  /** The server's TCP port. */
  readonly remotePort: number;
}

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

/** An installed guard: keep it for the connection's life, then `close()` it (idempotent). */
export interface Guard {
  /** How the RSTs are dropped. */
  readonly method: GuardMethod;
  /** One sentence for verbose mode. */
  readonly description: string;
  /** Removes the rules; throws `FirewallError` if a command-made rule could not be removed. */
  close(): void;
}

/** One method that failed, with its error. */
export interface FirewallAttempt {
  /** The method tried. */
  readonly method: GuardMethod;
  /** Why it failed (`NetlinkError` carries the errno). */
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

const formatAddr = (a: number): string => [a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff].join(".");

/** `198.18.1.2:40000 → 198.18.2.2:80` */
export function formatFlow(flow: GuardedFlow): string {
  return `${formatAddr(flow.localAddr)}:${flow.localPort} → ${formatAddr(flow.remoteAddr)}:${flow.remotePort}`;
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
 * segments). Throws `FirewallError` when the chosen method (or, for "auto", every method) fails, and `RangeError` for
 * a malformed flow.
 *
 * @example
 * ```ts
 * const guard = installRstGuard({ localAddr: 0xC6120102, localPort: 40000, remoteAddr: 0xC6120202, remotePort: 80 },
 *   { mode: "auto" });
 * try { /* run the connection *\/ } finally { guard.close(); }
 * ```
 */
export function installRstGuard(flow: GuardedFlow, opts: RstGuardOptions): Guard {
  checkFlow(flow);
  const incoming = opts.dropIncoming ?? false;
  if (opts.mode === "none") {
    return {
      method: "none",
      description: `Not dropping the kernel's RSTs for ${formatFlow(flow)} (--no-firewall): unless another rule ` +
        `drops them, the kernel will reset the connection.`,
      close() {},
    };
  }
  const installers: [GuardMethod, () => Guard][] = [
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
      return install();
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
    close: () => table.close(),
  };
}

/** The command as a user would type it in a shell. */
const shellLine = (argv: readonly string[]): string => argv.map((a) => (/[\s{};]/.test(a) ? `'${a}'` : a)).join(" ");

/** Runs a command; a non-zero exit becomes an Error with the exit status and the first line of its stderr. */
function mustRun(argv: readonly string[]): void {
  const { status, stderr } = runCommand(argv);
  if (status !== 0) {
    const said = stderr.split("\n")[0];
    throw new Error(`${argv[0]} exited with status ${status}${said ? `: ${said}` : ""}`);
  }
}

/** A guard whose rules a command made: removed by `close()`, and by an unload hook on a normal exit. */
function commandGuard(method: GuardMethod, description: string, removals: readonly string[][]): Guard {
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    globalThis.removeEventListener("unload", onUnload);
    const failures: FirewallAttempt[] = [];
    const leftovers: string[] = [];
    for (const argv of removals) {
      try {
        mustRun(argv);
      } catch (e) {
        failures.push({ method, error: e instanceof Error ? e : new Error(String(e)) });
        leftovers.push(`\`${shellLine(argv)}\``);
      }
    }
    if (failures.length > 0) {
      const why = failures.map((f) => f.error.message).join("; ");
      throw new FirewallError(
        `Cannot remove the firewall rule this program added (${why}): run ${leftovers.join(" and ")} as root.`,
        failures,
      );
    }
  };
  const onUnload = (): void => {
    try {
      close();
    } catch (e) {
      console.error((e as Error).message);
    }
  };
  globalThis.addEventListener("unload", onUnload);
  return { method, description, close };
}

function nftCommandGuard(flow: GuardedFlow, incoming: boolean): Guard {
  const name = guardTableName(flow);
  const script = [`create table ip ${name}`];
  for (const c of dropChains(flow, incoming)) {
    const hook = c.hook === NFT.NF_INET_LOCAL_OUT ? "output" : "prerouting";
    const t = c.tuple;
    script.push(
      `add chain ip ${name} ${c.name} { type filter hook ${hook} priority raw; policy accept; }`,
      `add rule ip ${name} ${c.name} ip saddr ${formatAddr(t.srcAddr)} ip daddr ${formatAddr(t.dstAddr)} ` +
        `tcp sport ${t.srcPort} tcp dport ${t.dstPort}${c.rstOnly ? " tcp flags rst" : ""} counter drop`,
    );
  }
  mustRun(["nft", script.join("; ")]);
  return commandGuard(
    "nft-command",
    `${what(flow, incoming)} with nftables table ${name} made by the nft command (removed when the connection ` +
      `closes or we exit normally; after a crash run \`nft delete table ip ${name}\`).`,
    [["nft", "delete", "table", "ip", name]],
  );
}

function iptablesGuard(flow: GuardedFlow, incoming: boolean): Guard {
  const comment = ["-m", "comment", "--comment", `rawhttpget-${Deno.pid}`];
  const match = (src: number, sport: number, dst: number, dport: number) => [
    ...["-p", "tcp", "-s", `${formatAddr(src)}/32`, "-d", `${formatAddr(dst)}/32`],
    ...["--sport", String(sport), "--dport", String(dport)],
  ];
  const out = [...match(flow.localAddr, flow.localPort, flow.remoteAddr, flow.remotePort), "--tcp-flags", "RST", "RST"];
  const rules = [["-t", "filter", "OUTPUT", ...out, ...comment, "-j", "DROP"]];
  if (incoming) {
    const inSpec = match(flow.remoteAddr, flow.remotePort, flow.localAddr, flow.localPort);
    rules.push(["-t", "raw", "PREROUTING", ...inSpec, ...comment, "-j", "DROP"]);
  }
  const installed: string[][] = [];
  try {
    for (const [t, table, chain, ...spec] of rules) {
      mustRun(["iptables", "-w", "5", t, table, "-I", chain, "1", ...spec]);
      installed.push(["iptables", "-w", "5", t, table, "-D", chain, ...spec]);
    }
  } catch (e) {
    for (const argv of installed) runCommand(argv);
    throw e;
  }
  return commandGuard(
    "iptables-command",
    `${what(flow, incoming)} with iptables rules commented rawhttpget-${Deno.pid} (removed when the connection ` +
      `closes or we exit normally; after a crash delete them with \`iptables -D\`).`,
    installed,
  );
}
