/**
 * The adversarial peer: a scripted HTTP "server" that speaks raw TCP itself, so a test can send our real program
 * exactly the frames it wants. Runs in the testbed's server namespace (root), with raw sockets from `ffi/` and frames
 * from `_frame_builder.ts`; the test first installs an nft rule there that drops the server kernel's own RSTs.
 *
 * Run: `deno run --allow-all _raw_peer_child.ts < script.json`; prints `ready` once it listens, one JSON line per frame
 * received from the client (`{"in": {flags, seq, ack, len, win}}`, seq/ack relative to the ISNs), then `done`.
 * Exits 1 (with the reason on stderr) when a step times out.
 *
 * A script is `{ port, head, bodyLength, bodyBase64?, routerMac?, steps }`: the peer's byte stream is `head` followed by
 * `bodyLength` bytes of `bodyBase64` or else of `bodyByte()`; offsets below are in that stream. Steps:
 * - `{ "accept": { window?, options? } }`: wait for the SYN, answer SYN-ACK (options: hex, default MSS 1460);
 * - `{ "awaitRequest": {} }`: wait until the client's data ends with a blank line;
 * - `{ "stream": { to? } }`: deliver the stream reliably from the client's ACK up to `to` (default: all),
 *   within the client's window, resending from its ACK after 200 ms without progress;
 * - `{ "send": SendSpec }`: one frame (see {@linkcode SendSpec});
 * - `{ "set": { window?, autoAck? } }`: our advertised window; whether client data is ACKed at once (default yes);
 * - `{ "sleep": ms }`: keep receiving (and auto-ACKing) for `ms`;
 * - `{ "awaitEnd": {} }`: wait for the client's FIN or RST.
 *
 * @module
 */

import { openRawReceiver, openRawSender } from "../../ffi/raw_socket.ts";
import { ipv4, parseIpv4Address } from "../../src/wire/address.ts";
import { emitIcmpv4Error } from "../../src/wire/icmp.ts";
import { emitIpv4, parseIpv4 } from "../../src/wire/ipv4.ts";
import { parseTcp } from "../../src/wire/tcp.ts";
import { bodyBytes, buildFrame, parseFlags } from "./_frame_builder.ts";
import { PacketSender } from "./_packet_sender.ts";

/** One frame to send; every field is optional. */
export interface SendSpec {
  /** Flag letters (default "A", or "PA" with a payload). */
  flags?: string;
  /** Payload: the stream bytes [from, to). */
  from?: number;
  /** End of the payload range. */
  to?: number;
  /** Replace every payload byte with this value (a copy that must never reach the file). */
  fill?: number;
  /** Sequence number as a stream offset ("end": after the last byte); default `from`, else the highest genuine byte sent. */
  seqAt?: number | "end";
  /** Added to the sequence number. */
  seqDelta?: number;
  /** Added to the acknowledgment number (default: everything the client sent). */
  ackDelta?: number;
  /** Window field (default: the current one). */
  window?: number;
  /** Raw option bytes in hex. */
  options?: string;
  /** Data offset in words instead of the real one. */
  dataOffset?: number;
  /** Added to the IP total length. */
  ipLengthDelta?: number;
  /** Fragment offset (8-byte units) and MF flag. */
  fragment?: { offset: number; more: boolean };
  /** Spoil the IP header checksum. */
  badIpChecksum?: boolean;
  /** Spoil the TCP checksum. */
  badTcpChecksum?: boolean;
  /** Spoofed source address. */
  src?: string;
  /** Spoofed source port. */
  srcPort?: number;
}

/** An ICMP error "about" a segment of the client's, as a router (or an attacker posing as one) sends it. */
export interface IcmpSpec {
  /** ICMP type (3: destination unreachable). */
  type: number;
  /** ICMP code (1: host unreachable, 4: fragmentation needed). */
  code: number;
  /** Next-hop MTU of a "fragmentation needed". */
  mtu?: number;
  /** The quoted sequence number: the client's ISS, or its next sequence number now; plus `seqDelta`. */
  seq: "iss" | "next";
  /** Added to the quoted sequence number. */
  seqDelta?: number;
  /** The quoted source port instead of the client's (another flow). */
  srcPort?: number;
  /** The reporter's address (default 198.18.2.77, a "router" on the server's subnet). */
  from?: string;
}

/** One step of a script (see the module doc). */
export type PeerStep =
  | { awaitSyn: Record<string, never> }
  | { icmp: IcmpSpec }
  | { accept: { window?: number; options?: string } }
  | { awaitRequest: Record<string, never> }
  | { stream: { to?: number } }
  | { send: SendSpec }
  | { set: { window?: number; autoAck?: boolean } }
  | { sleep: number }
  | { awaitEnd: Record<string, never> };

