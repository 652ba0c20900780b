/**
 * A Perl HTTPS server for the testbed: `perl_tls_server.pl` (IO::Socket::SSL + HTTP::Daemon, the way HTTP::Daemon::SSL
 * builds one) in the server namespace, serving the www directory with a certificate of the test PKI
 * (tests/testbed/tls.ts). OpenSSL reads ahead and HTTP::Daemon waits for the request with select(): a request that
 * arrives in the same segment as the client's TLS 1.3 Finished goes unseen until the timeout (the script says why).
 * Needs perl with IO::Socket::SSL and HTTP::Daemon (Debian: libio-socket-ssl-perl, libhttp-daemon-perl).
 *
 * @example
 * ```ts
 * const pki = await makeTestPki(`${tb.tempDir}/pki`, tb.serverAddr);
 * const perl = await startPerlTlsServer(tb, pki.good);
 * try { console.log(perl.url("/file.bin")); } finally { await perl.stop(); }
 * ```
 *
 * @module
 */

import { exec, findProgram } from "../_support/exec.ts";
import { runServer } from "./servers.ts";
import type { Testbed } from "./testbed.ts";
import type { CertFiles } from "./tls.ts";

/** The port of {@linkcode startPerlTlsServer}. */
export const PERL_TLS_PORT = 8443;

/** The Perl modules the server needs, with the Debian package of each. */
export const PERL_TLS_MODULES: Readonly<Record<string, string>> = {
  "IO::Socket::SSL": "libio-socket-ssl-perl",
  "HTTP::Daemon": "libhttp-daemon-perl",
};

/** A running Perl HTTPS server. */
export interface PerlTlsServer {
  /** `https://198.18.2.2:8443/path`. */
  url(path: string): string;
  /** What the server logged: a line per request and per closed connection (with HTTP::Daemon's reason). */
  log(): string;
  /** Stops the server and waits for it. */
  stop(): Promise<void>;
}

/**
 * Why the server cannot run here (perl or one of {@linkcode PERL_TLS_MODULES} missing), or null when it can.
 *
 * @example
 * ```ts
 * const missing = await perlTlsMissing(); // "perl lacks HTTP::Daemon (apt-get install libhttp-daemon-perl)"
 * ```
 */
export async function perlTlsMissing(): Promise<string | null> {
  if (findProgram("perl") === null) return "perl is not installed (apt-get install perl)";
  const missing = [];
  for (const [module, pkg] of Object.entries(PERL_TLS_MODULES)) {
    if ((await exec(["perl", `-M${module}`, "-e", "1"])).code !== 0) missing.push([module, pkg]);
  }
  if (missing.length === 0) return null;
  return `perl lacks ${missing.map(([m]) => m).join(" and ")} (apt-get install ${missing.map(([, p]) => p).join(" ")})`;
}

/**
 * Starts the server in the testbed's server namespace with `cert`; it closes a connection whose request it has not
 * seen within `timeoutS` seconds. Resolves once it listens.
 *
 * @example
 * ```ts
 * const perl = await startPerlTlsServer(tb, pki.good, 5);
 * const r = await rhg(tb, ["--ca-certificate", pki.caCert, perl.url("/one.bin")]);
 * await perl.stop();
 * ```
 */
export async function startPerlTlsServer(tb: Testbed, cert: CertFiles, timeoutS = 5): Promise<PerlTlsServer> {
  const script = new URL("./perl_tls_server.pl", import.meta.url);
  if (script.protocol !== "file:") throw new Error(`Cannot run the Perl server from ${script.href}`);
  const argv = [script.pathname, tb.serverAddr, String(PERL_TLS_PORT), cert.cert, cert.key, tb.wwwDir];
  const server = await runServer("perl", ["perl", ...argv, String(timeoutS)], {
    ns: tb.serverNs,
    addr: tb.serverAddr,
    port: PERL_TLS_PORT,
    // Through the testbed, so that it kills the server should the test end without stopping it.
    spawn: (cmd) => tb.spawnIn("server", [...cmd], { stdout: "null", stderr: "piped" }),
  });
  return {
    url: (path) => `https://${tb.serverAddr}:${PERL_TLS_PORT}${path}`,
    log: () => server.stderrTail(),
    stop: () => server.stop(),
  };
}
