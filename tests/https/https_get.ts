/**
 * A tiny HTTPS entry for the tests until `main.ts` handles `https://` (issue 8):
 * `deno run --allow-ffi tests/https/https_get.ts URL -O FILE [--ca-certificate FILE] [--no-check-certificate]`.
 * Exit codes as wget's: 0 success, 4 network failure, 5 certificate verification failure, 8 server error status,
 * 1 anything else. The last line on stderr is a JSON summary (or the error).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { httpsGet } from "../../src/net/https_hop.ts";
import { ConnectionError, ServerStatusError } from "../../src/net/errors.ts";
import { TlsError } from "../../src/net/tls.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    "output-document": { type: "string", short: "O" },
    "ca-certificate": { type: "string" },
    "no-check-certificate": { type: "boolean" },
    "timeout": { type: "string" },
  },
});

function exitCodeOf(e: unknown): number {
  if (e instanceof TlsError) return e.isVerification ? 5 : 4;
  if (e instanceof ConnectionError) return 4;
  if (e instanceof ServerStatusError) return 8;
  return 1;
}

try {
  const r = await httpsGet({
    url: positionals[0],
    output: values["output-document"],
    caFile: values["ca-certificate"],
    insecure: values["no-check-certificate"] ?? false,
    timeoutMs: values.timeout === undefined ? undefined : Number(values.timeout) * 1000,
    onWarning: (m) => console.error(`WARNING: ${m}`),
  });
  console.error(JSON.stringify({ ok: true, ...r, mibPerSec: r.bytes / 2 ** 20 / (r.elapsedMs / 1000) }));
  Deno.exit(0);
} catch (e) {
  const name = e instanceof Error ? e.name : "Error";
  console.error(JSON.stringify({ ok: false, name, message: e instanceof Error ? e.message : String(e) }));
  Deno.exit(exitCodeOf(e));
}
