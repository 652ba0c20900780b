/**
 * Shared helpers of the ffi tests: the root requirement, throw-away network namespaces, child Deno processes.
 *
 * @module
 */

/** Deno executable running the tests. */
export const DENO = Deno.execPath();
/** Absolute path of tests/ffi/. */
export const HERE = new URL(".", import.meta.url).pathname;

/**
 * True when real-socket tests may run. Not root: throws, unless RHG_ALLOW_SKIP=1 (then false: skip).
 */
export function requireRoot(): boolean {
  if (Deno.uid() === 0) return true;
  if (Deno.env.get("RHG_ALLOW_SKIP") === "1") return false;
  throw new Error("This test needs root (raw sockets, namespaces); set RHG_ALLOW_SKIP=1 to skip it");
}

/** Runs a command; returns its exit code and decoded output. */
export async function run(
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string>; clearEnv?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(cmd, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: opts.env,
    clearEnv: opts.clearEnv,
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function ip(args: string[]): Promise<void> {
  const r = await run("ip", args);
  if (r.code !== 0) throw new Error(`ip ${args.join(" ")} failed: ${r.stderr.trim()}`);
}

let nsCounter = 0;

/**
 * Creates namespace `rhg-ffi-<pid>-<n>` with `lo` up and 198.18.0.1/32, 198.18.0.2/32 on it, runs `fn(name)`, and
 * deletes the namespace whatever happens.
 */
export async function withNamespace<T>(fn: (ns: string) => Promise<T>): Promise<T> {
  const ns = `rhg-ffi-${Deno.pid}-${nsCounter++}`;
  await ip(["netns", "add", ns]);
  try {
    await ip(["-n", ns, "link", "set", "lo", "up"]);
    await ip(["-n", ns, "addr", "add", "198.18.0.1/32", "dev", "lo"]);
    await ip(["-n", ns, "addr", "add", "198.18.0.2/32", "dev", "lo"]);
    return await fn(ns);
  } finally {
    await run("ip", ["netns", "del", ns]);
  }
}

/** Runs tests/ffi/<script> with `deno run --allow-ffi` inside namespace `ns`; throws with its output on failure. */
export async function runInNamespace(ns: string, script: string, args: string[] = []): Promise<string> {
  const r = await run("ip", ["netns", "exec", ns, DENO, "run", "--allow-ffi", HERE + script, ...args]);
  if (r.code !== 0) throw new Error(`${script} ${args.join(" ")} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
