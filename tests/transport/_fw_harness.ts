/**
 * Test harness for the firewall tests: commands inside their namespaces (`rhg-fw-<pid>-…`, made with
 * tests/_support/namespaces.ts), a veth pair between two of them, and a child Deno process (`_fw_guard_child.ts`, run
 * with only `--allow-ffi`) that holds guards while the test looks at the kernel's rule set.
 *
 * @module
 */

import assert from "node:assert/strict";
import { OWN_RST_MARK } from "../../src/transport/mod.ts";
import { inNamespace, run } from "../_support/exec.ts";
import { pollUntil } from "../_support/poll.ts";
import { linkNamespaces, namespaceName, setSysctls, withNamespaces } from "../_support/namespaces.ts";
import { denoRun } from "../_support/program.ts";
import { networkTest } from "../_support/root.ts";

const HERE = new URL(".", import.meta.url).pathname;
/** Deno's flags for the child scripts: only what rawhttpget has, and never a prompt. */
const CHILD_FLAGS = ["--no-prompt", "--allow-ffi"];

/** Runs `argv` (in namespace `ns` if given) and throws unless it exits with 0; returns stdout. */
export async function must(argv: readonly string[], ns?: string): Promise<string> {
  return await run(ns === undefined ? argv : inNamespace(ns, argv));
}

/** A real-network test in fresh namespaces `rhg-fw-<pid>-<suffix>`; fails without root unless RHG_ALLOW_SKIP=1. */
export function nsTest(name: string, suffixes: string[], fn: (names: string[]) => Promise<void>): void {
  networkTest(name, () => withNamespaces(suffixes.map((s) => namespaceName("fw", s)), fn));
}

/** Joins namespaces `a` and `b` by a veth pair: a = 198.18.210.1/24, b = 198.18.210.2/24. */
export async function vethPair(a: string, b: string): Promise<void> {
  const va = `fwa${Deno.pid % 100000}`, vb = `fwb${Deno.pid % 100000}`;
  await linkNamespaces({ ns: a, dev: va, addr: "198.18.210.1/24" }, { ns: b, dev: vb, addr: "198.18.210.2/24" });
}

/**
 * Joins namespaces `a` and `b` by a veth pair with IPv6 addresses only: a = 2001:2:0:210::1/64, b = …::2/64.
 * Duplicate address detection is off in both, so the addresses are usable at once.
 */
export async function vethPair6(a: string, b: string): Promise<void> {
  for (const ns of [a, b]) {
    await setSysctls(ns, { "net/ipv6/conf/all/accept_dad": 0, "net/ipv6/conf/default/accept_dad": 0 });
  }
  const va = `fwa${Deno.pid % 100000}`, vb = `fwb${Deno.pid % 100000}`;
  await linkNamespaces({ ns: a, dev: va, addr: "2001:2:0:210::1/64" }, { ns: b, dev: vb, addr: "2001:2:0:210::2/64" });
}

/** What the child reports per guard it tried to install. */
export type GuardReport =
  | { ok: true; method: string; description: string }
  | { ok: false; name: string; message: string; causeName?: string; causeErrno?: number; attempts?: string[] };

/** Flow and options for one guard in the child (same shapes as `installRstGuard`). */
export interface GuardSpec {
  /** The flow: IPv4 addresses as u32s, IPv6 ones as RFC 5952 text. */
  flow: { localAddr: number | string; localPort: number; remoteAddr: number | string; remotePort: number };
  /** The options. */
  opts: { mode: string; dropIncoming?: boolean; ownMark?: number };
}

/** A `deno run --allow-ffi _fw_guard_child.ts` process in a namespace, driven line by line over stdin/stdout. */
export class GuardChild {
  readonly #proc: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncIterator<string>;

  private constructor(proc: Deno.ChildProcess) {
    this.#proc = proc;
    this.#writer = proc.stdin.getWriter();
    this.#lines = proc.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(lineSplitter())[Symbol.asyncIterator]();
  }

  /** Starts the child (optionally under `prefix`, e.g. setpriv) and waits for its reports on `specs`. */
  static async start(ns: string, specs: GuardSpec[], prefix: string[] = []): Promise<[GuardChild, GuardReport[]]> {
    const script = denoRun(`${HERE}_fw_guard_child.ts`, [JSON.stringify(specs)], CHILD_FLAGS);
    const [cmd, ...args] = inNamespace(ns, [...prefix, ...script]);
    const proc = new Deno.Command(cmd, { args, stdin: "piped", stdout: "piped", stderr: "inherit" }).spawn();
    const child = new GuardChild(proc);
    const reports: GuardReport[] = [];
    for (;;) {
      const line = await child.#next();
      if (line === "ready") return [child, reports];
      reports.push(JSON.parse(line));
    }
  }