interface Script {
  port: number;
  head: string;
  bodyLength: number;
  bodyBase64?: string;
  routerMac?: string;
  steps: PeerStep[];
  stepTimeoutMs?: number;
}

const script: Script = JSON.parse(await new Response(Deno.stdin.readable).text());
const SERVER = parseIpv4Address("198.18.2.2");
const head = new TextEncoder().encode(script.head);
const stream = new Uint8Array(head.length + script.bodyLength);
stream.set(head);
const body = script.bodyBase64 === undefined
  ? bodyBytes(script.bodyLength)
  : Uint8Array.from(atob(script.bodyBase64), (c) => c.charCodeAt(0));
stream.set(body.subarray(0, script.bodyLength), head.length);
const stepTimeout = script.stepTimeoutMs ?? 10_000;

const rx = openRawReceiver({ rcvbuf: 4 << 20 });
const tx = openRawSender();
// Frames whose IP header lies go out through a packet socket: IP_HDRINCL would rewrite the length and checksum.
const ptx = script.routerMac === undefined ? null : new PacketSender("s-r", script.routerMac);
const buf = new Uint8Array(70_000);
const iss = 1_000_000;
let client = { addr: ipv4(0), port: 0, iss: 0, mss: 536 };
let rcvNxt = 0; // absolute: the client's next sequence number
let clientAck = 0; // stream offset the client has acknowledged
let clientWnd = 0;
let clientEnded = false;
let requestText = "";
let window = 65535;
let autoAck = true;
let synAcked = false;
let sndMax = 0; // stream offset after the last genuine byte sent

function send(spec: SendSpec): void {
  const from = spec.from ?? 0, to = spec.to ?? from;
  let payload: Uint8Array = stream.slice(from, to);
  if (spec.fill !== undefined) payload = new Uint8Array(payload.length).fill(spec.fill);
  const at = spec.seqAt === "end" ? stream.length : spec.seqAt ?? (spec.to !== undefined ? from : sndMax);
  const src = spec.src === undefined ? SERVER : parseIpv4Address(spec.src);
  const genuine = spec.fill === undefined && spec.src === undefined && spec.srcPort === undefined;
  if (genuine && spec.to !== undefined && spec.seqDelta === undefined) sndMax = Math.max(sndMax, to);
  if (genuine && spec.flags?.includes("F") && spec.seqDelta === undefined) sndMax = Math.max(sndMax, at + 1);
  const frame = buildFrame({
    src,
    dst: client.addr,
    srcPort: spec.srcPort ?? script.port,
    dstPort: client.port,
    seq: (iss + 1 + at + (spec.seqDelta ?? 0)) >>> 0,
    ack: (rcvNxt + (spec.ackDelta ?? 0)) >>> 0,
    flags: parseFlags(spec.flags ?? (payload.length > 0 ? "PA" : "A")),
    window: spec.window ?? window,
    options: spec.options === undefined ? undefined : fromHex(spec.options),
    payload,
    dataOffset: spec.dataOffset,
    fragment: spec.fragment,
    badIpChecksum: spec.badIpChecksum,
    badTcpChecksum: spec.badTcpChecksum,
    ipTotalLength: spec.ipLengthDelta === undefined ? undefined : 40 + to - from + spec.ipLengthDelta,
  });
  const lies = spec.ipLengthDelta !== undefined || spec.badIpChecksum === true;
  if (lies && ptx === null) throw new Error("A frame with a lying IP header needs routerMac in the script");
  if (lies) ptx!.send(frame);
  else tx.send(frame, client.addr);
}

/** Sends the ICMP error `spec` to the client, quoting a segment of its flow as it would have left. */
function sendIcmp(spec: IcmpSpec): void {
  const quoted = new Uint8Array(28);
  const q = new DataView(quoted.buffer);
  q.setUint8(0, 0x45);
  q.setUint16(2, 1500);
  q.setUint8(8, 63); // one hop on its way
  q.setUint8(9, 6);
  q.setUint32(12, client.addr);
  q.setUint32(16, SERVER);
  q.setUint16(20, spec.srcPort ?? client.port);
  q.setUint16(22, script.port);
  q.setUint32(24, ((spec.seq === "iss" ? client.iss : rcvNxt) + (spec.seqDelta ?? 0)) >>> 0);
  const message = emitIcmpv4Error(spec.type, spec.code, spec.mtu ?? 0, quoted);
  const frame = new Uint8Array(20 + message.length);
  const header = { dscp: 0, ecn: 0, identification: 0, dontFragment: false, ttl: 64, protocol: 1 };
  const from = parseIpv4Address(spec.from ?? "198.18.2.77");
  emitIpv4({ ...header, src: from, dst: client.addr, payloadLength: message.length }, frame, 0, message);
  tx.send(frame, client.addr);
}

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** Reads every queued frame of the client; returns after `ms` or as soon as `done()` holds. */
async function pump(ms: number, done: () => boolean = () => false): Promise<boolean> {
  const end = performance.now() + ms;
  for (;;) {
    for (let n = rx.recv(buf); n >= 0; n = rx.recv(buf)) handle(buf.subarray(0, n));
    if (done()) return true;
    const left = end - performance.now();
    if (left <= 0) return false;
    await rx.waitReadable(Math.min(left, 20));
  }
}

