/**
 * The servers of the recursive-retrieval tests, in the testbed's server namespace: one nginx (own configuration, pid,
 * logs and temp files, as tests/e2e/_keep_alive_nginx.ts starts its own, connections kept alive) serving the site of
 * tests/e2e/_site.ts as `site.test` on 198.18.2.2:80 and its second host as `other.test` on 198.18.2.3:80 (an address
 * added to the server's interface here), and the names in the client namespace's own hosts file.
 *
 * | path on site.test        | what nginx does                                                        |
 * | ------------------------ | ---------------------------------------------------------------------- |
 * | `/page.php?x=N…`         | serves `/_q/page-N.html` as text/html (a "dynamic" page, static here)  |
 * | `/theme`                 | serves `/_q/theme.css` as text/css                                     |
 * | `/plain/*`               | files without an extension, as text/html                               |
 * | `*.php`, `*.asp`         | text/html                                                              |
 * | `/loop/a.html` ⇄ `b.html` | a 301 loop                                                             |
 * | `/moved.html`            | 301 to `/sec2/target.html`                                             |
 * | `/away.html`             | 302 to `http://other.test/landing.html`                                |
 *
 * The access log names the address, the TCP connection (`$connection`) and the User-Agent of every request. Beside
 * nginx, {@linkcode startHostileServer} runs a small Python server whose pages link outside any output directory.
 *
 * @module
 */

import { run } from "../_support/exec.ts";
import { nginxPreamble, type RunningServer, runServer, startOwnNginx } from "../testbed/servers.ts";
import type { Testbed } from "../testbed/testbed.ts";
import { logFields, nginxAccessLog } from "./_nginx_log.ts";
import { HOSTS, type WrittenSite } from "./_site.ts";

/** One request as the access log recorded it. */
export interface CrawlRequest {
  /** The server address it came to (which host). */
  readonly addr: string;
  /** nginx's serial number of the TCP connection. */
  readonly connection: number;
  /** The response status. */
  readonly status: number;
  /** The request target. */
  readonly target: string;
  /** The User-Agent field. */
  readonly userAgent: string;
}

/** The running nginx of the recursive tests. */
export interface RecursiveNginx {
  /** Empties the access log (before a run). */
  clearLog(): Promise<void>;
  /** The requests since the last {@linkcode RecursiveNginx.clearLog} whose User-Agent starts with `agent`. */
  requestsOf(agent: string): Promise<CrawlRequest[]>;
  /** Stops nginx and waits for it. */
  stop(): Promise<void>;
}

// The User-Agent comes last (see logFields).
const LOG_FORMAT = "$server_addr|$connection|$status|$request_uri|$http_user_agent";

function recursiveConf(dir: string, site: WrittenSite): string {
  return `${nginxPreamble("tests/e2e/_recursive_nginx.ts", dir, "")}
  types {
    text/html html htm php asp;
    text/css css;
    image/png png;
    application/javascript js;
    font/woff woff;
    text/plain txt;
  }
  log_format crawl escape=json '${LOG_FORMAT}';
  access_log ${dir}/crawl.log crawl;
  server {
    listen ${HOSTS.site.addr}:80;
    server_name ${HOSTS.site.name};
    root ${site.siteRoot};
    location / { }
    location = /page.php { try_files /_q/page-$arg_x.html =404; }
    location = /theme { try_files /_q/theme.css =404; }
    location /plain/ { types { } default_type text/html; }
    location = /loop/a.html { return 301 /loop/b.html; }
    location = /loop/b.html { return 301 /loop/a.html; }
    location = /moved.html { return 301 /sec2/target.html; }
    location = /away.html { return 302 http://${HOSTS.other.name}/landing.html; }
  }
  server {
    listen ${HOSTS.other.addr}:80;
    server_name ${HOSTS.other.name};
    root ${site.otherRoot};
    location / { }
  }
}
`;
}

/**
 * Adds the second host's address to the server's interface, starts nginx for both hosts (killed with the testbed)
 * and waits until it listens.
 *
 * @example
 * ```ts
 * const nginx = await startRecursiveNginx(tb, await writeSite(`${tb.tempDir}/recursive`));
 * ```
 */
export async function startRecursiveNginx(tb: Testbed, site: WrittenSite): Promise<RecursiveNginx> {
  await run(["ip", "-n", tb.serverNs, "addr", "add", `${HOSTS.other.addr}/24`, "dev", tb.ifs.server]);
  const dir = `${tb.tempDir}/recursive-nginx`;
  await Deno.mkdir(dir, { recursive: true });
  const conf = `${dir}/nginx.conf`;
  await Deno.writeTextFile(conf, recursiveConf(dir, site));
  const where = { ns: tb.serverNs, addr: HOSTS.other.addr, port: 80 };
  const { stop } = await startOwnNginx((cmd, o) => tb.spawnIn("server", cmd, o), where, dir, conf, "recursive nginx");
  const log = nginxAccessLog(`${dir}/crawl.log`);
  return {
    clearLog: () => log.clear(),
    async requestsOf(agent) {
      return logFields(await log.settled(), 5).map((f) => ({
        addr: f[0],
        connection: Number(f[1]),
        status: Number(f[2]),
        target: f[3],
        userAgent: f[4],
      })).filter((r) => r.userAgent.startsWith(agent));
    },
    stop,
  };
}

