/**
 * An access log of a test's own nginx, read once it has stopped growing: nginx writes a request's line when it has
 * sent the response (or the client has gone), which can be just after the client has read it and exited.
 *
 * @module
 */

import { pollUntil } from "../_support/poll.ts";

/** An nginx access log a test empties before a run and reads after it. */
export interface NginxAccessLog {
  /** Empties the log (harmless when nginx has not created it yet). */
  clear(): Promise<void>;
  /** The log's text once two reads 150 ms apart agree (3 s at most); "" while there is no log. */
  settled(): Promise<string>;
}

/**
 * The access log at `path`.
 *
 * @example
 * ```ts
 * const log = nginxAccessLog(`${dir}/access.log`);
 * await log.clear();
 * // … run a client …
 * const lines = (await log.settled()).split("\n");
 * ```
 */
export function nginxAccessLog(path: string): NginxAccessLog {
  const read = () => Deno.readTextFile(path).catch(() => "");
  return {
    clear: () => Deno.truncate(path, 0).catch(() => {}),
    async settled() {
      let last = await read();
      await new Promise((r) => setTimeout(r, 150));
      await pollUntil(
        async () => {
          const now = await read();
          const still = now === last;
          last = now;
          return still;
        },
        3000,
        150,
      );
      return last;
    },
  };
}

/**
 * The lines of an access log written with a `log_format` of `count` variables joined by `|`, under `escape=json`,
 * split into their `count` fields: `|` cannot occur unescaped in a variable except the last (the User-Agent, put last
 * for that reason), which keeps every `|` it holds.
 *
 * @example
 * ```ts
 * logFields("200|/a|curl|x\n", 3); // [["200", "/a", "curl|x"]]
 * ```
 */
export function logFields(text: string, count: number): string[][] {
  return text.split("\n").filter((l) => l !== "").map((line) => {
    const f = line.split("|");
    return [...f.slice(0, count - 1), f.slice(count - 1).join("|")];
  });
}
