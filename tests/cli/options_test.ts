import assert from "node:assert/strict";
import { FEATURES, helpText, parseCommandLine, readSettings, UsageError, versionText } from "../../src/cli/options.ts";
import { GROUPS, OPTIONS } from "../../src/cli/option_table.ts";
import { describeFailure, FFI_PERMISSION_MESSAGE } from "../../src/cli/messages.ts";
import { ExitCode } from "../../src/cli/exit_codes.ts";
import { RangeMismatchError, RedirectError, ServerStatusError } from "../../src/fetch/mod.ts";
import { ConnectionError } from "../../src/transport/mod.ts";
import { BindError } from "../../ffi/route.ts";
import { OsError } from "../../ffi/os_error.ts";
import { TlsError } from "../../src/fetch/mod.ts";

const settings = (...args: string[]) => readSettings(parseCommandLine(args));

Deno.test("--help lists every option of the table with its short name and value", () => {
  const help = helpText("9.9.9");
  for (const o of OPTIONS) {
    assert.ok(help.includes(`--${o.name}`), o.name);
    if (o.short) assert.ok(help.includes(`-${o.short}, --${o.name}`), o.name);
  }
});

Deno.test("readSettings() has wget-like defaults", () => {
  const s = settings("http://h/");
  assert.equal(s.tries, 3);
  assert.equal(s.maxRedirects, 20);
  assert.equal(s.resume, false);
  assert.equal(s.http11, false);
  assert.equal(s.timeoutMs, undefined);
  assert.equal(s.checkCertificate, true);
  assert.equal(s.caFile, undefined);
});

Deno.test("readSettings() reads every option", () => {
  const s = settings(
    "-O",
    "o",
    "-P",
    "d",
    "-c",
    "-q",
    "-v",
    "--pcap",
    "p",
    "--timeout",
    "1.5",
    "-t",
    "5",
    "--max-redirect",
    "0",
    "--http1.1",
    "--trust-server-names",
    "--no-firewall",
    "--interface",
    "eth0",
    "--source",
    "198.18.1.2",
    "--ca-certificate",
    "ca.pem",
    "--no-check-certificate",
    "-N",
    "--no-if-modified-since",
    "--no-use-server-timestamps",
    "-d",
    "--no-config",
    "https://h/",
  );
  assert.deepEqual(s, {
    output: "o",
    directory: "d",
    resume: true,
    quiet: true,
    verbose: true,
    pcap: "p",
    timeoutMs: 1500,
    tries: 5,
    maxRedirects: 0,
    http11: true,
    trustServerNames: true,
    firewall: "none",
    device: "eth0",
    source: 0xc6120102,
    caFile: "ca.pem",
    checkCertificate: false,
    timestamping: true,
    ifModifiedSince: false,
    useServerTimestamps: false,
    debug: true,
  });
});

Deno.test("readSettings() refuses bad values and combinations with a usage error", () => {
  for (
    const args of [
      ["--tries", "0"],
      ["--tries", "x"],
      ["--max-redirect", "-1"],
      ["--timeout", "0"],
      ["--source", "host.example"],
      ["--source", "198.18.01.2"],
      ["-c", "-O", "-"],
      ["-c", "-O", "f", "http://other/"],
    ]
  ) {
    assert.throws(() => settings(...args, "http://h/"), UsageError, args.join(" "));
  }
  assert.throws(() => parseCommandLine(["--no-such-option"]), UsageError);
});

Deno.test("describeFailure() maps each error to wget's exit code", () => {
  const code = (e: unknown) => describeFailure(e).code;
  assert.equal(code(new UsageError("x")), ExitCode.Usage);
  assert.equal(code(new ServerStatusError(404, "Not Found")), ExitCode.ServerError);
  assert.equal(code(new RedirectError("loop", "x")), ExitCode.ServerError);
  // wget retries these two and then gives up as after a network failure.
  assert.equal(code(new RangeMismatchError("x")), ExitCode.Network);
  assert.equal(code(new ServerStatusError(504, "Gateway Timeout")), ExitCode.Network);
  assert.equal(code(new ServerStatusError(503, "Service Unavailable")), ExitCode.ServerError);
  assert.equal(code(new ConnectionError("timeout", "x")), ExitCode.Network);
  assert.equal(code(new BindError("x")), ExitCode.Network);
  assert.equal(code(new OsError(28, "write", `"f.part", 10 bytes`)), ExitCode.FileIo);
  assert.equal(code(new OsError(17, "mkdir", `"d"`)), ExitCode.FileIo);
  assert.deepEqual(describeFailure(new TlsError("expired", "The certificate of h has expired")), {
    message: "The certificate of h has expired",
    code: ExitCode.Tls,
  });
  assert.equal(code(new TlsError("ca-file", "x")), ExitCode.Tls);
  assert.equal(code(new TlsError("handshake", "x")), ExitCode.Network);
  const ffi = describeFailure(
    new Deno.errors.NotCapable('Requires ffi access to "libc.so.6", run again with the --allow-ffi flag'),
  );
  assert.deepEqual(ffi, { message: FFI_PERMISSION_MESSAGE, code: ExitCode.Generic });
});

Deno.test("-N, --no-if-modified-since and --no-use-server-timestamps fill the timestamp settings", () => {
  const none = settings("http://h/");
  assert.deepEqual([none.timestamping, none.ifModifiedSince, none.useServerTimestamps], [false, true, true]);
  const all = settings("-N", "--no-if-modified-since", "--no-use-server-timestamps", "http://h/");
  assert.deepEqual([all.timestamping, all.ifModifiedSince, all.useServerTimestamps], [true, false, false]);
  assert.equal(settings("--timestamping", "http://h/").timestamping, true);
});

Deno.test("-d is -v with the heads, and --no-config is accepted and changes nothing", () => {
  const debug = settings("-d", "http://h/");
  assert.deepEqual([debug.verbose, debug.debug], [true, true]);
  assert.deepEqual([settings("-v", "http://h/").debug], [false]);
  assert.deepEqual(settings("--no-config", "http://h/"), settings("http://h/"));
});

Deno.test("--version: the first line names the version, the third lists the features as wget does", () => {
  const lines = versionText("9.9.9").split("\n");
  assert.deepEqual(lines.slice(0, 2), ["rawhttpget 9.9.9", ""]);
  assert.equal(lines[2], FEATURES.join(" "));
  for (const f of ["+https", "-ipv6", "-iri", "+digest", "-ntlm", "-psl", "-metalink"]) {
    assert.ok(lines[2].split(" ").includes(f), f);
  }
  assert.ok(FEATURES.every((f) => /^[+-][a-z0-9/-]+$/.test(f)));
});

Deno.test("--help lists every option under its group, the groups in wget's order", () => {
  const help = helpText("1");
  let at = 0;
  for (const group of GROUPS) {
    const here = help.indexOf(`\n${group}:\n`, at);
    assert.ok(here > at, group);
    at = here;
  }
  for (const o of OPTIONS) {
    const heading = help.lastIndexOf(`\n${o.group}:\n`, help.indexOf(`--${o.name}`));
    const nextGroup = GROUPS[GROUPS.indexOf(o.group) + 1];
    const end = nextGroup === undefined ? help.length : help.indexOf(`\n${nextGroup}:\n`);
    const where = help.indexOf(`--${o.name}`, heading);
    assert.ok(heading >= 0 && where > heading && where < end, o.name);
  }
});
