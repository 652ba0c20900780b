/**
 * Every address of a name: one stream session that tries the resolver's addresses in order until one connects, as
 * wget and curl do. An attempt that ends before its handshake completed (refused, unreachable, no answer in its
 * share of the connect time) gives way to the next address; once an attempt has connected, its outcome is the
 * session's, whatever it is. The handler sees one stream: `onClosed` comes once, from the attempt that counts.
 *
 * The connect time is shared as curl shares it: each attempt may take the time left divided by the addresses left,
 * so a silent first address cannot use up the whole `--connect-timeout`.
 *
 * @module
 */

import { formatAddressPort, formatIpAddress, type IpAddress } from "../wire/mod.ts";
import { type IcmpMessage, icmpWords } from "./frames.ts";
import { CompositeSession, type StreamSession } from "./session.ts";
import type { AbortReason, ByteStream, StreamHandler, StreamOutcome } from "./stream.ts";

/** Opens the stream of one attempt: `address`, allowed `connectTimeoutMs` for its handshake. */
export type OpenAttempt = (address: IpAddress, connectTimeoutMs: number) => Promise<StreamSession>;

/** Options of {@linkcode failoverSession}. */
export interface FailoverOptions {
  /** The connect time of all attempts together, in ms. */
  readonly connectTimeoutMs: number;
  /** The port, for messages. */
  readonly port: number;
  /** Said when an address gives way to the next (a message every user sees unless `-q`). */
  readonly notice?: (message: string) => void;
  /** Monotonic clock in ms (default `performance.now`). */
  readonly clock?: () => number;
}

/** Outcomes of an attempt that never connected which the next address may do better than. */
const FAILS_OVER: ReadonlySet<StreamOutcome> = new Set(["refused", "unreachable", "timeout"]);

/**
 * A session over `addresses` (at least one): the first attempt is opened now, the others when their turn comes.
 *
 * @example
 * ```ts
 * const session = await failoverSession([a, b], (addr, ms) => openAttempt(addr, ms), { connectTimeoutMs: 60_000, port: 80 });
 * ```
 */
export async function failoverSession(
  addresses: readonly IpAddress[],
  open: OpenAttempt,
  options: FailoverOptions,
): Promise<StreamSession> {
  if (addresses.length === 0) throw new RangeError("Cannot connect: no address to try");
  const clock = options.clock ?? (() => performance.now());
  const deadline = clock() + options.connectTimeoutMs;
  const share = (left: number) => Math.max(1, Math.floor((deadline - clock()) / left));
  const first = await open(addresses[0], share(addresses.length));
  return addresses.length === 1 ? first : new FailoverSession(addresses, first, open, share, options);
}

/**
 * Why an attempt that never connected failed, in a few words: `refused the connection`, `unreachable (the router
 * 198.18.0.1 says host unreachable)`, `no answer`.
 *
 * @example
 * ```ts
 * failureWords("refused", null); // "refused the connection"
 * ```
 */
export function failureWords(outcome: StreamOutcome, icmp: IcmpMessage | null): string {
  if (outcome === "refused") return "refused the connection";
  if (outcome === "unreachable" && icmp !== null) return `unreachable (${icmpWords(icmp)})`;
  return icmp === null ? "no answer" : `no answer (${icmpWords(icmp)})`;
}

class FailoverSession extends CompositeSession {
  readonly #addresses: readonly IpAddress[];
  readonly #open: OpenAttempt;
  readonly #share: (left: number) => number;
  readonly #options: FailoverOptions;
  #current: StreamSession;
  #index = 0;
  #stop: AbortReason | null = null;

  constructor(
    addresses: readonly IpAddress[],
    first: StreamSession,
    open: OpenAttempt,
    share: (left: number) => number,
    options: FailoverOptions,
  ) {
    super();
    this.#addresses = addresses;
    this.#current = first;
    this.#open = open;
    this.#share = share;
    this.#options = options;
  }

  async run(handler: StreamHandler): Promise<StreamOutcome> {
    for (;;) {
      let connected = false;
      let final = false;
      const last = this.#index === this.#addresses.length - 1;
      const attempt: StreamHandler = {
        onOpen: (stream: ByteStream) => {
          connected = true;
          handler.onOpen(stream);
        },
        onData: (bytes) => handler.onData(bytes),
        onEnd: () => handler.onEnd(),
        onClosed: (outcome) => {
          final = connected || last || this.#stop !== null || !FAILS_OVER.has(outcome);
          if (final) handler.onClosed(outcome);
        },
      };
      const outcome = await this.#current.run(attempt);
      if (final) return outcome;
      const failed = this.#addresses[this.#index];
      const next = this.#addresses[++this.#index];
      const why = failureWords(outcome, this.#current.lastIcmp);
      this.#options.notice?.(
        `${formatAddressPort(failed, this.#options.port)}: ${why}; trying ${formatIpAddress(next)}`,
      );
      await this.#current.close();
      this.#current = await this.#open(next, this.#share(this.#addresses.length - this.#index));
      if (this.#stop !== null) this.#current.abort(this.#stop);
    }
  }

  abort(why: AbortReason): void {
    this.#stop ??= why;
    this.#current.abort(why);
  }

  protected counting(): StreamSession {
    return this.#current;
  }

  close(): Promise<void> {
    return this.#current.close();
  }
}
