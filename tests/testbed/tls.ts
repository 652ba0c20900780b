/**
 * HTTPS for the testbed: a throw-away PKI made with `openssl` in the testbed's temp directory, and an nginx of its own
 * in the server namespace (own configuration, pid and temp files; nothing shared with the plain-HTTP nginx).
 *
 * | port | certificate                                                         | a verifying client says   |
 * | ---- | ------------------------------------------------------------------- | ------------------------- |
 * | 443  | test CA → `server.test`, `*.server.test`, IP 198.18.2.2, 2 days     | trusted (with the CA)     |
 * | 4431 | test CA → same names, valid 2020-01-01 → 2020-01-02                 | expired                   |
 * | 4432 | another CA → same names                                             | untrusted issuer          |
 * | 4433 | test CA → `other.test` only                                         | wrong host name           |
 *
 * Every port also answers `/redirect-to?url=URL` with a 301 to URL (written unencoded); 443 serves the files under
 * `/hsts/` with `Strict-Transport-Security: max-age=600; includeSubDomains` and under `/hsts-clear/` with
 * `max-age=0`. With `{ tlsOptions: true }` (wget's TLS options, tests/https/tls_options_test.ts) five more ports:
 *
 * | port | what it does                                                                                  |
 * | ---- | --------------------------------------------------------------------------------------------- |
 * | 4434 | TLS 1.2 only                                                                                  |
 * | 4435 | TLS 1.3 only                                                                                  |
 * | 4436 | asks for a client certificate of the test CA (`ssl_verify_client on`: 400 without one)        |
 * | 4437 | a certificate the test CA has revoked (in `TlsOptionsPki.crl`)                                |
 * | 4438 | TLS 1.2 with an RSA certificate and RSA key exchange only (`AES128-GCM-SHA256`: no forward secrecy) |
 *
 * @example
 * ```ts
 * await withTestbed({}, async (tb) => {
 *   const https = await startHttpsServer(tb);
 *   try { console.log(https.url("/file.bin"), https.pki.caCert); } finally { await https.stop(); }
 * });
 * ```
 *
 * @module
 */

import { run } from "../_support/exec.ts";
import { nginxPreamble, startOwnNginx } from "./servers.ts";
import type { Testbed } from "./testbed.ts";

/** The HTTPS ports of {@linkcode startHttpsServer}. */
export const HTTPS_PORTS = { good: 443, expired: 4431, untrusted: 4432, wrongHost: 4433 } as const;

/** The ports {@linkcode startHttpsServer} adds with `tlsOptions`. */
export const TLS_OPTION_PORTS = { tls12: 4434, tls13: 4435, clientCert: 4436, revoked: 4437, rsaKx: 4438 } as const;

/** A certificate and its key, as file paths. */
export interface CertFiles {
  /** PEM certificate. */
  readonly cert: string;
  /** PEM private key. */
  readonly key: string;
}

/** The files of the throw-away PKI. */
export interface TestPki {
  /** The CA a test trusts (`--ca-certificate`, `curl --cacert`). */
  readonly caCert: string;
  /** Valid, for `server.test` and the server's IP. */
  readonly good: CertFiles;
  /** Signed by the test CA, expired in 2020. */
  readonly expired: CertFiles;
  /** Signed by another CA nobody trusts. */
  readonly untrusted: CertFiles;
  /** Valid, but only for `other.test`. */
  readonly wrongHost: CertFiles;
}

/** The files of {@linkcode makeTlsOptionsPki}, all from the test CA of a {@linkcode TestPki}. */
export interface TlsOptionsPki {
  /** A client certificate (extendedKeyUsage clientAuth). */
  readonly client: CertFiles;
  /** A server certificate for the same names as the valid one, revoked. */
  readonly revoked: CertFiles;
  /** The test CA's CRL (PEM), listing `revoked`. */
  readonly crl: string;
  /** A valid server certificate with an RSA key (for RSA key exchange). */
  readonly rsa: CertFiles;
}

