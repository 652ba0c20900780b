/**
 * The program behind `main.ts`: arguments → settings → a download per URL → wget's exit code.
 *
 * @example
 * ```ts
 * import { main } from "./mod.ts";
 * Deno.exit(await main(Deno.args, { exit: Deno.exit }));
 * ```
 *
 * @module
 */

export { failureCode, main, type ProgramStart } from "./run.ts";
