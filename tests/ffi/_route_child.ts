/** Child of net_test.ts, run in a namespace whose only interface is lo with 198.18.0.1 and 198.18.0.2. */
import { deepEqual, equal, ok } from "node:assert/strict";
import { RouteError, routeTo } from "../../ffi/mod.ts";
import { parseIpv4Address } from "../../src/wire/mod.ts";

const LOCAL = parseIpv4Address("198.18.0.2");
deepEqual(routeTo(LOCAL), { srcAddr: LOCAL, mtu: 65535 });
let caught: unknown;
try {
  routeTo(parseIpv4Address("198.19.0.1")); // no route in this namespace
} catch (e) {
  caught = e;
}
ok(caught instanceof RouteError, String(caught));
equal(caught.message, "No route to 198.19.0.1: Network is unreachable");
console.log("route: ok");
