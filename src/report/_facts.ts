/**
 * The shapes the recorder reads from the transport, declared here as structures so that the report folder depends on
 * the wire codecs only: the transport's `OpenedStream` and `EngineGauges` (src/transport/watch.ts) fit them.
 *
 * @module
 */

import { formatAddressPort, type IpAddress, type TcpRepr } from "../wire/mod.ts";
import type { SynOffer } from "./model.ts";

/** The engine's gauges, read when we send an ACK. */
export interface EngineGauges {
  readonly srttMs: number;
  readonly rtoMs: number;
  readonly receiveBufferFill: number;
  readonly receiveBufferSize: number;
  /** Out-of-order segments as the engine counted them (the summary's count, as the CLI's). */
  readonly outOfOrderSegments?: number;
}

/** A stream ready to connect. */
export interface OpenedFacts {
  readonly flow: {
    readonly localAddr: IpAddress;
    readonly localPort: number;
    readonly remoteAddr: IpAddress;
    readonly remotePort: number;
  };
  readonly family: string;
  readonly mtu: number;
  readonly mss: number;
  readonly resolvedAt: number;
  readonly engine: EngineGauges;
}

/** `198.18.2.2:80`, `[2001:2::2]:80`. @example `formatEndpoint(flow.remoteAddr, flow.remotePort)` */
export function formatEndpoint(address: IpAddress, port: number): string {
  return formatAddressPort(address, port);
}

/**
 * The options a SYN offered (`ecn`: the SYN's ECN-setup flags, read by the caller).
 *
 * @example `offer(syn, (syn.flags & (ECE | CWR)) === (ECE | CWR))`
 */
export function offer(syn: TcpRepr, ecn: boolean): SynOffer {
  const o = syn.options;
  return {
    mss: o.mss ?? null,
    windowScale: o.windowScale ?? null,
    sackPermitted: o.sackPermitted ?? false,
    timestamps: o.timestamp !== undefined,
    ecn,
    window: syn.window,
  };
}
