/**
 * Runs a command with only `--allow-ffi` (Deno.Command needs `--allow-run`): posix_spawnp with the stdout and
 * stderr of the child on pipes, optional bytes on its stdin, and waitpid on a worker thread. A timeout kills a child
 * that hangs. {@linkcode runCommandSync} is the blocking twin for exit paths (an `unload` listener cannot await).
 * Used by the firewall fallback (`nft`, `iptables`).
 *
 * @module
 */

import { concatBytes } from "./_bytes.ts";
import { argvArray, waitChild } from "./_child.ts";
import { EAGAIN, EINTR, ESRCH, lastErrno } from "./errno.ts";
import { cString, libc } from "./libc.ts";
import { check, OsError } from "./os_error.ts";
import { POLLIN, POLLOUT, waitFor } from "./poll.ts";
import { getEnv } from "./process.ts";

const O_CLOEXEC = 0x80000, O_NONBLOCK = 0x800;
const F_SETFL = 4;
const WNOHANG = 1;
const X_OK = 1;
const SIGKILL = 9;
// glibc's posix_spawn_file_actions_t is 80 bytes; a little more is harmless.
const FILE_ACTIONS_LEN = 128;

/** Exit status of a command run by {@linkcode runCommand}. */
export interface CommandResult {
  /** Exit code, or null when a signal ended it. */
  readonly code: number | null;
  /** The signal that ended it, or null. */
  readonly signal: number | null;
  /** Everything it wrote to stdout. */
  readonly stdout: Uint8Array;
  /** Everything it wrote to stderr. */
  readonly stderr: Uint8Array;
  /** True when it outlived `timeoutMs` and was killed with SIGKILL (then `signal` is 9). */
  readonly timedOut: boolean;
}

/** Options of {@linkcode runCommand}. */
export interface RunOptions {
  /** Bytes to write to its stdin (then stdin is closed); without it, stdin is closed at once. */
  readonly stdin?: Uint8Array;
  /** Kill it with SIGKILL after this many milliseconds and stop reading its pipes; without it, wait forever. */
  readonly timeoutMs?: number;
}

/** A started child: its pid and our ends of its stdin, stdout and stderr pipes (all close-on-exec). */
interface Child {
  readonly pid: number;
  readonly stdin: number;
  readonly stdout: number;
  readonly stderr: number;
}

function makePipe(): [number, number] {
  const fds = new Int32Array(2);
  check(libc().pipe2(new Uint8Array(fds.buffer), O_CLOEXEC), "pipe2", "O_CLOEXEC");
  return [fds[0], fds[1]];
}

function setNonBlocking(fd: number): void {
  check(libc().fcntl(fd, F_SETFL, O_NONBLOCK), "fcntl", `${fd}, F_SETFL, O_NONBLOCK`);
}

