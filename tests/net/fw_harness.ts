/**
 * Test harness for the firewall tests: network namespaces (`rhg-fw-<pid>-…`), commands inside them, and a child
 * Deno process (`fw_guard_child.ts`, run with only `--allow-ffi`) that holds guards while the test looks at the
 * kernel's rule set.
 *
 * @module
 */

const HERE = new URL(".", import.meta.url).pathname;

/** Output of a finished command. */
export interface Output {
  /** Exit code. */
  readonly code: number;
  /** Standard output. */
  readonly out: string;
  /** Standard error. */
  readonly err: string;
}

/** True when the tests may run; throws when not root unless RHG_ALLOW_SKIP=1 (then false: skip). */
export function rootOrSkip(): boolean {
  if (Deno.uid() === 0) return true;
  if (Deno.env.get("RHG_ALLOW_SKIP") === "1") return false;
  throw new Error("Firewall tests need root (network namespaces, nftables): run as root or set RHG_ALLOW_SKIP=1");
}

/** Runs `argv` (in namespace `ns` if given) and returns its output. */
export async function run(argv: readonly string[], ns?: string): Promise<Output> {
  const full = ns ? ["ip", "netns", "exec", ns, ...argv] : [...argv];
  const o = await new Deno.Command(full[0], { args: full.slice(1), stdin: "null" }).output();
  const d = new TextDecoder();
  return { code: o.code, out: d.decode(o.stdout), err: d.decode(o.stderr) };
}

/** Runs `argv` and throws unless it exits with 0; returns stdout. */
export async function must(argv: readonly string[], ns?: string): Promise<string> {
  const o = await run(argv, ns);
  if (o.code !== 0) throw new Error(`${argv.join(" ")} (ns ${ns ?? "-"}) exited ${o.code}: ${o.err}`);
  return o.out;
}

/** Creates namespaces `rhg-fw-<pid>-<suffix>` (lo up), runs `fn`, and deletes them whatever happens. */
export async function withNamespaces<T>(suffixes: string[], fn: (names: string[]) => Promise<T>): Promise<T> {
  const names = suffixes.map((s) => `rhg-fw-${Deno.pid}-${s}`);
  const made: string[] = [];
  try {
    for (const n of names) {
      await must(["ip", "netns", "add", n]);
      made.push(n);
      await must(["ip", "link", "set", "lo", "up"], n);
    }
    return await fn(names);
  } finally {
    for (const n of made) await run(["ip", "netns", "del", n]);
  }
}

/** Joins namespaces `a` and `b` by a veth pair: a = 198.18.210.1/24, b = 198.18.210.2/24. */
export async function vethPair(a: string, b: string): Promise<void> {
  const va = `fwa${Deno.pid % 100000}`, vb = `fwb${Deno.pid % 100000}`;
  await must(["ip", "link", "add", va, "netns", a, "type", "veth", "peer", "name", vb, "netns", b]);
  await must(["ip", "addr", "add", "198.18.210.1/24", "dev", va], a);
  await must(["ip", "addr", "add", "198.18.210.2/24", "dev", vb], b);
  await must(["ip", "link", "set", va, "up"], a);
  await must(["ip", "link", "set", vb, "up"], b);
}

/** Polls `probe` every 20 ms until it returns true or `ms` pass; returns its last answer. */
export async function pollUntil(probe: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What the child reports per guard it tried to install. */
export type GuardReport =
  | { ok: true; method: string; description: string }
  | { ok: false; name: string; message: string; causeName?: string; causeErrno?: number; attempts?: string[] };

/** Flow and options for one guard in the child (same shapes as `installRstGuard`). */
export interface GuardSpec {
  /** The flow. */
  flow: { localAddr: number; localPort: number; remoteAddr: number; remotePort: number };
  /** The options. */
  opts: { mode: string; dropIncoming?: boolean; ownMark?: number };
}

/** A `deno run --allow-ffi fw_guard_child.ts` process in a namespace, driven line by line over stdin/stdout. */
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
    const argv = ["netns", "exec", ns, ...prefix, Deno.execPath(), "run", "--no-prompt", "--allow-ffi"];
    argv.push(`${HERE}fw_guard_child.ts`, JSON.stringify(specs));
    const proc = new Deno.Command("ip", { args: argv, stdin: "piped", stdout: "piped", stderr: "inherit" }).spawn();
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
  await must([
    Deno.execPath(),
    "run",
    "--no-prompt",
    "--allow-ffi",
    `${HERE}fw_send_syn.ts`,
    src,
    `${srcPort}`,
    dst,
    `${dstPort}`,
  ], ns);
}

/** What `fw_send_rst.ts` reports: the mark its socket got, and "ok" or the errno name of the failed `sendto`. */
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
  const script = `${HERE}fw_send_rst.ts`;
  const args = [src, `${srcPort}`, dst, `${dstPort}`, mark === null ? "-" : `${mark}`];
  const out = await must([...prefix, Deno.execPath(), "run", "--no-prompt", "--allow-ffi", script, ...args], ns);
  return JSON.parse(out);
}
