/**
 * Reading `-i FILE` (or standard input for `-i -`) for the pure list parser of input_list.ts.
 *
 * @module
 */

import { OsError, readStandardInput, strerror } from "../../ffi/mod.ts";
import type { UrlEncodings } from "../http/mod.ts";
import { parseUrlList, type UrlList } from "./input_list.ts";

/**
 * `-i FILE` ("-": standard input): its URLs, and a sentence to `say` for each line left out. A list that cannot be
 * read is said and gives no URLs; as in wget, that alone is no failure (exit 0). `read` reads FILE (the program
 * passes the reader of the files it read before dropping root).
 *
 * @example
 * ```ts
 * const list = readUrlList("urls.txt", {}, console.error, readFileBytes);
 * ```
 */
export function readUrlList(
  name: string,
  options: { readonly base?: string; readonly encodings?: UrlEncodings },
  say: (line: string) => void,
  read: (path: string) => Uint8Array,
): UrlList {
  let text: string;
  try {
    text = new TextDecoder().decode(name === "-" ? readStandardInput() : read(name));
  } catch (e) {
    const why = e instanceof OsError ? strerror(e.errno) : (e as Error).message;
    say(`rawhttpget: Cannot read the URL list '${name}': ${why}`);
    return { urls: [], problems: [] };
  }
  const list = parseUrlList(text, name, options);
  for (const problem of list.problems) say(`rawhttpget: ${problem}`);
  return list;
}
