/**
 * An nginx of the keep-alive tests in the testbed's server namespace (own configuration, pid, logs and temp files,
 * as tests/testbed/tls.ts starts its HTTPS nginx), whose access log names the TCP connection of every request
 * (`$connection`, `$connection_requests`): from it a test counts how many connections a client opened and how many
 * requests each carried, and tells wget's requests from ours by their User-Agent.
 *
 * | port | what it does                                                                                 |
 * | ---- | -------------------------------------------------------------------------------------------- |
 * | 8081 | keeps connections open (`keepalive_timeout 65`); redirects `/hop/1` → `/hop/2` → `/hop/3` →  |
 * |      | `/<file>` on the same origin; `/auth/<file>` asks for Basic credentials `ka:secret`          |
 * | 8082 | closes an idle connection after 1 s (`keepalive_timeout 1s`)                                 |
 * | 8083 | closes a connection after its 2nd response (`keepalive_requests 2`)                          |
 * | 8084 | close-delimited bodies: no Content-Length (`sub_filter` drops it), no chunking               |
 * | 8443 | as 8081 over TLS, with the certificate of tests/testbed/tls.ts's test CA                     |
 *
 * @module
 */

import { run } from "../_support/exec.ts";
import { nginxPreamble, startOwnNginx } from "../testbed/servers.ts";
import type { Testbed } from "../testbed/testbed.ts";
import { makeTestPki, type TestPki } from "../testbed/tls.ts";
import { logFields, nginxAccessLog } from "./_nginx_log.ts";

/** The ports of {@linkcode startKeepAliveNginx}. */
export const KA_PORTS = { keep: 8081, idle1s: 8082, twoRequests: 8083, closeDelimited: 8084, tls: 8443 } as const;

/** The Basic credentials `/auth/` asks for. */
export const KA_AUTH = { user: "ka", password: "secret" } as const;

/** One request as the access log recorded it. */
export interface LoggedRequest {
  /** The port it came in on. */
  readonly port: number;
  /** nginx's serial number of the TCP connection. */
  readonly connection: number;
  /** Which request of that connection it was (1, 2, …). */
  readonly connectionRequests: number;
  /** The response status. */
  readonly status: number;
  /** `HTTP/1.1` or `HTTP/1.0`, from the request line. */
  readonly protocol: string;
  /** The request target. */
  readonly target: string;
  /** The request's Connection field ("" without one). */
  readonly connectionField: string;
  /** The request's User-Agent field. */
  readonly userAgent: string;
}

/** What a client did, read from the log: its requests in order, and its connections. */
export interface ClientLog {
  /** Its requests, in the order nginx finished them. */
  readonly requests: readonly LoggedRequest[];
  /** How many TCP connections carried them. */
  readonly connections: number;
}

/** A running keep-alive nginx. */
export interface KeepAliveNginx {
  /** The PKI of port 8443 (`caCert` for `--ca-certificate`). */
  readonly pki: TestPki;
  /** `http://198.18.2.2:PORT/path`, or `https://` for {@linkcode KA_PORTS}.tls. */
  url(port: number, path: string): string;
  /** Empties the access log (before a run). */
  clearLog(): Promise<void>;
  /**
   * The requests logged since the last {@linkcode KeepAliveNginx.clearLog} whose User-Agent starts with `agent`,
   * once the log has stopped growing (nginx writes a line when it has sent a response, which can be just after the
   * client has read it and exited).
   */
  logOf(agent: string): Promise<ClientLog>;
  /** Stops nginx and waits for it. */
  stop(): Promise<void>;
}

// The User-Agent comes last (see logFields).
const LOG_FORMAT = "$server_port|$connection|$connection_requests|$status|$server_protocol|$request_uri|" +
  "$http_connection|$http_user_agent";

/** The configuration of {@linkcode startKeepAliveNginx}. */
function keepAliveConf(dir: string, addr: string, wwwDir: string, pki: TestPki): string {
  const files = `    root ${wwwDir};\n    location / { }\n`;
  const redirects = `    location = /hop/1 { return 302 /hop/2; }\n` +
    `    location = /hop/2 { return 301 $scheme://${addr}:$server_port/hop/3; }\n` +
    `    location = /hop/3 { return 302 /f01.bin; }\n` +
    `    location /auth/ { auth_basic "keep-alive test"; auth_basic_user_file ${dir}/htpasswd; alias ${wwwDir}/; }\n`;
  const server = (port: number, body: string, tls = "") =>
    `  server {\n    listen ${addr}:${port}${tls === "" ? "" : " ssl"};\n${tls}${body}  }\n`;
  const cert = `    ssl_certificate ${pki.good.cert};\n    ssl_certificate_key ${pki.good.key};\n`;
  return `${nginxPreamble("tests/e2e/_keep_alive_nginx.ts", dir, "")}
  log_format conns escape=json '${LOG_FORMAT}';
  access_log ${dir}/conns.log conns;
${server(KA_PORTS.keep, files + redirects)}${server(KA_PORTS.idle1s, `    keepalive_timeout 1s;\n${files}`)}${
    server(KA_PORTS.twoRequests, `    keepalive_requests 2;\n${files}`)
  }${
    server(
      KA_PORTS.closeDelimited,
      // sub_filter may change the length, so nginx drops Content-Length; without chunking the end of the
      // connection ends the body (and nginx says Connection: close). Last-Modified is kept, for the mtimes.
      `    chunked_transfer_encoding off;\n    root ${wwwDir};\n` +
        `    location / { sub_filter_types *; sub_filter 'no such text' 'x'; sub_filter_last_modified on; }\n`,
    )
  }${server(KA_PORTS.tls, files + redirects, cert)}}
`;
}

/** Parses the access log's lines. */
export function parseConnsLog(text: string): LoggedRequest[] {
  return logFields(text, 8).map((f) => ({
    port: Number(f[0]),
    connection: Number(f[1]),
    connectionRequests: Number(f[2]),
    status: Number(f[3]),
    protocol: f[4],
    target: f[5],
    connectionField: f[6],
    userAgent: f[7],
  }));
}

/** Starts the keep-alive nginx in the testbed's server namespace (killed with the testbed) and waits until it listens. */
export async function startKeepAliveNginx(tb: Testbed): Promise<KeepAliveNginx> {
  const dir = `${tb.tempDir}/keep-alive`;
  const pki = await makeTestPki(`${dir}/pki`, tb.serverAddr);
  const hash = (await run(["openssl", "passwd", "-apr1", KA_AUTH.password])).trim();
  await Deno.writeTextFile(`${dir}/htpasswd`, `${KA_AUTH.user}:${hash}\n`, { mode: 0o644 });
  const conf = `${dir}/nginx.conf`;
  await Deno.writeTextFile(conf, keepAliveConf(dir, tb.serverAddr, tb.wwwDir, pki));
  const where = { ns: tb.serverNs, addr: tb.serverAddr, port: KA_PORTS.tls };
  const { stop } = await startOwnNginx((cmd, o) => tb.spawnIn("server", cmd, o), where, dir, conf, "keep-alive nginx");
  const log = nginxAccessLog(`${dir}/conns.log`);
  return {
    pki,
    url: (port, path) => `${port === KA_PORTS.tls ? "https" : "http"}://${tb.serverAddr}:${port}${path}`,
    clearLog: () => log.clear(),
    async logOf(agent) {
      const requests = parseConnsLog(await log.settled()).filter((r) => r.userAgent.startsWith(agent));
      return { requests, connections: new Set(requests.map((r) => r.connection)).size };
    },
    stop,
  };
}
