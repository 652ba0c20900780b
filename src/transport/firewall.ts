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
 * Each works for both families: an IPv6 flow gets a table of family `ip6` (matching `ip6 saddr`/`ip6 daddr`), or
 * `ip6tables` rules.
 *
 * Our own RSTs (an abort, RFC 9293 §3.10.7) leave by the same OUTPUT hook. They are sent by a raw socket marked with
 * SO_MARK (`ownMark`, default {@linkcode OWN_RST_MARK}), and the rule lets that mark through: the kernel's RSTs carry
 * mark 0. Without a mark (SO_MARK needs CAP_NET_ADMIN, or CAP_NET_RAW since Linux 5.17) our RSTs are dropped too:
 * `sendto` fails with EPERM and the server learns we left only by its own timeout.
 *
 * Teardown: `await guard.close()` when the connection ends. Command-made rules are also removed by an `unload`
 * listener (normal end, `Deno.exit`), which runs `closeSync()`: a blocking twin, since nothing can be awaited there.
 * A signal handler that exits should call `closeSync()` (or `await close()`) first: a signal's default action skips
 * `unload`. The netlink table needs none of this (the kernel drops it with our socket), so for it both are cheap.
 * Commands run with a time limit (`COMMAND_TIMEOUT_MS`): a hung `nft`/`iptables` is killed, never waited for forever.
 *
 * @module
 */

import { type DropChain, NFT, nftFamily, NftOwnerTable } from "../../ffi/mod.ts";
import { formatIpAddress, type IpAddress, isIpv6Address, tryParseIpv6Address } from "../wire/mod.ts";
import { type Flow, formatFlow } from "./flow.ts";
import { commandGuard, type FirewallAttempt, FirewallError, type Guard, type GuardMethod } from "./firewall_guard.ts";

export {
  COMMAND_TIMEOUT_MS,
  type FirewallAttempt,
  FirewallCommandError,
  FirewallError,
  type Guard,
  type GuardMethod,
} from "./firewall_guard.ts";

/** The connection to protect, as seen from our side (the shared `Flow` of `flow.ts`): IPv4 or IPv6, one family. */
export type GuardedFlow = Flow<IpAddress>;

/** Which method to use; "auto" tries netlink, then `nft`, then `iptables`; "none" is `--no-firewall`. */
export type FirewallMode = "auto" | "netlink" | "nft" | "iptables" | "none";

/**
 * The default SO_MARK of our raw sender ("RHG" and 1): distinctive, so that it neither matches nor disturbs a mark
 * used by local policy routing or firewall rules.
 */
export const OWN_RST_MARK = 0x52484701;

/** Options of `installRstGuard`. */
export interface RstGuardOptions {
  /** Which method to use. */
  readonly mode: FirewallMode;
  /** Also drop incoming segments of the flow before the kernel's TCP (and conntrack) sees them. */
  readonly dropIncoming?: boolean;
  /**
   * The SO_MARK of our raw sender (a non-zero u32): RSTs carrying it are ours and pass. Null or absent: the sender
   * is unmarked, and our own RSTs are dropped with the kernel's (sendto reports EPERM).
   */
  readonly ownMark?: number | null;
}

/**
 * The nftables table name for a flow of this process: `rawhttpget_<pid>_<localPort>` (in family `ip` or `ip6`).
 *
 * @example
 * ```ts
 * guardTableName(flow); // "rawhttpget_4242_40000"
 * ```
 */
export function guardTableName(flow: GuardedFlow): string {
  return `rawhttpget_${Deno.pid}_${flow.localPort}`;
}

function checkMark(mark: number | null | undefined): number | null {
  if (mark === null || mark === undefined) return null;
  if (!Number.isInteger(mark) || mark < 1 || mark > 0xffffffff) {
    throw new RangeError(`Cannot guard flow: mark ${mark} is not a non-zero u32`);
  }
  return mark;
}

