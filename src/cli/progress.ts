/**
 * The progress line on a terminal, in wget's style, and the summary line at the end. The formatters are pure
 * (bytes, total, time and width in, a line out); {@linkcode ProgressBar} is the glue that redraws at most ten times a
 * second with `\r` and clears the line when done.
 *
 * ```text
 * big.bin          45%[=========>             ]  45.00M  112.4MB/s   eta 1s
 * stream.bin           [       <=>            ]  12.50M   98.1MB/s
 * ```
 *
 * @module
 */

/** What one progress line shows. */
export interface ProgressState {
  /** The file name (cut to fit). */
  readonly name: string;
  /** Bytes in the file so far. */
  readonly bytes: number;
  /** The whole size, or null when unknown (no Content-Length, gzip). */
  readonly total: number | null;
  /** Current rate in bytes per second (0 when not known yet). */
  readonly rate: number;
  /** Milliseconds since the download started (moves the `<=>` of an unknown total). */
  readonly elapsedMs: number;
  /** Terminal columns. */
  readonly width: number;
  /** Connections the file comes over now, when more than one (`--connections`): shown after the name. */
  readonly connections?: number;
  /** A crawl's files done and known so far, and its bytes before this file: shown before the name. */
  readonly crawl?: CrawlProgress;
}

/** Where a recursive retrieval is: files fetched, files fetched or queued, bytes saved. */
export interface CrawlProgress {
  readonly done: number;
  readonly known: number;
  readonly bytes: number;
}

const UNITS = ["", "K", "M", "G", "T"];

