/**
 * Loads `./secure.ts` (TLS and the `node:` modules it needs) once, when the first https hop asks for it.
 *
 * @module
 */

/** What `./secure.ts` exports. */
export type SecureModule = typeof import("./secure.ts");

let loading: Promise<SecureModule> | null = null;

/**
 * The TLS module, loaded on the first call.
 *
 * @example
 * ```ts
 * const { TlsLayer, loadTlsConfig } = await loadSecure();
 * ```
 */
export function loadSecure(): Promise<SecureModule> {
  return loading ??= import("./secure.ts");
}
