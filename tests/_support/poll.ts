/**
 * Waiting for something the test cannot be told about (a file growing, a counter in the kernel, a listener coming
 * up): ask again every few milliseconds until it holds or time runs out.
 *
 * @module
 */

/**
 * Calls `probe` every `intervalMs` (20 ms) until it returns true or `ms` pass; returns its last answer.
 *
 * @example
 * ```ts
 * const up = await pollUntil(async () => (await exec(["ss", "-ltn"])).stdout.includes(":8080"), 3000);
 * ```
 */
export async function pollUntil(probe: () => Promise<boolean>, ms: number, intervalMs = 20): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
