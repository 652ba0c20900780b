/**
 * What only root may open for a connection: the raw sender, the flow's packet receiver and its RST guard. A
 * connection asks a {@linkcode PrivilegedOpener} for them; {@linkcode directOpener} opens them in this process (as
 * root, or with `--no-drop-privileges`), and the privileged helper's client (src/privilege) asks a root helper
 * process, which runs this same direct opener after checking the request.
 *
 * Everything else a connection needs (the route, the reserved local port) any user may open.
 *
 * @module
 */

import { bindToDevice, openFlowReceiver, openRawSender, type RawReceiver, type RawSender } from "../../ffi/mod.ts";
import type { ReservedPort, TcpFlow, TcpFlow6 } from "../../ffi/mod.ts";
import { type FirewallMode, type Guard, installRstGuard, OWN_RST_MARK } from "./firewall.ts";
import type { Flow } from "./flow.ts";
import type { IpAddress } from "../wire/mod.ts";

/** Largest receive buffer the kernel is asked for (SO_RCVBUFFORCE): the default ~208 KiB overflows at speed. */
export const SOCKET_RCVBUF = 32 * 1024 * 1024;

/** Opens the privileged pieces of one connection. */
export interface PrivilegedOpener {
  /**
   * A raw sender of IP version `family` (default 4), marked so that our own RSTs pass our guard, bound to the chosen
   * interface if any.
   */
  sender(family?: 4 | 6): Promise<RawSender>;
  /** A packet receiver whose locked filter admits only `flow`'s incoming segments; `port` proves the port is ours. */
  receiver(flow: Flow<IpAddress>, port: ReservedPort): Promise<RawReceiver>;
  /** The RST guard of `flow` (IPv4 or IPv6; dropping its incoming segments too), letting RSTs marked `ownMark` pass. */
  guard(flow: Flow<IpAddress>, port: ReservedPort, ownMark: number | null): Promise<Guard>;
}

/** What the direct opener needs to know: fixed for a whole run. */
export interface OpenerSettings {
  /** How the kernel's RSTs are silenced (default "auto"). */
  readonly firewall?: FirewallMode;
  /** The interface to leave by (`--interface`). */
  readonly device?: string;
  /** SO_MARK of the raw sender (default `OWN_RST_MARK`). */
  readonly socketMark?: number;
}

/**
 * Opens everything in this process: needs CAP_NET_RAW and CAP_NET_ADMIN.
 *
 * @example
 * ```ts
 * const opener = directOpener({ firewall: "auto" });
 * const tx = await opener.sender();
 * ```
 */
export function directOpener(settings: OpenerSettings = {}): PrivilegedOpener {
  return {
    sender(family = 4) {
      const tx = openRawSender({ mark: settings.socketMark ?? OWN_RST_MARK, family });
      try {
        if (settings.device !== undefined) bindToDevice(tx.fd, settings.device);
      } catch (e) {
        tx.close();
        throw e;
      }
      return Promise.resolve(tx);
    },
    receiver(flow) {
      // AF_PACKET + the guard's incoming drop: the kernel's TCP never sees our segments, so it builds no RST for each.
      const ports = { srcPort: flow.remotePort, dstPort: flow.localPort };
      // A flow's two addresses are of one family (the helper checks it; our own flows are built so).
      const tuple = { srcAddr: flow.remoteAddr, dstAddr: flow.localAddr, ...ports } as TcpFlow | TcpFlow6;
      return Promise.resolve(openFlowReceiver(tuple, { rcvbuf: SOCKET_RCVBUF }));
    },
    guard(flow, _port, ownMark) {
      return installRstGuard(flow, { mode: settings.firewall ?? "auto", dropIncoming: true, ownMark });
    },
  };
}