/**
 * Bytes in wget's short form: `999`, `1.50K`, `45.00M`, `2.10G` (powers of 1024).
 *
 * @example
 * ```ts
 * formatSize(47185920); // "45.00M"
 * ```
 */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes}` : `${value.toFixed(2)}${UNITS[unit]}`;
}

/**
 * A rate in wget's form: `512B/s`, `12.3KB/s`, `112MB/s`.
 *
 * @example
 * ```ts
 * formatRate(1.5 * 1024 * 1024); // "1.50MB/s"
 * ```
 */
export function formatRate(bytesPerSecond: number): string {
  return `${formatSize(Math.round(bytesPerSecond))}B/s`;
}

/**
 * Seconds as wget shows an ETA: `42s`, `3m 5s`, `2h 10m`.
 *
 * @example
 * ```ts
 * formatEta(185); // "3m 5s"
 * ```
 */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/**
 * One progress line, exactly `width - 1` columns (the last column is left free so no terminal wraps).
 *
 * @example
 * ```ts
 * formatProgress({ name: "a.bin", bytes: 512, total: 1024, rate: 1024, elapsedMs: 500, width: 60 });
 * // "a.bin      50%[===========>            ]     512  1.00KB/s    eta 1s"
 * ```
 */
export function formatProgress(p: ProgressState): string {
  const cols = Math.max(40, p.width) - 1;
  const known = p.total !== null && p.total > 0;
  const fraction = known ? Math.min(1, p.bytes / p.total!) : 0;
  const percent = known ? `${Math.floor(fraction * 100)}%`.padStart(4) : "    ";
  const eta = known && p.rate > 0 && p.bytes < p.total! ? `eta ${formatEta((p.total! - p.bytes) / p.rate)}` : "";
  const nameWidth = Math.min(20, Math.max(8, Math.floor(cols / 4)));
  // On a narrow terminal the ETA goes first, then the rate: the bar keeps at least 10 columns.
  const tails = [
    ` ${formatSize(p.bytes).padStart(7)}  ${formatRate(p.rate).padStart(10)}  ${eta.padEnd(10)}`,
    ` ${formatSize(p.bytes).padStart(7)}  ${formatRate(p.rate).padStart(10)}`,
    ` ${formatSize(p.bytes).padStart(7)}`,
  ];
  const room = cols - nameWidth - percent.length - 2;
  const tail = tails.find((t) => room - t.length >= 10) ?? tails[2];
  const barWidth = Math.max(5, room - tail.length);
  let bar: string;
  if (known) {
    const filled = Math.floor(fraction * barWidth);
    bar = filled >= barWidth ? "=".repeat(barWidth) : "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "");
    bar = bar.padEnd(barWidth);
  } else {
    const span = barWidth - 3;
    const step = Math.floor(p.elapsedMs / 100) % (2 * span);
    const at = step < span ? step : 2 * span - step;
    bar = " ".repeat(at) + "<=>" + " ".repeat(span - at);
  }
  const many = (p.connections ?? 1) > 1 ? ` ×${p.connections}` : "";
  const c = p.crawl;
  const before = c === undefined ? "" : `[${c.done}/${c.known} ${formatSize(c.bytes + p.bytes)}] `;
  const named = many === "" && before === ""
    ? fitName(p.name, nameWidth)
    : (before + cutName(p.name, Math.max(4, nameWidth - many.length - before.length)) + many).padEnd(nameWidth);
  return (named + percent + `[${bar}]` + tail).slice(0, cols).padEnd(cols);
}

function fitName(name: string, width: number): string {
  return cutName(name, width).padEnd(width);
}

function cutName(name: string, width: number): string {
  const chars = [...name];
  return chars.length <= width ? name : chars.slice(0, width - 1).join("") + "…";
}

/** What the summary line reports. */
export interface SummaryState {
  /** Where the file was saved ("-" for standard output). */
  readonly path: string;
  /** Bytes in the file. */
  readonly bytes: number;
  /** Bytes received by this run (less than `bytes` after a resume). */
  readonly received: number;
  /** Seconds from the first SYN to the end. */
  readonly seconds: number;
  /** Segments the TCP engine sent again. */
  readonly retransmissions: number;
  /** Segments that arrived out of order. */
  readonly outOfOrder: number;
  /** Frames dropped for a bad checksum. */
  readonly badChecksums: number;
  /** The path MTU our segments were cut to (0 or absent: the route's held). */
  readonly pathMtu?: number;
  /** Whether that was learned from repeated timeouts (a black hole) rather than a router's ICMP. */
  readonly pathMtuByTimeouts?: boolean;
  /** Connections the file came over at most at once, when more than one. */
  readonly connections?: number;
}

/**
 * The summary line printed once a file is saved.
 *
 * @example
 * ```ts
 * formatSummary({ path: "a.bin", bytes: 1048576, received: 1048576, seconds: 0.5, retransmissions: 0,
 *   outOfOrder: 2, badChecksums: 0 });
 * // "Saved 'a.bin' (1048576 bytes) in 0.50 s, 2.0 MiB/s; 0 retransmitted, 2 out of order, 0 bad checksums"
 * ```
 */
export function formatSummary(s: SummaryState): string {
  const rate = s.seconds > 0 ? s.received / s.seconds / (1024 * 1024) : 0;
  const where = s.path === "-" ? "standard output" : `'${s.path}'`;
  const resumed = s.received < s.bytes ? `, ${s.received} received` : "";
  const mtu = s.pathMtu
    ? `; our segments cut to a path MTU of ${s.pathMtu} (${s.pathMtuByTimeouts ? "no ICMP: after timeouts" : "ICMP"})`
    : "";
  const over = (s.connections ?? 1) > 1 ? `; over ${s.connections} connections` : "";
  return `Saved ${where} (${s.bytes} bytes${resumed}) in ${s.seconds.toFixed(2)} s, ${rate.toFixed(1)} MiB/s; ` +
    `${s.retransmissions} retransmitted, ${s.outOfOrder} out of order, ${s.badChecksums} bad checksums${mtu}${over}`;
}

/** Least time between two redraws, in ms (at most ten a second). */
export const REDRAW_INTERVAL_MS = 100;

/** Draws the progress line on a terminal: `\r` and the line, at most every {@linkcode REDRAW_INTERVAL_MS}. */
export class ProgressBar {
  readonly #write: (text: string) => void;
  readonly #width: number;
  readonly #clock: () => number;
  #name = "";
  #started = 0;
  #lastDraw = -Infinity;
  #drawn = false;
  #samples: Array<[number, number]> = [];
  #connections = 1;
  #crawl: CrawlProgress | undefined;

  /** `write` puts text on the terminal; `width` is its column count. */
  constructor(write: (text: string) => void, width: number, clock: () => number = () => performance.now()) {
    this.#write = write;
    this.#width = width;
    this.#clock = clock;
  }

  /** A body starts: the file and the byte it starts at. */
  start(name: string, offset: number): void {
    this.#name = name.slice(name.lastIndexOf("/") + 1);
    this.#started = this.#clock();
    this.#samples = [[this.#started, offset]];
    this.#connections = 1;
    this.#lastDraw = -Infinity;
  }

  /** The file comes over `live` connections now (shown when more than one). */
  connections(live: number): void {
    this.#connections = live;
  }

  /** A crawl's progress, shown before the names of its files from now on. */
  crawl(progress: CrawlProgress): void {
    this.#crawl = progress;
  }

  /** New bytes: redraws if the last redraw is old enough (or the file is complete). */
  update(bytes: number, total: number | null): void {
    const now = this.#clock();
    if (now - this.#lastDraw < REDRAW_INTERVAL_MS && bytes !== total) return;
    this.#lastDraw = now;
    this.#samples.push([now, bytes]);
    while (this.#samples.length > 2 && now - this.#samples[0][0] > 3000) this.#samples.shift();
    const [t0, b0] = this.#samples[0];
    const rate = now > t0 ? ((bytes - b0) * 1000) / (now - t0) : 0;
    const line = formatProgress({
      name: this.#name,
      bytes,
      total,
      rate,
      elapsedMs: now - this.#started,
      width: this.#width,
      connections: this.#connections,
      crawl: this.#crawl,
    });
    this.#write(`\r${line}`);
    this.#drawn = true;
  }

  /** Erases the line (before the summary or an error message). */
  clear(): void {
    if (!this.#drawn) return;
    this.#write(`\r${" ".repeat(Math.max(40, this.#width) - 1)}\r`);
    this.#drawn = false;
  }
}
