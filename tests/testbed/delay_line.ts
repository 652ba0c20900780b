/**
 * Round-trip time for the testbed without netem (not in this kernel): a TUN device in the router namespace, policy
 * routing that sends everything the router receives on its veths into it, and a small C program (delay_line.c) that
 * writes each packet back into the device after half the round trip. The kernel then forwards the written-back
 * packet as usual; it arrives with `iif` = the TUN device, which the rules do not match, so it goes through the line
 * once per direction.
 *
 * ```text
 *   r-c ──▶ rule "iif r-c table 100" ──▶ default dev r-dl ──▶ delay_line (rttMs/2) ──▶ r-dl ──▶ main table ──▶ r-s
 *   r-s ──▶ rule "iif r-s table 100" ──▶ default dev r-dl ──▶ delay_line (rttMs/2) ──▶ r-dl ──▶ main table ──▶ r-c
 * ```
 *
 * Packets for the router itself are still delivered locally (the `local` table comes first). Each packet is forwarded
 * twice, veth → r-dl and r-dl → veth; the router's loss rules match the output veth, so they drop a packet once.
 * With `ipv6`, the same rules and route exist for IPv6 (`ip -6 rule`, table 100 of IPv6); the program tells the
 * directions of IPv6 packets apart by their addresses as it does for IPv4. IPv6 has no rp_filter to turn off.
 *
 * The program is compiled with gcc into `tests/.cache/` (outside git), once per version of its source.
 *
 * @example
 * ```ts
 * const line = new DelayLine("rhg-r-1-1", ["r-c", "r-s"]);
 * await line.set(100); // 50 ms each way
 * console.log(await line.stop()); // { delayed: 1234, queueDrops: 0, oversize: 0, writeErrors: 0 }
 * ```
 *
 * @module
 */

import { createHash } from "node:crypto";
import { execSync, findProgram, run } from "../_support/exec.ts";
import { REPO_ROOT } from "../_support/program.ts";

/** The TUN device in the router namespace. */
export const DELAY_DEV = "r-dl";
/** The routing table whose default route leads into the delay line. */
export const DELAY_TABLE = 100;
/** Packets each direction can hold: 16384 × 1500 bytes is more than any receive window the tests use. */
const SLOTS = 16384;

const SOURCE = new URL("./delay_line.c", import.meta.url).pathname;
const CACHE_DIR = `${REPO_ROOT}/tests/.cache`;

/** What the delay line counted while it ran. */
export interface DelayLineStats {
  /** Packets written back after their delay. */
  readonly delayed: number;
  /** Packets dropped because a direction's queue was full. */
  readonly queueDrops: number;
  /** Packets larger than the device's MTU (dropped). */
  readonly oversize: number;
  /** Packets the kernel refused when written back. */
  readonly writeErrors: number;
}

/**
 * Compiles delay_line.c (unless this version of it is compiled already) and returns the executable's path.
 * Throws one sentence when gcc is missing.
 */
export async function buildDelayLine(): Promise<string> {
  const source = await Deno.readFile(SOURCE);
  const exe = `${CACHE_DIR}/delay_line-${createHash("sha256").update(source).digest("hex").slice(0, 16)}`;
  try {
    await Deno.stat(exe);
    return exe;
  } catch { /* not built yet */ }
  if (findProgram("gcc") === null) {
    throw new Error("The testbed's delay line (rttMs) needs gcc to build delay_line.c: apt-get install gcc");
  }
  await Deno.mkdir(CACHE_DIR, { recursive: true });
  // Built under a name of this process, then renamed: test processes running at once never see half a file.
  const tmp = `${exe}.${Deno.pid}.tmp`;
  await run(["gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", tmp, SOURCE]);
  await Deno.rename(tmp, exe);
  return exe;
}

