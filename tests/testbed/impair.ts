/**
 * Impairments the router namespace applies to forwarded traffic — random loss per direction (nftables `numgen`, or
 * iptables `statistic` when nft is missing) and a token-bucket rate limit toward the client (tc tbf) — plus NIC
 * offload switches (ethtool). Loss must be made here, between the hosts: a DROP on either host's own stack is not loss
 * (the sender is told and re-sends). The loss rules match the output veth, so with the delay line (delay_line.ts) in
 * the path, where each packet is forwarded twice (veth → TUN, TUN → veth), they still drop a packet at most once.
 * With `ipv6`, loss applies to IPv6 packets too (an nft `inet` table instead of an `ip` one, or the same rules in
 * ip6tables) and the counters add up both families; the rate limit is a qdisc, which sees every packet anyway.
 *
 * @module
 */

import { findProgram, run } from "../_support/exec.ts";

/** Packet counts of one direction through the router. */
export interface DirectionCounters {
  /** Packets the router sent on toward that host (after loss and rate drops). */
  forwarded: number;
  /** Packets the random-loss rule dropped. */
  lossDropped: number;
  /** Packets the rate limiter (tbf) dropped. */
  rateDropped: number;
}

/** Counters of the router, per direction, since the testbed came up. */
export interface RouterCounters {
  /** Server → client. */
  toClient: DirectionCounters;
  /** Client → server. */
  toServer: DirectionCounters;
}

/** The tool that programs the router's random loss. */
export type LossBackend = "nft" | "iptables";

const TABLE = "rhg_testbed";
const CHAIN = "RHG_LOSS";

/** Loss and rate state of a router namespace whose interfaces toward the client and server are given. */
export class RouterImpairments {
  #ns: string;
  #ifs: { toClient: string; toServer: string };
  #backend: LossBackend | null;
  #ipv6: boolean;
  #installed = false;
  #lossBase = { toClient: 0, toServer: 0 };
  #rateBase = 0;
  #rateOn = false;

  /**
   * State for namespace `ns`, interface `toClient` (facing the client) and `toServer` (facing the server); loss uses
   * `backend` (default: nft when installed, else iptables); with `ipv6`, loss drops IPv6 packets as well.
   */
  constructor(ns: string, toClient: string, toServer: string, backend?: LossBackend, ipv6 = false) {
    this.#ns = ns;
    this.#ifs = { toClient, toServer };
    this.#backend = backend ?? null;
    this.#ipv6 = ipv6;
  }