function checkFlow(flow: GuardedFlow): void {
  for (const key of ["localAddr", "remoteAddr"] as const) {
    const v: unknown = flow[key];
    // The rules are written from these values: only what the parsers make (the helper gets a flow from JSON).
    if (typeof v === "string") {
      if (tryParseIpv6Address(v) !== v) {
        throw new RangeError(`Cannot guard flow: ${key} "${v}" is not an IPv6 address in RFC 5952 form`);
      }
    } else if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new RangeError(`Cannot guard flow: ${key} ${v} is not a u32`);
    }
  }
  // One rule matches one family's header: a mixed pair is no flow any packet could have.
  if (isIpv6Address(flow.localAddr) !== isIpv6Address(flow.remoteAddr)) {
    throw new RangeError(`Cannot guard flow ${formatFlow(flow)}: its addresses are of different families`);
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
 * segments), letting RSTs marked `ownMark` through. Rejects with `FirewallError` when the chosen method (or, for
 * "auto", every method) fails, and with `RangeError` for a malformed flow or mark.
 *
 * @example
 * ```ts
 * const guard = await installRstGuard(
 *   { localAddr: ipv4(0xc6120102), localPort: 40000, remoteAddr: ipv4(0xc6120202), remotePort: 80 },
 *   { mode: "auto" },
 * );
 * // IPv6 alike: { localAddr: parseIpv6Address("2001:2::1"), …, remoteAddr: parseIpv6Address("2001:2::2"), … }
 * try { /* run the connection *\/ } finally { await guard.close(); }
 * ```
 */