/**
 * Runs `fn` while the client namespace resolves `site.test` and `other.test` through its own hosts file (`ip netns
 * exec` bind-mounts /etc/netns/NAME/hosts over /etc/hosts; both wget and rawhttpget ask glibc's getaddrinfo, which
 * reads it). Its resolv.conf names a testbed address where no DNS server listens, so that no other name is looked up
 * outside the testbed.
 *
 * @example
 * ```ts
 * await withSiteHosts(tb, () => tb.execClient(["wget", "-r", "http://site.test/"]));
 * ```
 */
export async function withSiteHosts<T>(tb: Testbed, fn: () => Promise<T>): Promise<T> {
  const dir = `/etc/netns/${tb.clientNs}`;
  await Deno.mkdir(dir, { recursive: true });
  const hosts = `127.0.0.1 localhost\n${HOSTS.site.addr} ${HOSTS.site.name}\n${HOSTS.other.addr} ${HOSTS.other.name}\n`;
  await Deno.writeTextFile(`${dir}/hosts`, hosts, { mode: 0o644 });
  await Deno.writeTextFile(`${dir}/resolv.conf`, `nameserver ${HOSTS.site.addr}\noptions timeout:1 attempts:1\n`, {
    mode: 0o644,
  });
  try {
    return await fn();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * A server (Python, argv: address, port, token) that answers every GET but robots.txt with one hostile page, but
 * `/many.html` (a million links), `/chain/N.html` (an endless chain of pages, each linking to the next) and
 * `/bomb.html` (256 MiB of zeros as 256 KiB of gzip).
 */
const HOSTILE_SERVER = `
import sys, zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
addr, port, t = sys.argv[1], int(sys.argv[2]), sys.argv[3]
links = [
    "../" * 12 + "tmp/" + t + "-dotdot.html",
    "%2E%2E/" * 6 + t + "-enc.html",
    "..%2F" * 6 + t + "-slash.html",
    "/a/" + "..%2f" * 6 + t + "-mixed.html",
    "..\\\\" * 6 + t + "-backslash.html",
    "/" + "%2e%2e%2f" * 6 + t + "-all.html",
    "/" + ".%2E/" * 6 + t + "-dots.html",
    "x" * 300 + "-" + t + "-long.html",
    "/".join(["d" * 200] * 25) + "/" + t + "-deep.html",
    t + "-nul%00.html",
    "http://" + addr + ":" + str(port) + "/" + "..%2F" * 4 + t + "-abs.html",
]
page = ("<html><body>" + "".join('<a href="%s">x</a>\\n' % l for l in links) + "</body></html>").encode()
many = ("<html><body>" + "".join('<a href="/m/%d.html">%d</a>' % (i, i) for i in range(1000000)) + "</body></html>").encode()
zero = zlib.compressobj(9, zlib.DEFLATED, 31)
bomb = b"".join([zero.compress(b"\\0" * 2**20) for _ in range(256)]) + zero.flush()
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        found = not self.path.endswith("/robots.txt")
        body, coding = (page if found else b"none"), None
        if self.path == "/many.html":
            body = many
        elif self.path.startswith("/chain/"):
            n = int(self.path[len("/chain/"):].split(".")[0])
            body = ('<html><body><a href="%d.html">next</a></body></html>' % (n + 1)).encode()
        elif self.path == "/bomb.html":
            body, coding = bomb, "gzip"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "text/html")
        if coding is not None:
            self.send_header("Content-Encoding", coding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer((addr, port), Handler).serve_forever()
`;

/** The port of {@linkcode startHostileServer}. */
export const HOSTILE_PORT = 8000;

/**
 * Starts a server on 198.18.2.2:{@linkcode HOSTILE_PORT} whose every page links, under names that hold `token`, to
 * places outside a crawler's output directory: many `../`, `..` written as `%2E%2E`, `%2F` and `\` for `/`, a
 * 300-letter name, a path of 5000 bytes, a NUL byte. Resolves once it listens.
 *
 * @example
 * ```ts
 * const server = await startHostileServer(tb, "escape-1");
 * await server.stop();
 * ```
 */
export function startHostileServer(tb: Testbed, token: string): Promise<RunningServer> {
  const argv = ["python3", "-c", HOSTILE_SERVER, HOSTS.site.addr, String(HOSTILE_PORT), token];
  const where = {
    ns: tb.serverNs,
    addr: HOSTS.site.addr,
    port: HOSTILE_PORT,
    spawn: (a: readonly string[]) => tb.spawnIn("server", [...a], { stdout: "null", stderr: "piped" }),
  };
  return runServer("hostile", argv, where);
}
