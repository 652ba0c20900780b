/**
 * A channel that carries file descriptors: one end of an `AF_UNIX, SOCK_SEQPACKET` socket pair, with messages sent by
 * `sendmsg` and the descriptors beside them as `SCM_RIGHTS` ancillary data (unix(7)). Sequenced packets keep message
 * boundaries, so a request or a reply is always read whole; the privileged helper and its client talk over it.
 *
 * Descriptors received are close-on-exec (`MSG_CMSG_CLOEXEC`): a command the receiver runs never inherits them.
 *
 * @module
 */

import { addressOf } from "./_bytes.ts";
import { EAGAIN, EINTR, lastErrno } from "./errno.ts";
import { libc } from "./libc.ts";
import { check, OsError } from "./os_error.ts";
import { POLLIN, pollNow, waitReadable } from "./poll.ts";
import { closeQuietly, MSG_DONTWAIT, SOCK_CLOEXEC, SOL_SOCKET } from "./_socket.ts";

/** Address family of local (unix) sockets. */
export const AF_UNIX = 1;
const SOCK_SEQPACKET = 5;
const SCM_RIGHTS = 1;
const MSG_TRUNC = 0x20, MSG_CTRUNC = 0x08, MSG_CMSG_CLOEXEC = 0x40000000;

/** Largest message either side sends, in bytes; a longer one is refused on both sides. */
export const MAX_MESSAGE = 4096;
/** Most descriptors one message carries. */
export const MAX_FDS = 4;

// x86_64 layouts: struct msghdr { name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48 } = 56;
// struct iovec { base 0, len 8 } = 16; struct cmsghdr { len 0 (size_t), level 8, type 12, data 16 }.
const MSGHDR_LEN = 56;
const CMSG_HEADER = 16;
const CONTROL_LEN = CMSG_HEADER + 8 * Math.ceil((4 * MAX_FDS) / 8);

/** A message read from a channel: its bytes and the descriptors that came with it (now ours to close). */
export interface ChannelMessage {
  /** The message's bytes. */
  readonly bytes: Uint8Array;
  /** Descriptors passed with it, close-on-exec. */
  readonly fds: readonly number[];
}

/**
 * One end of a descriptor-passing channel.
 *
 * @example
 * ```ts
 * const [a, b] = channelPair();
 * a.send(new TextEncoder().encode("hello"), [rawSocketFd]);
 * const m = await b.receive(); // { bytes: "hello", fds: [a new descriptor of the same socket] }
 * ```
 */
export class FdChannel {
  /** The socket's descriptor (-1 once closed). */
  fd: number;
  readonly #data = new Uint8Array(MAX_MESSAGE);
  readonly #control = new Uint8Array(4096).subarray(0, CONTROL_LEN);
  readonly #iov = new Uint8Array(4096).subarray(0, 16);
  readonly #msg = new Uint8Array(4096).subarray(0, MSGHDR_LEN);

  /** Takes ownership of `fd`, a connected `AF_UNIX` `SOCK_SEQPACKET` socket. */
  constructor(fd: number) {
    this.fd = fd;
  }

