/**
 * The unprivileged side's opener: every privileged piece of a connection is asked of the helper over the channel,
 * one request at a time, and comes back as a descriptor. It has the shape of the transport's `PrivilegedOpener`.
 *
 * @module
 */

import { type ChannelMessage, closeDescriptor, type FdChannel, RawReceiver, RawSender } from "../../ffi/mod.ts";
import type { ReservedPort } from "../../ffi/mod.ts";
import type { Flow, Guard, GuardMethod, PrivilegedOpener } from "../transport/mod.ts";
import { decodeReply, encodeRequest, type HelperRequest } from "./protocol.ts";
import type { IpAddress } from "../wire/mod.ts";

/** The helper refused a request, or is gone. */
export class HelperError extends Error {
  /** Builds the error; `message` is the sentence the user sees. */
  constructor(message: string) {
    super(message);
    this.name = "HelperError";
  }
}

/** How long an answer may take: a guard made by `iptables` waits up to 5 s for its lock, and is killed at 10 s. */
const ANSWER_TIMEOUT_MS = 15_000;

/**
 * Asks the privileged helper at the other end of `channel`.
 *
 * @example
 * ```ts
 * const opener = new HelperOpener(channel);
 * const session = await openTcpStream(endpoint, { opener });
 * ```
 */
export class HelperOpener implements PrivilegedOpener {
  readonly #channel: FdChannel;
  #queue: Promise<unknown> = Promise.resolve();

  /** Talks over `channel` (it stays ours: `close()` closes it, and the helper then exits). */
  constructor(channel: FdChannel) {
    this.#channel = channel;
  }

  /** One request and its answer; requests are queued, so answers never cross. */
  #ask(
    request: HelperRequest,
    fds: readonly number[] = [],
  ): Promise<{ fields: Record<string, unknown>; fds: number[] }> {
    const run = async () => {
      if (this.#channel.fd < 0) throw new HelperError("The privileged helper's channel is closed.");
      let m: ChannelMessage | undefined;
      try {
        this.#channel.send(encodeRequest(request), fds);
        m = await this.#channel.receive(ANSWER_TIMEOUT_MS);
      } catch {
        m = undefined; // EPIPE, ECONNRESET: the helper is gone
      }
      if (m === undefined) {
        throw new HelperError(
          "The privileged helper that opens our sockets exited or stopped answering (run with " +
            "--no-drop-privileges to open them without it).",
        );
      }
      const reply = decodeReply(m.bytes);
      if (!reply.ok) {
        for (const fd of m.fds) closeDescriptor(fd);
        throw new HelperError(reply.error);
      }
      return { fields: reply as Record<string, unknown>, fds: [...m.fds] };
    };
    const answer = this.#queue.then(run, run);
    this.#queue = answer.catch(() => {});
    return answer;
  }

  /** A raw sender of IP version `family`, marked and bound as the helper was told at start. */
  async sender(family: 4 | 6 = 4): Promise<RawSender> {
    const { fields, fds } = await this.#ask({ op: "sender", family });
    const mark = typeof fields.mark === "number" ? fields.mark : null;
    return new RawSender(one(fds), Number(fields.sndbuf), mark, family);
  }

  /** The packet receiver of `flow`, on the port `port` holds. */
  async receiver(flow: Flow<IpAddress>, port: ReservedPort): Promise<RawReceiver> {
    const request = { op: "receiver", remoteAddr: flow.remoteAddr, remotePort: flow.remotePort } as const;
    const { fields, fds } = await this.#ask(request, [port.fd]);
    return new RawReceiver(one(fds), Number(fields.rcvbuf));
  }

  /**
   * The RST guard of `flow`: a netlink socket whose table goes when we close it, or a handle on the helper's rules.
   * The mark let through is the one of the senders the helper granted, not one we could name.
   */
  async guard(flow: Flow<IpAddress>, port: ReservedPort, _ownMark: number | null): Promise<Guard> {
    const request = { op: "guard", remoteAddr: flow.remoteAddr, remotePort: flow.remotePort } as const;
    const { fields, fds } = await this.#ask(request, [port.fd]);
    const base = {
      method: String(fields.method) as GuardMethod,
      description: String(fields.description),
      ownMark: typeof fields.ownMark === "number" ? fields.ownMark : null,
    };
    if (typeof fields.handle !== "number") {
      const fd = one(fds);
      let open = true;
      const close = () => {
        if (open) closeDescriptor(fd);
        open = false;
      };
      return { ...base, close: () => Promise.resolve(close()), closeSync: close };
    }
    for (const fd of fds) closeDescriptor(fd);
    const handle = fields.handle;
    let removed = false;
    return {
      ...base,
      close: async () => {
        if (removed) return;
        removed = true;
        await this.#ask({ op: "unguard", handle });
      },
      // An exit path cannot wait: the helper removes every rule it holds when our end of the channel closes.
      closeSync: () => void (removed = true),
    };
  }

  /** Closes the channel; the helper removes what it still holds and exits. */
  close(): void {
    this.#channel.close();
  }
}

function one(fds: readonly number[]): number {
  if (fds.length !== 1) {
    for (const fd of fds) closeDescriptor(fd);
    throw new HelperError(`The privileged helper answered with ${fds.length} descriptors instead of one.`);
  }
  return fds[0];
}
