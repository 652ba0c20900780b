import { equal, notEqual, ok, rejects, throws } from "node:assert/strict";
import { EADDRINUSE } from "../../ffi/errno.ts";
import { OsError } from "../../ffi/os_error.ts";
import { reservePort } from "../../ffi/port.ts";
import { ResolveError, resolveIpv4 } from "../../ffi/resolve.ts";
import { routeTo } from "../../ffi/route.ts";
import { decodeSockaddrIn, encodeSockaddrIn } from "../../ffi/sockaddr.ts";
import { requireRoot, run, runInNamespace, withNamespace } from "./_helpers.ts";

Deno.test("encodeSockaddrIn() puts port and address in network order and decodes back", () => {
  const sa = encodeSockaddrIn(0xc6120001, 0x1f90);
  equal([...sa].join(","), "2,0,31,144,198,18,0,1,0,0,0,0,0,0,0,0");
  equal(JSON.stringify(decodeSockaddrIn(sa)), JSON.stringify({ addr: 0xc6120001, port: 8080 }));
  throws(() => encodeSockaddrIn(2 ** 32, 1), RangeError);
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
  const route = routeTo(0x7f000001);
  equal(route.srcAddr, 0x7f000001);
  const lo = await run("ip", ["-o", "link", "show", "lo"]);
  const loMtu = Number(/ mtu (\d+)/.exec(lo.stdout)![1]);
  // The route MTU is capped at the largest IPv4 datagram, 65535, even though lo itself says 65536.
  equal(route.mtu, Math.min(loMtu, 65535));
});

Deno.test("routeTo() gives the local address in a namespace and RouteError where there is no route", async () => {
  if (!requireRoot()) return;
  const out = await withNamespace((ns) => runInNamespace(ns, "_route_child.ts"));
  equal(out.trim(), "route: ok");
});

Deno.test("reservePort() holds a nonzero port that a second bind cannot take until close()", () => {
  const reserved = reservePort(0x7f000001);
  try {
    notEqual(reserved.port, 0);
    throws(
      () => reservePort(0x7f000001, reserved.port),
      (e: unknown) => e instanceof OsError && e.errno === EADDRINUSE,
    );
  } finally {
    reserved.close();
  }
  reserved.close();
  const again = reservePort(0x7f000001, reserved.port);
  equal(again.port, reserved.port);
  again.close();
});
