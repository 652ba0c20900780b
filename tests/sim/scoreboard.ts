/**
 * The simulated server's SACK scoreboard (RFC 6675 §3 in spirit): which send offsets the client holds beyond
 * the cumulative ACK.
 *
 * @module
 */

/** Sorted, merged ranges `[left, right)` of send offsets SACKed by the client. */
export class Scoreboard {
  #ranges: Array<[number, number]> = [];

  /** Right edge of the highest SACKed range, or 0. */
  get highest(): number {
    return this.#ranges.length > 0 ? this.#ranges[this.#ranges.length - 1][1] : 0;
  }

  /** True when nothing is SACKed. */
  get isEmpty(): boolean {
    return this.#ranges.length === 0;
  }

  /** Records a SACK block. */
  add(l: number, r: number): void {
    const list = [...this.#ranges, [l, r] as [number, number]].sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const x of list) {
      const last = merged[merged.length - 1];
      if (last && x[0] <= last[1]) last[1] = Math.max(last[1], x[1]);
      else merged.push([x[0], x[1]]);
    }
    this.#ranges = merged;
  }

  /** Forgets what the cumulative ACK `una` now covers. */
  prune(una: number): void {
    if (this.#ranges.length === 0 || this.#ranges[0][0] >= una) return;
    this.#ranges = this.#ranges.filter((r) => r[1] > una).map((r) => [Math.max(r[0], una), r[1]]);
  }

  /** SACKed bytes within `[from, to)`. */
  bytesIn(from: number, to: number): number {
    let n = 0;
    for (const [l, r] of this.#ranges) n += Math.max(0, Math.min(r, to) - Math.max(l, from));
    return n;
  }

  /** The end of the SACKed range holding `pos`, or -1. */
  endOfRangeAt(pos: number): number {
    const hit = this.#ranges.find((r) => r[0] <= pos && pos < r[1]);
    return hit ? hit[1] : -1;
  }

  /** The start of the first SACKed range after `pos`, or -1. */
  nextStartAfter(pos: number): number {
    const hit = this.#ranges.find((r) => r[0] > pos);
    return hit ? hit[0] : -1;
  }
}
