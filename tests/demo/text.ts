/**
 * A deterministic text for gzip-encoded downloads (tests and demo): compresses well, but not trivially.
 *
 * @module
 */

const WORDS = ["packet", "window", "segment", "acknowledge", "retransmit", "checksum", "router", "namespace"];

/**
 * A text of at least `size` bytes (ASCII lines), the same for the same size.
 *
 * @example
 * ```ts
 * await Deno.writeTextFile("text.txt", makeText(2 ** 20));
 * ```
 */
export function makeText(size: number): string {
  const lines: string[] = [];
  let n = 0;
  for (let i = 0; n < size; i++) {
    const line = `${i}: ${WORDS[i % 8]} ${WORDS[(i * 7) % 8]} ${(i * 2654435761) >>> 0} ${WORDS[(i >> 3) % 8]}\n`;
    lines.push(line);
    n += line.length;
  }
  return lines.join("");
}
