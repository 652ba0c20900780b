/**
 * Running the tests' commands (`ip`, `tc`, `nft`, `ethtool`, servers, clients), in this namespace or another, with
 * errors that say which command line failed and what it printed on stderr.
 *
 * @module
 */

/** A command that could not be started or exited with a non-zero status. */
export class CommandError extends Error {
  /** The command line, as an argument vector. */
  readonly cmd: readonly string[];
  /** Exit code, or `null` when the command could not be started. */
  readonly code: number | null;
  /** What the command wrote on stderr (trimmed). */
  readonly stderr: string;

  /** Builds the error; the message quotes the shell-quoted command line and its stderr. */
  constructor(cmd: readonly string[], code: number | null, stderr: string, cause?: unknown) {
    const line = shellQuote(cmd);
    const what = code === null ? "could not be started" : `exited with code ${code}`;
    const tail = stderr.trim() === "" ? "" : `: ${stderr.trim()}`;
    super(`Command \`${line}\` ${what}${tail}`, cause === undefined ? undefined : { cause });
    this.name = "CommandError";
    this.cmd = cmd;
    this.code = code;
    this.stderr = stderr.trim();
  }
}

/** Options of {@linkcode exec}. */
export interface ExecOptions {
  /** Kill the command (SIGKILL) after this many milliseconds; the result then has `timedOut: true`. */
  timeoutMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Bytes written to the command's stdin (stdin is closed after them; without it stdin is /dev/null). */
  stdin?: Uint8Array;
  /** Working directory. */
  cwd?: string;
}

/** What a finished command produced. */
export interface ExecResult {
  /** Exit code (128 + signal number when killed by a signal). */
  code: number;
  /** Standard output, decoded as UTF-8. */
  stdout: string;
  /** Standard error, decoded as UTF-8. */
  stderr: string;
  /** Wall-clock time from spawn to exit, in milliseconds. */
  timeMs: number;
  /** `true` when {@linkcode ExecOptions.timeoutMs} expired and the command was killed. */
  timedOut: boolean;
}

const decoder = new TextDecoder();

/**
 * Runs a command to completion and returns its exit code and output; never throws for a non-zero exit (only when the
 * program cannot be started, as a {@linkcode CommandError}).
 *
 * @example
 * ```ts
 * const r = await exec(["ip", "netns", "list"]);
 * console.log(r.code, r.stdout);
 * ```
 */
export async function exec(cmd: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const start = performance.now();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(findProgram(cmd[0]) ?? cmd[0], {
      args: cmd.slice(1),
      env: opts.env,
      cwd: opts.cwd,
      stdin: opts.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    throw new CommandError(cmd, null, notFoundHint(cmd, e), e);
  }
  let timedOut = false;
  const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
  }, opts.timeoutMs);
  try {
    if (opts.stdin !== undefined) {
      const w = child.stdin.getWriter();
      await w.write(opts.stdin).catch(() => {});
      await w.close().catch(() => {});
    }
    const out = await child.output();
    return {
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
      timeMs: performance.now() - start,
      timedOut,
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs a command and returns its stdout; throws a {@linkcode CommandError} (command line + stderr) on a non-zero exit.
 *
 * @example
 * ```ts
 * await run(["ip", "netns", "add", "rhg-x-1"]);
 * ```
 */
export async function run(cmd: readonly string[], opts: ExecOptions = {}): Promise<string> {
  const r = await exec(cmd, opts);
  if (r.code !== 0 || r.timedOut) {
    throw new CommandError(cmd, r.code, r.timedOut ? `timed out after ${opts.timeoutMs} ms. ${r.stderr}` : r.stderr);
  }
  return r.stdout;
}

/** Synchronous variant of {@linkcode exec} (for teardown from signal and `unload` handlers); never throws. */
export function execSync(cmd: readonly string[]): { code: number; stdout: string; stderr: string } {
  try {
    const out = new Deno.Command(findProgram(cmd[0]) ?? cmd[0], {
      args: cmd.slice(1),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    })
      .outputSync();
    return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
  } catch (e) {
    return { code: 127, stdout: "", stderr: notFoundHint(cmd, e) };
  }
}

/**
 * The command line that runs `cmd` inside network namespace `ns` (`ip netns exec NS CMD…`).
 *
 * @example
 * ```ts
 * await run(inNamespace("rhg-fw-1-a", ["nft", "list", "ruleset"]));
 * ```
 */
export function inNamespace(ns: string, cmd: readonly string[]): string[] {
  return ["ip", "netns", "exec", ns, ...cmd];
}

/**
 * Where `name` is found in `PATH` (plus the sbin directories, which a non-login root shell may lack), or `null`.
 *
 * @example
 * ```ts
 * if (findProgram("nginx") === null) console.log("nginx is not installed");
 * ```
 */
export function findProgram(name: string): string | null {
  if (name.includes("/")) return isExecutable(name) ? name : null;
  const dirs = (Deno.env.get("PATH") ?? "").split(":").filter((d) => d !== "");
  for (const extra of ["/usr/local/sbin", "/usr/sbin", "/sbin"]) if (!dirs.includes(extra)) dirs.push(extra);
  for (const dir of dirs) {
    const path = `${dir}/${name}`;
    if (isExecutable(path)) return path;
  }
  return null;
}

function isExecutable(path: string): boolean {
  try {
    const st = Deno.statSync(path);
    return st.isFile && st.mode !== null && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Quotes an argument vector the way a POSIX shell would need it, for messages and logs. */
export function shellQuote(cmd: readonly string[]): string {
  return cmd.map((a) => /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
}

function notFoundHint(cmd: readonly string[], e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return `${cmd[0]} is not installed (not found in PATH)`;
  return e instanceof Error ? e.message : String(e);
}
