/**
 * HTTP authentication, client side: reading a server's challenges (RFC 9110 §11.6.1 `WWW-Authenticate`) and
 * answering them with Basic (RFC 7617) or Digest (RFC 7616) credentials. Pure functions: the hash and the client
 * nonce come from the caller, so this stays free of crypto and randomness.
 *
 * @module
 */

import { HttpError, quote } from "./errors.ts";

/** One challenge: an auth-scheme (lower-case) with its parameters (names lower-case) or a token68. */
export interface Challenge {
  /** "basic", "digest", … */
  readonly scheme: string;
  /** auth-params; values unquoted. */
  readonly params: ReadonlyMap<string, string>;
  /** A token68 instead of parameters, when the scheme uses one. */
  readonly token68?: string;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/**
 * Reads every challenge of the `WWW-Authenticate` field values (a comma-separated list in which each challenge is a
 * scheme followed by its parameters). Throws `HttpError("bad-header")` for a malformed value.
 *
 * @example
 * ```ts
 * parseChallenges(['Digest realm="r", nonce="n", qop="auth", Basic realm="r"']).map((c) => c.scheme);
 * // ["digest", "basic"]
 * ```
 */
export function parseChallenges(values: readonly string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const value of values) {
    const s = new Scanner(value);
    for (;;) {
      s.skipListSeparators();
      if (s.done()) break;
      const scheme = s.token().toLowerCase();
      if (scheme === "") throw new HttpError("bad-header", `Cannot read the challenge in ${quote(value)}`);
      const params = new Map<string, string>();
      let token68: string | undefined;
      s.skipSpaces();
      const start = s.pos;
      const name = s.token();
      s.skipSpaces();
      if (name !== "" && s.peek() === "=" && s.peekAt(1) !== "=" && !(s.peekAt(1) === "" || s.peekAt(1) === ",")) {
        s.pos = start;
        // auth-param *( OWS "," OWS auth-param ), stopping where the next challenge's scheme starts.
        for (;;) {
          const at = s.pos;
          const n = s.token().toLowerCase();
          s.skipSpaces();
          if (n === "" || s.peek() !== "=") {
            s.pos = at;
            break;
          }
          s.pos++;
          s.skipSpaces();
          params.set(n, s.peek() === '"' ? s.quoted(value) : s.token());
          const after = s.pos;
          s.skipSpaces();
          if (s.peek() !== ",") break;
          s.pos++;
          s.skipSpaces();
          // After a comma comes either another parameter or the next challenge (a token not followed by "=").
          const next = s.pos;
          s.token();
          s.skipSpaces();
          const isParam = s.peek() === "=";
          s.pos = isParam ? next : after;
          if (!isParam) break;
        }
      } else if (name !== "") {
        s.pos = start;
        token68 = s.token68();
      }
      out.push({ scheme, params, token68 });
    }
  }
  return out;
}

/**
 * The Basic credentials for `user` and `password` (RFC 7617 §2: UTF-8, then base64).
 *
 * @example
 * ```ts
 * basicCredentials("Aladdin", "open sesame"); // "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
 * ```
 */
