/**
 * The request of one hop, built from everything that shapes it: the method and body, a proxy (absolute-form target
 * and its credentials), `-N`'s fields, the server's credentials, cookies, the user's headers, a range.
 *
 * @module
 */

import { buildGetRequest, type ParsedUrl, requestTarget } from "../http/mod.ts";
import type { Authenticator } from "./auth.ts";
import type { CookieJar } from "./cookie_jar.ts";
import { nowSeconds } from "./clock.ts";
import { requestTrace } from "./head_trace.ts";
import { type FetchOptions, VERSION } from "./options.ts";
import type { ProxyRoute } from "./proxy.ts";
import { requestBody, type RequestMethod } from "./request_method.ts";
import type { HopTimestamps } from "./timestamps.ts";

/** The User-Agent of every request, unless `-U`. */
export const USER_AGENT = `rawhttpget/${VERSION}`;

/** What one hop's request is made of. */
export interface HopRequestInput {
  /** The URL asked for. */
  readonly url: ParsedUrl;
  /** Ask for the connection to stay open (`Connection: Keep-Alive`); else `Connection: close`. */
  readonly keepAlive: boolean;
  /** The proxy the hop goes through, or null. */
  readonly proxy: ProxyRoute | null;
  /** `-N`'s fields and whether the body must stay identity-coded. */
  readonly stamps: HopTimestamps;
  /** Credentials for the server, once it asked. */
  readonly auth: Authenticator;
  /** The cookie jar, or null with `--no-cookies`. */
  readonly cookies: CookieJar | null;
  /** The run's options (user headers, referer, user agent, HTTP version, `-d`). */
  readonly options: FetchOptions;
  /** The method sent (HEAD for `--spider` and `-N`'s first look). */
  readonly wire: string;
  /** The method and content asked for. */
  readonly method: RequestMethod;
  /** Where a range starts, 0 for none. */
  readonly resumeAt: number;
  /**
   * A range of a file fetched over several connections (or resumed from its part map): the `If-Range` validator, and
   * the part's last byte (absent: to the end).
   */
  readonly part?: { readonly last?: number; readonly ifRange: string };
}

/**
 * The request bytes of one hop.
 *
 * @example
 * ```ts
 * const bytes = buildHopRequest({ url, proxy: null, stamps, auth, cookies: null, options, wire: "GET", method, resumeAt: 0 });
 * ```
 */
export function buildHopRequest(input: HopRequestInput): Uint8Array {
  const url = input.url;
  // A plain request through a proxy names the whole URL and carries the proxy's credentials; inside a tunnel the
  // proxy sees neither.
  const viaProxy = input.proxy !== null && url.scheme === "http";
  const auth = viaProxy ? input.proxy!.authorization : undefined;
  const stamps = input.stamps;
  const extraHeaders: Array<[string, string]> = [...stamps.requestFields()];
  if (auth !== undefined) extraHeaders.push(["Proxy-Authorization", auth]);
  const target = requestTarget({ ...url, viaProxy });
  const credentials = input.auth.authorization(url, input.wire, target);
  if (credentials !== undefined) extraHeaders.push(["Authorization", credentials]);
  const cookies = input.cookies?.header(url, nowSeconds()) ?? null;
  if (cookies !== null) extraHeaders.push(["Cookie", cookies]);
  // RFC 9110 §13.1.5: the part only if the file is still the version the other parts come from.
  const part = input.part;
  if (part !== undefined) extraHeaders.push(["If-Range", part.ifRange]);
  const request = buildGetRequest({
    host: url.host,
    port: url.port,
    defaultPort: url.defaultPort,
    path: url.path,
    userAgent: input.options.userAgent ?? USER_AGENT,
    referer: input.options.referer,
    version: input.options.http10 ? "1.0" : "1.1",
    keepAlive: input.keepAlive,
    range: part !== undefined
      ? { start: input.resumeAt, last: part.last }
      : input.resumeAt > 0
      ? { start: input.resumeAt }
      : undefined,
    viaProxy,
    extraHeaders,
    method: input.wire,
    body: requestBody(input.method, input.wire),
    userHeaders: input.options.headers,
    identity: stamps.timestamping, // -N compares the Content-Length with the file's size
  });
  if (input.options.debug) input.options.log?.(requestTrace(request));
  return request;
}
