/**
 * Lifetime of testbeds in this process: naming, and last-resort teardown on SIGINT, SIGTERM and `unload`.
 *
 * @module
 */

/** Something that can be torn down synchronously from a signal or `unload` handler. */
export interface SyncTeardown {
  /** Kills, deletes, removes; must not throw. */
  teardownSync(): void;
}

const live = new Set<SyncTeardown>();
let counter = 0;

/**
 * A testbed id unique on this machine while this process lives: `<pid>-<n>`, skipping ids whose names are taken (a
 * crashed earlier process with the same PID may have left namespaces; they are not ours to delete).
 */
export function nextTestbedId(taken: (id: string) => boolean): string {
  for (;;) {
    const id = `${Deno.pid}-${++counter}`;
    if (!taken(id)) return id;
  }
}

/** Tears `tb` down if the process is interrupted (SIGINT, SIGTERM) or ends (`unload`) before it is unregistered. */
export function register(tb: SyncTeardown): void {
  if (live.size === 0) {
    Deno.addSignalListener("SIGINT", onSigint);
    Deno.addSignalListener("SIGTERM", onSigterm);
    globalThis.addEventListener("unload", onUnload);
  }
  live.add(tb);
}

/** Forgets `tb`; the handlers are removed with the last one (so test sanitizers see nothing left behind). */
export function unregister(tb: SyncTeardown): void {
  if (!live.delete(tb) || live.size > 0) return;
  Deno.removeSignalListener("SIGINT", onSigint);
  Deno.removeSignalListener("SIGTERM", onSigterm);
  globalThis.removeEventListener("unload", onUnload);
}

function onUnload(): void {
  for (const tb of [...live]) tb.teardownSync();
}

function onSigint(): void {
  onUnload();
  Deno.exit(130);
}

function onSigterm(): void {
  onUnload();
  Deno.exit(143);
}
