import { equal, notEqual, ok, rejects, throws } from "node:assert/strict";
import { EADDRINUSE } from "../../ffi/errno.ts";
import { OsError } from "../../ffi/os_error.ts";
import { reservePort } from "../../ffi/port.ts";
import { ResolveError, resolveIpv4 } from "../../ffi/resolve.ts";
import { routeTo } from "../../ffi/route.ts";
import { decodeSockaddrIn, encodeSockaddrIn } from "../../ffi/sockaddr.ts";
import { parseIpv4Address } from "../../src/wire/mod.ts";
import { exec } from "../_support/exec.ts";
import { networkTest } from "../_support/root.ts";
import { runInNamespace, withNamespace } from "./_helpers.ts";

const LOOPBACK = parseIpv4Address("127.0.0.1");

Deno.test("encodeSockaddrIn() puts port and address in network order and decodes back", () => {
  const sa = encodeSockaddrIn(parseIpv4Address("198.18.0.1"), 0x1f90);
  equal([...sa].join(","), "2,0,31,144,198,18,0,1,0,0,0,0,0,0,0,0");
  equal(JSON.stringify(decodeSockaddrIn(sa)), JSON.stringify({ addr: 0xc6120001, port: 8080 }));
  throws(() => encodeSockaddrIn(2 ** 32 as never, 1), RangeError);
  throws(() => decodeSockaddrIn(new Uint8Array(16)), /address family 0 is not AF_INET/);
});

Deno.test("resolveIpv4() parses literals and resolves localhost through /etc/hosts", async () => {
  equal(await resolveIpv4("198.18.0.7"), 0xc6120007);
  equal(await resolveIpv4("localhost"), 0x7f000001);
});

Deno.test("resolveIpv4() rejects an unknown name with ResolveError and gai_strerror's text", async () => {
  await rejects(resolveIpv4("no-such-host.invalid"), (e: unknown) => {
    ok(e instanceof ResolveError);
    equal(e.message, 'Cannot resolve host "no-such-host.invalid": Name or service not known');
    return true;
  });
  await rejects(resolveIpv4(""), ResolveError);
});

Deno.test("routeTo(127.0.0.1) gives source 127.0.0.1 and the loopback MTU", async () => {
  const route = routeTo(LOOPBACK);
  equal(route.srcAddr, LOOPBACK);
  const lo = await exec(["ip", "-o", "link", "show", "lo"]);
  const loMtu = Number(/ mtu (\d+)/.exec(lo.stdout)![1]);
  // The route MTU is capped at the largest IPv4 datagram, 65535, even though lo itself says 65536.
  equal(route.mtu, Math.min(loMtu, 65535));
});

networkTest("routeTo() gives the local address in a namespace and RouteError where there is no route", async () => {
  const out = await withNamespace((ns) => runInNamespace(ns, "_route_child.ts"));
  equal(out.trim(), "route: ok");
});

Deno.test("reservePort() holds a nonzero port that a second bind cannot take until close()", () => {
  const reserved = reservePort(LOOPBACK);
  try {
    notEqual(reserved.port, 0);
    throws(
      () => reservePort(LOOPBACK, reserved.port),
      (e: unknown) => e instanceof OsError && e.errno === EADDRINUSE,
    );
  } finally {
    reserved.close();
  }
  reserved.close();
  const again = reservePort(LOOPBACK, reserved.port);
  equal(again.port, reserved.port);
  again.close();
});
