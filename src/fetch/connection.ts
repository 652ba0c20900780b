/**
 * Persistent connections (RFC 9112 §9.3): an open stream to one origin that carries one exchange after another, and
 * the pool that keeps the idle ones between hops and downloads, as wget keeps its one connection alive.
 *
 * ```text
 *   session.run( [tunnel] → [TLS] → Relay ) ── runs for the connection's whole life
 *                                     └── the current exchange (hop 1, then hop 2, …)
 * ```
 *
 * The layers under the relay (the CONNECT tunnel, TLS) are made once per connection, so a reused https connection
 * keeps its TLS session. A connection is reused only when the caller releases it after a response that allows it
 * (`persistenceOf`) and ended exactly where its framing said; one the server closed while idle is dropped at the next
 * `acquire`.
 *
 * @module
 */

import type { ByteStream, StreamHandler, StreamOutcome, StreamSession } from "../transport/mod.ts";

/**
 * The handler a connection's session runs: it hands the stream's events to the exchange attached now, and
 * remembers how the stream ended for the next one.
 */
class Relay implements StreamHandler {
  #target: StreamHandler | null = null;
  #stream: ByteStream | null = null;
  #ended = false;
  #outcome: StreamOutcome | null = null;
  /** Bytes that came while no exchange listened (a server must send nothing unasked). */
  strayBytes = 0;

  get ended(): boolean {
    return this.#ended || this.#outcome !== null;
  }

  get outcome(): StreamOutcome | null {
    return this.#outcome;
  }

  attach(target: StreamHandler): void {
    this.#target = target;
    if (this.#stream !== null) target.onOpen(this.#stream);
    if (this.#ended) target.onEnd();
    if (this.#outcome !== null) target.onClosed(this.#outcome);
  }

  /**
   * The exchange ended: nothing listens until the next is attached. A stream the exchange paused (its output was
   * full when its body ended) is resumed: the next exchange writes elsewhere, and a paused stream would hold its
   * response back for good.
   */
  detach(): void {
    this.#target = null;
    this.#stream?.resume();
  }

  onOpen(stream: ByteStream): void {
    this.#stream = stream;
    this.#target?.onOpen(stream);
  }

  onData(bytes: Uint8Array): void {
    if (this.#target === null) this.strayBytes += bytes.length;
    else this.#target.onData(bytes);
  }

  onEnd(): void {
    this.#ended = true;
    this.#target?.onEnd();
  }

  onClosed(outcome: StreamOutcome): void {
    this.#outcome = outcome;
    this.#target?.onClosed(outcome);
  }

  /** An idle connection has nothing more to wait for: the driver may end at our FIN. */
  get finished(): boolean {
    return this.#target === null || this.#target.finished === true;
  }
}

/** What a connection was made of, for the hops that reuse it. */
export interface ConnectionLayers {
  /** The handler the session runs, built around the relay (a CONNECT tunnel, TLS), or the relay itself. */
  readonly top: StreamHandler;
  /** Failures of those layers (a refused certificate, a proxy's refusal), read after an exchange. */
  failure(): Error | null;
}

/** One connection to one origin, carrying exchanges one at a time. */
export class Connection {
  /** The pool key: scheme, proxy, host and port. */
  readonly key: string;
  /** The stream session (its counters, its abort). */
  readonly session: StreamSession;
  /** How many exchanges it carried before the current one. */
  reuses = 0;
  /** The certificate was accepted without verification (`--no-check-certificate`): set by the TLS layer's callback. */
  unverified = false;
  readonly #relay = new Relay();
  #layers: ConnectionLayers | null = null;
  #running: Promise<StreamOutcome> | null = null;
  #closed = false;

  /** Wraps an opened session; {@linkcode Connection.start} runs it. */
  constructor(key: string, session: StreamSession) {
    this.key = key;
    this.session = session;
  }

  /** The relay, for the layers built around it before {@linkcode Connection.start}. */
  get relay(): StreamHandler {
    return this.#relay;
  }

  /** Starts the session with `layers` around the relay; the first exchange is attached by `carry`. */
  start(layers: ConnectionLayers): void {
    this.#layers = layers;
    this.#running = this.session.run(layers.top);
    // A run that throws is reported by the `carry` or `finish` that awaits it.
    this.#running.catch(() => {});
  }

  /** The layers' failure (TLS, tunnel), if any. */
  failure(): Error | null {
    return this.#layers?.failure() ?? null;
  }

  /** Whether another exchange may start here: open, not ended by the server, nothing stray received. */
  get usable(): boolean {
    return !this.#closed && !this.#relay.ended && this.#relay.strayBytes === 0 && this.failure() === null;
  }

  /**
   * Runs `handler` over the stream until `done` resolves (its response ended, or it failed) or the stream ends;
   * rejects with the session's error when the run throws. The handler stays attached until `detach` (the connection
   * is kept for the next exchange) or `finish`.
   */
  async carry(handler: StreamHandler, done: Promise<unknown>): Promise<void> {
    this.#relay.attach(handler);
    // A run that ends first still lets the exchange hear its end (the layers above may report it later).
    await Promise.race([done, this.#running!.then(() => done)]);
  }

  /** Detaches the exchange that ended: the next one may be attached. */
  detach(): void {
    this.#relay.detach();
  }

  /**
   * Waits for the stream's end (at most `graceMs`, then our RST) and resolves to how it ended: for a response after
   * which the connection does not persist, or a failed one. The exchange stays attached: it hears the end, which
   * the layers above the stream may report later (TLS settles its socket first).
   */
  async finish(graceMs: number): Promise<StreamOutcome> {
    const timer = setTimeout(() => this.session.abort("stopped"), graceMs);
    try {
      return await this.#running!;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the connection (an RST if it is still open) and releases its sockets, port and firewall rule. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#running !== null && this.#relay.outcome === null) {
      this.session.abort("stopped");
      await this.#running.catch(() => {});
    }
    await this.session.close();
  }
}

/**
 * Idle connections by origin, for the hops of a run: at most one kept per origin (a run fetches one URL at a time).
 *
 * @example
 * ```ts
 * const pool = new ConnectionPool();
 * const conn = pool.take(key) ?? new Connection(key, await openStream(endpoint));
 * // … an exchange …
 * await pool.release(conn); // or conn.close()
 * await pool.close();
 * ```
 */
export class ConnectionPool {
  readonly #idle = new Map<string, Connection>();

  /** The idle connection to `key`'s origin if one is still usable (a dead one is closed on the way), else null. */
  async take(key: string): Promise<Connection | null> {
    const conn = this.#idle.get(key);
    if (conn === undefined) return null;
    this.#idle.delete(key);
    if (conn.usable) return conn;
    await conn.close();
    return null;
  }

  /** Keeps `conn` for the next exchange to its origin (one it replaces is closed). */
  async release(conn: Connection): Promise<void> {
    const before = this.#idle.get(conn.key);
    this.#idle.set(conn.key, conn);
    if (before !== undefined && before !== conn) await before.close();
  }

  /** How many idle connections it keeps (some may have been closed by their server meanwhile). */
  get idle(): number {
    return this.#idle.size;
  }

  /** Closes every idle connection. */
  async close(): Promise<void> {
    const all = [...this.#idle.values()];
    this.#idle.clear();
    for (const conn of all) await conn.close();
  }
}
