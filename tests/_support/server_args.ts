/**
 * The command line of the tests' HTTP servers (the testbed's file server, the demo's static server):
 * `SCRIPT --root DIR [--hostname ADDR] [--port N]`.
 *
 * @module
 */

import { parseArgs } from "node:util";

/** Where a test server listens and what it serves. */
export interface ServerArgs {
  /** The directory it serves. */
  readonly root: string;
  /** The address it listens on. */
  readonly hostname: string;
  /** The port it listens on. */
  readonly port: number;
}

/**
 * Reads a test server's command line; without `--root` it prints the usage of `script` and exits with 2.
 *
 * @example
 * ```ts
 * const { root, hostname, port } = serverArgs("file_server.ts", { hostname: "198.18.2.2", port: 8080 });
 * ```
 */
export function serverArgs(
  script: string,
  defaults: { hostname: string; port: number },
  args: string[] = Deno.args,
): ServerArgs {
  const { values } = parseArgs({
    args,
    options: {
      root: { type: "string" },
      hostname: { type: "string", default: defaults.hostname },
      port: { type: "string", default: String(defaults.port) },
    },
  });
  if (values.root === undefined) {
    console.error(`usage: ${script} --root DIR [--hostname ADDR] [--port N]`);
    Deno.exit(2);
  }
  return { root: values.root, hostname: values.hostname, port: Number(values.port) };
}
