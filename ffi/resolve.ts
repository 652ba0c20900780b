/**
 * Host name → IPv4 address with glibc's `getaddrinfo` (so /etc/hosts and nsswitch are honoured), run as a
 * `nonblocking: true` call because DNS may take seconds.
 *
 * @module
 */

import { type Ipv4Address, tryParseIpv4Address } from "../src/wire/mod.ts";
import { cString, libc, readCString } from "./libc.ts";
import { AF_INET, decodeSockaddrIn } from "./sockaddr.ts";

const SOCK_STREAM = 1;
// struct addrinfo (x86_64): flags 0, family 4, socktype 8, protocol 12, addrlen 16, addr 24, canonname 32, next 40.
const ADDRINFO_LEN = 48;
/** getaddrinfo error: the name has no address (the code glibc returns for an unknown host). */
export const EAI_NONAME = -2;
/** getaddrinfo error: temporary failure (DNS unreachable). */
export const EAI_AGAIN = -3;

/**
 * A host name could not be resolved; `gaiCode` is getaddrinfo's error code.
 * Message: `Cannot resolve host "x": Name or service not known`.
 *
 * @example
 * ```ts
 * throw new ResolveError("nowhere.invalid", -2, "Name or service not known");
 * ```
 */
export class ResolveError extends Error {
  /** The name that failed. */
  readonly host: string;
  /** getaddrinfo's return value, e.g. {@linkcode EAI_NONAME}. */
  readonly gaiCode: number;

  /** Builds the error from the failing host, code and gai_strerror text. */
  constructor(host: string, gaiCode: number, detail: string) {
    super(`Cannot resolve host "${host}": ${detail}`);
    this.name = "ResolveError";
    this.host = host;
    this.gaiCode = gaiCode;
  }
}

/**
 * Resolves `host` to its first IPv4 address (see {@linkcode resolveIpv4All}).
 *
 * @example
 * ```ts
 * await resolveIpv4("localhost"); // 0x7f000001
 * ```
 */
export async function resolveIpv4(host: string, timeoutMs?: number): Promise<Ipv4Address> {
  return (await resolveIpv4All(host, timeoutMs))[0];
}

/**
 * Resolves `host` to every IPv4 address it has, in getaddrinfo's order (RFC 6724 sorting, /etc/hosts order), each
 * once. A dotted quad is parsed without a lookup.
 * Throws {@linkcode ResolveError} when the name has no IPv4 address, or (with `timeoutMs`) when getaddrinfo has not
 * answered within `timeoutMs`: the lookup then runs on in its worker thread, and its result is freed when it comes.
 *
 * @example
 * ```ts
 * await resolveIpv4All("localhost"); // [0x7f000001]
 * await resolveIpv4All("slow.example", 500); // ResolveError after 0.5 s when the DNS server is silent
 * ```
 */
export async function resolveIpv4All(host: string, timeoutMs?: number): Promise<Ipv4Address[]> {
  const literal = tryParseIpv4Address(host);
  if (literal !== null) return [literal];
  if (host === "" || host.includes("\0")) throw new ResolveError(host, EAI_NONAME, "Name or service not known");
  const hints = new Uint8Array(ADDRINFO_LEN);
  const hintsView = new DataView(hints.buffer);
  hintsView.setInt32(4, AF_INET, true);
  hintsView.setInt32(8, SOCK_STREAM, true);
  const out = new Uint8Array(8);
  const node = cString(host);
  const call = libc().getaddrinfo_async(node, null, hints, out);
  const rc = timeoutMs === undefined ? await call : await withinTime(call, timeoutMs, () => {
    // The late answer still owns a list (and node, hints and out stay alive in this closure until it comes).
    void call.then((late) => {
      if (late === 0) libc().freeaddrinfo(Deno.UnsafePointer.create(new DataView(out.buffer).getBigUint64(0, true)));
    });
    throw new ResolveError(host, EAI_AGAIN, `no answer within ${timeoutMs / 1000} s (--dns-timeout)`);
  });
  if (rc !== 0) {
    // EAI_SYSTEM's errno is on the worker thread and lost; gai_strerror still gives a sentence.
    throw new ResolveError(host, rc, readCString(libc().gai_strerror(rc)) ?? `getaddrinfo error ${rc}`);
  }
  const head = Deno.UnsafePointer.create(new DataView(out.buffer).getBigUint64(0, true));
  const found: Ipv4Address[] = [];
  try {
    for (let ai = head; ai !== null;) {
      const view = new Deno.UnsafePointerView(ai);
      const addrPtr = view.getPointer(24);
      if (view.getInt32(4) === AF_INET && addrPtr !== null && view.getUint32(16) >= 16) {
        const sa = new Uint8Array(16);
        Deno.UnsafePointerView.copyInto(addrPtr, sa);
        const addr = decodeSockaddrIn(sa).addr;
        if (!found.includes(addr)) found.push(addr);
      }
      ai = view.getPointer(40);
    }
  } finally {
    libc().freeaddrinfo(head);
  }
  if (found.length > 0) return found;
  throw new ResolveError(host, EAI_NONAME, "No IPv4 address");
}

/** `call`'s value, or what `late` returns (or throws) when `ms` pass first. */
async function withinTime<T>(call: Promise<T>, ms: number, late: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<"expired">((resolve) => (timer = setTimeout(() => resolve("expired"), ms)));
  try {
    const first = await Promise.race([call, expired]);
    return first === "expired" ? late() : first;
  } finally {
    clearTimeout(timer);
  }
}
