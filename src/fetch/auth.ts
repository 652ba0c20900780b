/**
 * Who we are to a server that asks (HTTP 401), as wget decides it: credentials from the URL (`user:pass@host`), else
 * `--http-user`/`--http-password`, else `--user`/`--password`, else the host's `~/.netrc` entry. Credentials of the
 * URL and of the options go only to the host the user named: a redirect to another host never carries them (that
 * host gets its own netrc entry, if any). Nothing is sent before the server asks, unless `--auth-no-challenge`
 * (Basic, at once), or the host asked for Basic earlier in the run (wget then sends Basic at once too). A server
 * that asks again after our answer, or asks with no scheme we can answer, fails the download with wget's exit code 6.
 *
 * @module
 */

import {
  basicCredentials,
  type Challenge,
  type DigestAlgorithm,
  digestAlgorithm,
  digestCredentials,
  type HeadEvent,
  hostPort,
  parseChallenges,
  type ParsedUrl,
  uriHost,
} from "../http/mod.ts";
import { type NetrcEntry, netrcFor } from "./netrc.ts";

/** Authentication failed (wget's exit code 6). */
export class AuthError extends Error {
  /** "missing": no credentials for the host; "refused": they were refused; "unsupported": no scheme we answer. */
  readonly reason: "missing" | "refused" | "unsupported";

  /** Builds the error with a sentence for the user. */
  constructor(reason: "missing" | "refused" | "unsupported", message: string) {
    super(message);
    this.name = "AuthError";
    this.reason = reason;
  }
}

/** The credential options of a run. */
export interface AuthSettings {
  /** `--user` (both protocols). */
  readonly user?: string;
  /** `--password`. */
  readonly password?: string;
  /** `--http-user`: overrides `--user` for HTTP. */
  readonly httpUser?: string;
  /** `--http-password`. */
  readonly httpPassword?: string;
  /** `--auth-no-challenge`: send Basic credentials with the first request. */
  readonly authNoChallenge?: boolean;
  /** The parsed `~/.netrc` (absent with `--no-netrc`, or when there is none). */
  readonly netrc?: readonly NetrcEntry[];
  /**
   * Hosts that asked for Basic credentials earlier in the run: later requests to them carry Basic credentials at
   * once, as wget's do (it remembers such hosts for the run). Shared by the run's downloads; absent: not remembered.
   */
  readonly basicHosts?: Set<string>;
}

/** What the authenticator needs from the outside: a hash for Digest and fresh client nonces. */
export interface AuthTools {
  /** Hex digest of UTF-8 text. */
  readonly hash: (algorithm: DigestAlgorithm, text: string) => string;
  /** A fresh client nonce. */
  readonly cnonce: () => string;
}

interface Identity {
  readonly user: string;
  readonly password: string;
}

/** The answer a host gets: built from its last challenge, kept for the next requests to it. */
interface Answer {
  readonly identity: Identity;
  readonly challenge: Challenge | null; // null: Basic
  nonceCount: number;
  /** The answer was renewed once for a stale nonce (a second "stale" is a refusal). */
  readonly renewed: boolean;
}

/**
 * The authentication state of one download (all its hops and tries).
 *
 * @example
 * ```ts
 * const auth = new Authenticator(parseUrl("http://u:p@198.18.2.2/x"), {}, tools);
 * auth.authorization(url, "GET", "/x"); // undefined until the server asks
 * ```
 */
export class Authenticator {
  readonly #origin: string;
  readonly #host: string;
  readonly #given: Identity | null;
  readonly #settings: AuthSettings;
  readonly #tools: AuthTools;
  /** Answers by origin (scheme://host:port). */
  readonly #answers = new Map<string, Answer>();

