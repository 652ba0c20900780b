/**
 * HTTPS from a Perl server built on IO::Socket::SSL + HTTP::Daemon (tests/testbed/perl_tls_server.pl). Its OpenSSL
 * reads ahead and HTTP::Daemon waits for the request with select(), so a request that reaches it in the same segment
 * as our TLS 1.3 Finished is read during its TLS accept and never seen: it closes without a response when its timeout
 * ends. Our downloads must equal the served files and wget's copies byte for byte. Needs root, perl with
 * IO::Socket::SSL and HTTP::Daemon, wget and openssl (fails without unless RHG_ALLOW_SKIP=1).
 */

import assert from "node:assert/strict";
import { testbedTest } from "../testbed/testbed.ts";
import { sha256File } from "../_support/files.ts";
import { makeTestPki } from "../testbed/tls.ts";
import { perlTlsMissing, startPerlTlsServer } from "../testbed/perl_tls.ts";
import { rhg } from "../_support/program.ts";

/** How long the server waits for a request before it closes the connection. */
const SERVER_TIMEOUT_S = 5;

testbedTest("https: a Perl HTTP::Daemon server that reads ahead gets our request and serves byte-exact files", {
  servers: [],
  tools: ["perl", "wget", "openssl"],
}, async (_t, tb) => {
  const missing = await perlTlsMissing();
  if (missing !== null) throw new Error(`This test needs ${missing} (run \`deno task test\` to install it)`);
  const pki = await makeTestPki(`${tb.tempDir}/pki`, tb.serverAddr);
  const perl = await startPerlTlsServer(tb, pki.good, SERVER_TIMEOUT_S);
  try {
    for (const [name, size, verbose] of [["small.bin", 1000, true], ["one.bin", 2 ** 20, false]] as const) {
      const served = await tb.randomFile(name, size, name);
      const url = perl.url(`/${name}`);
      const r = await rhg(tb, [verbose ? "-v" : "-q", "-t", "1", "--ca-certificate", pki.caCert, "-O", "out", url]);
      assert.equal(r.code, 0, `${name}: ${r.stderr.slice(-2000)}\nThe server logged:\n${perl.log()}`);
      if (verbose) assert.match(r.stderr, /^TLSv1\.3 with 198\.18\.2\.2: certificate verified$/m);
      const wgetCopy = `${tb.tempDir}/wget-${name}`;
      const w = await tb.execClient(["wget", "-q", "-t", "1", "--ca-certificate", pki.caCert, "-O", wgetCopy, url]);
      assert.equal(w.code, 0, `wget: ${w.stderr}\nThe server logged:\n${perl.log()}`);
      assert.equal(await sha256File(wgetCopy), served.sha256, `${name}: wget's copy differs from the served file`);
      assert.equal(await sha256File(`${r.dir}/out`), served.sha256, `${name}: our file differs from wget's copy`);
    }
    assert.doesNotMatch(perl.log(), /closed: Timeout/, `the server timed out waiting for a request:\n${perl.log()}`);
  } finally {
    await perl.stop();
  }
});