/** A running HTTPS server. */
export interface HttpsServer {
  /** The certificates it serves. */
  readonly pki: TestPki;
  /** The certificates of the extra ports, when started with `tlsOptions`. */
  readonly extra?: TlsOptionsPki;
  /** `https://198.18.2.2:PORT/path` (the port of the valid certificate unless told). */
  url(path: string, port?: number): string;
  /** `https://[2001:2:0:2::2]:PORT/path`, on a testbed with IPv6. */
  url6(path: string, port?: number): string;
  /** Stops nginx and waits for it. */
  stop(): Promise<void>;
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

/** Creates the PKI under `dir` for the server address `ip` (and its IPv6 address `ip6`, when given). */
export async function makeTestPki(dir: string, ip: string, ip6?: string): Promise<TestPki> {
  await Deno.mkdir(dir, { recursive: true });
  const ca = await makeCa(dir, "ca", "rawhttpget test CA");
  const other = await makeCa(dir, "other-ca", "rawhttpget untrusted CA");
  const sans = `DNS:server.test,DNS:*.server.test,IP:${ip}${ip6 === undefined ? "" : `,IP:${ip6}`}`;
  return {
    caCert: ca.cert,
    good: await makeLeaf(dir, "good", ca, sans, ["-days", "2"]),
    expired: await makeLeaf(dir, "expired", ca, sans, ["-startdate", "20200101000000Z", "-enddate", "20200102000000Z"]),
    untrusted: await makeLeaf(dir, "untrusted", other, sans, ["-days", "2"]),
    wrongHost: await makeLeaf(dir, "wrong-host", ca, "DNS:other.test", ["-days", "2"]),
  };
}

async function makeCa(dir: string, name: string, cn: string): Promise<CertFiles> {
  const files = { cert: `${dir}/${name}.pem`, key: `${dir}/${name}.key` };
  await run([
    "openssl",
    "req",
    "-x509",
    ...EC_KEY,
    "-keyout",
    files.key,
    "-out",
    files.cert,
    "-days",
    "2",
    "-subj",
    `/CN=${cn}`,
  ]);
  // `openssl ca` keeps a database and a serial per CA; -startdate/-enddate let a test certificate lie in the past.
  await Deno.writeTextFile(`${dir}/${name}.index`, "");
  await Deno.writeTextFile(`${dir}/${name}.serial`, "1000\n");
  await Deno.writeTextFile(
    `${dir}/${name}.cnf`,
    `[ ca ]\ndefault_ca = this\n[ this ]\ndatabase = ${dir}/${name}.index\nnew_certs_dir = ${dir}\n` +
      `serial = ${dir}/${name}.serial\ndefault_md = sha256\npolicy = any\nunique_subject = no\n` +
      `[ any ]\ncommonName = supplied\n`,
  );
  return files;
}

/**
 * The test CA's extra certificates for wget's TLS options: a client certificate, a revoked server certificate and the
 * CRL that revokes it, and an RSA server certificate. `pki` comes from {@linkcode makeTestPki} on the same `dir`.
 */
export async function makeTlsOptionsPki(dir: string, ip: string, pki: TestPki): Promise<TlsOptionsPki> {
  const ca = { cert: pki.caCert, key: pki.caCert.replace(/\.pem$/, ".key") };
  const sans = `DNS:server.test,DNS:*.server.test,IP:${ip}`;
  const client = await makeLeaf(dir, "client", ca, "DNS:client.test", ["-days", "2"], { usage: "clientAuth" });
  const revoked = await makeLeaf(dir, "revoked", ca, sans, ["-days", "2"]);
  const rsa = await makeLeaf(dir, "rsa", ca, sans, ["-days", "2"], { key: ["-newkey", "rsa:2048", "-nodes"] });
  const caCnf = ca.cert.replace(/\.pem$/, ".cnf");
  const crl = `${dir}/crl.pem`;
  const signer = ["-config", caCnf, "-cert", ca.cert, "-keyfile", ca.key];
  await run(["openssl", "ca", ...signer, "-revoke", revoked.cert]);
  await run(["openssl", "ca", "-gencrl", ...signer, "-crldays", "2", "-out", crl]);
  return { client, revoked, crl, rsa };
}

async function makeLeaf(
  dir: string,
  name: string,
  ca: CertFiles,
  sans: string,
  validity: string[],
  options: { key?: string[]; usage?: "serverAuth" | "clientAuth" } = {},
): Promise<CertFiles> {
  const files = { cert: `${dir}/${name}.pem`, key: `${dir}/${name}.key` };
  const csr = `${dir}/${name}.csr`;
  const ext = `${dir}/${name}.ext`;
  const key = options.key ?? EC_KEY;
  await run(["openssl", "req", ...key, "-keyout", files.key, "-out", csr, "-subj", `/CN=${name}`]);
  // An RSA key also encrypts the premaster secret in RSA key exchange (keyEncipherment, RFC 5246 §7.4.7.1).
  const usage = options.key === undefined ? "digitalSignature" : "digitalSignature,keyEncipherment";
  await Deno.writeTextFile(
    ext,
    `subjectAltName=${sans}\nbasicConstraints=CA:FALSE\nkeyUsage=${usage}\nextendedKeyUsage=${
      options.usage ?? "serverAuth"
    }\n`,
  );
  const caCnf = ca.cert.replace(/\.pem$/, ".cnf");
  await run([
    "openssl",
    "ca",
    "-batch",
    "-notext",
    "-config",
    caCnf,
    "-cert",
    ca.cert,
    "-keyfile",
    ca.key,
    "-in",
    csr,
    "-out",
    files.cert,
    "-extfile",
    ext,
    ...validity,
  ]);
  return files;
}

/**
 * nginx serving `wwwDir` over TLS on the four {@linkcode HTTPS_PORTS} (and the {@linkcode TLS_OPTION_PORTS} with
 * `extra`), everything else under `dir`.
 */
export function httpsNginxConf(
  dir: string,
  addr: string,
  wwwDir: string,
  pki: TestPki,
  extra?: TlsOptionsPki,
  addr6?: string,
): string {
  const v6 = (port: number) => (addr6 === undefined ? "" : `    listen [${addr6}]:${port} ssl;\n`);
  const block = (port: number, c: CertFiles, more = "", protocols = "TLSv1.2 TLSv1.3") =>
    `  server {\n    listen ${addr}:${port} ssl;\n${
      v6(port)
    }    ssl_certificate ${c.cert};\n    ssl_certificate_key ${c.key};\n` +
    `    ssl_protocols ${protocols};\n    root ${wwwDir};\n    location / { }\n` +
    // `/redirect-to?url=URL` (as the Deno file server's): the URL as given, not encoded (`$arg_url` is raw).
    `    location = /redirect-to { return 301 $arg_url; }\n${more}  }\n`;
  const sts = (path: string, value: string) =>
    `    location ${path} { alias ${wwwDir}/; add_header Strict-Transport-Security "${value}" always; }\n`;
  const hsts = sts("/hsts/", "max-age=600; includeSubDomains") + sts("/hsts-clear/", "max-age=0");
  const blocks = [
    block(HTTPS_PORTS.good, pki.good, hsts),
    block(HTTPS_PORTS.expired, pki.expired),
    block(HTTPS_PORTS.untrusted, pki.untrusted),
    block(HTTPS_PORTS.wrongHost, pki.wrongHost),
  ];
  if (extra !== undefined) {
    const P = TLS_OPTION_PORTS;
    blocks.push(
      block(P.tls12, pki.good, "", "TLSv1.2"),
      block(P.tls13, pki.good, "", "TLSv1.3"),
      block(P.clientCert, pki.good, `    ssl_verify_client on;\n    ssl_client_certificate ${pki.caCert};\n`),
      block(P.revoked, extra.revoked),
      block(P.rsaKx, extra.rsa, "    ssl_ciphers AES128-GCM-SHA256;\n", "TLSv1.2"),
    );
  }
  return `${nginxPreamble("tests/testbed/tls.ts", dir, "")}\n${blocks.join("")}}\n`;
}

/**
 * Makes the PKI and starts the HTTPS nginx in the testbed's server namespace; waits until it listens. `tlsOptions`
 * adds the {@linkcode TLS_OPTION_PORTS} and their certificates.
 */
export async function startHttpsServer(tb: Testbed, options: { tlsOptions?: boolean } = {}): Promise<HttpsServer> {
  const dir = `${tb.tempDir}/https`;
  const addr6 = tb.ipv6 ? tb.serverAddr6 : undefined;
  const pki = await makeTestPki(`${dir}/pki`, tb.serverAddr, addr6);
  const extra = options.tlsOptions ? await makeTlsOptionsPki(`${dir}/pki`, tb.serverAddr, pki) : undefined;
  const conf = `${dir}/nginx.conf`;
  await Deno.writeTextFile(conf, httpsNginxConf(dir, tb.serverAddr, tb.wwwDir, pki, extra, addr6));
  const last = extra === undefined ? HTTPS_PORTS.wrongHost : TLS_OPTION_PORTS.rsaKx;
  const where = { ns: tb.serverNs, addr: tb.serverAddr, port: last };
  const { stop } = await startOwnNginx((cmd, o) => tb.spawnIn("server", cmd, o), where, dir, conf, "HTTPS nginx");
  return {
    pki,
    extra,
    url: (path, port = HTTPS_PORTS.good) => `https://${tb.serverAddr}${port === 443 ? "" : `:${port}`}${path}`,
    url6: (path, port = HTTPS_PORTS.good) => `https://[${tb.serverAddr6}]${port === 443 ? "" : `:${port}`}${path}`,
    stop,
  };
}