  /** The child's pid (`ip netns exec` execs deno in place). */
  get pid(): number {
    return this.#proc.pid;
  }

  /** Sends a command ("close", "exit") and returns the reply line ("" if the child ended). */
  async send(command: string): Promise<string> {
    await this.#writer.write(new TextEncoder().encode(command + "\n"));
    return await this.#next();
  }

  /** Kills the child with SIGKILL. */
  kill(): void {
    this.#proc.kill("SIGKILL");
  }

  /** Waits for the child to end and releases its pipes. */
  async wait(): Promise<Deno.CommandStatus> {
    await this.#writer.close().catch(() => {});
    while (await this.#next() !== "");
    return await this.#proc.status;
  }

  async #next(): Promise<string> {
    const r = await this.#lines.next();
    return r.done ? "" : r.value;
  }
}

/**
 * Starts a {@linkcode GuardChild} in `ns` (optionally under `prefix`), runs `fn` with it and its reports, and waits
 * for the child to end whatever happens.
 */
export async function withGuardChild(
  ns: string,
  specs: GuardSpec[],
  fn: (child: GuardChild, reports: GuardReport[]) => void | Promise<void>,
  prefix: string[] = [],
): Promise<void> {
  const [child, reports] = await GuardChild.start(ns, specs, prefix);
  try {
    await fn(child, reports);
  } finally {
    await child.wait();
  }
}

function lineSplitter(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, ctl) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const p of parts) ctl.enqueue(p);
    },
    flush(ctl) {
      if (rest) ctl.enqueue(rest);
    },
  });
}

/** Sends one hand-built SYN from namespace `ns` (raw socket, kernel-made IP header) and waits for it to be sent. */
export async function sendSyn(ns: string, src: string, srcPort: number, dst: string, dstPort: number): Promise<void> {
  await must(denoRun(`${HERE}_fw_send_syn_child.ts`, [src, `${srcPort}`, dst, `${dstPort}`], CHILD_FLAGS), ns);
}

/** What `_fw_send_rst_child.ts` reports: the mark its socket got, and "ok" or the errno name of the failed `sendto`. */
export interface RstReport {
  /** SO_MARK of the sender (null: unmarked, or the kernel refused the mark). */
  readonly mark: number | null;
  /** "ok", or e.g. "EPERM" when a firewall rule dropped the RST. */
  readonly sent: string;
}

/**
 * Sends one RST from namespace `ns` through rawhttpget's own raw sender, marked with `mark` unless it is null
 * (optionally under `prefix`, e.g. setpriv).
 */
export async function sendRst(
  ns: string,
  [src, srcPort]: [string, number],
  [dst, dstPort]: [string, number],
  mark: number | null,
  prefix: string[] = [],
): Promise<RstReport> {
  const args = [src, `${srcPort}`, dst, `${dstPort}`, mark === null ? "-" : `${mark}`];
  const out = await must([...prefix, ...denoRun(`${HERE}_fw_send_rst_child.ts`, args, CHILD_FLAGS)], ns);
  return JSON.parse(out);
}

/**
 * Sends one IPv6 SYN or RST from namespace `ns` through an AF_INET6 raw socket (`_fw_send6_child.ts`), marked with
 * `mark` unless it is null.
 */
export async function sendTcp6(
  ns: string,
  kind: "syn" | "rst",
  [src, srcPort]: [string, number],
  [dst, dstPort]: [string, number],
  mark: number | null,
): Promise<RstReport> {
  const args = [src, `${srcPort}`, dst, `${dstPort}`, kind, mark === null ? "-" : `${mark}`];
  return JSON.parse(await must(denoRun(`${HERE}_fw_send6_child.ts`, args, CHILD_FLAGS), ns));
}

/** RST packets from A with tcp sport `port`, as counted by B's input chain (table `observe` of `family`). */
export async function rstsSeenByB(ns: string, port: number, family: "ip" | "ip6"): Promise<number> {
  const listing = await must(["nft", "list", "chain", family, "observe", "input"], ns);
  const m = listing.match(new RegExp(`tcp sport ${port} tcp flags rst counter packets (\\d+)`));
  return m ? Number(m[1]) : -1;
}

/** The guards the RST tests run, each with and without `dropIncoming`, and "none" as the control. */
export const DROP_CASES = [
  ["netlink", false],
  ["netlink", true],
  ["nft", false],
  ["nft", true],
  ["iptables", false],
  ["iptables", true],
  ["none", false], // control: without a guard the kernel's RST for the tuple does reach B
] as const;