/** The delay line of one router namespace whose veths are `ifs`; off until {@linkcode DelayLine.set}. */
export class DelayLine {
  #ns: string;
  #ifs: readonly string[];
  #families: readonly ("-4" | "-6")[];
  #child: Deno.ChildProcess | null = null;
  #deviceMade = false;
  #rttMs = 0;
  #jitterMs = 0;

  /** The line for router namespace `ns`, delaying what arrives on the interfaces `ifs` (IPv6 too with `ipv6`). */
  constructor(ns: string, ifs: readonly string[], ipv6 = false) {
    this.#ns = ns;
    this.#ifs = ifs;
    this.#families = ipv6 ? ["-4", "-6"] : ["-4"];
  }

  /** The round trip added, in milliseconds (0: the line is off). */
  get rttMs(): number {
    return this.#rttMs;
  }

  /** The largest extra delay of a round trip, in milliseconds. */
  get jitterMs(): number {
    return this.#jitterMs;
  }

  /** The PID of the running program (`null` when off). */
  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  /**
   * Adds `rttMs` to every round trip (half each way); with `jitterMs`, each direction waits a further uniform
   * 0..`jitterMs`/2, without reordering. 0 and 0 take the line out of the path. Returns what the line it replaces
   * counted (`null` if it was off).
   */
  async set(rttMs: number, jitterMs = 0): Promise<DelayLineStats | null> {
    for (const [name, v] of [["round trip", rttMs], ["jitter", jitterMs]] as const) {
      if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`Cannot set a ${name} of ${v} ms: it must be ≥ 0`);
    }
    const previous = await this.stop();
    if (rttMs === 0 && jitterMs === 0) return previous;
    const exe = await buildDelayLine();
    const mtu = await this.#makeDevice();
    const us = (ms: number) => String(Math.round(ms * 500)); // one way: half of it, in microseconds
    const cpu = await this.#steer();
    const line = [exe, DELAY_DEV, us(rttMs), us(jitterMs), String(SLOTS), String(mtu), String(cpu)];
    const args = ["netns", "exec", this.#ns, ...line];
    // `ip netns exec` execs the program, so the child's PID is the program's own: the one we stop.
    const child = new Deno.Command(findProgram("ip") ?? "ip", { args, stdin: "null", stdout: "piped", stderr: "piped" })
      .spawn();
    this.#child = child;
    const ready = await readLine(child.stdout, 5000);
    if (ready !== "ready") {
      this.#child = null;
      try {
        child.kill("SIGKILL");
      } catch { /* exited: it says why on stderr */ }
      const [text] = await Promise.all([new Response(child.stderr).text(), child.status, child.stdout.cancel()]);
      throw new Error(`The delay line did not start: ${text.trim() || `it printed "${ready}" instead of "ready"`}`);
    }
    for (const family of this.#families) {
      for (const dev of this.#ifs) await this.#ip([family, "rule", "add", "iif", dev, "table", String(DELAY_TABLE)]);
      await this.#ip([family, "route", "add", "default", "dev", DELAY_DEV, "table", String(DELAY_TABLE)]);
    }
    this.#rttMs = rttMs;
    this.#jitterMs = jitterMs;
    return previous;
  }

  /** Takes the line out of the path and stops the program by its PID; returns its counts (`null` when off). */
  async stop(): Promise<DelayLineStats | null> {
    const child = this.#child;
    if (child === null) return null;
    this.#child = null;
    this.#rttMs = this.#jitterMs = 0;
    for (const family of this.#families) {
      await this.#ip([family, "route", "flush", "table", String(DELAY_TABLE)]);
      for (const dev of this.#ifs) {
        const del = ["ip", "-n", this.#ns, family, "rule", "del", "iif", dev, "table", String(DELAY_TABLE)];
        await run(del).catch(() => {});
      }
    }
    const stderr = new Response(child.stderr).text();
    try {
      child.kill("SIGTERM");
    } catch { /* exited already */ }
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
    }, 2000);
    await child.status.finally(() => clearTimeout(timer));
    await child.stdout.cancel().catch(() => {});
    const text = await stderr;
    const m = /delayed (\d+), dropped (\d+) \(queue full\), (\d+) oversize, (\d+) write errors/.exec(text);
    if (m === null) return { delayed: NaN, queueDrops: NaN, oversize: NaN, writeErrors: NaN };
    return { delayed: Number(m[1]), queueDrops: Number(m[2]), oversize: Number(m[3]), writeErrors: Number(m[4]) };
  }

