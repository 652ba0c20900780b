/**
 * Child process for the firewall tests, run inside a namespace with only `--allow-ffi` (like rawhttpget itself).
 * Argument: JSON array of `{ flow, opts }`. It installs each guard, prints one JSON report per guard and `ready`,
 * then obeys stdin lines: `close` awaits every guard's `close()` and `close-sync` calls every `closeSync()` (each
 * replies `closed` or `close failed: <errors>`); `exit` calls `Deno.exit(0)` without closing (the unload listener
 * must clean up). It exits at end of input.
 *
 * @module
 */

import { FirewallError, type Guard, installRstGuard } from "../../src/transport/mod.ts";
import { OsError } from "../../ffi/os_error.ts";

const specs: { flow: Parameters<typeof installRstGuard>[0]; opts: Parameters<typeof installRstGuard>[1] }[] = JSON
  .parse(Deno.args[0]);
const guards: Guard[] = [];
const print = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));

for (const spec of specs) {
  try {
    const g = await installRstGuard(spec.flow, spec.opts);
    guards.push(g);
    print(JSON.stringify({ ok: true, method: g.method, description: g.description }));
  } catch (e) {
    const err = e as Error;
    const cause = err.cause;
    print(JSON.stringify({
      ok: false,
      name: err.name,
      message: err.message,
      causeName: cause instanceof Error ? cause.name : undefined,
      causeErrno: cause instanceof OsError ? cause.errno : undefined,
      attempts: e instanceof FirewallError ? e.attempts.map((a) => a.method) : undefined,
    }));
  }
}
print("ready");

let rest = "";
for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
  rest += chunk;
  let nl: number;
  while ((nl = rest.indexOf("\n")) >= 0) {
    const command = rest.slice(0, nl);
    rest = rest.slice(nl + 1);
    if (command === "close" || command === "close-sync") {
      const errors: string[] = [];
      for (const g of guards) {
        try {
          if (command === "close") await g.close();
          else g.closeSync();
        } catch (e) {
          errors.push(`${(e as Error).name}: ${(e as Error).message}`);
        }
      }
      print(errors.length ? `close failed: ${errors.join(" | ")}` : "closed");
    } else if (command === "exit") {
      Deno.exit(0);
    }
  }
}
