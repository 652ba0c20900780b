/**
 * Streams over simulated links, in the shape the download loop opens them (`OpenStream`): each `open` connects to
 * the next simulated server of a list, so a test scripts a redirect chain or a retry one connection at a time.
 *
 * @module
 */

import { TcpConnection } from "../../src/tcp/mod.ts";
import { Driver, driverSession, type Endpoint, type OpenStream, type StreamSession } from "../../src/transport/mod.ts";
import { SIM_FLOW, SimFrameLink, type SimPath } from "./frame_link.ts";

/** What a list of simulated servers saw. */
export interface SimStreams {
  /** Opens the next connection (the last path repeats when the list runs out). */
  readonly open: OpenStream;
  /** The links opened so far, in order. */
  readonly links: SimFrameLink[];
  /** The endpoints asked for, in order. */
  readonly endpoints: Endpoint[];
  /** Sessions closed so far. */
  closed: number;
}

/**
 * A stream opener over simulated servers.
 *
 * @example
 * ```ts
 * const sim = simulatedStreams([{ peer: { respond: () => ok } }]);
 * await download("http://198.18.2.2/a", { tries: 1 }, {}, sim.open);
 * ```
 */
export function simulatedStreams(paths: readonly SimPath[], userTimeoutMs = 10_000): SimStreams {
  const sim: SimStreams = {
    links: [],
    endpoints: [],
    closed: 0,
    open: (endpoint: Endpoint): Promise<StreamSession> => {
      const i = sim.links.length;
      const path = paths[Math.min(i, paths.length - 1)];
      const flow = { ...SIM_FLOW, localPort: SIM_FLOW.localPort + i, remotePort: endpoint.port };
      const link = new SimFrameLink({ seed: i + 1, ...path }, flow);
      sim.links.push(link);
      sim.endpoints.push(endpoint);
      const conn = new TcpConnection({
        localPort: flow.localPort,
        remotePort: flow.remotePort,
        mss: 1460,
        isn: 1000 * (i + 1),
        userTimeoutMs,
      });
      const driver = new Driver(link, conn, flow, { mss: 1460, clock: link.clock });
      return Promise.resolve(driverSession(driver, conn, () => {
        sim.closed++;
        return Promise.resolve();
      }));
    },
  };
  return sim;
}

/** An HTTP/1.x response with `headers` and `body` (Content-Length added unless a header says otherwise). */
export function httpResponse(
  status: string,
  headers: Record<string, string> = {},
  body: Uint8Array | string = new Uint8Array(0),
): Uint8Array {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const all = { "Content-Length": String(bytes.length), ...headers };
  const head = [`HTTP/1.1 ${status}`, ...Object.entries(all).map(([k, v]) => `${k}: ${v}`), "", ""].join("\r\n");
  const out = new Uint8Array(head.length + bytes.length);
  out.set(new TextEncoder().encode(head));
  out.set(bytes, head.length);
  return out;
}
