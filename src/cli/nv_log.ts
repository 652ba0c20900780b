/**
 * What wget 1.21.3 prints with `-nv` (src/http.c `http_loop`, src/main.c): one line per file, and a `FINISHED` block
 * at the end of a run of several URLs, with wget's own number formats (src/utils.c `human_readable`,
 * `print_decimal`, src/retr.c `retr_rate`, src/main.c `secs_to_human_time`). Pure formatters.
 *
 * ```text
 * 2024-05-01 12:00:00 URL:http://198.18.2.2:8080/a.bin [100000/100000] -> "a.bin" [1]
 * FINISHED --2024-05-01 12:00:01--
 * Total wall clock time: 0.5s
 * Downloaded: 2 files, 103K in 0.01s (9.80 MB/s)
 * ```
 *
 * @module
 */

/** One file as `-nv` shows it. */
export interface NonVerboseFile {
  /** When it ended. */
  readonly at: Date;
  /** The URL it came from (the last of a redirect chain; credentials never shown). */
  readonly url: string;
  /** Where the body ended in the server's file (wget's "length"). */
  readonly end: number;
  /** The server's file size, or null when the response did not say. */
  readonly size: number | null;
  /** Where it was saved ("-" for standard output). */
  readonly path: string;
  /** The try that got it (1: the first). */
  readonly attempt: number;
}

/**
 * wget's `datetime_str`: local time as `YYYY-MM-DD HH:MM:SS`.
 *
 * @example
 * ```ts
 * wgetTime(new Date(2024, 4, 1, 12, 0, 5)); // "2024-05-01 12:00:05"
 * ```
 */
export function wgetTime(at: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ` +
    `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
}

/**
 * The `-nv` line of a file: `[END/SIZE]` when the size is known, `[END]` otherwise.
 *
 * @example
 * ```ts
 * nonVerboseLine({ at, url: "http://h/a.bin", end: 5000, size: 5000, path: "a.bin", attempt: 1 });
 * // '2024-05-01 12:00:05 URL:http://h/a.bin [5000/5000] -> "a.bin" [1]'
 * ```
 */
export function nonVerboseLine(f: NonVerboseFile): string {
  const length = f.size === null ? `${f.end}` : `${f.end}/${f.size}`;
  return `${wgetTime(f.at)} URL:${f.url} [${length}] -> "${f.path}" [${f.attempt}]`;
}

/** What the `FINISHED` block sums up. */
export interface RunTotals {
  /** When the run ended. */
  readonly at: Date;
  /** The run's duration, in seconds. */
  readonly wallSeconds: number;
  /** Files downloaded. */
  readonly files: number;
  /** Body bytes received. */
  readonly bytes: number;
  /** Time spent downloading them, in seconds. */
  readonly seconds: number;
}

/**
 * The block wget ends a run of several URLs with (of an input file that gave bytes too), without a final newline.
 *
 * @example
 * ```ts
 * finishedBlock({ at, wallSeconds: 0.5, files: 2, bytes: 105000, seconds: 0.01 });
 * // "FINISHED --2024-05-01 12:00:05--\nTotal wall clock time: 0.5s\nDownloaded: 2 files, 103K in 0.01s (10.0 MB/s)"
 * ```
 */
export function finishedBlock(t: RunTotals): string {
  return [
    `FINISHED --${wgetTime(t.at)}--`,
    `Total wall clock time: ${humanTime(t.wallSeconds)}`,
    `Downloaded: ${t.files} files, ${humanSize(t.bytes)} in ${humanTime(t.seconds)} (${wgetRate(t.bytes, t.seconds)})`,
  ].join("\n");
}

/**
 * wget's `human_readable(n, 10, 1)`: bytes below 1024 as they are, then K, M, G, … (powers of 1024) with one decimal
 * below 10.
 *
 * @example
 * ```ts
 * humanSize(5000); // "4.9K"
 * humanSize(105000); // "103K"
 * ```
 */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes}`;
  let n = bytes;
  const powers = "KMGTPE";
  for (let i = 0;; i++) {
    if (Math.floor(n / 1024) < 1024 || i === powers.length - 1) {
      const value = n / 1024;
      return `${value.toFixed(value < 10 ? 1 : 0)}${powers[i]}`;
    }
    n = Math.floor(n / 1024);
  }
}

/**
 * wget's `secs_to_human_time`: `0.5s`, `12s`, `3m 5s`, `1h 2m 3s`, `1d 0h 0m 1s`.
 *
 * @example
 * ```ts
 * humanTime(0.004); // "0.004s"
 * humanTime(185); // "3m 5s"
 * ```
 */
export function humanTime(seconds: number): string {
  let secs = Math.floor(seconds + 0.5);
  const days = Math.floor(secs / 86400);
  secs %= 86400;
  const hours = Math.floor(secs / 3600);
  secs %= 3600;
  const mins = Math.floor(secs / 60);
  secs %= 60;
  if (days > 0) return `${days}d ${hours}h ${mins}m ${secs}s`;
  if (hours > 0) return `${hours}h ${mins}m ${secs}s`;
  if (mins > 0) return `${mins}m ${secs}s`;
  return `${printDecimal(seconds)}s`;
}

/** wget's `print_decimal`: 2 significant digits at most, "0" near zero. */
function printDecimal(n: number): string {
  if (n >= 9.95) return n.toFixed(0);
  if (n >= 0.95) return n.toFixed(1);
  if (n >= 0.001) return n.toPrecision(1);
  if (n >= 0.0005) return n.toFixed(3);
  return "0";
}

/**
 * wget's `retr_rate`: bytes per second in B/s, KB/s, MB/s or GB/s (powers of 1024), with 2, 1 or 0 decimals as the
 * number grows. A time of 0 counts as half a nanosecond (wget's timer resolution here).
 *
 * @example
 * ```ts
 * wgetRate(105000, 0.01); // "10.0 MB/s"
 * ```
 */
export function wgetRate(bytes: number, seconds: number): string {
  let rate = bytes / (seconds > 0 ? seconds : 5e-10);
  const units = ["B/s", "KB/s", "MB/s", "GB/s", "TB/s"];
  let unit = 0;
  while (unit < units.length - 1 && rate >= 1024) {
    rate /= 1024;
    unit++;
  }
  if (unit === units.length - 1) rate = Math.min(rate, 99.99);
  return `${rate.toFixed(rate >= 99.95 ? 0 : rate >= 9.995 ? 1 : 2)} ${units[unit]}`;
}