/** posix_spawnp with three pipes; our ends come back non-blocking. Throws OsError if it cannot start. */
function spawnPiped(argv: readonly string[]): Child {
  if (argv.length === 0) throw new TypeError("Cannot run an empty command");
  const c = libc();
  const args = argv.map(cString);
  // The strings are kept alive by `args` until the call returns.
  const argvBuf = argvArray(args);
  const pipes = [makePipe(), makePipe(), makePipe()]; // stdin, stdout, stderr
  const actions = new Uint8Array(FILE_ACTIONS_LEN);
  check(c.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
  try {
    c.posix_spawn_file_actions_adddup2(actions, pipes[0][0], 0);
    c.posix_spawn_file_actions_adddup2(actions, pipes[1][1], 1);
    c.posix_spawn_file_actions_adddup2(actions, pipes[2][1], 2);
    const pidBuf = new Int32Array(1);
    // posix_spawnp returns the error number instead of setting errno.
    const rc = c.posix_spawnp(new Uint8Array(pidBuf.buffer), args[0], actions, null, argvBuf, c.environ);
    if (rc !== 0) {
      for (const fd of [pipes[0][1], pipes[1][0], pipes[2][0]]) c.close(fd);
      throw new OsError(rc, "posix_spawnp", `"${argv[0]}"`);
    }
    const child = { pid: pidBuf[0], stdin: pipes[0][1], stdout: pipes[1][0], stderr: pipes[2][0] };
    for (const fd of [child.stdin, child.stdout, child.stderr]) setNonBlocking(fd);
    return child;
  } finally {
    c.posix_spawn_file_actions_destroy(actions);
    // The child has its copies; ours of the child's ends must go, or we would never see end of file.
    c.close(pipes[0][0]);
    c.close(pipes[1][1]);
    c.close(pipes[2][1]);
  }
}

/** Kills `pid` with SIGKILL at most once (`killed` says whether it did); a child already gone (ESRCH) is fine. */
function killer(pid: number): { kill(): void; readonly killed: boolean } {
  let killed = false;
  return {
    kill() {
      if (killed) return;
      killed = true;
      try {
        sendSignal(pid, SIGKILL);
      } catch (e) {
        if (!(e instanceof OsError && e.errno === ESRCH)) throw e;
      }
    },
    get killed() {
      return killed;
    },
  };
}

/** Reads a non-blocking `fd` into `chunks` until it would block ("again") or ends ("eof"). */
function drain(fd: number, chunks: Uint8Array[], buf: Uint8Array<ArrayBuffer>): "again" | "eof" {
  for (;;) {
    const n = libc().read(fd, buf, BigInt(buf.length));
    if (n > 0n) chunks.push(buf.slice(0, Number(n)));
    else if (n === 0n) return "eof";
    else {
      const errno = lastErrno();
      if (errno === EAGAIN) return "again";
      if (errno !== EINTR) throw new OsError(errno, "read", `pipe ${fd}`);
    }
  }
}

function result(status: number, stdout: Uint8Array, stderr: Uint8Array, timedOut: boolean): CommandResult {
  const signal = status & 0x7f;
  return {
    code: signal === 0 ? (status >> 8) & 0xff : null,
    signal: signal === 0 ? null : signal,
    stdout,
    stderr,
    timedOut,
  };
}

/** Milliseconds left until `deadline` (`performance.now()` clock), never below 0; Infinity without a deadline. */
const remaining = (deadline: number): number => Math.max(0, deadline - performance.now());

/**
 * Runs `argv[0]` (searched in PATH) with arguments `argv[1..]` and the current environment, feeding `opts.stdin` (or
 * nothing: its stdin is closed at once) and collecting stdout and stderr. With `opts.timeoutMs`, a child still running
 * then is killed with SIGKILL (`timedOut: true`) and whatever it left in its pipes is not waited for. Throws OsError
 * if it cannot be started (e.g. ENOENT when the program is not installed).
 *
 * @example
 * ```ts
 * const r = await runCommand(["nft", "-f", "-"], { stdin: new TextEncoder().encode(rules), timeoutMs: 10_000 });
 * if (r.code !== 0) throw new Error(new TextDecoder().decode(r.stderr));
 * ```
 */
export async function runCommand(argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  const child = spawnPiped(argv);
  const deadline = performance.now() + (opts.timeoutMs ?? Infinity);
  const k = killer(child.pid);
  // The timer kills a child that hangs however it hangs (reading, writing, or silent with its pipes closed).
  const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => k.kill(), opts.timeoutMs);
  try {
    const [stdout, stderr] = await Promise.all([
      collect(child.stdout, deadline),
      collect(child.stderr, deadline),
      feed(child.stdin, opts.stdin ?? new Uint8Array(0), deadline),
    ]);
    return result(await waitChild(child.pid), stdout, stderr, k.killed);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads `fd` to its end, or until `deadline` (a grandchild may hold the pipe open after the child is killed). */
async function collect(fd: number, deadline: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  try {
    while (drain(fd, chunks, buf) === "again" && remaining(deadline) > 0) {
      await waitFor(fd, POLLIN, remaining(deadline));
    }
  } finally {
    libc().close(fd);
  }
  return concatBytes(chunks);
}

async function feed(fd: number, bytes: Uint8Array, deadline: number): Promise<void> {
  try {
    const data = new Uint8Array(bytes); // an ArrayBuffer-backed copy the FFI call may read
    let done = 0;
    while (done < data.length) {
      const n = libc().write(fd, data.subarray(done), BigInt(data.length - done));
      if (n >= 0n) {
        done += Number(n);
        continue;
      }
      const errno = lastErrno();
      if (errno === EAGAIN) {
        if (remaining(deadline) === 0) return;
        await waitFor(fd, POLLOUT, remaining(deadline));
      } // EPIPE: the child exited without reading all of its input; its exit status will tell why.
      else if (errno !== EINTR) return;
    }
  } finally {
    libc().close(fd);
  }
}

/**
 * The blocking twin of {@linkcode runCommand} for exit paths (an `unload` listener, a last `finally`), where nothing
 * can be awaited: it blocks the whole program until the command ends or `opts.timeoutMs` passes (then SIGKILL).
 * Its stdin is closed at once. Do not use it while a connection runs.
 *
 * @example
 * ```ts
 * globalThis.addEventListener("unload", () => runCommandSync(["nft", "delete", "table", "ip", "t"], { timeoutMs: 5000 }));
 * ```
 */
export function runCommandSync(argv: readonly string[], opts: Pick<RunOptions, "timeoutMs"> = {}): CommandResult {
  const c = libc();
  const child = spawnPiped(argv);
  c.close(child.stdin);
  const deadline = performance.now() + (opts.timeoutMs ?? Infinity);
  const k = killer(child.pid);
  const out: Uint8Array[] = [], err: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  const fds = new Uint8Array(16); // two struct pollfd
  const view = new DataView(fds.buffer);
  const open = [child.stdout, child.stderr];
  try {
    while (open.some((fd) => fd >= 0) && remaining(deadline) > 0) {
      open.forEach((fd, i) => {
        view.setInt32(i * 8, fd, true); // a negative fd is ignored by poll
        view.setInt16(i * 8 + 4, POLLIN, true);
      });
      // A blocking poll on this thread: acceptable here only because nothing else may run in an exit path.
      const n = c.poll(fds, 2n, Math.min(Math.ceil(remaining(deadline)), 0x7fffffff));
      if (n < 0 && lastErrno() !== EINTR) throw new OsError(lastErrno(), "poll", "child pipes");
      open.forEach((fd, i) => {
        if (fd >= 0 && drain(fd, i === 0 ? out : err, buf) === "eof") {
          c.close(fd);
          open[i] = -1;
        }
      });
    }
    const status = new Int32Array(1);
    const statusBuf = new Uint8Array(status.buffer);
    // The pipes are closed or the time is up: wait for the child, killing it when the deadline passes.
    while (c.waitpid(child.pid, statusBuf, WNOHANG) !== child.pid) {
      if (remaining(deadline) === 0) {
        k.kill();
        while (c.waitpid(child.pid, statusBuf, 0) < 0) {
          if (lastErrno() !== EINTR) throw new OsError(lastErrno(), "waitpid", `${child.pid}`);
        }
        break;
      }
      c.poll(fds, 0n, Math.min(10, Math.ceil(remaining(deadline)))); // sleep a little (no fds)
    }
    return result(status[0], concatBytes(out), concatBytes(err), k.killed);
  } finally {
    for (const fd of open) if (fd >= 0) c.close(fd);
  }
}

/** Where system tools live when PATH (e.g. a user's, kept by `sudo -E`) lacks them. */
const SBIN_DIRS = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

/**
 * Returns the path of executable `name`: the first match in PATH, then in the sbin directories; `name` itself when
 * none has it or it already contains a slash (then running it fails with ENOENT as usual).
 *
 * @example
 * ```ts
 * findProgram("nft"); // "/usr/sbin/nft"
 * ```
 */
export function findProgram(name: string): string {
  if (name.includes("/")) return name;
  const dirs = [...(getEnv("PATH") ?? "").split(":").filter((d) => d !== ""), ...SBIN_DIRS];
  return dirs.map((d) => `${d}/${name}`).find((p) => libc().access(cString(p), X_OK) === 0) ?? name;
}

/**
 * Sends signal `signal` to process `pid` (kill(2)).
 *
 * @example
 * ```ts
 * sendSignal(pid, 15); // SIGTERM
 * ```
 */
export function sendSignal(pid: number, signal: number): void {
  check(libc().kill(pid, signal), "kill", `${pid}, ${signal}`);
}
