/**
 * Opening a stream through our stack: resolve the host, find the route, reserve a local port, open the raw frame
 * link with a BPF filter for our exact 4-tuple (through the privileged opener), silence the kernel's RSTs, and build the TCP connection and its
 * driver. Everything acquired is released by the session's `close()` (or here, when opening fails).
 *
 * @module
 */

import { BindError, reservePort, resolveAll, routeTo } from "../../ffi/mod.ts";
import { TcpConnection } from "../tcp/mod.ts";
import { formatAddressPort, formatIpAddress, type IpAddress, ipVersion, isIpv6Address } from "../wire/mod.ts";
import { CONNECTION_BUFFERS } from "./buffer_pool.ts";
import { Driver } from "./driver.ts";
import type { DriverLoop } from "./driver_loop.ts";
import { failoverSession } from "./failover.ts";
import { familyLanes, happyEyeballs } from "./happy_eyeballs.ts";
import type { FirewallMode } from "./firewall.ts";
import type { Flow } from "./flow.ts";
import { type FrameLink, type FrameTap, TracingLink } from "./link.ts";
import { type FrameLinkKind, openFrameLink, startReceiveRing } from "./link_choice.ts";
import { type NetworkLayer, networkOf } from "./network.ts";
import { directOpener, type PrivilegedOpener } from "./opener.ts";
import { driverSession, type Endpoint, type StreamSession } from "./session.ts";
import { timestampOffset } from "./ts_clock.ts";
import type { ConnectionWatch, SegmentWatch } from "./watch.ts";

/**
 * In-order segments ACKed one by one at the start of each connection: about the server's first five round trips of
 * slow start (10, 20, 40, 80 segments…), at one ACK `sendto` each; later every second one, in batches.
 */
const QUICK_ACKS = 128;

/** Silence tolerated by default before a connection gives up (`--timeout`), in ms. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** How streams are opened: the transport's part of the program's options. */
export interface TransportOptions {
  /** Silence tolerated before giving up, in ms (default 60 s): the TCP user timeout (RFC 9293 §3.8.3). */
  readonly timeoutMs?: number;
  /** How long the handshake (SYN-SENT) may take, in ms (default 60 s), whatever `timeoutMs` says. */
  readonly connectTimeoutMs?: number;
  /** How long getaddrinfo may take, in ms (default: as long as libc's resolver takes). */
  readonly dnsTimeoutMs?: number;
  /** How the kernel's RSTs are silenced (default "auto"). */
  readonly firewall?: FirewallMode;
  /** Our source address (`--bind-address`): its family is then the only one tried. */
  readonly source?: IpAddress;
  /** Which address families are tried (`-4`, `-6`; default "any"). */
  readonly family?: AddressFamilyChoice;
  /** Which family goes first (`--prefer-family`; default "none": the resolver's order, RFC 6724). */
  readonly preferFamily?: PreferredFamily;
  /** The interface to leave by (`--interface`). */
  readonly device?: string;
  /** Observer of every frame as it crosses the link (`-v` traces, `--pcap`). */
  readonly tap?: FrameTap;
  /** Observer of whole connections (`--report`): told when a stream is ready, with the engine's gauges. */
  readonly watch?: ConnectionWatch;
  /** Observer of every segment the driver sends or accepts, already decoded (`--report`). */
  readonly segments?: SegmentWatch;
  /** TCP receive buffer in bytes (the largest advertised window). */
  readonly recvBufferSize?: number;
  /** `--limit-rate`: bytes per second read from each connection at most, through our receive window. */
  readonly rateLimit?: number;
  /** SO_MARK of our raw sender, which lets our own RSTs past our RST guard (default `OWN_RST_MARK`). */
  readonly socketMark?: number;
  /** Who opens the raw sender, the packet receiver and the guard (default: this process, see `directOpener`). */
  readonly opener?: PrivilegedOpener;
  /**
   * How frames are received: "auto" (a packet ring read in place when the kernel allows it, else recvmmsg), "ring"
   * or "recvmmsg" (the default, `DEFAULT_FRAME_LINK` in link_choice.ts says why).
   */
  readonly frameLink?: FrameLinkKind;
  /** Verify every TCP checksum, even those the kernel verified (default false). */
  readonly alwaysVerifyChecksums?: boolean;
  /** Messages every user sees unless `-q`: an address that failed and the next one tried. */
  readonly notice?: (message: string) => void;
  /** Verbose messages (resolving, the firewall, the 4-tuple). */
  readonly log?: (message: string) => void;
  /** The loop the run's connections share; absent: each connection runs its own. */
  readonly loop?: DriverLoop;
}

/** `-4` (`--inet4-only`) is "ipv4", `-6` (`--inet6-only`) is "ipv6". */
export type AddressFamilyChoice = "any" | "ipv4" | "ipv6";

/** `--prefer-family=IPv4|IPv6|none`. */
export type PreferredFamily = "none" | "ipv4" | "ipv6";

