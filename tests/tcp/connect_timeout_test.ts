/** Packet scripts: the connect timeout bounds SYN-SENT alone; once established, only the user timeout counts. */

import assert from "node:assert/strict";
import { TcpConnection } from "../../src/tcp/connection.ts";
import { resolveOptions } from "../../src/tcp/options.ts";
import { events, expectSent, scriptOptions, sendSeg, stateOf, tick } from "./_script.ts";

Deno.test("connectTimeoutMs ends an unanswered SYN-SENT before the user timeout would", () => {
  const conn = new TcpConnection(scriptOptions({ userTimeoutMs: 10000, connectTimeoutMs: 2500 }));
  conn.connect(0);
  expectSent(conn, 0, [{ flags: "SYN" }]);
  tick(conn, 1000);
  expectSent(conn, 1000, [{ flags: "SYN" }]);
  assert.equal(conn.pollTimeout(), 2500);
  tick(conn, 2499);
  assert.equal(stateOf(conn), "SYN-SENT");
  tick(conn, 2500);
  assert.equal(stateOf(conn), "CLOSED");
  assert.deepEqual(events(conn), ["closed:timeout"]);
});

Deno.test("after the handshake the connect timeout no longer applies: silence ends at the user timeout", () => {
  const conn = new TcpConnection(scriptOptions({ userTimeoutMs: 10000, connectTimeoutMs: 500 }));
  conn.connect(0);
  expectSent(conn, 0, [{ flags: "SYN", seq: 100 }]);
  sendSeg(conn, 100, { flags: "SYN ACK", seq: 1000, ack: 101, mss: 1460 });
  assert.equal(stateOf(conn), "ESTABLISHED");
  tick(conn, 5000);
  assert.equal(stateOf(conn), "ESTABLISHED");
  tick(conn, 10100);
  assert.equal(stateOf(conn), "CLOSED");
  assert.deepEqual(events(conn).at(-1), "closed:timeout");
});

Deno.test("connectTimeoutMs defaults to the user timeout, and is checked like it", () => {
  const base = { localPort: 1, remotePort: 2, mss: 1460, isn: 0 };
  assert.equal(resolveOptions(base).connectTimeoutMs, 60000);
  assert.equal(resolveOptions({ ...base, userTimeoutMs: 7000 }).connectTimeoutMs, 7000);
  assert.throws(() => resolveOptions({ ...base, connectTimeoutMs: 0 }), RangeError);
  assert.throws(() => resolveOptions({ ...base, connectTimeoutMs: 1.5 }), TypeError);
});
