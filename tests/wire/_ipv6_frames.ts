/**
 * IPv6 frames the kernel sent (curl to a Python server over 2001:2::/48 between two namespaces, checksum offload off,
 * captured with tcpdump), shared by the IPv6 codec tests and the IPv6 fuzzer so that there is one copy.
 *
 * @module
 */

import { fromHex } from "./_helpers.ts";

/** The client's SYN: MSS 1440 (1500 − 60), SACK-permitted, timestamps, window scale 10. */
export const SYN_FRAME: Uint8Array = fromHex(
  "60027e6b00280640200100020000000000000000000000012001000200000000000000000000000297081f90f380ee9300000000" +
    "a002fd2029d10000020405a00402080a8894bfd4000000000103030a",
);
/** The server's 16 bytes of HTTP body, "hello over ipv6\n". */
export const DATA_FRAME: Uint8Array = fromHex(
  "60078b2c0030064020010002000000000000000000000002200100020000000000000000000000011f9097086cb07c60f380eee9" +
    "8018003fea7200000101080a2c84751e8894bfda68656c6c6f206f76657220697076360a",
);
/** An MLDv2 report: a Hop-by-Hop Options header (router alert) before ICMPv6. */
export const MLD_FRAME: Uint8Array = fromHex(
  "6000000000380001fe80000000000000e40dc5fffe726ba9ff0200000000000000000000000000163a000502000001008f00eea8" +
    "0000000204000000ff0200000000000000000001ff00000104000000ff0200000000000000000001ff726ba9",
);