function randomU32(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

/**
 * Prepares a connection to `endpoint` through our own stack: every address of its name is tried, in turn within a
 * family (see `failover.ts`), and both families raced when the name has both (see `happy_eyeballs.ts`).
 *
 * @example
 * ```ts
 * const session = await openTcpStream({ host: "198.18.2.2", port: 80 }, { timeoutMs: 60000 });
 * try { await session.run(exchange); } finally { await session.close(); }
 * ```
 */
export async function openTcpStream(endpoint: Endpoint, options: TransportOptions = {}): Promise<StreamSession> {
  const log = options.log ?? (() => {});
  log(`Resolving ${endpoint.host}…`);
  const family = familyToTry(options);
  const addresses = await resolveAll(endpoint.host, { family, timeoutMs: options.dnsTimeoutMs });
  const resolvedAt = performance.now();
  if (addresses.length > 1) {
    log(`${endpoint.host} has ${addresses.length} addresses: ${addresses.map(formatIpAddress).join(", ")}`);
  }
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = performance.now();
  const lane = (list: readonly IpAddress[]) => () =>
    failoverSession(
      list,
      (address, ms) => openAttempt(address, endpoint.port, resolvedAt, { ...options, connectTimeoutMs: ms }),
      {
        connectTimeoutMs: Math.max(1, connectTimeoutMs - (performance.now() - started)),
        port: endpoint.port,
        notice: options.notice,
      },
    );
  const [first, second] = familyLanes(addresses, options.preferFamily);
  if (second.length === 0) return lane(first)();
  const names = [first, second].map((l) => (isIpv6Address(l[0]) ? "IPv6" : "IPv4")) as [string, string];
  return happyEyeballs(lane(first), lane(second), { names, log });
}

/**
 * The families to resolve: `-4`/`-6`, or the family of `--bind-address` (an address of one family can only reach
 * that family). Throws `BindError` when they contradict each other.
 */
function familyToTry(options: TransportOptions): AddressFamilyChoice {
  const chosen = options.family ?? "any";
  if (options.source === undefined) return chosen;
  const sourceFamily = isIpv6Address(options.source) ? "ipv6" : "ipv4";
  if (chosen !== "any" && chosen !== sourceFamily) {
    throw new BindError(
      `Cannot use source address ${formatIpAddress(options.source)} with ${
        chosen === "ipv4" ? "--inet4-only" : "--inet6-only"
      }: it is an ${sourceFamily === "ipv4" ? "IPv4" : "IPv6"} address`,
    );
  }
  return sourceFamily;
}

/** Opens the stream of one attempt to `remoteAddr`. */
async function openAttempt(
  remoteAddr: IpAddress,
  remotePort: number,
  resolvedAt: number,
  options: TransportOptions,
): Promise<StreamSession> {
  const log = options.log ?? (() => {});
  const route = routeTo(remoteAddr, { srcAddr: options.source, device: options.device });
  const network: NetworkLayer<IpAddress> = networkOf(remoteAddr);
  const mss = network.mssFor(route.mtu);
  const cleanups: Array<() => void | Promise<void>> = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const reserved = reservePort(route.srcAddr);
    cleanups.push(() => reserved.close());
    const flow: Flow<IpAddress> = { localAddr: route.srcAddr, localPort: reserved.port, remoteAddr, remotePort };
    const opener = options.opener ?? directOpener(options);
    const rx = await opener.receiver(flow, reserved);
    cleanups.push(() => rx.close());
    // The ring's set-up waits in the kernel (~10 ms): it goes on while the helper opens the sender and the guard.
    const ring = startReceiveRing(rx, options.frameLink);
    cleanups.push(async () => {
      const made = await ring;
      if (made !== null && !(made instanceof Error)) made.close();
    });
    const tx = await opener.sender(ipVersion(remoteAddr));
    cleanups.push(() => tx.close());
    const guard = await opener.guard(flow, reserved, tx.mark);
    cleanups.push(() => guard.close());
    log(guard.description);
    // Our RSTs may meet a DROP when the guard could not let them pass: the link then treats EPERM on them as loss.
    const chosen = openFrameLink(tx, rx, await ring, {
      remoteAddr,
      ownRstsDropped: guard.ownMark === null,
      kind: options.frameLink,
    });
    const raw = chosen.link;
    cleanups.push(() => raw.close());
    log(chosen.description);
    const clock = () => performance.now();
    const link: FrameLink = options.tap === undefined ? raw : new TracingLink(raw, options.tap, clock);
    const conn = new TcpConnection({
      localPort: flow.localPort,
      remotePort: flow.remotePort,
      mss,
      networkHeaderLength: network.headerLength,
      minPathMtu: network.minMtu,
      isn: randomU32(),
      tsOffset: timestampOffset(flow),
      userTimeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      recvBufferSize: options.recvBufferSize,
      buffers: CONNECTION_BUFFERS,
      quickAcks: QUICK_ACKS,
    });
    cleanups.push(() => conn.release());
    const driver = new Driver(link, conn, flow, {
      mss,
      clock,
      network,
      rateLimit: options.rateLimit,
      alwaysVerifyChecksums: options.alwaysVerifyChecksums,
      // The download is complete when the server closed and our FIN is out: no round trip for its last ACK.
      endAtLastAck: true,
      segments: options.segments,
      loop: options.loop,
    });
    options.watch?.opened({ flow, family: network.name, mtu: route.mtu, mss, resolvedAt, engine: conn });
    const from = formatAddressPort(flow.localAddr, flow.localPort);
    log(`Connecting to ${formatAddressPort(remoteAddr, remotePort)} from ${from} (mss ${mss})…`);
    return driverSession(driver, conn, close);
  } catch (e) {
    await close();
    throw e;
  }
}