export async function installRstGuard(flow: GuardedFlow, opts: RstGuardOptions): Promise<Guard> {
  checkFlow(flow);
  const g: GuardSpec = { flow, incoming: opts.dropIncoming ?? false, mark: checkMark(opts.ownMark) };
  if (opts.mode === "none") {
    return {
      method: "none",
      ownMark: null,
      description: `Not dropping the kernel's RSTs for ${formatFlow(flow)} (--no-firewall): unless another rule ` +
        `drops them, the kernel will reset the connection.`,
      close: () => Promise.resolve(),
      closeSync() {},
    };
  }
  const installers: [GuardMethod, () => Guard | Promise<Guard>][] = [
    ["nftables-netlink", () => netlinkGuard(g)],
    ["nft-command", () => nftCommandGuard(g)],
    ["iptables-command", () => iptablesGuard(g)],
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

/** What one guard drops: the flow's RSTs (except those marked `mark`) and, if `incoming`, its incoming segments. */
interface GuardSpec {
  readonly flow: GuardedFlow;
  readonly incoming: boolean;
  readonly mark: number | null;
}

const hexMark = (mark: number): string => `0x${mark.toString(16).padStart(8, "0")}`;

function dropChains({ flow, incoming, mark }: GuardSpec): DropChain[] {
  const out = { srcAddr: flow.localAddr, srcPort: flow.localPort, dstAddr: flow.remoteAddr, dstPort: flow.remotePort };
  const chains: DropChain[] = [
    { name: "drop_rst_out", hook: NFT.NF_INET_LOCAL_OUT, tuple: out, rstOnly: true, exemptMark: mark ?? undefined },
  ];
  // Conntrack would see our segments but not the server's (dropped below): it must not follow the flow at all.
  if (incoming) {
    chains.push({ name: "notrack_out", hook: NFT.NF_INET_LOCAL_OUT, tuple: out, rstOnly: false, notrack: true });
  }
  if (incoming) {
    const tuple = { srcAddr: out.dstAddr, srcPort: out.dstPort, dstAddr: out.srcAddr, dstPort: out.srcPort };
    chains.push({ name: "drop_in", hook: NFT.NF_INET_PRE_ROUTING, tuple, rstOnly: false });
  }
  return chains;
}

function what({ flow, incoming, mark }: GuardSpec): string {
  const ours = mark === null
    ? " (ours too: our raw socket has no mark, as the kernel refused SO_MARK without CAP_NET_ADMIN, so an abort's " +
      "RST is lost and the server learns we left only by its own timeout)"
    : ` (not ours: they carry socket mark ${hexMark(mark)})`;
  return `Dropping the kernel's RSTs for ${formatFlow(flow)}${ours}` +
    (incoming
      ? " and the flow's incoming segments before the kernel's TCP sees them, and keeping connection tracking off " +
        "the flow,"
      : "");
}

function netlinkGuard(g: GuardSpec): Guard {
  const table = NftOwnerTable.create(guardTableName(g.flow), dropChains(g));
  return {
    method: "nftables-netlink",
    ownMark: g.mark,
    description: `${what(g)} with nftables table ${table.name} (owner flag: removed by the kernel when we exit).`,
    close: () => Promise.resolve(table.close()),
    closeSync: () => table.close(),
    handover: { fd: table.descriptor, forget: () => table.forget() },
  };
}

function nftCommandGuard(g: GuardSpec): Promise<Guard> {
  const name = guardTableName(g.flow);
  const family = nftFamily(g.flow.localAddr).name; // "ip6 saddr" in an ip6 table, as "ip saddr" in an ip one
  const script = [`create table ${family} ${name}`];
  for (const c of dropChains(g)) {
    const hook = c.hook === NFT.NF_INET_LOCAL_OUT ? "output" : "prerouting";
    const { srcAddr, srcPort, dstAddr, dstPort } = c.tuple;
    const match = `${family} saddr ${formatIpAddress(srcAddr)} ${family} daddr ${formatIpAddress(dstAddr)} ` +
      `tcp sport ${srcPort} tcp dport ${dstPort}${c.rstOnly ? " tcp flags rst" : ""}` +
      (c.exemptMark === undefined ? "" : ` meta mark != ${hexMark(c.exemptMark)}`);
    script.push(
      `add chain ${family} ${name} ${c.name} { type filter hook ${hook} priority raw; policy accept; }`,
      `add rule ${family} ${name} ${c.name} ${match} counter ${c.notrack ? "notrack" : "drop"}`,
    );
  }
  return commandGuard(
    "nft-command",
    g.mark,
    `${what(g)} with nftables table ${name} made by the nft command (removed when the connection ` +
      `closes or we exit normally; after a crash run \`nft delete table ${family} ${name}\`).`,
    [[["nft", script.join("; ")], ["nft", "delete", "table", family, name]]],
  );
}

function iptablesGuard(g: GuardSpec): Promise<Guard> {
  const { flow, incoming, mark } = g;
  const comment = ["-m", "comment", "--comment", `rawhttpget-${Deno.pid}`];
  // iptables keeps IPv4 rules only; the same rules for IPv6 go to ip6tables, with host prefixes of 128 bits.
  const [command, host] = isIpv6Address(flow.localAddr) ? ["ip6tables", 128] : ["iptables", 32];
  const match = (src: IpAddress, sport: number, dst: IpAddress, dport: number) => [
    ...["-p", "tcp", "-s", `${formatIpAddress(src)}/${host}`, "-d", `${formatIpAddress(dst)}/${host}`],
    ...["--sport", String(sport), "--dport", String(dport)],
  ];
  const out = [...match(flow.localAddr, flow.localPort, flow.remoteAddr, flow.remotePort), "--tcp-flags", "RST", "RST"];
  if (mark !== null) out.push("-m", "mark", "!", "--mark", hexMark(mark));
  const rules = [["filter", "OUTPUT", ...out, ...comment, "-j", "DROP"]];
  if (incoming) {
    const inSpec = match(flow.remoteAddr, flow.remotePort, flow.localAddr, flow.localPort);
    rules.push(["raw", "PREROUTING", ...inSpec, ...comment, "-j", "DROP"]);
    const outSpec = match(flow.localAddr, flow.localPort, flow.remoteAddr, flow.remotePort);
    rules.push(["raw", "OUTPUT", ...outSpec, ...comment, "-j", "CT", "--notrack"]);
  }
  const iptables = [command, "-w", "5", "-t"];
  return commandGuard(
    "iptables-command",
    mark,
    `${what(g)} with ${command} rules commented rawhttpget-${Deno.pid} (removed when the connection ` +
      `closes or we exit normally; after a crash delete them with \`${command} -D\`).`,
    rules.map(([table, chain, ...spec]) => [
      [...iptables, table, "-I", chain, "1", ...spec],
      [...iptables, table, "-D", chain, ...spec],
    ]),
  );
}
