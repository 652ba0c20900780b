/**
 * The one send queue of a stream: bytes a handler wrote that the TCP send buffer has not taken yet, and the half
 * close that follows them. The views are kept, not copied; each `done` is called once its bytes are all in the send
 * buffer (a writer's backpressure).
 *
 * @module
 */

import type { TcpConnection } from "../tcp/mod.ts";

/**
 * Writes queued bytes into a connection as its send buffer makes room, then our FIN once asked.
 *
 * @example
 * ```ts
 * const queue = new SendQueue();
 * queue.push(request, () => console.log("in the send buffer"));
 * queue.pushInto(conn); // at every turn once the connection is open
 * ```
 */
export class SendQueue {
  readonly #items: Array<{ bytes: Uint8Array; done: (() => void) | undefined }> = [];
  #closeRequested = false;

  /** Whether the FIN was asked for: later writes are dropped (and their `done` called at once). */
  get closing(): boolean {
    return this.#closeRequested;
  }

  /** Bytes queued and not yet in the send buffer. */
  get queuedBytes(): number {
    let n = 0;
    for (const item of this.#items) n += item.bytes.length;
    return n;
  }

  /** Queues `bytes`; after {@linkcode SendQueue.close} they are dropped and `done` is called at once. */
  push(bytes: Uint8Array, done?: () => void): void {
    if (this.#closeRequested) done?.();
    else this.#items.push({ bytes, done });
  }

  /** Asks for our FIN after the queued bytes (RFC 9293 §3.10.4: a half close). */
  close(): void {
    this.#closeRequested = true;
  }

  /**
   * Moves what fits into `conn`'s send buffer, then closes it once the queue is empty and a close was asked. A
   * connection that no longer sends (neither ESTABLISHED nor CLOSE-WAIT) takes nothing: the bytes are dropped and
   * their writers released.
   */
  pushInto(conn: TcpConnection): void {
    const writable = conn.state === "ESTABLISHED" || conn.state === "CLOSE-WAIT";
    const items = this.#items;
    while (items.length > 0) {
      const head = items[0];
      if (writable) {
        const n = conn.write(head.bytes);
        if (n < head.bytes.length) {
          head.bytes = head.bytes.subarray(n);
          return;
        }
      }
      items.shift();
      head.done?.();
    }
    if (this.#closeRequested && writable) conn.close();
  }
}
