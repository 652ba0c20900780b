/**
 * The wall clock in whole seconds, as cookie expiry and HSTS entries count time (wget's `time(NULL)`).
 *
 * @module
 */

/**
 * Seconds since the epoch, rounded down.
 *
 * @example
 * ```ts
 * nowSeconds(); // 1795000000
 * ```
 */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
