/**
 * Readiness waits with `poll(2)`.
 *
 * {@linkcode waitReadable} runs poll as a `nonblocking: true` FFI call: it blocks a worker thread, not the Deno event
 * loop, and costs ~33 µs. So a driver reads with synchronous calls until EAGAIN and only then waits here.
 *
 * @module
 */

import { EAGAIN, EINTR, lastErrno } from "./errno.ts";
import { libc } from "./libc.ts";
import { check, OsError } from "./os_error.ts";

/** poll: data to read. */
export const POLLIN = 0x1;
/** poll: room to write. */
export const POLLOUT = 0x4;
/** poll: error condition (revents only). */
export const POLLERR = 0x8;
/** poll: hang up (revents only). */
export const POLLHUP = 0x10;
/** poll: fd not open (revents only). */
export const POLLNVAL = 0x20;

function pollfd(fd: number, events: number): Uint8Array<ArrayBuffer> {
  const buf = new Uint8Array(8);
  const view = new DataView(buf.buffer);
  view.setInt32(0, fd, true);
  view.setInt16(4, events, true);
  return buf;
}

function toPollTimeout(timeoutMs: number): number {
  if (!(timeoutMs >= 0) || timeoutMs === Infinity) return -1;
  // Round up: waking early by a fraction of a millisecond would make the caller spin.
  return Math.min(Math.ceil(timeoutMs), 0x7fffffff);
}

/**
 * Waits until `fd` has any of `events` (or an error/hang-up) or `timeoutMs` passes; negative or Infinity waits forever.
 * Resolves to the `revents` bits, 0 on timeout or on an interrupted poll.
 *
 * @example
 * ```ts
 * const revents = await waitFor(fd, POLLIN, 100);
 * ```
 */
export async function waitFor(fd: number, events: number, timeoutMs: number): Promise<number> {
  const buf = pollfd(fd, events);
  const n = await libc().poll_async(buf, 1n, toPollTimeout(timeoutMs));
  // -1 here is EINTR (or ENOMEM); errno is not readable after a nonblocking call, and both mean "try again".
  if (n <= 0) return 0;
  return new DataView(buf.buffer).getInt16(6, true);
}

/**
 * Resolves true when `fd` is readable (or has an error to report) within `timeoutMs`, false on timeout.
 *
 * @example
 * ```ts
 * if (await waitReadable(rx.fd, 50)) rx.recv(buf);
 * ```
 */
export async function waitReadable(fd: number, timeoutMs: number): Promise<boolean> {
  return (await waitFor(fd, POLLIN, timeoutMs)) !== 0;
}

/** A pollfd array asking for POLLIN on each of `fds`. */
function pollfds(fds: readonly number[]): Uint8Array<ArrayBuffer> {
  const buf = new Uint8Array(8 * fds.length);
  const view = new DataView(buf.buffer);
  for (let i = 0; i < fds.length; i++) {
    view.setInt32(8 * i, fds[i], true);
    view.setInt16(8 * i + 4, POLLIN, true);
  }
  return buf;
}

