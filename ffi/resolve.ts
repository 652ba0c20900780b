/**
 * Host name → IPv4 and IPv6 addresses with glibc's `getaddrinfo` (so /etc/hosts, nsswitch and RFC 6724's ordering
 * in gai.conf are honoured), run as a `nonblocking: true` call because DNS may take seconds.
 *
 * @module
 */

import {
  type IpAddress,
  ipv4,
  type Ipv4Address,
  ipv6ToBytes,
  isIpv6Address,
  tryParseIpAddress,
} from "../src/wire/mod.ts";
import { cString, libc, readCString } from "./libc.ts";
import {
  AF_INET,
  AF_INET6,
  decodeSockaddrIn,
  decodeSockaddrIn6,
  SOCKADDR_IN6_LEN,
  SOCKADDR_IN_LEN,
} from "./sockaddr.ts";

const SOCK_STREAM = 1;
const AF_UNSPEC = 0;
// struct addrinfo (x86_64): flags 0, family 4, socktype 8, protocol 12, addrlen 16, addr 24, canonname 32, next 40.
const ADDRINFO_LEN = 48;
/** getaddrinfo error: the name has no address (the code glibc returns for an unknown host). */
export const EAI_NONAME = -2;
/** getaddrinfo error: temporary failure (DNS unreachable). */
export const EAI_AGAIN = -3;
/** getaddrinfo error: the name exists but has no address of the family asked for (glibc's EAI_NODATA). */
export const EAI_NODATA = -5;
/** getaddrinfo error: the address is of a family the caller does not allow (glibc's EAI_ADDRFAMILY). */
export const EAI_ADDRFAMILY = -9;

/** What getaddrinfo answers for a name without an address of the family asked for (or without any). */
const NO_ADDRESS: ReadonlySet<number> = new Set([EAI_NONAME, EAI_NODATA, EAI_ADDRFAMILY]);

/** Which addresses {@linkcode resolveAll} returns: both families, or one only (`-4`, `-6`). */
export type ResolveFamily = "any" | "ipv4" | "ipv6";

/** Options of {@linkcode resolveAll}. */
export interface ResolveOptions {
  /** The families to return (default "any": getaddrinfo's AF_UNSPEC, sorted by glibc as RFC 6724 says). */
  readonly family?: ResolveFamily;
  /** Give up after this many milliseconds (`--dns-timeout`); no limit when absent. */
  readonly timeoutMs?: number;
}

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
 * Resolves `host` to every IPv4 address it has, in getaddrinfo's order, each once (see {@linkcode resolveAll} with
 * family "ipv4").
 *
 * @example
 * ```ts
 * await resolveIpv4All("localhost"); // [0x7f000001]
 * await resolveIpv4All("slow.example", 500); // ResolveError after 0.5 s when the DNS server is silent
 * ```
 */
export async function resolveIpv4All(host: string, timeoutMs?: number): Promise<Ipv4Address[]> {
  // family "ipv4" returns numbers only.
  return await resolveAll(host, { family: "ipv4", timeoutMs }) as Ipv4Address[];
}

/**
 * Resolves `host` to every address of `family` it has, in getaddrinfo's order (RFC 6724 sorting across both families
 * for "any", /etc/hosts order), each once; an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) counts as its IPv4
 * address. A dotted quad or IPv6 text (without brackets) is parsed without a lookup.
 * Throws {@linkcode ResolveError} when the name has no address of the family (code {@linkcode EAI_NODATA}, "No IPv6
 * address": after a failed lookup of one family, a second of both tells this from an unknown name), when a literal
 * is of the other family ({@linkcode EAI_ADDRFAMILY}), or (with `timeoutMs`) when getaddrinfo has not answered
 * within `timeoutMs`: the lookup then runs on in its worker thread, and its result is freed when it comes.
 *
 * @example
 * ```ts
 * await resolveAll("2001:2::1"); // ["2001:2::1"]
 * await resolveAll("example.com", { family: "ipv6", timeoutMs: 5000 }); // its IPv6 addresses
 * ```
 */
