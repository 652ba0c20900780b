/**
 * The one error type the wire codecs throw on hostile or broken input.
 *
 * Parsers throw `WireError` and nothing else for any byte string: callers drop the frame and count the `reason`.
 * Local misuse (an emit buffer that is too small, a field out of range) is a programming error and throws
 * `RangeError` instead.
 *
 * @module
 */

/** Why a frame was rejected; stable strings that callers may count or match on. */
export type WireErrorReason =
  /** The buffer ends before a field the header says is there. */
  | "truncated"
  /** The IP version nibble is not 4. */
  | "bad-version"
  /** The IPv4 header length (IHL) is below 5 words. */
  | "bad-ihl"
  /** The IPv4 total length is smaller than the header itself. */
  | "bad-total-length"
  /** The datagram is a fragment (MF set or a non-zero fragment offset). */
  | "fragment"
  /** The TCP data offset is below 5 words or beyond the segment. */
  | "bad-data-offset"
  /** A TCP option is malformed (bad length, runs past the header, impossible value). */
  | "bad-option"
  /** A header checksum does not verify. */
  | "bad-checksum"
  /** An ICMP message that reports no error about a TCP segment of ours (another type, a quote that is not TCP). */
  | "bad-icmp"
  /** An IPv6 extension header that runs past the payload, ESP, or too long a chain of them. */
  | "bad-extension";

/**
 * A frame that cannot be parsed. The message is one sentence in sentence case that names the part and quotes the
 * failing value, numbers as they are (`Cannot parse TCP options: kind 8 has length 9, expected 10`).
 *
 * @example
 * ```ts
 * try {
 *   parseTcp(bytes);
 * } catch (e) {
 *   if (e instanceof WireError && e.reason === "bad-checksum") stats.badChecksum++;
 *   else throw e;
 * }
 * ```
 */
export class WireError extends Error {
  /** The machine-readable cause. */
  readonly reason: WireErrorReason;

  /** Creates an error with a reason and a sentence-case message such as `Cannot parse TCP header: data offset 3 is below 5`. */
  constructor(reason: WireErrorReason, message: string) {
    super(message);
    this.name = "WireError";
    this.reason = reason;
  }
}
