/**
 * HTTPS with a stalled reader, for the backpressure test:
 * `deno run --allow-ffi tests/https/slow_reader.ts URL CA_FILE OUT STALL_MS` (CA_FILE `plain` for http:// without
 * TLS). Once the first body bytes arrive, the stream under TLS stops being read for STALL_MS: its buffer fills, the
 * driver must stop reading the receive ring, and our window must close (segments we send with window 0 are counted
 * by a frame tap); after that every byte must still arrive. Prints a JSON summary on stdout.
 *
 * The stall is on the TcpDuplex, not on the TLS socket: in Deno 2.9.6, `TLSSocket.pause()` does not stop it reading
 * the underlying stream, and a TLS socket resumed after its stream ended never emits "end".
 *
 * @module
 */

import { openFile } from "../../ffi/fs.ts";
import { parseUrl } from "../../src/http/url.ts";
import type { FrameTap } from "../../src/net/driver.ts";
import { TcpDuplex } from "../../src/net/tcp_duplex.ts";
import { openTcpStream, runOverStream } from "../../src/net/tcp_stream.ts";
import { loadTrustStore, startTls, tlsHandshake } from "../../src/net/tls.ts";

const [href, caFile, outPath, stallArg] = Deno.args;
const url = parseUrl(href);
let zeroWindows = 0;
const tap: FrameTap = {
  sent(_frame, seg) {
    if (seg.window === 0) zeroWindows++;
  },
  received() {},
};
const c = await openTcpStream({ host: url.host, port: url.port, timeoutMs: 30_000, tap });
const out = openFile(outPath, { write: true, create: true, truncate: true });
const duplex = new TcpDuplex(c.driver);
const plain = caFile === "plain";
const stream = plain ? duplex : startTls(duplex, { host: url.host, ca: loadTrustStore(caFile) });
const run = c.driver.run(duplex).then((outcome) => {
  duplex.connectionEnded(null);
  return outcome;
});
if (!plain) await tlsHandshake(stream as ReturnType<typeof startTls>, url.host, true);

let pausedSeen = false;
let stalled = false;
let head: number[] | null = [];
const ended = runOverStream({
  onConnected: () => new TextEncoder().encode(`GET ${url.path} HTTP/1.0\r\nHost: ${url.host}\r\n\r\n`),
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
      duplex.pause();
      const watch = setInterval(() => (pausedSeen ||= c.driver.readingPaused), 5);
      setTimeout(() => {
        clearInterval(watch);
        duplex.resume();
      }, Number(stallArg));
    }
  },
  onPeerClosed() {},
}, stream);
const outcome = await run;
await ended;
out.close();
await c.close();
console.log(JSON.stringify({ outcome, zeroWindows, pausedSeen, tcp: c.tcpStats }));