/** What the RST-guard scenario of {@linkcode rstGuardTests} needs of one address family. */
export interface GuardFamily {
  /** nftables family of the observer in B ("ip" or "ip6"). */
  readonly nft: "ip" | "ip6";
  /** Namespace suffixes of A and B. */
  readonly names: [string, string];
  /** A's and B's addresses, as text. */
  readonly a: string;
  readonly b: string;
  /** B's listener as `ss -ltn` shows it (`198.18.210.2:8080`, `[2001:…]:8080`). */
  readonly listening: string;
  /** Links A and B. */
  veth(a: string, b: string): Promise<void>;
  /** The guarded flow from A's `localPort` to B:8080. */
  flow(localPort: number): GuardSpec["flow"];
  /** A hand-built SYN from A's `port` to B:8080, sent from namespace `ns`. */
  syn(ns: string, port: number): Promise<void>;
  /** An RST from A's `port` to B:8080 through rawhttpget's raw sender, marked with `mark` unless null. */
  rst(ns: string, port: number, mark: number | null): Promise<RstReport>;
}

/**
 * For every guard of {@linkcode DROP_CASES}: A opens a guard for port 40000, sends SYNs from 40000 and 40001 to a
 * listener in B that closes each connection, and B counts the kernel RSTs A's kernel answers the SYN-ACKs with: the
 * unguarded 40001's arrive, the guarded 40000's never do (and with `dropIncoming` the kernel never saw the SYN-ACK);
 * then our own RST is refused (EPERM) unmarked and delivered with `ownMark`. "none" is the control: both arrive.
 */
export function rstGuardTests(f: GuardFamily, title: (mode: string, dropIncoming: boolean) => string): void {
  for (const [mode, dropIncoming] of DROP_CASES) {
    nsTest(title(mode, dropIncoming), [...f.names], async ([a, b]) => {
      await f.veth(a, b);
      const observe =
        `add table ${f.nft} observe; add chain ${f.nft} observe input { type filter hook input priority 0; }`;
      await must(["nft", observe], b);
      const saddr = f.nft === "ip" ? "ip saddr" : "ip6 saddr";
      for (const port of [40000, 40001]) {
        await must(
          ["nft", `add rule ${f.nft} observe input ${saddr} ${f.a} tcp sport ${port} tcp flags rst counter`],
          b,
        );
      }
      const listen = `for await (const c of Deno.listen({ hostname: "${f.b}", port: 8080 })) c.close();`;
      const listener = new Deno.Command("ip", {
        args: ["netns", "exec", b, Deno.execPath(), "eval", listen],
        stdout: "null",
        stderr: "inherit",
      }).spawn();
      const seen = (port: number) => rstsSeenByB(b, port, f.nft);
      try {
        const spec = { flow: f.flow(40000), opts: { mode, dropIncoming, ownMark: OWN_RST_MARK } };
        await withGuardChild(a, [spec], async (_child, [report]) => {
          assert.ok(report.ok, JSON.stringify(report));
          const up = async () => (await run(inNamespace(b, ["ss", "-ltn"]))).includes(f.listening);
          assert.ok(await pollUntil(up, 3000), "listener not up");
          for (const port of [40000, 40001]) await f.syn(a, port);
          assert.ok(await pollUntil(async () => (await seen(40001)) >= 1, 2000), "unguarded tuple's RST not seen");
          if (mode === "none") {
            assert.ok(await pollUntil(async () => (await seen(40000)) >= 1, 2000), "guarded tuple's RST seen");
            return;
          }
          assert.equal(await seen(40000), 0);
          if (mode !== "iptables") {
            const ruleset = await must(["nft", "list", "ruleset"], a);
            const chain = dropIncoming
              ? /tcp dport 40000 counter packets (\d+)/
              : /tcp flags rst .*counter packets (\d+)/;
            assert.ok(Number(ruleset.match(chain)?.[1]) >= 1, ruleset);
            // With dropIncoming the kernel never saw the SYN-ACK, so it made no RST.
            if (dropIncoming) assert.match(ruleset, /tcp flags rst .*counter packets 0 /);
          }
          // Our own RST, sent like rawhttpget sends it: refused (EPERM) without the mark, delivered with it.
          assert.deepEqual(await f.rst(a, 40000, null), { mark: null, sent: "EPERM" });
          assert.equal(await seen(40000), 0);
          assert.deepEqual(await f.rst(a, 40000, OWN_RST_MARK), { mark: OWN_RST_MARK, sent: "ok" });
          assert.ok(await pollUntil(async () => (await seen(40000)) === 1, 2000), "our marked RST not seen");
        });
      } finally {
        listener.kill("SIGKILL");
        await listener.status;
      }
    });
  }
}