/** The `revents` of each entry of a pollfd array, in order. */
function reventsOf(buf: Uint8Array<ArrayBuffer>, ready: number): number[] {
  const view = new DataView(buf.buffer);
  const out = new Array<number>(buf.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = ready > 0 ? view.getInt16(8 * i + 6, true) : 0;
  return out;
}

/**
 * Waits until any of `fds` is readable (or has an error or hang-up to report) or `timeoutMs` passes, with one
 * `poll(2)` on a worker thread: several links' receivers and wakers are waited on at once. Resolves to the `revents`
 * of each fd, in the order given; all 0 on timeout or on an interrupted poll.
 *
 * @example
 * ```ts
 * const [rx1, rx2, woken] = await waitAnyReadable([rx1.fd, rx2.fd, waker.readFd], 250);
 * ```
 */
export async function waitAnyReadable(fds: readonly number[], timeoutMs: number): Promise<number[]> {
  const buf = pollfds(fds);
  // -1 is EINTR (or ENOMEM), as in waitFor: nothing is ready, the caller waits again.
  return reventsOf(buf, await libc().poll_async(buf, BigInt(fds.length), toPollTimeout(timeoutMs)));
}

/**
 * As {@linkcode waitAnyReadable}, but synchronous: it blocks the event loop, so `timeoutMs` must be a few
 * milliseconds at most (a driver's brief wait between two frames).
 *
 * @example
 * ```ts
 * const readable = pollAnyReadable([rx1.fd, rx2.fd], 2).some((r) => r !== 0);
 * ```
 */
export function pollAnyReadable(fds: readonly number[], timeoutMs: number): number[] {
  const buf = pollfds(fds);
  return reventsOf(buf, libc().poll(buf, BigInt(fds.length), Math.max(0, Math.floor(timeoutMs))));
}

/**
 * Returns the `revents` of `fd` for `events` right now, with a synchronous zero-timeout poll (~0.3 µs).
 *
 * @example
 * ```ts
 * const readable = (pollNow(fd, POLLIN) & POLLIN) !== 0;
 * ```
 */
export function pollNow(fd: number, events: number): number {
  const buf = pollfd(fd, events);
  if (libc().poll(buf, 1n, 0) <= 0) return 0;
  return new DataView(buf.buffer).getInt16(6, true);
}

const O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;

/**
 * A self-pipe that interrupts a {@linkcode waitReadableOrWoken} from elsewhere in the program (a signal listener, a
 * timer), since a blocking poll on a worker thread cannot be cancelled otherwise.
 *
 * @example
 * ```ts
 * const waker = new Waker();
 * Deno.addSignalListener("SIGINT", () => waker.wake());
 * await waitReadableOrWoken(rx.fd, waker, 1000);
 * ```
 */
export class Waker {
  /** Read end (polled). */
  readonly readFd: number;
  /** Write end (written by `wake`). */
  readonly writeFd: number;
  #byte = new Uint8Array(1);
  #scratch = new Uint8Array(64);

  /** Creates the pipe (non-blocking, close-on-exec). */
  constructor() {
    const fds = new Int32Array(2);
    check(libc().pipe2(new Uint8Array(fds.buffer), O_NONBLOCK | O_CLOEXEC), "pipe2", "O_NONBLOCK | O_CLOEXEC");
    this.readFd = fds[0];
    this.writeFd = fds[1];
  }

  /** Makes the current or next wait return at once. A full pipe already means "woken", so EAGAIN is fine. */
  wake(): void {
    if (libc().write(this.writeFd, this.#byte, 1n) < 0n) {
      const errno = lastErrno();
      if (errno !== EAGAIN && errno !== EINTR) throw new OsError(errno, "write", `waker ${this.writeFd}`);
    }
  }

  /** Consumes pending wake-ups; returns true if there was any. */
  clear(): boolean {
    let woken = false;
    while (libc().read(this.readFd, this.#scratch, BigInt(this.#scratch.length)) > 0n) woken = true;
    return woken;
  }

  /** Closes both ends. */
  close(): void {
    libc().close(this.readFd);
    libc().close(this.writeFd);
  }
}

/**
 * Like {@linkcode waitReadable}, but also returns early when `waker.wake()` is called. Resolves to `"readable"`,
 * `"woken"` (wake-ups are consumed) or `"timeout"`.
 *
 * @example
 * ```ts
 * const why = await waitReadableOrWoken(rx.fd, waker, 200);
 * ```
 */
export async function waitReadableOrWoken(
  fd: number,
  waker: Waker,
  timeoutMs: number,
): Promise<"readable" | "woken" | "timeout"> {
  const buf = new Uint8Array(16);
  const view = new DataView(buf.buffer);
  view.setInt32(0, fd, true);
  view.setInt16(4, POLLIN, true);
  view.setInt32(8, waker.readFd, true);
  view.setInt16(12, POLLIN, true);
  const n = await libc().poll_async(buf, 2n, toPollTimeout(timeoutMs));
  if (n <= 0) return "timeout";
  if (view.getInt16(6, true) !== 0) return "readable";
  waker.clear();
  return "woken";
}