  #header(data: Uint8Array<ArrayBuffer>, length: number, controlLength: number): void {
    const iov = new DataView(this.#iov.buffer, this.#iov.byteOffset, 16);
    iov.setBigUint64(0, addressOf(data), true);
    iov.setBigUint64(8, BigInt(length), true);
    this.#msg.fill(0);
    const msg = new DataView(this.#msg.buffer, this.#msg.byteOffset, MSGHDR_LEN);
    msg.setBigUint64(16, addressOf(this.#iov), true);
    msg.setBigUint64(24, 1n, true);
    if (controlLength > 0) {
      msg.setBigUint64(32, addressOf(this.#control), true);
      msg.setBigUint64(40, BigInt(controlLength), true);
    }
  }

  /** Sends one message with `fds` beside it (the descriptors stay open on our side). */
  send(bytes: Uint8Array, fds: readonly number[] = []): void {
    if (bytes.length === 0 || bytes.length > MAX_MESSAGE) {
      throw new RangeError(`Cannot send a message of ${bytes.length} bytes (1 to ${MAX_MESSAGE})`);
    }
    if (fds.length > MAX_FDS) {
      throw new RangeError(`Cannot pass ${fds.length} descriptors at once (${MAX_FDS} at most)`);
    }
    this.#data.set(bytes);
    let controlLength = 0;
    if (fds.length > 0) {
      controlLength = CMSG_HEADER + 8 * Math.ceil((4 * fds.length) / 8);
      this.#control.fill(0);
      const c = new DataView(this.#control.buffer, this.#control.byteOffset, CONTROL_LEN);
      c.setBigUint64(0, BigInt(CMSG_HEADER + 4 * fds.length), true);
      c.setInt32(8, SOL_SOCKET, true);
      c.setInt32(12, SCM_RIGHTS, true);
      fds.forEach((fd, i) => c.setInt32(CMSG_HEADER + 4 * i, fd, true));
    }
    this.#header(this.#data, bytes.length, controlLength);
    for (;;) {
      const n = libc().sendmsg(this.fd, this.#msg, 0);
      if (n >= 0n) return;
      if (lastErrno() !== EINTR) throw new OsError(lastErrno(), "sendmsg", `${this.fd}`);
    }
  }

  /** Reads one waiting message without blocking: null when none is waiting; `undefined` at end of stream. */
  tryReceive(): ChannelMessage | null | undefined {
    // Asked first, so that the usual "nothing yet" is no failed call whose errno must be read (see ffi/libc.ts).
    if (pollNow(this.fd, POLLIN) === 0) return null;
    this.#header(this.#data, MAX_MESSAGE, CONTROL_LEN);
    const n = libc().recvmsg(this.fd, this.#msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0n) {
      const errno = lastErrno();
      if (errno === EAGAIN || errno === EINTR) return null;
      throw new OsError(errno, "recvmsg", `${this.fd}`);
    }
    const msg = new DataView(this.#msg.buffer, this.#msg.byteOffset, MSGHDR_LEN);
    const fds = this.#receivedFds(Number(msg.getBigUint64(40, true)));
    const flags = msg.getInt32(48, true);
    if ((flags & (MSG_TRUNC | MSG_CTRUNC)) !== 0) {
      // A message cut short is not one we can trust, and a cut descriptor list would leak the ones that came.
      for (const fd of fds) closeQuietly(fd);
      throw new OsError(
        0,
        "recvmsg",
        `${this.fd}: a message longer than ${MAX_MESSAGE} bytes or ${MAX_FDS} descriptors`,
      );
    }
    if (n === 0n && fds.length === 0) return undefined;
    return { bytes: this.#data.slice(0, Number(n)), fds };
  }

  #receivedFds(controlLength: number): number[] {
    const fds: number[] = [];
    const c = new DataView(this.#control.buffer, this.#control.byteOffset, CONTROL_LEN);
    let at = 0;
    while (at + CMSG_HEADER <= controlLength) {
      const len = Number(c.getBigUint64(at, true));
      if (len < CMSG_HEADER || at + len > controlLength) break;
      if (c.getInt32(at + 8, true) === SOL_SOCKET && c.getInt32(at + 12, true) === SCM_RIGHTS) {
        for (let i = at + CMSG_HEADER; i + 4 <= at + len; i += 4) fds.push(c.getInt32(i, true));
      }
      at += CMSG_HEADER + 8 * Math.ceil((len - CMSG_HEADER) / 8);
    }
    return fds;
  }

  /** Waits for the next message (up to `timeoutMs`, default forever): `undefined` at end of stream or timeout. */
  async receive(timeoutMs = -1): Promise<ChannelMessage | undefined> {
    const deadline = timeoutMs < 0 ? Infinity : Date.now() + timeoutMs;
    for (;;) {
      const m = this.tryReceive();
      if (m !== null) return m;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await waitReadable(this.fd, left === Infinity ? -1 : left);
    }
  }

  /** Closes our end; the other end then reads end of stream. Calling it twice is harmless. */
  close(): void {
    if (this.fd >= 0) closeQuietly(this.fd);
    this.fd = -1;
  }
}

/**
 * A connected pair of channels (close-on-exec; hand one end to a child with `posix_spawn`'s dup2).
 *
 * @example
 * ```ts
 * const [ours, theirs] = channelPair();
 * ```
 */
export function channelPair(): [FdChannel, FdChannel] {
  const fds = new Int32Array(2);
  check(
    libc().socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, new Uint8Array(fds.buffer)),
    "socketpair",
    "AF_UNIX, SOCK_SEQPACKET",
  );
  return [new FdChannel(fds[0]), new FdChannel(fds[1])];
}

/**
 * Closes a descriptor received from a channel (or any other), ignoring errors.
 *
 * @example
 * ```ts
 * for (const fd of message.fds) closeDescriptor(fd);
 * ```
 */
export function closeDescriptor(fd: number): void {
  if (fd >= 0) closeQuietly(fd);
}
