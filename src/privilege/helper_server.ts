/**
 * The privileged helper: a small root process started before the download drops its privileges. It reads requests
 * from its one channel (protocol.ts), checks each, opens what was asked with the transport's direct opener, hands
 * the descriptor over and closes its own copy. It never reads from the network.
 *
 * Checks, beyond the protocol's own: the reserved-port socket that comes with a flow request must be a TCP
 * socket (IPv4 or IPv6, the remote address's version) bound to a port and neither listening nor connected
 * (`reservedAddress`), and the flow's local side is read from it, never taken from the request: the client can only
 * ask for flows on ports it holds.
 *
 * Guards made by the `nft`/`iptables` commands stay here (they outlive no descriptor); they are removed on request,
 * and all of them when the channel ends: even a client killed with SIGKILL leaves no rule behind.
 *
 * @module
 */

import { type ChannelMessage, closeDescriptor, type FdChannel, reservedAddress } from "../../ffi/mod.ts";
import type { Flow, Guard, PrivilegedOpener } from "../transport/privileged.ts";
import { type IpAddress, ipv4, type Ipv6Address, ipVersion } from "../wire/mod.ts";
import { decodeRequest, encodeReply, type HelperReply, type HelperRequest } from "./protocol.ts";

/** What a request's answer is: the reply, the descriptors that go with it, and how to close our copies of them. */
interface Answer {
  readonly reply: HelperReply;
  readonly fds?: readonly number[];
  readonly release?: () => void;
}

/**
 * Serves requests with `opener` (the transport's direct opener, as root) until the channel ends, then removes every
 * guard still held. Never throws for a bad request: it is refused with one sentence and the helper goes on.
 *
 * @example
 * ```ts
 * await serveHelper(new FdChannel(3), directOpener({ firewall: "auto" }));
 * ```
 */
export async function serveHelper(channel: FdChannel, opener: PrivilegedOpener): Promise<void> {
  const session = new HelperSession(opener);
  try {
    for (;;) {
      const message = await channel.receive();
      if (message === undefined) return;
      const answer = await session.answer(message);
      try {
        channel.send(encodeReply(answer.reply), answer.fds ?? []);
      } finally {
        // Our copies go once sent: the client's are now the only ones (a netlink table lives as long as they do).
        answer.release?.();
      }
    }
  } finally {
    session.close();
  }
}

/** The state of one client: its command-made guards, and the mark of the senders it was given. */
export class HelperSession {
  readonly #opener: PrivilegedOpener;
  readonly #guards = new Map<number, Guard>();
  #nextHandle = 1;
  #grantedMark: number | null = null;

  /** Answers with `opener` (the direct opener as root; a fake one in tests). */
  constructor(opener: PrivilegedOpener) {
    this.#opener = opener;
  }

  /** Checks and answers one message; the descriptors that came with it are closed here. */
  async answer(message: ChannelMessage): Promise<Answer> {
    const request = decodeRequest(message.bytes, message.fds.length);
    try {
      if (typeof request === "string") return refuse(`Refused: ${request}.`);
      return await this.#perform(request, message.fds);
    } catch (e) {
      return refuse((e as Error).message);
    } finally {
      for (const fd of message.fds) closeDescriptor(fd);
    }
  }

  async #perform(request: HelperRequest, fds: readonly number[]): Promise<Answer> {
    switch (request.op) {
      case "sender": {
        const tx = await this.#opener.sender(request.family);
        this.#grantedMark = tx.mark;
        return { reply: { ok: true, sndbuf: tx.sndbuf, mark: tx.mark }, fds: [tx.fd], release: () => tx.close() };
      }
      case "receiver": {
        const flow = flowOf(request, fds[0]);
        const rx = await this.#opener.receiver(flow, { fd: fds[0], port: flow.localPort, close() {} });
        return { reply: { ok: true, rcvbuf: rx.rcvbuf }, fds: [rx.fd], release: () => rx.close() };
      }
      case "guard": {
        const flow = flowOf(request, fds[0]);
        const port = { fd: fds[0], port: flow.localPort, close() {} };
        const guard = await this.#opener.guard(flow, port, this.#grantedMark);
        const fields = {
          ok: true as const,
          method: guard.method,
          description: guard.description,
          ownMark: guard.ownMark,
        };
        if (guard.handover !== undefined) {
          // The client's copy of the netlink socket now keeps the table; ours goes once the reply is sent.
          const handover = guard.handover;
          return { reply: { ...fields, handle: null }, fds: [handover.fd], release: () => handover.forget() };
        }
        const handle = this.#nextHandle++;
        this.#guards.set(handle, guard);
        return { reply: { ...fields, handle } };
      }
      case "unguard": {
        const guard = this.#guards.get(request.handle);
        if (guard === undefined) return refuse(`Refused: there is no guard ${request.handle}.`);
        this.#guards.delete(request.handle);
        await guard.close();
        return { reply: { ok: true } };
      }
    }
  }

  /** Removes every guard still held (the channel ended). */
  close(): void {
    for (const guard of this.#guards.values()) {
      try {
        guard.closeSync();
      } catch { /* best effort: the next guard must still go */ }
    }
    this.#guards.clear();
  }
}

function refuse(error: string): Answer {
  return { reply: { ok: false, error } };
}

/** The flow a request names, its local side read from the reserved-port socket that came with it. */
function flowOf(request: { remoteAddr: number | string; remotePort: number }, portFd: number): Flow<IpAddress> {
  let local;
  try {
    local = reservedAddress(portFd);
  } catch (e) {
    throw new Error(`Refused: the descriptor passed is not a reserved port (${(e as Error).message}).`);
  }
  // The protocol checked the text is canonical IPv6; a number is a u32.
  const remoteAddr = typeof request.remoteAddr === "string"
    ? request.remoteAddr as Ipv6Address
    : ipv4(request.remoteAddr);
  if (ipVersion(local.addr) !== ipVersion(remoteAddr)) {
    throw new Error(
      `Refused: the reserved port is an IPv${ipVersion(local.addr)} socket and the remote address an ` +
        `IPv${ipVersion(remoteAddr)} one.`,
    );
  }
  return { localAddr: local.addr, localPort: local.port, remoteAddr, remotePort: request.remotePort };
}
