/**
 * Runs a command with only `--allow-ffi` (Deno.Command needs `--allow-run`): posix_spawnp with the stdout and
 * stderr of the child on pipes, optional bytes on its stdin, and waitpid on a worker thread.
 * Used by the firewall fallback (`nft`, `iptables`).
 *
 * @module
 */

import { concatBytes } from "./_bytes.ts";
import { EAGAIN, EINTR, lastErrno } from "./errno.ts";
import { cString, libc } from "./libc.ts";
import { check, OsError } from "./os_error.ts";
import { waitFor } from "./poll.ts";

const O_CLOEXEC = 0x80000, O_NONBLOCK = 0x800;
const F_SETFL = 4;
const POLLIN = 0x1, POLLOUT = 0x4;
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
}

function makePipe(): [number, number] {
  const fds = new Int32Array(2);
  check(libc().pipe2(new Uint8Array(fds.buffer), O_CLOEXEC), "pipe2", "O_CLOEXEC");
  return [fds[0], fds[1]];
}

function pointerOf(bytes: Uint8Array<ArrayBuffer>): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes)));
}

/**
 * Runs `argv[0]` (searched in PATH) with arguments `argv[1..]` and the current environment, feeding `stdin` (or
 * nothing: its stdin is closed at once) and collecting stdout and stderr. Throws OsError if it cannot be started
 * (e.g. ENOENT when the program is not installed).
 *
 * @example
 * ```ts
 * const r = await runCommand(["nft", "-f", "-"], { stdin: new TextEncoder().encode(rules) });
 * if (r.code !== 0) throw new Error(new TextDecoder().decode(r.stderr));
 * ```
 */
export async function runCommand(argv: readonly string[], opts: { stdin?: Uint8Array } = {}): Promise<CommandResult> {
  if (argv.length === 0) throw new TypeError("Cannot run an empty command");
  const c = libc();
  const args = argv.map(cString);
  // char *argv[]: pointers to the strings, then NULL. The strings are kept alive by `args` until the call returns.
  const argvBuf = new Uint8Array(Math.max(4096, 8 * (args.length + 1)));
  const argvView = new DataView(argvBuf.buffer);
  args.forEach((a, i) => argvView.setBigUint64(i * 8, pointerOf(a), true));
  const pipes = [makePipe(), makePipe(), makePipe()]; // stdin, stdout, stderr
  const actions = new Uint8Array(FILE_ACTIONS_LEN);
  check(c.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
  let pid: number;
  try {
    c.posix_spawn_file_actions_adddup2(actions, pipes[0][0], 0);
    c.posix_spawn_file_actions_adddup2(actions, pipes[1][1], 1);
    c.posix_spawn_file_actions_adddup2(actions, pipes[2][1], 2);
    const pidBuf = new Int32Array(1);
    // posix_spawnp returns the error number instead of setting errno.
    const rc = c.posix_spawnp(new Uint8Array(pidBuf.buffer), args[0], actions, null, argvBuf, c.environ);
    if (rc !== 0) throw new OsError(rc, "posix_spawnp", `"${argv[0]}"`);
    pid = pidBuf[0];
  } finally {
    c.posix_spawn_file_actions_destroy(actions);
    // The child has its copies; ours of the child's ends must go, or we would never see end of file.
    c.close(pipes[0][0]);
    c.close(pipes[1][1]);
    c.close(pipes[2][1]);
  }
  const [stdout, stderr] = await Promise.all([
    collect(pipes[1][0]),
    collect(pipes[2][0]),
    feed(pipes[0][1], opts.stdin ?? new Uint8Array(0)),
  ]);
  const status = new Int32Array(1);
  for (;;) {
    const r = await c.waitpid_async(pid, new Uint8Array(status.buffer), 0);
    if (r === pid) break;
    // -1 on the worker thread: EINTR is the only expected cause; retry unless the child is already gone.
    if (c.waitpid(pid, new Uint8Array(status.buffer), 1 /* WNOHANG */) === pid) break;
  }
  const s = status[0];
  const signal = s & 0x7f;
  return { code: signal === 0 ? (s >> 8) & 0xff : null, signal: signal === 0 ? null : signal, stdout, stderr };
}

async function collect(fd: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  try {
    check(libc().fcntl(fd, F_SETFL, O_NONBLOCK), "fcntl", `${fd}, F_SETFL, O_NONBLOCK`);
    for (;;) {
      const n = libc().read(fd, buf, BigInt(buf.length));
      if (n > 0n) chunks.push(buf.slice(0, Number(n)));
      else if (n === 0n) break;
      else {
        const errno = lastErrno();
        if (errno === EAGAIN) await waitFor(fd, POLLIN, -1);
        else if (errno !== EINTR) throw new OsError(errno, "read", `pipe ${fd}`);
      }
    }
  } finally {
    libc().close(fd);
  }
  return concatBytes(chunks);
}

async function feed(fd: number, bytes: Uint8Array): Promise<void> {
  try {
    check(libc().fcntl(fd, F_SETFL, O_NONBLOCK), "fcntl", `${fd}, F_SETFL, O_NONBLOCK`);
    const data = new Uint8Array(bytes); // an ArrayBuffer-backed copy the FFI call may read
    let done = 0;
    while (done < data.length) {
      const n = libc().write(fd, data.subarray(done), BigInt(data.length - done));
      if (n >= 0n) {
        done += Number(n);
        continue;
      }
      const errno = lastErrno();
      if (errno === EAGAIN) await waitFor(fd, POLLOUT, -1);
      // EPIPE: the child exited without reading all of its input; its exit status will tell why.
      else if (errno !== EINTR) return;
    }
  } finally {
    libc().close(fd);
  }
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
