/**
 * Dual stack (RFC 8305, Happy Eyeballs v2): the addresses of a name are split into two lanes by family, the family
 * the resolver put first (RFC 6724 sorting) or `--prefer-family` leading. The leading lane starts at once; the other
 * starts when the leading one has not connected within the connection attempt delay (250 ms, §8), or at once when it
 * fails first. Within a lane the addresses are tried one after the other (`failover.ts`). The first lane whose
 * handshake completes wins and carries the download; the other is aborted (an RST if it connected too).
 *
 * ```text
 *   t=0      IPv6 lane: [2001:2::2]:80 SYN ……………… (silent)
 *   t=250ms  IPv4 lane: 198.18.2.2:80 SYN → SYN-ACK: wins, the IPv6 lane is aborted
 * ```
 *
 * The handler sees one stream: `onOpen` and every later call come from the winner only, and `onClosed` comes once —
 * from the winner, or, when neither lane connected, from the lane that failed last.
 *
 * @module
 */

import { type IpAddress, isIpv6Address } from "../wire/mod.ts";
import type { PreferredFamily } from "./connect.ts";
import { CompositeSession, type StreamSession } from "./session.ts";
import type { AbortReason, ByteStream, StreamHandler, StreamOutcome } from "./stream.ts";

/** RFC 8305 §8's recommended connection attempt delay, in ms. */
export const CONNECTION_ATTEMPT_DELAY_MS = 250;

/**
 * The two lanes of `addresses`: the leading family's addresses, then the other family's, each in resolver order. The
 * leading family is `prefer`'s when it has addresses, else the first address's (RFC 8305 §4: the resolver's
 * preference decides which family goes first). The second lane is empty for a single-family name.
 *
 * @example
 * ```ts
 * familyLanes([v4a, v6a, v4b], "none"); // [[v4a, v4b], [v6a]]
 * familyLanes([v4a, v6a, v4b], "ipv6"); // [[v6a], [v4a, v4b]]
 * ```
 */
export function familyLanes(
  addresses: readonly IpAddress[],
  prefer: PreferredFamily = "none",
): [IpAddress[], IpAddress[]] {
  const v6 = addresses.filter(isIpv6Address);
  const v4 = addresses.filter((a) => !isIpv6Address(a));
  const sixFirst = prefer === "ipv6"
    ? v6.length > 0
    : prefer === "ipv4"
    ? v4.length === 0
    : addresses.length > 0 && isIpv6Address(addresses[0]);
  return sixFirst ? [v6, v4] : [v4, v6];
}

/** Options of {@linkcode happyEyeballs}. */
export interface HappyEyeballsOptions {
  /** How long the leading lane may try alone, in ms (default {@linkcode CONNECTION_ATTEMPT_DELAY_MS}). */
  readonly delayMs?: number;
  /** Verbose messages: when and why the second lane starts. */
  readonly log?: (message: string) => void;
  /** Names the lanes in messages, e.g. "IPv6" and "IPv4". */
  readonly names: readonly [string, string];
}

/** Opens a lane's session (a failover session over one family's addresses). */
export type OpenLane = () => Promise<StreamSession>;

/**
 * One session racing two lanes; `second` is opened only when its turn comes. A lane whose opening throws (no route
 * to that family, say) counts as failed; when the leading lane's opening throws, the second is the session's alone.
 *
 * @example
 * ```ts
 * const session = await happyEyeballs(() => lane(v6), () => lane(v4), { names: ["IPv6", "IPv4"] });
 * ```
 */
export async function happyEyeballs(
  first: OpenLane,
  second: OpenLane,
  options: HappyEyeballsOptions,
): Promise<StreamSession> {
  let leading: StreamSession;
  try {
    leading = await first();
  } catch (e) {
    options.log?.(`Cannot use ${options.names[0]} (${(e as Error).message}); trying ${options.names[1]}`);
    return await second();
  }
  return new RacingSession(leading, second, options);
}

/** One lane's run: its session once opened, and whether it has finished. */
interface Lane {
  session: StreamSession | null;
  done: boolean;
}

class RacingSession extends CompositeSession {
  readonly #lanes: [Lane, Lane];
  readonly #openSecond: OpenLane;
  readonly #options: HappyEyeballsOptions;
  #winner: StreamSession | null = null;
  #last: StreamSession;
  #stop: AbortReason | null = null;

  constructor(leading: StreamSession, second: OpenLane, options: HappyEyeballsOptions) {
    super();
    this.#lanes = [{ session: leading, done: false }, { session: null, done: false }];
    this.#openSecond = second;
    this.#options = options;
    this.#last = leading;
  }

  run(handler: StreamHandler): Promise<StreamOutcome> {
    const [lead, other] = this.#lanes;
    const delay = this.#options.delayMs ?? CONNECTION_ATTEMPT_DELAY_MS;
    let secondStarted = null as Promise<void> | null;
    const startSecond = (why: string) => {
      if (secondStarted !== null || this.#stop !== null || this.#winner !== null) return;
      this.#options.log?.(`Trying ${this.#options.names[1]} as well: ${why}`);
      secondStarted = this.#openSecond().then(
        (session) => {
          other.session = session;
          if (this.#stop !== null || this.#winner !== null) session.abort(this.#stop ?? "stopped");
          return this.#runLane(other, handler);
        },
        (e: Error) => {
          this.#options.log?.(`Cannot use ${this.#options.names[1]}: ${e.message}`);
          other.done = true;
        },
      );
    };
    const timer = setTimeout(
      () => startSecond(`${this.#options.names[0]} has not connected within ${delay} ms`),
      delay,
    );
    const leadRun = this.#runLane(lead, handler).then(() => {
      if (this.#winner === null) startSecond(`${this.#options.names[0]} failed`);
    });
    return (async () => {
      try {
        await leadRun;
        // The leading lane finished; the second (if it ever started) decides the rest.
        while (secondStarted !== null && !other.done) await secondStarted;
      } finally {
        clearTimeout(timer);
      }
      if (this.#winner === null) {
        const outcome = this.#outcomes.get(this.#last) ?? "timeout";
        handler.onClosed(outcome);
        return outcome;
      }
      return this.#outcomes.get(this.#winner)!;
    })();
  }

  readonly #outcomes = new Map<StreamSession, StreamOutcome>();

  /** Runs one lane: its calls reach `handler` once it has won; its last failure is remembered otherwise. */
  async #runLane(lane: Lane, handler: StreamHandler): Promise<void> {
    const session = lane.session!;
    const mine = () => this.#winner === session;
    const outcome = await session.run({
      onOpen: (stream: ByteStream) => {
        if (this.#winner !== null) return stream.abort("stopped"); // connected second: reset, RFC 8305 §6
        this.#winner = session;
        for (const other of this.#lanes) if (other.session !== session) other.session?.abort("stopped");
        handler.onOpen(stream);
      },
      onData: (bytes) => {
        if (mine()) handler.onData(bytes);
      },
      onEnd: () => {
        if (mine()) handler.onEnd();
      },
      onClosed: (outcome) => {
        if (mine()) handler.onClosed(outcome);
      },
      get finished() {
        return mine() && handler.finished === true;
      },
    });
    this.#outcomes.set(session, outcome);
    if (this.#winner === null) this.#last = session;
    lane.done = true;
  }

  abort(why: AbortReason): void {
    this.#stop ??= why;
    for (const lane of this.#lanes) lane.session?.abort(why);
  }

  protected counting(): StreamSession {
    return this.#winner ?? this.#last;
  }

  async close(): Promise<void> {
    for (const lane of this.#lanes) await lane.session?.close();
  }
}
