/**
 * Connections hand their large buffers on: the pool returns what was given back, by size, a few per size; a released
 * connection gives back its receive ring and send buffer and is CLOSED.
 *
 * @module
 */

import assert from "node:assert/strict";
import { TcpConnection } from "../../src/tcp/mod.ts";
import { BufferPool } from "../../src/transport/mod.ts";

Deno.test("BufferPool.take() returns what give() kept, by size; fresh memory otherwise", () => {
  const pool = new BufferPool();
  const a = pool.take(1000);
  assert.equal(a.length, 1000);
  pool.give(a);
  pool.give(a); // twice is once
  assert.equal(pool.take(2000).length, 2000);
  assert.equal(pool.take(1000), a);
  assert.notEqual(pool.take(1000), a);
});

Deno.test("BufferPool keeps a few buffers per size, not every one", () => {
  const pool = new BufferPool();
  const given: Uint8Array[] = Array.from({ length: 10 }, () => new Uint8Array(64));
  for (const b of given) pool.give(b);
  const back = new Set(Array.from({ length: 10 }, () => pool.take(64)));
  assert.equal([...back].filter((b) => given.includes(b)).length, 4);
});

Deno.test("TcpConnection.release() gives the ring and the send buffer back, and the next connection reuses them", () => {
  const pool = new BufferPool();
  const options = { localPort: 40000, remotePort: 80, mss: 1460, isn: 1, recvBufferSize: 65536, buffers: pool };
  const taken: Uint8Array[] = [];
  const spy = { take: (n: number) => (taken.push(pool.take(n)), taken.at(-1)!), give: (b: Uint8Array) => pool.give(b) };
  const first = new TcpConnection({ ...options, buffers: spy });
  first.connect(0);
  first.release();
  first.release();
  assert.equal(first.state, "CLOSED");
  assert.equal(first.read(), null);
  const second = new TcpConnection({ ...options, buffers: spy });
  assert.equal(taken.length, 4);
  assert.deepEqual(new Set(taken.slice(2)), new Set(taken.slice(0, 2)), "the second took the first one's buffers");
  second.connect(0);
  assert.equal(second.state, "SYN-SENT");
});
