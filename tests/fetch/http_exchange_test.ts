/**
 * The HTTP exchange as a stream handler on a simulated link: the request goes out, the body reaches the output, a
 * full output pauses the stream (our window closes) until it drains, and bytes past Content-Length fail the
 * exchange and abort the connection.
 *
 * @module
 */

import assert from "node:assert/strict";
import { HttpExchange } from "../../src/fetch/mod.ts";
import type { Output } from "../../src/save/mod.ts";
import { TcpConnection } from "../../src/tcp/mod.ts";
import { Driver } from "../../src/transport/mod.ts";
import { SIM_FLOW, SimFrameLink } from "../sim/frame_link.ts";
import { body } from "../sim/prng.ts";
import { concatBytes } from "../wire/_helpers.ts";
import { httpResponse } from "../sim/streams.ts";

/** An output in memory that says "full" every `fullEvery` writes until a real-time drain. */
class MemoryOutput implements Output {
  readonly path = "memory";
  readonly chunks: Uint8Array[] = [];
  written = 0;
  fulls = 0;
  constructor(readonly fullEvery = 0) {}
  write(bytes: Uint8Array): boolean {
    this.chunks.push(bytes.slice());
    this.written += bytes.length;
    if (this.fullEvery === 0 || this.chunks.length % this.fullEvery !== 0) return true;
    this.fulls++;
    return false;
  }
  drained(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, 5));
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  commit(): Promise<void> {
    return Promise.resolve();
  }
  abandon(): Promise<void> {
    return Promise.resolve();
  }
  bytes(): Uint8Array {
    return concatBytes(this.chunks);
  }
}

function run(response: Uint8Array, output: MemoryOutput, recvBufferSize?: number) {
  const link = new SimFrameLink({ peer: { respond: () => response } });
  const conn = new TcpConnection({ localPort: 40000, remotePort: 80, mss: 1460, isn: 9, recvBufferSize });
  const driver = new Driver(link, conn, SIM_FLOW, { mss: 1460, clock: link.clock });
  const request = new TextEncoder().encode("GET /f HTTP/1.0\r\nHost: sim\r\n\r\n");
  const exchange = new HttpExchange(request, () => output);
  return { link, exchange, outcome: driver.run(exchange) };
}

Deno.test("HttpExchange sends its request and writes the body it parses to the output", async () => {
  const data = body(120_000);
  const out = new MemoryOutput();
  const { link, exchange, outcome } = run(httpResponse("200 OK", {}, data), out);
  assert.equal(await outcome, "normal");
  assert.equal(await exchange.closed, "normal");
  assert.equal(exchange.state, "complete");
  assert.equal(exchange.head?.status, 200);
  assert.deepEqual(out.bytes(), data);
  assert.equal(new TextDecoder().decode(new Uint8Array(link.peer.request)), "GET /f HTTP/1.0\r\nHost: sim\r\n\r\n");
});

Deno.test("HttpExchange pauses its stream while the output is full: the window closes, no byte is lost", async () => {
  const data = body(600_000);
  const out = new MemoryOutput(4);
  const { link, exchange, outcome } = run(httpResponse("200 OK", {}, data), out, 65536);
  assert.equal(await outcome, "normal");
  assert.equal(exchange.state, "complete");
  assert.deepEqual(out.bytes(), data);
  assert.ok(out.fulls > 0);
  assert.ok(
    link.sent.some((s) => s.window === 0 && s.payload.length === 0),
    "no zero window while the output was full",
  );
});

Deno.test("HttpExchange fails on bytes past Content-Length and aborts the connection", async () => {
  const response = httpResponse("200 OK", { "Content-Length": "10" }, "0123456789EXTRA");
  const out = new MemoryOutput();
  const { exchange, outcome } = run(response, out);
  const how = await outcome;
  assert.ok(how === "stopped" || how === "normal", how);
  assert.equal(exchange.state, "failed");
  assert.match(String(exchange.error), /5 bytes past its Content-Length of 10/);
});
