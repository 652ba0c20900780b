/**
 * The pauses of a run between its requests, as wget 1.21.3 takes them (src/retr.c `sleep_between_retrievals`, called
 * before each try of each URL and each redirect): none before the first request of the run; before a retry,
 * `--waitretry`'s linear back-off (1 s, 2 s, … up to WAITRETRY; wget's default 10 s), or `-w` when `--waitretry`
 * is 0; before any other request, `-w` seconds, each drawn from 0.5–1.5 × `-w` with `--random-wait`.
 *
 * @module
 */

/** What the pauses are made of, in seconds (wget's units: `--waitretry` is compared with the try number). */
export interface PacingSettings {
  /** `-w`: between requests (default 0). */
  readonly wait?: number;
  /** `--random-wait`: each pause between requests is 0.5–1.5 × `wait`, at random. */
  readonly randomWait?: boolean;
  /** `--waitretry`: the longest pause before a retry (default 10; 0: `wait` instead). */
  readonly waitRetry?: number;
}

/** wget's `--waitretry` when none is given. */
export const DEFAULT_WAIT_RETRY = 10;

/**
 * The pauses of one run, shared by its downloads: it remembers whether the run has made its first request.
 *
 * @example
 * ```ts
 * const pacing = new Pacing({ wait: 2 });
 * pacing.beforeRequestMs(); // 0: the first request of the run
 * pacing.beforeRequestMs(); // 2000
 * pacing.beforeRetryMs(1); // 1000 (--waitretry's back-off: retry n waits n s, up to 10 s)
 * ```
 */
export class Pacing {
  readonly #wait: number;
  readonly #randomWait: boolean;
  readonly #waitRetry: number;
  readonly #random: () => number;
  #first = true;

  /** Pauses from `settings`; `random` draws in [0, 1) for `--random-wait` (tests pass their own). */
  constructor(settings: PacingSettings = {}, random: () => number = Math.random) {
    this.#wait = settings.wait ?? 0;
    this.#randomWait = settings.randomWait ?? false;
    this.#waitRetry = settings.waitRetry ?? DEFAULT_WAIT_RETRY;
    this.#random = random;
  }

  /** The pause in ms before a request that is not a retry: a URL's first, a redirect's, the GET after `-N`'s HEAD. */
  beforeRequestMs(): number {
    if (this.#started()) return 0;
    const factor = this.#randomWait ? 0.5 + this.#random() : 1;
    return Math.round(factor * this.#wait * 1000);
  }

  /** The pause in ms before retry `n` (1 for the second try); never randomised, as in wget. */
  beforeRetryMs(n: number): number {
    this.#first = false;
    const count = n + 1; // wget's try counter
    if (this.#waitRetry > 0) return Math.round((count <= this.#waitRetry ? count - 1 : this.#waitRetry) * 1000);
    return Math.round(this.#wait * 1000);
  }

  /** Whether this is the run's first request (which waits for nothing); from now on it is not. */
  #started(): boolean {
    const first = this.#first;
    this.#first = false;
    return first;
  }
}
