/**
 * An nginx of the parallel-download tests in the testbed's server namespace (own configuration, pid, logs and temp
 * files, as tests/e2e/_keep_alive_nginx.ts starts its own), serving the testbed's www directory on port
 * {@linkcode PARALLEL_PORT}, whose access log says for every request which TCP connection carried it (`$connection`),
 * its `Range` and `If-Range` fields, the status and the User-Agent: from it a test counts the connections a client
 * opened and checks what each asked.
 *
 * @module
 */

import { nginxPreamble, startOwnNginx } from "../testbed/servers.ts";
import type { Testbed } from "../testbed/testbed.ts";
import { logFields, nginxAccessLog } from "./_nginx_log.ts";

/** The port the parallel-download nginx listens on. */
export const PARALLEL_PORT = 8088;

/** One request as the access log recorded it. */
export interface RangeRequest {
  /** nginx's serial number of the TCP connection. */
  readonly connection: number;
  /** The response status. */
  readonly status: number;
  /** The request's Range field ("" without one). */
  readonly range: string;
  /** The request's If-Range field ("" without one). */
  readonly ifRange: string;
  /** The request target. */
  readonly target: string;
  /** The request's User-Agent field. */
  readonly userAgent: string;
}

/** A running parallel-download nginx. */
export interface ParallelNginx {
  /** `http://198.18.2.2:8088/path`. */
  url(path: string): string;
  /** Empties the access log (before a run). */
  clearLog(): Promise<void>;
  /**
   * The requests logged since the last {@linkcode ParallelNginx.clearLog} whose User-Agent starts with `agent`, once
   * the log has stopped growing (nginx writes a line when it has sent a response, or when the client has gone).
   */
  requestsOf(agent: string): Promise<RangeRequest[]>;
  /** Stops nginx and waits for it. */
  stop(): Promise<void>;
}

// The User-Agent comes last (see logFields).
const LOG_FORMAT = "$connection|$status|$http_range|$http_if_range|$request_uri|$http_user_agent";

/** Parses the access log's lines. */
export function parseRangeLog(text: string): RangeRequest[] {
  return logFields(text, 6).map((f) => ({
    connection: Number(f[0]),
    status: Number(f[1]),
    // escape=json writes If-Range's quotes as \" (an ETag is a quoted string).
    range: f[2],
    ifRange: f[3].replaceAll('\\"', '"'),
    target: f[4],
    userAgent: f[5],
  }));
}

/** Starts the parallel-download nginx in the testbed's server namespace (killed with the testbed) and waits for it. */
export async function startParallelNginx(tb: Testbed): Promise<ParallelNginx> {
  const dir = `${tb.tempDir}/parallel-nginx`;
  await Deno.mkdir(dir, { recursive: true });
  const logPath = `${dir}/ranges.log`;
  const conf = `${dir}/nginx.conf`;
  await Deno.writeTextFile(
    conf,
    `${nginxPreamble("tests/e2e/_parallel_nginx.ts", dir, "")}
  log_format ranges escape=json '${LOG_FORMAT}';
  access_log ${logPath} ranges;
  server {
    listen ${tb.serverAddr}:${PARALLEL_PORT};
    root ${tb.wwwDir};
    location / { }
  }
}
`,
  );
  const where = { ns: tb.serverNs, addr: tb.serverAddr, port: PARALLEL_PORT };
  const { stop } = await startOwnNginx((cmd, o) => tb.spawnIn("server", cmd, o), where, dir, conf, "parallel nginx");
  const log = nginxAccessLog(logPath);
  return {
    url: (path) => `http://${tb.serverAddr}:${PARALLEL_PORT}${path}`,
    clearLog: () => log.clear(),
    requestsOf: async (agent) => parseRangeLog(await log.settled()).filter((r) => r.userAgent.startsWith(agent)),
    stop,
  };
}