  /** For a download of `first` (the URL the user gave). */
  constructor(first: ParsedUrl, settings: AuthSettings, tools: AuthTools) {
    this.#origin = originOf(first);
    this.#host = first.host;
    this.#settings = settings;
    this.#tools = tools;
    const user = first.user ?? settings.httpUser ?? settings.user;
    const password = first.password ?? settings.httpPassword ?? settings.password;
    this.#given = user === undefined && password === undefined ? null : { user: user ?? "", password: password ?? "" };
    if (this.#given !== null && settings.authNoChallenge) {
      this.#answers.set(this.#origin, { identity: this.#given, challenge: null, nonceCount: 0, renewed: false });
    }
  }

  /** The `Authorization` value for a request to `url` (`uri` is the request-target as sent), or undefined. */
  authorization(url: ParsedUrl, method: string, uri: string): string | undefined {
    const answer = this.#answers.get(originOf(url)) ?? this.#rememberedBasic(url);
    if (answer === undefined) return undefined;
    const { user, password } = answer.identity;
    if (answer.challenge === null) return basicCredentials(user, password);
    answer.nonceCount++;
    return digestCredentials({
      user,
      password,
      method,
      uri,
      challenge: answer.challenge,
      cnonce: this.#tools.cnonce(),
      nonceCount: answer.nonceCount,
      hash: this.#tools.hash,
    });
  }

  /**
   * A 401 from `url`: prepares the answer for the next request and returns normally, or throws {@linkcode AuthError}
   * when we have no credentials for the host, no scheme we can answer, or already answered and were refused.
   */
  challenged(url: ParsedUrl, head: HeadEvent): void {
    const origin = originOf(url);
    const identity = this.#identityFor(url);
    const where = url.port === url.defaultPort ? uriHost(url.host) : hostPort(url.host, url.port);
    if (identity === null) {
      throw new AuthError("missing", `${where} asks for a user name and password; none was given (see --user)`);
    }
    const previous = this.#answers.get(origin);
    const challenges = parseChallenges(head.headers.getAll("www-authenticate"));
    const digest = challenges.find((c) => c.scheme === "digest" && digestAlgorithm(c) !== null);
    const basic = challenges.find((c) => c.scheme === "basic");
    // A stale nonce (RFC 7616 §3.3) is not a refusal of the password: answer the new nonce once more.
    const stale = digest?.params.get("stale")?.toLowerCase() === "true" && previous?.challenge !== null &&
      previous?.renewed === false;
    if (previous !== undefined && !stale) {
      throw new AuthError("refused", `${where} refused the user name and password`);
    }
    if (digest === undefined && basic === undefined) {
      const offered = challenges.map((c) => c.scheme).join(", ") || "none";
      throw new AuthError("unsupported", `${where} asks for authentication this client cannot give (${offered})`);
    }
    this.#answers.set(origin, { identity, challenge: digest ?? null, nonceCount: 0, renewed: stale });
    if (digest === undefined) this.#settings.basicHosts?.add(url.host);
  }

  /** A Basic answer for a host that asked for Basic earlier in the run (see `AuthSettings.basicHosts`), if any. */
  #rememberedBasic(url: ParsedUrl): Answer | undefined {
    if (this.#settings.basicHosts?.has(url.host) !== true) return undefined;
    const identity = this.#identityFor(url);
    if (identity === null) return undefined;
    const answer = { identity, challenge: null, nonceCount: 0, renewed: false };
    this.#answers.set(originOf(url), answer);
    return answer;
  }

  #identityFor(url: ParsedUrl): Identity | null {
    if (url.user !== undefined || url.password !== undefined) {
      return { user: url.user ?? "", password: url.password ?? "" };
    }
    // The same host under another scheme or port (http → https) is still the host the user named.
    if (url.host === this.#host && this.#given !== null) return this.#given;
    const entry = this.#settings.netrc === undefined ? null : netrcFor(this.#settings.netrc, url.host);
    if (entry === null || (entry.login === undefined && entry.password === undefined)) return null;
    return { user: entry.login ?? "", password: entry.password ?? "" };
  }
}

function originOf(url: ParsedUrl): string {
  return `${url.scheme}://${url.host}:${url.port}`;
}
