/**
 * The privileged helper's protocol: what the unprivileged side may ask, and the answers. One request or reply is one
 * JSON object in one sequenced packet (at most `MAX_MESSAGE` bytes), descriptors beside it (SCM_RIGHTS).
 *
 * The whole vocabulary (anything else is refused):
 *
 * | request                                        | descriptors in            | reply (descriptors out)                |
 * |------------------------------------------------|---------------------------|----------------------------------------|
 * | `{v:1, op:"sender", family}`                   | none                      | `{ok, sndbuf, mark}` + raw sender      |
 * | `{v:1, op:"receiver", remoteAddr, remotePort}` | the reserved-port socket  | `{ok, rcvbuf}` + packet receiver       |
 * | `{v:1, op:"guard", remoteAddr, remotePort}`    | the reserved-port socket  | `{ok, method, description, ownMark, handle}` (+ its netlink socket) |
 * | `{v:1, op:"unguard", handle}`                  | none                      | `{ok}`                                 |
 *
 * `family` is 4 or 6. `remoteAddr` is an IPv4 address as a u32, or an IPv6 address as its canonical RFC 5952 text
 * (any other spelling is refused: the helper compares, it does not normalise). The local side of every flow is not
 * asked for: it is read from the reserved-port socket the client passes, a bound TCP socket that proves the port is
 * the client's, and whose family must be the remote address's. The interface, the socket mark and the firewall method are
 * fixed when the helper starts (by the still-privileged parent), not per request.
 *
 * @module
 */

import { tryParseIpv6Address } from "../wire/mod.ts";

/** The protocol's version; a request of another version is refused. */
export const PROTOCOL_VERSION = 1;

/** A request the helper accepts. */
export type HelperRequest =
  | { readonly op: "sender"; readonly family: 4 | 6 }
  | { readonly op: "receiver"; readonly remoteAddr: number | string; readonly remotePort: number }
  | { readonly op: "guard"; readonly remoteAddr: number | string; readonly remotePort: number }
  | { readonly op: "unguard"; readonly handle: number };

/** How many descriptors each request comes with. */
export const REQUEST_FDS: Readonly<Record<HelperRequest["op"], number>> = {
  sender: 0,
  receiver: 1,
  guard: 1,
  unguard: 0,
};

/** A reply: `ok` with the request's fields, or a refusal with one sentence. */
export type HelperReply =
  | { readonly ok: true; readonly [field: string]: unknown }
  | { readonly ok: false; readonly error: string };

const FIELDS: Readonly<Record<HelperRequest["op"], readonly string[]>> = {
  sender: ["family"],
  receiver: ["remoteAddr", "remotePort"],
  guard: ["remoteAddr", "remotePort"],
  unguard: ["handle"],
};

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Encodes a request (the client's side).
 *
 * @example
 * ```ts
 * channel.send(encodeRequest({ op: "receiver", remoteAddr: 0xc6120202, remotePort: 80 }), [reserved.fd]);
 * ```
 */
export function encodeRequest(request: HelperRequest): Uint8Array {
  return encoder.encode(JSON.stringify({ v: PROTOCOL_VERSION, ...request }));
}

/**
 * Decodes and checks a request, or says in one sentence why it is refused: not JSON, another version, an unknown
 * operation, a missing, extra or out-of-range field, or the wrong number of descriptors.
 *
 * @example
 * ```ts
 * decodeRequest(bytes, 1); // { op: "receiver", remoteAddr: 3323069954, remotePort: 80 } or "…"
 * ```
 */
export function decodeRequest(bytes: Uint8Array, fdCount: number): HelperRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return "the request is not JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "the request is not an object";
  const fields = value as Record<string, unknown>;
  if (fields.v !== PROTOCOL_VERSION) return `the request is not of protocol version ${PROTOCOL_VERSION}`;
  const op = fields.op;
  if (typeof op !== "string" || !Object.hasOwn(FIELDS, op)) return `there is no operation ${JSON.stringify(op)}`;
  const known = FIELDS[op as HelperRequest["op"]];
  const extra = Object.keys(fields).filter((k) => k !== "v" && k !== "op" && !known.includes(k));
  if (extra.length > 0) return `the ${op} request has unknown fields (${extra.join(", ")})`;
  for (const key of known) {
    const why = fieldProblem(key, fields[key]);
    if (why !== null) return `the ${op} request's ${key} ${why}`;
  }
  const wanted = REQUEST_FDS[op as HelperRequest["op"]];
  if (fdCount !== wanted) return `the ${op} request came with ${fdCount} descriptors instead of ${wanted}`;
  return { op, ...Object.fromEntries(known.map((k) => [k, fields[k]])) } as HelperRequest;
}

/** What is wrong with one field's value, or null when it is right. */
function fieldProblem(key: string, v: unknown): string | null {
  if (key === "remoteAddr" && typeof v === "string") {
    // Canonical text only: the filter and the rules are built from it, and two spellings must not be two flows.
    return tryParseIpv6Address(v) === v ? null : "is not an IPv6 address in canonical form";
  }
  if (key === "family") return v === 4 || v === 6 ? null : "is not 4 or 6";
  const [low, high] = key === "remoteAddr" ? [1, 0xffffffff] : key === "remotePort" ? [1, 65535] : [1, 2 ** 31];
  if (typeof v !== "number" || !Number.isInteger(v) || v < low || v > high) {
    return `is not an integer from ${low} to ${high}`;
  }
  return null;
}

/**
 * Encodes a reply (the helper's side).
 *
 * @example
 * ```ts
 * encodeReply({ ok: false, error: "the socket is listening" });
 * ```
 */
export function encodeReply(reply: HelperReply): Uint8Array {
  return encoder.encode(JSON.stringify(reply));
}

/**
 * Decodes a reply (the client's side); a reply that is not one is reported as a refusal.
 *
 * @example
 * ```ts
 * const reply = decodeReply(bytes);
 * if (!reply.ok) throw new Error(reply.error);
 * ```
 */
export function decodeReply(bytes: Uint8Array): HelperReply {
  try {
    const value = JSON.parse(decoder.decode(bytes));
    if (typeof value === "object" && value !== null && typeof value.ok === "boolean") {
      return value.ok ? value : { ok: false, error: String(value.error) };
    }
  } catch { /* reported below */ }
  return { ok: false, error: "the helper's reply is not one" };
}
