/**
 * Private dotted-quad helpers for ffi/ (messages only; the project's codec is src/wire/ipv4.ts, which ffi/ must not
 * depend on).
 *
 * @module
 */

/** Formats a u32 IPv4 address as `a.b.c.d`. */
export function formatAddr(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

/** Parses a strict dotted quad (`198.18.0.1`) into a u32, or returns null. */
export function parseAddr(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m === null) return null;
  let addr = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i];
    // Leading zeros are refused: inet_aton would read them as octal, a browser as decimal.
    if (part.length > 1 && part[0] === "0") return null;
    const n = Number(part);
    if (n > 255) return null;
    addr = addr * 256 + n;
  }
  return addr;
}
