/** The IPv6 parts of ffi/ that need no root: sockaddr_in6, literal resolution, RST detection. */
import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import { isRst } from "../../ffi/raw_link.ts";
import { EAI_ADDRFAMILY, resolveAll, ResolveError, resolveIpv4All } from "../../ffi/resolve.ts";
import {
  decodeSockaddr,
  decodeSockaddrIn6,
  encodeSockaddr,
  encodeSockaddrIn6,
  SOCKADDR_IN6_LEN,
  SOCKADDR_IN_LEN,
} from "../../ffi/sockaddr.ts";
import { ipv6ToBytes, parseIpv4Address, parseIpv6Address } from "../../src/wire/mod.ts";
import { buildFrame, buildFrame6 } from "./_frame.ts";

const A6 = parseIpv6Address("2001:2::1");
const B6 = parseIpv6Address("2001:2::2");

function bytesOf(address: string): Uint8Array {
  const bytes = new Uint8Array(16);
  ipv6ToBytes(parseIpv6Address(address), bytes);
  return bytes;
}

Deno.test("encodeSockaddrIn6() writes family, port, zero flow label, address and zero scope, and decodes back", () => {
  const sa = encodeSockaddrIn6(parseIpv6Address("2001:2::a:1"), 0x1f90);
  equal(sa.length, SOCKADDR_IN6_LEN);
  equal(
    [...sa].join(","),
    "10,0,31,144,0,0,0,0,32,1,0,2,0,0,0,0,0,0,0,0,0,10,0,1,0,0,0,0",
  );
  deepEqual(decodeSockaddrIn6(sa), { addr: "2001:2::a:1", port: 8080 });
  throws(() => encodeSockaddrIn6(A6, 65536), RangeError);
  throws(() => encodeSockaddrIn6(0xc6120001 as never, 80), TypeError);
  throws(() => decodeSockaddrIn6(new Uint8Array(28)), /address family 0 is not AF_INET6/);
  throws(() => decodeSockaddrIn6(sa.subarray(0, 16)), /16 bytes are fewer than 28/);
});

Deno.test("encodeSockaddr() and decodeSockaddr() pick the structure by the address family", () => {
  const v4 = encodeSockaddr(parseIpv4Address("198.18.0.1"), 80);
  equal(v4.length, SOCKADDR_IN_LEN);
  deepEqual(decodeSockaddr(v4.bytes), { addr: 0xc6120001, port: 80 });
  const v6 = encodeSockaddr(B6, 443);
  equal(v6.length, SOCKADDR_IN6_LEN);
  deepEqual(decodeSockaddr(v6.bytes), { addr: "2001:2::2", port: 443 });
  throws(() => decodeSockaddr(new Uint8Array(28)), /neither AF_INET nor AF_INET6/);
});

Deno.test("resolveAll() parses IPv4 and IPv6 literals without a lookup, canonical and each once", async () => {
  deepEqual(await resolveAll("198.18.0.7"), [0xc6120007]);
  deepEqual(await resolveAll("2001:0002:0:0::0001"), ["2001:2::1"]);
  deepEqual(await resolveAll("2001:2::1", { family: "ipv6" }), ["2001:2::1"]);
  deepEqual(await resolveAll("198.18.0.7", { family: "ipv4" }), [0xc6120007]);
  // An IPv4-mapped address stands for its IPv4 address.
  deepEqual(await resolveAll("::ffff:198.18.0.7"), [0xc6120007]);
  deepEqual(await resolveIpv4All("198.18.0.7"), [0xc6120007]);
});

Deno.test("resolveAll() refuses a literal of the family that is not allowed, in one sentence", async () => {
  await rejects(resolveAll("2001:2::1", { family: "ipv4" }), (e: unknown) => {
    ok(e instanceof ResolveError);
    equal(e.gaiCode, EAI_ADDRFAMILY);
    equal(e.message, 'Cannot resolve host "2001:2::1": 2001:2::1 is an IPv6 address, and only IPv4 is allowed (-4)');
    return true;
  });
  await rejects(resolveAll("198.18.0.7", { family: "ipv6" }), (e: unknown) => {
    ok(e instanceof ResolveError);
    equal(e.message, 'Cannot resolve host "198.18.0.7": 198.18.0.7 is an IPv4 address, and only IPv6 is allowed (-6)');
    return true;
  });
  await rejects(resolveIpv4All("2001:2::1"), /only IPv4 is allowed/);
  await rejects(resolveAll("", { family: "ipv6" }), ResolveError);
});

Deno.test("isRst() reads an IPv6 frame's next header and TCP flags at 40, and still an IPv4 frame's", () => {
  const spec = { src: bytesOf(A6), dst: bytesOf(B6), srcPort: 40000, dstPort: 80 };
  ok(isRst(buildFrame6({ ...spec, flags: 0x04 })));
  ok(isRst(buildFrame6({ ...spec, flags: 0x14 })));
  ok(!isRst(buildFrame6({ ...spec, flags: 0x02 })));
  ok(!isRst(buildFrame6({ ...spec, flags: 0x18 })));
  const udp = buildFrame6({ ...spec, flags: 0x04 });
  udp[6] = 17; // not TCP: the byte at 53 is no TCP flag
  ok(!isRst(udp));
  const v4 = buildFrame({ src: 0xc6120001, dst: 0xc6120002, srcPort: 40000, dstPort: 80 });
  ok(!isRst(v4));
  v4[20 + 13] = 0x04;
  ok(isRst(v4));
});
