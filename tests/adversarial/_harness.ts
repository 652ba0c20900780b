/**
 * Runs our real program (`main.ts`) in the testbed's client namespace against the scripted raw peer in the server
 * namespace, and collects what happened: exit code, message, the peer's log, the frames we sent (from `--pcap`) and
 * the saved file.
 *
 * @module
 */

import { readPcap } from "../wire/_helpers.ts";
import { parseIpv4Address } from "../../src/wire/address.ts";
import { parseIpv4 } from "../../src/wire/ipv4.ts";
import { parseTcp } from "../../src/wire/tcp.ts";
import type { TcpRepr } from "../../src/wire/tcp_repr.ts";
import { type Testbed, testbedTest } from "../testbed/testbed.ts";
import { makeOpenTempDir, readOrNull } from "../_support/files.ts";
import { denoRun, mainCommand } from "../_support/program.ts";
import { PEER_TTL } from "./_frame_builder.ts";
import type { PeerStep } from "./_raw_peer_child.ts";

export type { PeerStep } from "./_raw_peer_child.ts";

const PEER = new URL("./_raw_peer_child.ts", import.meta.url).pathname;
const CLIENT = parseIpv4Address("198.18.1.2");

/** A peer script. */
export interface PeerScript {
  /** Response head (status line and headers, blank line included). */
  head: string;
  /** Body bytes after the head. */
  bodyLength: number;
  /** The body (base64) instead of the built-in pattern. */
  bodyBase64?: string;
  /** What the peer does. */
  steps: PeerStep[];
}

/** One frame of our program's pcap. */
export interface TraceEntry {
  /** Direction seen from our program. */
  dir: "in" | "out";
  /** The TCP segment, or null when the frame does not parse. */
  seg: TcpRepr | null;
}

/** What one case produced. */
export interface CaseResult {
  /** How long our program ran, in ms. */
  clientMs: number;
  /** Our program's exit code. */
  code: number;
  /** Our program's standard error. */
  stderr: string;
  /** The peer's exit code (0: every step completed). */
  peerCode: number;
  /** The peer's standard error. */
  peerStderr: string;
  /** Segments our program sent, in order (from its pcap). */
  sent: TcpRepr[];
  /** Frames our program received after its BPF filter (from its pcap). */
  receivedFrames: number;
  /** Every frame of the pcap in order: `in` (received, `seg` null when unparsable) or `out` (sent). */
  trace: TraceEntry[];
  /** The saved file, or null when nothing was saved (`-O` creates the file empty before connecting, as wget does). */
  file: Uint8Array | null;
  /** Whether `OUT.part` exists. */
  part: boolean;
  /** Offset of the body in the peer's stream (the head's length). */
  headLength: number;
}

/** Drops the server kernel's RSTs for the peer's ports 9000-9999 (it has no socket there); the peer's own RSTs use
 * another TTL ({@linkcode PEER_TTL}) and pass. */
export async function installPeerRstDrop(tb: Testbed): Promise<void> {
  const rules = "add table ip rhg_peer\n" +
    "add chain ip rhg_peer out { type filter hook output priority 0; }\n" +
    `add rule ip rhg_peer out tcp sport 9000-9999 tcp flags & rst == rst ip ttl != ${PEER_TTL} drop\n`;
  const path = `${tb.tempDir}/peer.nft`;
  await Deno.writeTextFile(path, rules);
  const r = await tb.execIn("server", ["nft", "-f", path]);
  if (r.code !== 0) throw new Error(`Cannot install the peer's RST rule: ${r.stderr}`);
}

/** The usual end of a script: the rest of the stream, our FIN, and the client's FIN (or RST). */
export const FINISH: PeerStep[] = [{ stream: {} }, { send: { flags: "FA", seqAt: "end" } }, { awaitEnd: {} }];

/** The usual start of a script: accept, read the request, deliver the stream up to offset `to`, all ACKed. */
export function upTo(to: number): PeerStep[] {
  return [{ accept: {} }, { awaitRequest: {} }, { stream: { to } }];
}

/**
 * A network test against the raw peer: one testbed (no HTTP server) with the peer's RST rule for all its steps, and
 * no namespace left afterwards.
 */
export function peerTest(name: string, fn: (t: Deno.TestContext, tb: Testbed) => Promise<void>): void {
  testbedTest(name, { servers: [] }, async (t, tb) => {
    await installPeerRstDrop(tb);
    await fn(t, tb);
  });
}

let nextPort = 9000;

async function macOf(tb: Testbed): Promise<string> {
  const r = await tb.execIn("router", ["ip", "-j", "link", "show", tb.ifs.routerToServer]);
  return JSON.parse(r.stdout)[0].address;
}

