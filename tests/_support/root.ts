/**
 * The one rule for tests that need root (raw sockets, network namespaces, firewall rules) or a tool that may be
 * missing: they run, and fail with a sentence that says what is missing, unless the machine is not fit for them and
 * `RHG_ALLOW_SKIP=1` says skipping is fine. As root they never skip silently: CI runs as root.
 *
 * @module
 */

import { findProgram } from "./exec.ts";

/** Whether `RHG_ALLOW_SKIP=1`: tests this machine cannot run may skip instead of failing. */
export function allowSkip(): boolean {
  return Deno.env.get("RHG_ALLOW_SKIP") === "1";
}

/**
 * Whether real-network tests are skipped: only when not root and `RHG_ALLOW_SKIP=1`. As root, or without the
 * variable, they run (and fail with a clear message when not root), so they never skip silently.
 *
 * @example
 * ```ts
 * Deno.test({ name: "curl gets a file", ignore: skipNetworkTests(), fn: async () => {} });
 * ```
 */
export function skipNetworkTests(): boolean {
  return Deno.uid() !== 0 && allowSkip();
}

/**
 * Throws unless root, naming `what` needs it.
 *
 * @example
 * ```ts
 * requireRoot("The testbed"); // Error: The testbed needs root (uid is 1000): run as root, or set RHG_ALLOW_SKIP=1 …
 * ```
 */
export function requireRoot(what = "This test"): void {
  if (Deno.uid() === 0) return;
  throw new Error(
    `${what} needs root for raw sockets, network namespaces and firewall rules (uid is ${Deno.uid()}): run as root, ` +
      "or set RHG_ALLOW_SKIP=1 to skip network tests",
  );
}

/**
 * A test that needs root: skipped by {@linkcode skipNetworkTests}, and otherwise failing at once without root.
 *
 * @example
 * ```ts
 * networkTest("a raw socket opens in a fresh namespace", async () => {});
 * ```
 */
export function networkTest(
  name: string,
  fn: (t: Deno.TestContext) => void | Promise<void>,
  options: Omit<Deno.TestDefinition, "name" | "fn" | "ignore"> = {},
): void {
  Deno.test({
    ...options,
    name,
    ignore: skipNetworkTests(),
    fn: async (t) => {
      requireRoot();
      await fn(t);
    },
  });
}

/**
 * The command prefix that runs a command as `nobody` with no capabilities, as an unprivileged user would; a Deno child
 * needs `denoDir`, a DENO_DIR that nobody may write (mode 0777).
 *
 * @example
 * ```ts
 * const r = await exec([...asNobody(denoDir), ...denoRun(script)]);
 * ```
 */
export function asNobody(denoDir: string): string[] {
  const setpriv = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=-all"];
  return [...setpriv, "env", `DENO_DIR=${denoDir}`, "HOME=/nonexistent"];
}

/**
 * Throws naming every program of `tools` that is not installed.
 *
 * @example
 * ```ts
 * requireTools(["curl", "nginx"]);
 * ```
 */
export function requireTools(tools: readonly string[]): void {
  const missing = tools.filter((t) => findProgram(t) === null);
  if (missing.length > 0) {
    throw new Error(`These tests need ${missing.join(", ")} (run \`deno task test\` to install them)`);
  }
}

/**
 * Whether a test that needs `tool` skips: only when it is missing and `RHG_ALLOW_SKIP=1`; missing without the
 * variable, it throws.
 *
 * @example
 * ```ts
 * if (skipWithout("tcpdump")) return;
 * ```
 */
export function skipWithout(tool: string): boolean {
  if (findProgram(tool) !== null) return false;
  if (allowSkip()) return true;
  throw new Error(`${tool} is not installed: install it, or set RHG_ALLOW_SKIP=1 to skip this test`);
}
