/**
 * Child process of ipv6_network_test.ts, run with only `--allow-ffi` in one of two namespaces joined by a veth pair
 * (2001:2::1/64 on the first, 2001:2::2/64 on the second, a route MTU of 1400 on the first; 198.18.0.1 on both `lo`).
 * Modes: `route` and `port` (in the first), `receive` (in the second: prints `ready`, then the frames of the flow
 * 2001:2::1:40000 → 2001:2::2:80 that arrive, in hex, one a line), `send` (in the first: a SYN to port 81, then one
 * to port 80, through a raw IPv6 sender). Exits non-zero with the failed assertion on stderr.
 */

import { deepEqual, equal, notEqual, ok, throws } from "node:assert/strict";
import {
  BindError,
  EADDRINUSE,
  openFlowReceiver,
  openRawSender,
  OsError,
  reservedAddress,
  reservePort,
  RouteError,
  routeTo,
} from "../../ffi/mod.ts";
import { type Ipv6Address, ipv6ToBytes, parseIpv4Address, parseIpv6Address } from "../../src/wire/mod.ts";
import { buildFrame6 } from "./_frame.ts";

const A = parseIpv6Address("2001:2::1");
const B = parseIpv6Address("2001:2::2");
const V4 = parseIpv4Address("198.18.0.1");

const bytesOf = (address: Ipv6Address) => {
  const bytes = new Uint8Array(16);
  ipv6ToBytes(address, bytes);
  return bytes;
};
const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
/** The SYN the sender sends to `dstPort`. */
const syn = (dstPort: number): Uint8Array<ArrayBuffer> =>
  buildFrame6({ src: bytesOf(A), dst: bytesOf(B), srcPort: 40000, dstPort, flags: 0x02 });

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("it did not throw");
}

const mode = Deno.args[0];
if (mode === "route") {
  deepEqual(routeTo(B), { srcAddr: A, mtu: 1400 });
  deepEqual(routeTo(B, { srcAddr: A, device: "v6a" }), { srcAddr: A, mtu: 1400 });
  // The IPv4 form still answers with a number.
  equal(routeTo(V4).srcAddr, V4);
  const unrouted = caught(() => routeTo(parseIpv6Address("2001:2:0:9::1")));
  ok(unrouted instanceof RouteError, String(unrouted));
  equal(unrouted.message, "No route to 2001:2:0:9::1: Network is unreachable");
  const mixed = caught(() => routeTo(B, { srcAddr: V4 }));
  ok(mixed instanceof BindError, String(mixed));
  equal(mixed.message, "Cannot reach 2001:2::2 from 198.18.0.1: the source address is of the other IP version");
  const foreign = caught(() => routeTo(B, { srcAddr: parseIpv6Address("2001:2::99") }));
  ok(foreign instanceof BindError, String(foreign));
  equal(foreign.message, "Cannot use source address 2001:2::99: it is not an address of this machine");
} else if (mode === "port") {
  const reserved = reservePort(A);
  try {
    notEqual(reserved.port, 0);
    deepEqual(reservedAddress(reserved.fd), { addr: A, port: reserved.port });
    throws(() => reservePort(A, reserved.port), (e: unknown) => e instanceof OsError && e.errno === EADDRINUSE);
    // IPV6_V6ONLY: the same port on an IPv4 address is still free.
    reservePort(V4, reserved.port).close();
  } finally {
    reserved.close();
  }
  const v4 = reservePort(V4);
  deepEqual(reservedAddress(v4.fd), { addr: V4, port: v4.port });
  v4.close();
} else if (mode === "receive") {
  const rx = openFlowReceiver({ srcAddr: A, srcPort: 40000, dstAddr: B, dstPort: 80 }, { rcvbuf: 1 << 20 });
  console.log("ready");
  const buf = new Uint8Array(65536);
  // Up to 5 s for the first frame, then 300 ms of quiet ends the wait.
  for (let quietMs = 5000; await rx.waitReadable(quietMs); quietMs = 300) {
    for (let n = rx.recv(buf); n >= 0; n = rx.recv(buf)) console.log(hex(buf.subarray(0, n)));
  }
  rx.close();
} else if (mode === "send") {
  const tx = openRawSender({ family: 6, sndbuf: 1 << 20 });
  equal(tx.family, 6);
  throws(() => tx.send(syn(80), V4), /Cannot send to 198\.18\.0\.1 through an IPv6 raw sender/);
  ok(tx.send(syn(81), B), "the SYN to port 81 was not sent");
  ok(tx.send(syn(80), B), "the SYN to port 80 was not sent");
  tx.close();
  console.log(hex(syn(80)));
} else {
  throw new Error(`unknown mode ${mode}`);
}
if (mode === "route" || mode === "port") console.log(`${mode}: ok`);
