/**
 * wget's TLS options and HSTS against GNU wget 1.21.3 (GnuTLS) on the testbed, the same command line on both sides,
 * exit codes and files compared: `--secure-protocol` against TLS-1.2-only, TLS-1.3-only and RSA-key-exchange servers,
 * client certificates against `ssl_verify_client on`, `--crl-file` with a revoked server certificate,
 * `--pinnedpubkey` in both forms, `--ca-directory`, and HSTS (`--hsts-file`, `~/.wget-hsts`, `--no-hsts`): a host
 * noted from an https response, http:// URLs to it upgraded before connecting (port 80 is closed here, so only an
 * upgraded URL downloads), subdomains, max-age=0. Where node:tls and our choices differ from wget's GnuTLS on
 * purpose, the step says why and checks the difference itself. Needs root, wget, nginx and openssl.
 *
 * Every run has `HOME=.`: wget's default `~/.wget-hsts` (and ours) is then each side's own working directory, never
 * the test machine's.
 */

import assert from "node:assert/strict";
import { assertSameOutcome, differential, type DifferentialOptions, type Side } from "../_support/differential.ts";
import { type Testbed, testbedTest } from "../testbed/testbed.ts";
import { HTTPS_PORTS, type HttpsServer, startHttpsServer, TLS_OPTION_PORTS } from "../testbed/tls.ts";
import { run } from "../_support/exec.ts";

const P = TLS_OPTION_PORTS;

/**
 * `HOME=.` for both sides; Deno's cache stays where it is (by default it lives under `$HOME` and would be rebuilt
 * in each working directory).
 */
const ENV = {
  HOME: ".",
  DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`}/deno`,
};

/** Both sides, `HOME=.`; the outcome compared unless `ignore` lists files to compare otherwise. */
async function same(
  tb: Testbed,
  args: string[],
  options: DifferentialOptions & { ignore?: string[] } = {},
): Promise<{ wget: Side; rhg: Side }> {
  const d = await differential(tb, args, { ...options, env: { ...ENV, ...options.env } });
  assertSameOutcome(d, { ignore: options.ignore });
  return d;
}