  /** Last-resort stop for signal and `unload` handlers: SIGKILL by PID (the namespace goes right after). */
  killSync(): void {
    try {
      this.#child?.kill("SIGKILL");
    } catch { /* exited */ }
    this.#child = null;
  }

  /** Creates the TUN device once (same MTU as the veths, a long queue) and turns reverse-path filtering off. */
  async #makeDevice(): Promise<number> {
    const link = JSON.parse(await this.#ip(["-j", "link", "show", "dev", this.#ifs[0]])) as { mtu: number }[];
    const mtu = link[0].mtu;
    if (this.#deviceMade) return mtu;
    await this.#ip(["tuntap", "add", "dev", DELAY_DEV, "mode", "tun"]);
    // The default 500-packet queue would overflow at a few hundred MiB/s before the program reads it.
    await this.#ip(["link", "set", "dev", DELAY_DEV, "mtu", String(mtu), "txqueuelen", "10000", "up"]);
    // A packet coming back from r-dl has a source whose route leads out of a veth: strict rp_filter would drop it.
    const keys = ["all", "default", DELAY_DEV, ...this.#ifs].map((d) => `/proc/sys/net/ipv4/conf/${d}/rp_filter`);
    await run(["ip", "netns", "exec", this.#ns, "sh", "-c", keys.map((k) => `echo 0 > ${k}`).join("; ")]);
    this.#deviceMade = true;
    return mtu;
  }

  /**
   * With more than one CPU: the program runs on CPU 0 and the device's receive processing (forwarding the packets it
   * writes back, and the next host's TCP receive, which the kernel runs in the writer's context) is steered (RPS) to
   * the others, so that the line itself only reads and writes. Returns the CPU for the program (-1: anywhere).
   */
  async #steer(): Promise<number> {
    const cpus = navigator.hardwareConcurrency;
    if (cpus < 2) return -1;
    // Every CPU but 0, as the kernel's bitmap format wants it: hex in groups of 32 bits, separated by commas.
    const hex = ((2n ** BigInt(cpus) - 1n) & ~1n).toString(16);
    const mask = hex.padStart(Math.ceil(hex.length / 8) * 8, "0").match(/.{8}/g)!.join(",");
    const file = `/sys/class/net/${DELAY_DEV}/queues/rx-0/rps_cpus`;
    // `ip netns exec` mounts the namespace's own /sys, where the device is seen.
    await run(["ip", "netns", "exec", this.#ns, "sh", "-c", `echo ${mask} > ${file}`]);
    return 0;
  }

  #ip(args: string[]): Promise<string> {
    return run(["ip", "-n", this.#ns, ...args]);
  }
}

/** The first line of `stream` (without the newline), or what came before EOF or the timeout. */
async function readLine(stream: ReadableStream<Uint8Array>, timeoutMs: number): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), timeoutMs));
  try {
    while (!text.includes("\n")) {
      const read = reader.read();
      read.catch(() => {}); // rejected when the lock is released after a timeout
      const chunk = await Promise.race([read, timeout]);
      if (chunk === null || chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
  return text.split("\n")[0];
}

/** Whether the delay line's rules for IPv4 (or with `family` 6, IPv6) are installed in `ns` (for tests). */
export function delayRulesInstalled(ns: string, family: 4 | 6 = 4): boolean {
  const list = ["ip", "-n", ns, `-${family}`, "rule", "list", "table", String(DELAY_TABLE)];
  return execSync(list).stdout.trim() !== "";
}
