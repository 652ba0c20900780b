/**
 * HTTPS with a stalled reader, for the backpressure test:
 * `deno run --allow-ffi tests/https/_slow_reader_child.ts URL CA_FILE OUT STALL_MS`
 * (CA_FILE `plain` for http:// without TLS). Once the first body bytes arrive, the handler pauses its stream for
 * STALL_MS: under TLS the Duplex below the TLS socket fills and pauses the driver, which stops reading the receive
 * ring, and our window must close (segments we send with window 0 are counted by a frame tap); after that every byte
 * must still arrive. Prints a JSON summary on stdout.
 *
 * @module
 */

import { openFile } from "../../ffi/mod.ts";
import { parseUrl } from "../../src/http/mod.ts";
import { loadTrustStore, TlsLayer } from "../../src/fetch/secure.ts";
import {
  type ByteStream,
  type FrameTap,
  openTcpStream,
  segmentOf,
  type StreamHandler,
  type StreamOutcome,
} from "../../src/transport/mod.ts";

const [href, caFile, outPath, stallArg] = Deno.args;
const url = parseUrl(href);
let zeroWindows = 0;
const tap: FrameTap = {
  sent(frame) {
    if (segmentOf(frame)?.window === 0) zeroWindows++;
  },
  received() {},
};
const session = await openTcpStream({ host: url.host, port: url.port }, { timeoutMs: 30_000, tap });
const out = openFile(outPath, { write: true, create: true, truncate: true });

let pausedSeen = false;
let stalled = false;
let head: number[] | null = [];
let driver: (ByteStream & { readonly paused?: boolean }) | null = null;
let closed: (outcome: StreamOutcome) => void = () => {};
const finished = new Promise<StreamOutcome>((resolve) => (closed = resolve));
let stream: ByteStream | null = null;
const reader: StreamHandler = {
  onOpen(s) {
    stream = s;
    s.write(new TextEncoder().encode(`GET ${url.path} HTTP/1.0\r\nHost: ${url.host}\r\n\r\n`));
  },
  onData(bytes) {
    if (head !== null) {
      // Keep the response head out of the file: it ends at the first blank line.
      head.push(...bytes);
      const i = new TextDecoder("latin1").decode(new Uint8Array(head)).indexOf("\r\n\r\n");
      if (i < 0) return;
      bytes = new Uint8Array(head.slice(i + 4));
      head = null;
    }
    out.write(bytes as Uint8Array<ArrayBuffer>);
    if (!stalled) {
      stalled = true;
      stream!.pause();
      const watch = setInterval(() => (pausedSeen ||= driver?.paused === true), 5);
      setTimeout(() => {
        clearInterval(watch);
        stream!.resume();
      }, Number(stallArg));
    }
  },
  onEnd() {},
  onClosed: (outcome) => closed(outcome),
};
const top: StreamHandler = caFile === "plain" ? reader : new TlsLayer(reader, {
  host: url.host,
  ca: loadTrustStore(caFile),
  verify: true,
});
// Sees the driver's own stream, to tell whether the driver itself stopped reading.
const spy: StreamHandler = {
  onOpen(s) {
    driver = s;
    top.onOpen(s);
  },
  onData: (bytes) => top.onData(bytes),
  onEnd: () => top.onEnd(),
  onClosed: (outcome) => top.onClosed(outcome),
};
await session.run(spy);
const outcome = await finished;
out.close();
console.log(JSON.stringify({ outcome, zeroWindows, pausedSeen, tcp: session.tcpStats }));
await session.close();