/** A standard head for a body of `n` bytes. */
export function okHead(n: number): string {
  return `HTTP/1.1 200 OK\r\nContent-Length: ${n}\r\nConnection: close\r\n\r\n`;
}

/** Plays `script` against `main.ts --timeout timeoutS`; both processes are killed after `limitMs`. */
export async function runCase(
  tb: Testbed,
  script: PeerScript,
  opts: { timeoutS?: number; limitMs?: number; args?: string[]; quiet?: boolean } = {},
): Promise<CaseResult> {
  const port = nextPort++;
  const dir = await makeOpenTempDir({ dir: tb.tempDir, prefix: `case-${port}-` });
  const out = `${dir}/out.bin`, pcap = `${dir}/trace.pcap`;
  const peer = tb.spawnIn("server", denoRun(PEER, [], ["--allow-all"]), { stdin: "piped" });
  const writer = peer.stdin.getWriter();
  const routerMac = await macOf(tb);
  await writer.write(new TextEncoder().encode(JSON.stringify({ port, routerMac, ...script })));
  await writer.close();
  const peerOut = peer.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let early = "";
  while (!early.includes("ready")) {
    const { value, done } = await peerOut.read();
    if (done) throw new Error(`The raw peer did not start: ${early}`);
    early += value;
  }
  const client = tb.spawnClient(mainCommand([
    ...(opts.quiet === false ? [] : ["-q"]),
    "--tries",
    "1", // the peer plays one connection
    "--timeout",
    String(opts.timeoutS ?? 5),
    "--pcap",
    pcap,
    "-O",
    out,
    ...(opts.args ?? []),
    `http://198.18.2.2:${port}/file.bin`,
  ]));
  const killer = setTimeout(() => {
    for (const p of [client, peer]) {
      try {
        p.kill("SIGKILL");
      } catch { /* exited */ }
    }
  }, opts.limitMs ?? 20_000);
  const clientStart = performance.now();
  let clientMs = 0;
  const clientDone = client.output().then((o) => {
    clientMs = performance.now() - clientStart;
    return o;
  });
  const [cOut, pErr] = await Promise.all([clientDone, new Response(peer.stderr).text(), drain(peerOut)]);
  const peerStatus = await peer.status;
  clearTimeout(killer);
  const trace = await readTrace(pcap);
  const sent = trace.flatMap((e) => e.dir === "out" && e.seg !== null ? [e.seg] : []);
  const receivedFrames = trace.filter((e) => e.dir === "in").length;
  return {
    clientMs,
    code: cOut.code,
    stderr: new TextDecoder().decode(cOut.stderr),
    peerCode: peerStatus.code,
    peerStderr: pErr,
    sent,
    receivedFrames,
    trace,
    file: await nonEmptyOrNull(out),
    part: (await readOrNull(`${out}.part`)) !== null,
    headLength: new TextEncoder().encode(script.head).length,
  };
}

/** The bytes of `path`, or null when it is missing or empty. */
async function nonEmptyOrNull(path: string): Promise<Uint8Array | null> {
  const bytes = await readOrNull(path);
  return bytes === null || bytes.length === 0 ? null : bytes;
}

/** Reads a pcap written by `--pcap` (empty when there is none: the program failed before connecting). */
export async function readTrace(path: string): Promise<TraceEntry[]> {
  const bytes = await readOrNull(path);
  if (bytes === null) return [];
  return readPcap(bytes).records.map((rec) => {
    let seg: TcpRepr | null = null, dir: "in" | "out" = "in";
    try {
      const ip = parseIpv4(rec.data, { verifyChecksum: false });
      dir = ip.src === CLIENT ? "out" : "in";
      seg = parseTcp(ip.payload);
    } catch { /* a malformed frame we received */ }
    return { dir, seg };
  });
}

/** The segments our program sent after the `n`-th received frame and before the next one. */
export function answersTo(trace: TraceEntry[], n: number): TcpRepr[] {
  let seen = -1;
  const out: TcpRepr[] = [];
  for (const e of trace) {
    if (e.dir === "in") {
      seen++;
      if (seen > n) break;
    } else if (seen === n && e.seg !== null) out.push(e.seg);
  }
  return out;
}

/** Index (among received frames) of the first received frame matching `pred`, or -1. */
export function findReceived(trace: TraceEntry[], pred: (seg: TcpRepr | null) => boolean): number {
  let i = -1;
  for (const e of trace) {
    if (e.dir !== "in") continue;
    i++;
    if (pred(e.seg)) return i;
  }
  return -1;
}

async function drain(reader: ReadableStreamDefaultReader<string>): Promise<void> {
  while (!(await reader.read()).done) { /* the peer's log is not needed */ }
}