export async function resolveAll(host: string, options: ResolveOptions = {}): Promise<IpAddress[]> {
  const family = options.family ?? "any";
  const literal = tryParseIpAddress(host);
  if (literal !== null) {
    const address = unmapped(literal);
    if (!allows(family, address)) {
      const [is, only, flag] = family === "ipv4" ? ["IPv6", "IPv4", "-4"] : ["IPv4", "IPv6", "-6"];
      throw new ResolveError(
        host,
        EAI_ADDRFAMILY,
        `${host} is an ${is} address, and only ${only} is allowed (${flag})`,
      );
    }
    return [address];
  }
  if (host === "" || host.includes("\0")) throw new ResolveError(host, EAI_NONAME, "Name or service not known");
  const hint = family === "ipv4" ? AF_INET : family === "ipv6" ? AF_INET6 : AF_UNSPEC;
  const started = performance.now();
  let found: IpAddress[];
  try {
    found = (await lookup(host, hint, options.timeoutMs)).filter((address) => allows(family, address));
  } catch (e) {
    // glibc says "not known" for a name that has only addresses of the other family (/etc/hosts, DNS NODATA):
    // one lookup of both families, within what is left of the time, tells the two apart.
    if (hint === AF_UNSPEC || !(e instanceof ResolveError) || !NO_ADDRESS.has(e.gaiCode)) throw e;
    const left = options.timeoutMs === undefined ? undefined : options.timeoutMs - (performance.now() - started);
    if (left !== undefined && left <= 0) throw e;
    found = [];
    if ((await lookup(host, AF_UNSPEC, left).catch(() => [])).length === 0) throw e;
  }
  if (found.length > 0) return found;
  throw new ResolveError(host, EAI_NODATA, family === "ipv6" ? "No IPv6 address" : "No IPv4 address");
}

/** Whether `family` admits `address`. */
function allows(family: ResolveFamily, address: IpAddress): boolean {
  return family === "any" || (family === "ipv6") === isIpv6Address(address);
}

/** The IPv4 address an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2) stands for; others as they are. */
function unmapped(address: IpAddress): IpAddress {
  if (!isIpv6Address(address)) return address;
  const bytes = new Uint8Array(16);
  ipv6ToBytes(address, bytes);
  if (bytes.subarray(0, 10).some((b) => b !== 0) || bytes[10] !== 0xff || bytes[11] !== 0xff) return address;
  return ipv4(new DataView(bytes.buffer).getUint32(12));
}

/** getaddrinfo of `host` with `hint` as ai_family: its AF_INET and AF_INET6 addresses in order, each once. */
async function lookup(host: string, hint: number, timeoutMs: number | undefined): Promise<IpAddress[]> {
  const hints = new Uint8Array(ADDRINFO_LEN);
  const hintsView = new DataView(hints.buffer);
  hintsView.setInt32(4, hint, true);
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
  const found: IpAddress[] = [];
  try {
    for (let ai = head; ai !== null;) {
      const view = new Deno.UnsafePointerView(ai);
      const address = addressOf(view);
      if (address !== null && !found.includes(address)) found.push(address);
      ai = view.getPointer(40);
    }
  } finally {
    libc().freeaddrinfo(head);
  }
  return found;
}

/** The address of one addrinfo entry (ai_family at 4, ai_addrlen at 16, ai_addr at 24), or null for another family. */
function addressOf(entry: Deno.UnsafePointerView): IpAddress | null {
  const family = entry.getInt32(4), length = entry.getUint32(16), addrPtr = entry.getPointer(24);
  if (addrPtr === null) return null;
  // A length below the structure's size would make us read bytes the entry does not own.
  if (family === AF_INET && length >= SOCKADDR_IN_LEN) {
    const sa = new Uint8Array(SOCKADDR_IN_LEN);
    Deno.UnsafePointerView.copyInto(addrPtr, sa);
    return decodeSockaddrIn(sa).addr;
  }
  if (family === AF_INET6 && length >= SOCKADDR_IN6_LEN) {
    const sa = new Uint8Array(SOCKADDR_IN6_LEN);
    Deno.UnsafePointerView.copyInto(addrPtr, sa);
    return unmapped(decodeSockaddrIn6(sa).addr);
  }
  return null;
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