function handle(frame: Uint8Array): void {
  let ip, seg;
  try {
    ip = parseIpv4(frame);
    seg = parseTcp(ip.payload);
  } catch {
    return;
  }
  if (ip.dst !== SERVER || seg.dstPort !== script.port) return;
  if (client.port === 0) {
    if ((seg.flags & 0x3f) !== 0x02) return; // a SYN (ECE and CWR ask for ECN, RFC 3168: the peer ignores them)
    client = { addr: ip.src, port: seg.srcPort, iss: seg.seq, mss: seg.options.mss ?? 536 };
    rcvNxt = (seg.seq + 1) >>> 0;
  }
  if (ip.src !== client.addr || seg.srcPort !== client.port) return;
  const rel = (n: number) => (n - client.iss) >>> 0;
  console.log(JSON.stringify({
    in: {
      flags: seg.flags,
      seq: rel(seg.seq),
      ack: (seg.ack - iss) >>> 0,
      len: seg.payload.length,
      win: seg.window,
    },
  }));
  if ((seg.flags & 0x04) !== 0) {
    clientEnded = true;
    return;
  }
  if ((seg.flags & 0x10) !== 0) {
    const acked = (seg.ack - iss - 1) | 0;
    if (acked >= 0) synAcked = true;
    if (acked > clientAck && acked <= stream.length) clientAck = acked;
    clientWnd = seg.window;
  }
  let newData = false;
  if (seg.payload.length > 0 && seg.seq === rcvNxt) {
    requestText += new TextDecoder().decode(seg.payload);
    rcvNxt = (rcvNxt + seg.payload.length) >>> 0;
    newData = true;
  }
  if ((seg.flags & 0x01) !== 0 && ((seg.seq + seg.payload.length) >>> 0) === rcvNxt) {
    rcvNxt = (rcvNxt + 1) >>> 0;
    clientEnded = true;
    newData = true;
  }
  if (autoAck && (newData || (seg.payload.length > 0 && synAcked))) send({});
}

async function deliver(to: number): Promise<boolean> {
  let next = clientAck;
  let lastProgress = performance.now(), lastAck = clientAck;
  const chunk = Math.min(client.mss, 1400);
  const deadline = performance.now() + stepTimeout;
  while (clientAck < to) {
    if (clientEnded || performance.now() > deadline) return false;
    if (clientAck !== lastAck) [lastAck, lastProgress] = [clientAck, performance.now()];
    if (performance.now() - lastProgress > 200) [next, lastProgress] = [clientAck, performance.now()];
    if (next < clientAck) next = clientAck;
    const limit = Math.min(to, clientAck + Math.max(clientWnd, 1));
    while (next < limit) {
      const end = Math.min(limit, next + chunk);
      send({ from: next, to: end });
      next = end;
    }
    await pump(10, () => clientAck > lastAck);
  }
  return true;
}

async function run(step: PeerStep): Promise<boolean> {
  if ("awaitSyn" in step) return await pump(stepTimeout, () => client.port !== 0);
  if ("icmp" in step) {
    sendIcmp(step.icmp);
    return true;
  }
  if ("accept" in step) {
    if (!(await pump(stepTimeout, () => client.port !== 0))) return false;
    window = step.accept.window ?? window;
    send({ flags: "SA", seqAt: -1, options: step.accept.options ?? "020405b4" });
    return true;
  }
  if ("awaitRequest" in step) return await pump(stepTimeout, () => requestText.includes("\r\n\r\n"));
  if ("stream" in step) return await deliver(step.stream.to ?? stream.length);
  if ("send" in step) {
    send(step.send);
    return true;
  }
  if ("set" in step) {
    window = step.set.window ?? window;
    autoAck = step.set.autoAck ?? autoAck;
    return true;
  }
  if ("sleep" in step) {
    await pump(step.sleep);
    return true;
  }
  return await pump(stepTimeout, () => clientEnded);
}

console.log("ready");
for (const [i, step] of script.steps.entries()) {
  if (!(await run(step))) {
    console.error(`raw_peer: step ${i} ${JSON.stringify(step)} did not complete`);
    console.log("failed");
    rx.close();
    tx.close();
    Deno.exit(1);
  }
}
console.log("done");
await pump(200); // answer stragglers (a last FIN) before leaving
rx.close();
tx.close();
ptx?.close();