/** wget's HSTS lines of a side (comments dropped), `created` cut off: the two runs are seconds apart. */
async function hstsLines(side: Side, name: string): Promise<string[][]> {
  const text = await Deno.readTextFile(`${side.dir}/${name}`);
  assert.match(text, /^# HSTS 1\.0 Known Hosts database for GNU Wget\.\n# Edit at your own risk\.\n/);
  return text.split("\n").filter((l) => l !== "" && !l.startsWith("#")).map((l) => l.split("\t"));
}

/** Both wrote the same HSTS file: the same entries, `created` at most 5 s apart. */
async function assertSameHsts(d: { wget: Side; rhg: Side }, name: string): Promise<void> {
  const [w, r] = [await hstsLines(d.wget, name), await hstsLines(d.rhg, name)];
  const context = `\n--- wget:\n${w.join("\n")}\n--- rawhttpget:\n${r.join("\n")}`;
  assert.deepEqual(r.map((f) => f.toSpliced(3, 1)), w.map((f) => f.toSpliced(3, 1)), context);
  for (const [i, f] of r.entries()) assert.ok(Math.abs(Number(f[3]) - Number(w[i][3])) <= 5, context);
}

testbedTest("wget's TLS options and HSTS: exit codes and files as GNU wget 1.21.3's", {
  servers: ["deno"],
  tools: ["wget", "nginx", "openssl"],
}, async (t, tb) => {
  const https: HttpsServer = await startHttpsServer(tb, { tlsOptions: true });
  const pki = https.pki, extra = https.extra!;
  const ca = ["--ca-certificate", pki.caCert];
  const url = (port: number, path = "/one.bin") => https.url(path, port);
  await tb.randomFile("one.bin", 65_536, "tls-options");
  try {
    await t.step(
      "--secure-protocol: TLSv1_3 needs 1.3, TLSv1…TLSv1_2 and PFS take 1.2 or 1.3, bad values exit 2",
      async () => {
        const cases: Array<[string, number, number]> = [
          ["TLSv1_3", P.tls12, 4],
          ["TLSv1_3", P.tls13, 0],
          ["tlsv1_3", HTTPS_PORTS.good, 0],
          ["TLSv1_2", P.tls13, 0], // "1.2 or newer" in wget, not "only 1.2"
          ["TLSv1_2", P.tls12, 0],
          ["TLSv1", P.tls13, 0],
          ["TLSv1_1", P.tls12, 0],
          ["auto", P.tls12, 0],
          ["PFS", HTTPS_PORTS.good, 0],
          ["PFS", P.rsaKx, 4], // the server offers only RSA key exchange, which has no forward secrecy
          ["SSLv3", HTTPS_PORTS.good, 4], // GnuTLS: "No or insufficient priorities were set"; we refuse in one sentence
          ["SSLv2", HTTPS_PORTS.good, 4],
          ["TLSv1.3", HTTPS_PORTS.good, 2], // not a value wget knows
        ];
        for (const [protocol, port, code] of cases) {
          const d = await same(tb, [...ca, `--secure-protocol=${protocol}`, url(port)]);
          assert.equal(d.rhg.code, code, `${protocol} on ${port}: ${d.rhg.stderr}`);
        }
        const sslv3 = await same(tb, [...ca, "--secure-protocol=SSLv3", url(HTTPS_PORTS.good)]);
        assert.match(sslv3.rhg.stderr, /^rawhttpget: --secure-protocol=SSLv3 is not supported: node:tls speaks only/m);
      },
    );

    await t.step(
      "a server with RSA key exchange only: wget's GnuTLS connects with auto, node:tls never can",
      async () => {
        // Deno's TLS (rustls) offers only forward-secret suites, so `auto` is already wget's PFS: a difference of the
        // TLS library, not a choice of ours.
        const d = await differential(tb, [...ca, url(P.rsaKx)], { env: ENV });
        assert.equal(d.wget.code, 0, d.wget.stderr);
        assert.equal(d.rhg.code, 4, d.rhg.stderr);
        assert.match(d.rhg.stderr, /^rawhttpget: The TLS handshake with 198\.18\.2\.2 failed: /m);
      },
    );

    await t.step("a server that asks for a client certificate: sent from one file or two, else 400", async () => {
      const both = `${tb.tempDir}/client-both.pem`;
      await Deno.writeTextFile(
        both,
        await Deno.readTextFile(extra.client.cert) + await Deno.readTextFile(extra.client.key),
      );
      assert.equal((await same(tb, [...ca, url(P.clientCert)])).rhg.code, 8); // nginx: "No required SSL certificate"
      const pair = ["--certificate", extra.client.cert, "--private-key", extra.client.key];
      assert.equal((await same(tb, [...ca, ...pair, url(P.clientCert)])).rhg.code, 0);
      assert.equal((await same(tb, [...ca, ...pair, "--certificate-type=PEM", url(P.clientCert)])).rhg.code, 0);
      assert.equal((await same(tb, [...ca, "--certificate", both, url(P.clientCert)])).rhg.code, 0);
      assert.equal((await same(tb, [...ca, "--private-key", both, url(P.clientCert)])).rhg.code, 0);
      assert.equal((await same(tb, [...ca, ...pair, url(HTTPS_PORTS.good)])).rhg.code, 0); // not asked: not sent
      for (const protocol of ["TLSv1_3", "TLSv1_2"]) {
        const d = await same(tb, [...ca, ...pair, `--secure-protocol=${protocol}`, url(P.clientCert)]);
        assert.equal(d.rhg.code, 0, d.rhg.stderr);
      }
    });

    await t.step("client certificate files wget goes on without, and DER, are refused in one sentence", async () => {
      // wget does not check what GnuTLS made of the files: with a key of another certificate it sends the
      // certificate and the server ends the handshake (exit 4); without a usable certificate it sends none and the
      // server answers 400 (exit 8). A request sent as someone else than the user asked is not what a client
      // certificate is for: we stop before connecting, with exit 1 as wget when its CRL file does not load. wget
      // reads DER files too; we read PEM only, and say so (a usage error, 2).
      const certDer = `${tb.tempDir}/client.der`, keyDer = `${tb.tempDir}/client-key.der`;
      await run(["openssl", "x509", "-in", extra.client.cert, "-outform", "DER", "-out", certDer]);
      await run(["openssl", "pkey", "-in", extra.client.key, "-outform", "DER", "-out", keyDer]);
      const cases: Array<[string[], number, number, RegExp]> = [
        [
          ["--certificate", extra.client.cert, "--private-key", pki.good.key],
          4,
          1,
          /^rawhttpget: The private key in ".*good\.key" does not belong to the certificate in ".*client\.pem"$/m,
        ],
        [["--certificate", `${tb.tempDir}/nope.pem`], 8, 1, /^rawhttpget: Cannot read the client certificate file /m],
        [["--certificate", extra.client.cert], 8, 1, /^rawhttpget: No PEM private key found in /m],
        // wget reads DER files; we do not (a usage error that says how to convert them).
        [
          ["--certificate", certDer, "--certificate-type=DER", "--private-key", keyDer, "--private-key-type=DER"],
          0,
          2,
          /^rawhttpget: --certificate-type=DER is not supported: give the file in PEM \(openssl x509 -inform DER/m,
        ],
      ];
      for (const [args, wgetCode, code, message] of cases) {
        const d = await differential(tb, ["-t", "1", ...ca, ...args, url(P.clientCert)], { env: ENV });
        assert.equal(d.wget.code, wgetCode, d.wget.stderr);
        assert.equal(d.rhg.code, code, d.rhg.stderr);
        assert.match(d.rhg.stderr, message);
        assert.equal(d.rhg.files.size, 0);
      }
    });

    await t.step(
      "--crl-file: a revoked server certificate exits 5, a good one passes, an unloadable file exits 1",
      async () => {
        const crl = ["--crl-file", extra.crl];
        const revoked = await same(tb, [...ca, ...crl, url(P.revoked)]);
        assert.equal(revoked.rhg.code, 5);
        assert.match(revoked.rhg.stderr, /^rawhttpget: The certificate of 198\.18\.2\.2 has been revoked \(serial /m);
        assert.equal((await same(tb, [...ca, url(P.revoked)])).rhg.code, 0); // without the CRL it verifies
        assert.equal((await same(tb, [...ca, ...crl, url(HTTPS_PORTS.good)])).rhg.code, 0);
        // --no-check-certificate: a warning, and the download (wget's too).
        assert.equal((await same(tb, ["--no-check-certificate", ...crl, url(P.revoked)])).rhg.code, 0);
        for (const file of [`${tb.tempDir}/nope.crl`, pki.caCert]) {
          const d = await same(tb, [...ca, "--crl-file", file, url(HTTPS_PORTS.good)]);
          assert.equal(d.rhg.code, 1, d.rhg.stderr);
        }
        // Only https loads it: a plain download does not care.
        assert.equal(
          (await same(tb, ["--crl-file", `${tb.tempDir}/nope.crl`, tb.url("deno", "/one.bin")])).rhg.code,
          0,
        );
      },
    );

    await t.step(
      "--pinnedpubkey: sha256// lists and key files; a mismatch exits 5, even with --no-check-certificate",
      async () => {
        const pub = `${tb.tempDir}/good.pub.pem`, der = `${tb.tempDir}/good.pub.der`;
        await run(["openssl", "x509", "-in", pki.good.cert, "-pubkey", "-noout", "-out", pub]);
        await run(["openssl", "pkey", "-pubin", "-in", pub, "-outform", "der", "-out", der]);
        const hash = btoa(
          String.fromCharCode(...new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(der)))),
        );
        const wrong = btoa("x".repeat(32));
        const cases: Array<[string[], string, number]> = [
          [ca, `sha256//${hash}`, 0],
          [ca, `sha256//AAAA;sha256//${wrong};sha256//${hash}`, 0],
          [ca, `sha256//${wrong}`, 5],
          [["--no-check-certificate"], `sha256//${wrong}`, 5],
          [["--no-check-certificate"], pub, 0],
          [ca, der, 0],
          [ca, extra.client.cert, 5], // a certificate is not a public key file
          [ca, `${tb.tempDir}/nope.pub`, 5],
        ];
        for (const [args, pin, code] of cases) {
          const d = await same(tb, [...args, "--pinnedpubkey", pin, url(HTTPS_PORTS.good)]);
          assert.equal(d.rhg.code, code, `${pin}: ${d.rhg.stderr}`);
        }
        const mismatch = await same(tb, [...ca, "--pinnedpubkey", `sha256//${wrong}`, url(HTTPS_PORTS.good)]);
        assert.match(mismatch.rhg.stderr, /^rawhttpget: The public key of 198\.18\.2\.2 does not match the pinned/m);
      },
    );

    await t.step(
      "--ca-directory: its files instead of the system's, hashed names too; a missing one trusts nothing",
      async () => {
        const dir = `${tb.tempDir}/cadir`, hashed = `${tb.tempDir}/cadir-hashed`, empty = `${tb.tempDir}/cadir-empty`;
        for (const d of [dir, hashed, empty]) await Deno.mkdir(d, { recursive: true });
        await Deno.copyFile(pki.caCert, `${dir}/test-ca.pem`);
        await Deno.writeTextFile(`${dir}/README`, "not a certificate\n");
        const hash = (await run(["openssl", "x509", "-hash", "-noout", "-in", pki.caCert])).trim();
        await Deno.symlink(pki.caCert, `${hashed}/${hash}.0`);
        const cases: Array<[string[], number]> = [
          [["--ca-directory", dir], 0],
          [["--ca-directory", hashed], 0],
          [["--ca-directory", empty], 5],
          [["--ca-directory", `${tb.tempDir}/no-such-dir`], 5],
          [["--ca-directory", `${tb.tempDir}/no-such-dir`, ...ca], 0],
          [["--ca-directory", empty, ...ca], 0],
        ];
        for (const [args, code] of cases) {
          const d = await same(tb, [...args, url(HTTPS_PORTS.good)]);
          assert.equal(d.rhg.code, code, `${args.join(" ")}: ${d.rhg.stderr}`);
        }
      },
    );

    const etc = `/etc/netns/${tb.clientNs}`;
    await Deno.mkdir(etc, { recursive: true });
    await Deno.writeTextFile(
      `${etc}/hosts`,
      `127.0.0.1 localhost\n${tb.serverAddr} server.test\n${tb.serverAddr} sub.server.test\n`,
    );
    try {
      await t.step("HSTS: an https response notes its host in ~/.wget-hsts; nothing else writes the file", async () => {
        const noted = await same(tb, [...ca, "https://server.test/hsts/one.bin"], { ignore: [".wget-hsts"] });
        assert.equal(noted.rhg.code, 0, noted.rhg.stderr);
        await assertSameHsts(noted, ".wget-hsts");
        assert.deepEqual((await hstsLines(noted.rhg, ".wget-hsts")).map((f) => f.toSpliced(3, 1)), [
          ["server.test", "0", "1", "600"],
        ]);
        // No Strict-Transport-Security field, or an IP literal: no file at all.
        assert.equal((await same(tb, [...ca, "https://server.test/one.bin"])).rhg.files.size, 1);
        assert.equal((await same(tb, [...ca, url(HTTPS_PORTS.good, "/hsts/one.bin")])).rhg.files.size, 1);
        // --hsts-file names another file; --no-hsts writes none.
        const named = await same(tb, [...ca, "--hsts-file", "h", "https://server.test/hsts/one.bin"], {
          ignore: ["h"],
        });
        await assertSameHsts(named, "h");
        assert.equal((await same(tb, [...ca, "--no-hsts", "https://server.test/hsts/one.bin"])).rhg.files.size, 1);
      });

      const known = (sub: number, maxAge = 600) => async (dir: string) => {
        const now = Math.floor(Date.now() / 1000);
        await Deno.writeTextFile(`${dir}/.wget-hsts`, `server.test\t0\t${sub}\t${now}\t${maxAge}\n`);
      };

      await t.step("HSTS: http:// to a known host is upgraded before connecting (port 80 is closed here)", async () => {
        const plain = await same(tb, [...ca, "http://server.test/one.bin"]);
        assert.equal(plain.rhg.code, 4, "port 80 is not closed: the test proves nothing");
        const up = await same(tb, [...ca, "http://server.test/one.bin"], { setup: known(0), ignore: [".wget-hsts"] });
        assert.equal(up.rhg.code, 0, up.rhg.stderr);
        assert.match(
          up.rhg.stderr,
          /^URL transformed to HTTPS due to an HSTS policy: https:\/\/server\.test\/one\.bin$/m,
        );
        // Not another port (wget keys entries by port), nor with --no-hsts.
        assert.equal((await same(tb, [...ca, "http://server.test:8080/one.bin"], { setup: known(0) })).rhg.code, 0);
        const off = await same(tb, [...ca, "--no-hsts", "http://server.test/one.bin"], { setup: known(0) });
        assert.equal(off.rhg.code, 4);
        // A redirect to http:// is upgraded too.
        const back = tb.url("deno", `/redirect-to?url=${encodeURIComponent("http://server.test/one.bin")}`);
        assert.equal(
          (await same(tb, [...ca, "-O", "out", back], { setup: known(0), ignore: [".wget-hsts"] })).rhg.code,
          0,
        );
      });

      await t.step("HSTS: subdomains with includeSubDomains only; an expired entry is dropped", async () => {
        const sub = "http://sub.server.test/one.bin";
        assert.equal((await same(tb, [...ca, sub], { setup: known(1), ignore: [".wget-hsts"] })).rhg.code, 0);
        assert.equal((await same(tb, [...ca, sub], { setup: known(0) })).rhg.code, 4);
        const expired = async (dir: string) => {
          await Deno.writeTextFile(`${dir}/.wget-hsts`, "server.test\t0\t1\t1000\t600\n");
        };
        const d = await same(tb, [...ca, "http://server.test/one.bin"], { setup: expired, ignore: [".wget-hsts"] });
        assert.equal(d.rhg.code, 4);
        // The expired entry was the only one: neither rewrites the file (wget writes only a non-empty store).
        for (const side of [d.wget, d.rhg]) {
          assert.equal(await Deno.readTextFile(`${side.dir}/.wget-hsts`), "server.test\t0\t1\t1000\t600\n");
        }
      });

      await t.step("HSTS: max-age=0 removes the host; a world-writable file is not used", async () => {
        const cleared = await same(tb, [...ca, "https://server.test/hsts-clear/one.bin"], {
          setup: async (dir) => {
            await known(0)(dir);
            await Deno.writeTextFile(`${dir}/.wget-hsts`, "other.test\t0\t0\t2000000000\t600\n", { append: true });
          },
          ignore: [".wget-hsts"],
        });
        assert.equal(cleared.rhg.code, 0);
        await assertSameHsts(cleared, ".wget-hsts");
        assert.deepEqual((await hstsLines(cleared.rhg, ".wget-hsts")).map((f) => f[0]), ["other.test"]);
        const open = await same(tb, [...ca, "http://server.test/one.bin"], {
          setup: async (dir) => {
            await known(0)(dir);
            await Deno.chmod(`${dir}/.wget-hsts`, 0o666);
          },
        });
        assert.equal(open.rhg.code, 4);
        assert.match(
          open.rhg.stderr,
          /^Will not apply HSTS\. The HSTS database must be a regular and non-world-writable/m,
        );
      });

      await t.step("HSTS over --no-check-certificate: wget notes the host, we do not (RFC 6797 §8.1)", async () => {
        // §8.1: a UA must not note a host from a connection with certificate errors; wget 1.21 does not check.
        const d = await differential(tb, ["--no-check-certificate", "https://server.test/hsts/one.bin"], { env: ENV });
        assert.equal(d.wget.code, 0, d.wget.stderr);
        assert.equal(d.rhg.code, 0, d.rhg.stderr);
        assert.ok(d.wget.files.has(".wget-hsts"));
        assert.ok(!d.rhg.files.has(".wget-hsts"));
      });
    } finally {
      await Deno.remove(etc, { recursive: true });
    }
  } finally {
    await https.stop();
  }
}, { sanitizeOps: false, sanitizeResources: false });