  /** The nft family of the loss table: `inet` sees both IP versions, `ip` only IPv4. */
  get #family(): string {
    return this.#ipv6 ? "inet" : "ip";
  }

  /** The iptables programs the loss rules go into. */
  get #iptables(): string[] {
    return this.#ipv6 ? ["iptables", "ip6tables"] : ["iptables"];
  }

  /** The firewall that makes the loss (`null` until loss is first set). */
  get lossBackend(): LossBackend | null {
    return this.#backend;
  }

  /**
   * Drops each forwarded packet with probability `toClient` / `toServer` (0 removes the rule of that direction;
   * resolution 1/10000 with nft). Drop counts carry over across calls.
   */
  async setLoss(toClient: number, toServer: number): Promise<void> {
    for (const p of [toClient, toServer]) {
      if (!(p >= 0 && p <= 1)) throw new RangeError(`Cannot set a loss rate of ${p}: it must be within 0..1`);
    }
    if (toClient === 0 && toServer === 0 && !this.#installed) return;
    const backend = this.#backend ??= pickBackend();
    const before = await this.#lossCounts();
    this.#lossBase.toClient += before.toClient;
    this.#lossBase.toServer += before.toServer;
    const rules: [string, string, number][] = [
      [this.#ifs.toClient, "drop-to-client", toClient],
      [this.#ifs.toServer, "drop-to-server", toServer],
    ];
    if (backend === "nft") {
      const lines = rules.filter(([, , p]) => p > 0).map(([dev, tag, p]) =>
        `    oifname "${dev}" numgen random mod 10000 < ${Math.round(p * 10000)} counter drop comment "${tag}"`
      );
      const script = [
        `add table ${this.#family} ${TABLE}`,
        `delete table ${this.#family} ${TABLE}`,
        `table ${this.#family} ${TABLE} {`,
        `  chain forward {`,
        `    type filter hook forward priority 0; policy accept;`,
        ...lines,
        `  }`,
        `}`,
        "",
      ].join("\n");
      await this.#in(["nft", "-f", "-"], new TextEncoder().encode(script));
    } else {
      for (const iptables of this.#iptables) {
        if (!this.#installed) {
          await this.#in([iptables, "-w", "-N", CHAIN]);
          await this.#in([iptables, "-w", "-A", "FORWARD", "-j", CHAIN]);
        }
        await this.#in([iptables, "-w", "-F", CHAIN]);
        for (const [dev, tag, p] of rules) {
          if (p === 0) continue;
          const rule = `-A ${CHAIN} -o ${dev} -m statistic --mode random --probability ${p}`;
          await this.#in([iptables, "-w", ...rule.split(" "), "-m", "comment", "--comment", tag, "-j", "DROP"]);
        }
      }
    }
    this.#installed = true;
  }

  /** Limits the rate toward the client to `mbit` Mbit/s with a small queue (tbf burst 32 KiB, 5 ms), or removes it. */
  async setRate(mbit: number | null): Promise<void> {
    if (mbit !== null && !(mbit > 0)) throw new RangeError(`Cannot set a rate of ${mbit} Mbit/s: it must be positive`);
    const dev = this.#ifs.toClient;
    if (this.#rateOn) {
      this.#rateBase += await this.#tbfDrops();
      await this.#in(["tc", "qdisc", "del", "dev", dev, "root"]);
      this.#rateOn = false;
    }
    if (mbit === null) return;
    const tbf = `tc qdisc add dev ${dev} root tbf rate ${mbit}mbit burst 32k latency 5ms`;
    await this.#in(tbf.split(" "));
    this.#rateOn = true;
  }

  /** Reads the router's counters (the interfaces' TX packets, the loss rules' and the tbf's drops). */
  async counters(): Promise<RouterCounters> {
    const loss = await this.#lossCounts();
    return {
      toClient: {
        forwarded: await this.#txPackets(this.#ifs.toClient),
        lossDropped: this.#lossBase.toClient + loss.toClient,
        rateDropped: this.#rateBase + (this.#rateOn ? await this.#tbfDrops() : 0),
      },
      toServer: {
        forwarded: await this.#txPackets(this.#ifs.toServer),
        lossDropped: this.#lossBase.toServer + loss.toServer,
        rateDropped: 0,
      },
    };
  }

  async #lossCounts(): Promise<{ toClient: number; toServer: number }> {
    const counts = { toClient: 0, toServer: 0 };
    if (!this.#installed) return counts;
    const add = (tag: string, packets: number) => {
      if (tag === "drop-to-client") counts.toClient += packets;
      if (tag === "drop-to-server") counts.toServer += packets;
    };
    if (this.#backend === "nft") {
      const out = JSON.parse(await this.#in(["nft", "-j", "list", "table", this.#family, TABLE])) as {
        nftables: { rule?: { comment?: string; expr: { counter?: { packets: number } }[] } }[];
      };
      for (const item of out.nftables) {
        const rule = item.rule;
        const counter = rule?.expr.find((e) => e.counter !== undefined)?.counter;
        if (rule?.comment !== undefined && counter !== undefined) add(rule.comment, counter.packets);
      }
    } else {
      for (const iptables of this.#iptables) {
        const out = await this.#in([iptables, "-w", "-L", CHAIN, "-v", "-x", "-n"]);
        for (const line of out.split("\n")) {
          const m = /^\s*(\d+)\s.*\/\* (drop-to-\w+) \*\//.exec(line);
          if (m !== null) add(m[2], Number(m[1]));
        }
      }
    }
    return counts;
  }

  async #txPackets(dev: string): Promise<number> {
    const out = JSON.parse(await run(["ip", "-n", this.#ns, "-s", "-j", "link", "show", "dev", dev])) as {
      stats64?: { tx: { packets: number } };
    }[];
    return out[0]?.stats64?.tx.packets ?? 0;
  }

  async #tbfDrops(): Promise<number> {
    const out = JSON.parse(await this.#in(["tc", "-s", "-j", "qdisc", "show", "dev", this.#ifs.toClient])) as {
      kind: string;
      drops?: number;
    }[];
    return out.find((q) => q.kind === "tbf")?.drops ?? 0;
  }

  #in(cmd: string[], stdin?: Uint8Array): Promise<string> {
    return run(["ip", "netns", "exec", this.#ns, ...cmd], { stdin });
  }
}

function pickBackend(): LossBackend {
  if (findProgram("nft") !== null) return "nft";
  if (findProgram("iptables") !== null) return "iptables";
  throw new Error("Cannot make random loss: neither nft (apt-get install nftables) nor iptables is installed");
}

/**
 * Turns a veth's transmit offloads (checksum, TSO, GSO) on or off with ethtool. Off: the kernel sends 1500-byte
 * frames with filled-in checksums; on (veth's default): up to 64 KiB segments with partial checksums.
 * Returns `false` (and changes nothing) when ethtool is not installed.
 */
export async function setTxOffloads(ns: string, dev: string, on: boolean): Promise<boolean> {
  if (findProgram("ethtool") === null) return false;
  const v = on ? "on" : "off";
  await run(["ip", "netns", "exec", ns, "ethtool", "-K", dev, "tx", v, "tso", v, "gso", v]);
  return true;
}

/** Turns GRO on or off on a veth with ethtool; returns `false` when ethtool is not installed. */
export async function setGro(ns: string, dev: string, on: boolean): Promise<boolean> {
  if (findProgram("ethtool") === null) return false;
  await run(["ip", "netns", "exec", ns, "ethtool", "-K", dev, "gro", on ? "on" : "off"]);
  return true;
}