export function basicCredentials(user: string, password: string): string {
  let binary = "";
  for (const b of new TextEncoder().encode(`${user}:${password}`)) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

/** The Digest algorithms this client computes. */
export type DigestAlgorithm = "MD5" | "SHA-256";

/** What a Digest answer needs. */
export interface DigestInput {
  /** The user name (sent as `username`; RFC 7616 §3.4.4's `username*` is not used). */
  readonly user: string;
  /** The password. */
  readonly password: string;
  /** The request method, e.g. "GET". */
  readonly method: string;
  /** The request-target as sent (`uri`). */
  readonly uri: string;
  /** The server's Digest challenge. */
  readonly challenge: Challenge;
  /** A fresh client nonce (hex or base64 text). */
  readonly cnonce: string;
  /** How many times this nonce was used, from 1. */
  readonly nonceCount: number;
  /** Hex digest of UTF-8 `text` with `algorithm`. */
  readonly hash: (algorithm: DigestAlgorithm, text: string) => string;
}

/**
 * The algorithm a Digest challenge asks for, or null when this client cannot answer it (another algorithm, a
 * `-sess` variant, or a `qop` without "auth").
 *
 * @example
 * ```ts
 * digestAlgorithm(parseChallenges(['Digest realm="r", nonce="n"'])[0]); // "MD5"
 * ```
 */
export function digestAlgorithm(challenge: Challenge): DigestAlgorithm | null {
  const alg = (challenge.params.get("algorithm") ?? "MD5").toUpperCase();
  if (alg !== "MD5" && alg !== "SHA-256") return null;
  const qop = challenge.params.get("qop");
  if (qop !== undefined && !qop.split(",").some((q) => q.trim().toLowerCase() === "auth")) return null;
  if (challenge.params.get("nonce") === undefined) return null;
  return alg;
}

/**
 * The `Authorization` value answering a Digest challenge (RFC 7616 §3.4; RFC 2069 form when it offers no qop).
 * Throws `TypeError` for a challenge {@linkcode digestAlgorithm} cannot answer.
 *
 * @example
 * ```ts
 * digestCredentials({ user: "u", password: "p", method: "GET", uri: "/", challenge, cnonce: "c", nonceCount: 1, hash });
 * ```
 */
export function digestCredentials(input: DigestInput): string {
  const { challenge, hash } = input;
  const algorithm = digestAlgorithm(challenge);
  if (algorithm === null) throw new TypeError("Cannot answer this Digest challenge");
  const realm = challenge.params.get("realm") ?? "";
  const nonce = challenge.params.get("nonce")!;
  const qop = challenge.params.get("qop") === undefined ? null : "auth";
  const ha1 = hash(algorithm, `${input.user}:${realm}:${input.password}`);
  const ha2 = hash(algorithm, `${input.method}:${input.uri}`);
  const nc = input.nonceCount.toString(16).padStart(8, "0");
  const response = qop === null
    ? hash(algorithm, `${ha1}:${nonce}:${ha2}`)
    : hash(algorithm, `${ha1}:${nonce}:${nc}:${input.cnonce}:${qop}:${ha2}`);
  const parts = [
    `username=${quoted(input.user)}`,
    `realm=${quoted(realm)}`,
    `nonce=${quoted(nonce)}`,
    `uri=${quoted(input.uri)}`,
    `algorithm=${algorithm}`,
    `response=${quoted(response)}`,
  ];
  const opaque = challenge.params.get("opaque");
  if (opaque !== undefined) parts.push(`opaque=${quoted(opaque)}`);
  if (qop !== null) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${quoted(input.cnonce)}`);
  return `Digest ${parts.join(", ")}`;
}

/** A quoted-string (RFC 9110 §5.6.4): backslash before `"` and `\`. */
function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A cursor over one field value. */
class Scanner {
  pos = 0;
  constructor(readonly text: string) {}
  done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text[this.pos] ?? "";
  }
  peekAt(offset: number): string {
    return this.text[this.pos + offset] ?? "";
  }
  skipSpaces(): void {
    while (this.peek() === " " || this.peek() === "\t") this.pos++;
  }
  skipListSeparators(): void {
    while (this.peek() === " " || this.peek() === "\t" || this.peek() === ",") this.pos++;
  }
  token(): string {
    const start = this.pos;
    while (!this.done() && TOKEN_CHAR.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }
  token68(): string {
    const start = this.pos;
    while (!this.done() && /[A-Za-z0-9\-._~+/]/.test(this.peek())) this.pos++;
    while (this.peek() === "=") this.pos++;
    return this.text.slice(start, this.pos);
  }
  quoted(value: string): string {
    this.pos++; // the opening quote
    let out = "";
    for (;;) {
      if (this.done()) throw new HttpError("bad-header", `Unterminated quoted string in ${quote(value)}`);
      const c = this.text[this.pos++];
      if (c === '"') return out;
      if (c === "\\") {
        if (this.done()) throw new HttpError("bad-header", `Unterminated quoted string in ${quote(value)}`);
        out += this.text[this.pos++];
      } else out += c;
    }
  }
}
