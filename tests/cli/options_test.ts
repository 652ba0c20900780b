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
import { OptionConflictError, parseHeader } from "../../src/cli/request_options.ts";
import { BodyFileError, SavedErrorStatus } from "../../src/fetch/mod.ts";

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
  assert.equal(s.http10, false);
  assert.equal(s.keepAlive, true);
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
    "--report",
    "r.html",
    "--report-json",
    "r.json",
    "--timeout",
    "1.5",
    "-t",
    "5",
    "--max-redirect",
    "0",
    "--http1.1",
    "--trust-server-names",
    "--no-firewall",
    "--packet-ring",
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
    "--no-cookies",
    "--load-cookies",
    "in.txt",
    "--save-cookies",
    "out.txt",
    "--keep-session-cookies",
    "--no-hsts",
    "--user-drop",
    "alice",
    "--no-drop-privileges",
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
    report: "r.html",
    reportJson: "r.json",
    timeoutMs: 1500,
    connectTimeoutMs: 1500, // --timeout is -T: the read, connect and DNS timeouts at once
    dnsTimeoutMs: 1500,
    tries: 5,
    maxRedirects: 0,
    http10: false,
    keepAlive: true,
    trustServerNames: true,
    firewall: "none",
    frameLink: "auto",
    userDrop: "alice",
    noDropPrivileges: true,
    device: "eth0",
    source: 0xc6120102,
    caFile: "ca.pem",
    checkCertificate: false,
    timestamping: true,
    ifModifiedSince: false,
    useServerTimestamps: false,
    cookies: false,
    loadCookies: "in.txt",
    saveCookies: "out.txt",
    keepSessionCookies: true,
    debug: true,
  });
});

Deno.test("readSettings() refuses bad values and combinations with a usage error", () => {
  for (
    const args of [
      ["--tries", "0"],
      ["--tries", "x"],
      ["--max-redirect", "-1"],
      ["--timeout", "-1"],
      ["--timeout", "x"],
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

Deno.test("-d is -v with the heads, and --no-config changes nothing when there is no wgetrc file", () => {
  const debug = settings("-d", "http://h/");
  assert.deepEqual([debug.verbose, debug.debug], [true, true]);
  assert.deepEqual([settings("-v", "http://h/").debug], [false]);
  assert.deepEqual(settings("--no-config", "http://h/"), settings("http://h/"));
});

Deno.test("--version: the first line names the version, the third lists the features as wget does", () => {
  const lines = versionText("9.9.9").split("\n");
  assert.deepEqual(lines.slice(0, 2), ["rawhttpget 9.9.9", ""]);
  assert.equal(lines[2], FEATURES.join(" "));
  for (const f of ["+https", "+ipv6", "+iri", "+digest", "-ntlm", "-psl", "-metalink"]) {
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
    // The name ends at a space: "--no" (wget's -nv, -nc) is not "--no-config".
    const heading = help.lastIndexOf(`\n${o.group}:\n`, help.indexOf(`--${o.name} `));
    const nextGroup = GROUPS[GROUPS.indexOf(o.group) + 1];
    const end = nextGroup === undefined ? help.length : help.indexOf(`\n${nextGroup}:\n`);
    const where = help.indexOf(`--${o.name} `, heading);
    assert.ok(heading >= 0 && where > heading && where < end, o.name);
  }
});

Deno.test("cookie options: on by default; --no-cookies, the two files and --keep-session-cookies, also from -e", () => {
  const pick = (s: ReturnType<typeof settings>) => [s.cookies, s.loadCookies, s.saveCookies, s.keepSessionCookies];
  assert.deepEqual(pick(settings("http://h/")), [true, undefined, undefined, false]);
  assert.deepEqual(
    pick(settings("--load-cookies", "in.txt", "--save-cookies", "out.txt", "--keep-session-cookies", "http://h/")),
    [true, "in.txt", "out.txt", true],
  );
  assert.equal(settings("--no-cookies", "http://h/").cookies, false);
  assert.deepEqual(
    pick(settings("-e", "cookies = off", "-e", "save_cookies = c.txt", "-e", "keep_session_cookies = on", "http://h/")),
    [false, undefined, "c.txt", true],
  );
});

Deno.test("request options: --post-data is a POST, --method is upper-cased, --method=HEAD is spider mode", () => {
  const post = settings("--post-data", "a=1", "http://h/");
  assert.deepEqual([post.method, post.bodyData, post.bodyFile], ["POST", "a=1", undefined]);
  const file = settings("--post-file", "f.txt", "http://h/");
  assert.deepEqual([file.method, file.bodyData, file.bodyFile], ["POST", undefined, "f.txt"]);
  const put = settings("--method", "put", "--body-file", "b.bin", "http://h/");
  assert.deepEqual([put.method, put.bodyFile, put.spider], ["PUT", "b.bin", undefined]);
  assert.equal(settings("--method=head", "http://h/").spider, true);
  const plain = settings("http://h/");
  assert.deepEqual([plain.method, plain.spider, plain.contentOnError, plain.ignoreLength], [
    undefined,
    undefined,
    undefined,
    undefined,
  ]);
  assert.throws(() => settings("--method=", "http://h/"), UsageError);
  assert.throws(() => settings("--method=GET /x", "http://h/"), UsageError);
});

Deno.test("request options wget refuses to combine are exit 1; a body file it cannot read is exit 3", () => {
  for (
    const args of [
      ["--post-data=a", "--post-file=f"],
      ["--post-data=a", "--method=PUT"],
      ["--body-data=a"],
      ["--method=PUT", "--body-data=a", "--body-file=f"],
    ]
  ) {
    assert.throws(() => settings(...args, "http://h/"), OptionConflictError, args.join(" "));
  }
  assert.equal(describeFailure(new OptionConflictError("x")).code, ExitCode.Generic);
  assert.equal(describeFailure(new BodyFileError("f", "No such file or directory")).code, ExitCode.FileIo);
  const saved = new SavedErrorStatus(504, "Gateway Timeout", "page");
  assert.deepEqual(describeFailure(saved), {
    message: "The server answered 504 Gateway Timeout; its body is saved in 'page'",
    code: ExitCode.ServerError,
  });
});

Deno.test("--header: each in order, an empty one clears the list; a malformed one is a usage error", () => {
  const s = settings("--header", "X-A: 1", "--header=X-B:2  ", "--header=", "--header", "X-C:\tthree", "http://h/");
  assert.deepEqual(s.headers, [["X-C", "three"]]);
  assert.equal(settings("--header=X: 1", "--header=", "http://h/").headers, undefined);
  assert.deepEqual(parseHeader("Empty:"), ["Empty", ""]);
  for (const bad of ["no colon", ": v", "X Y: v", "X: a\r\nY: b"]) {
    assert.throws(() => parseHeader(bad), UsageError, bad);
  }
});

Deno.test("-U, --referer, -S, --spider, --content-on-error and --ignore-length fill their settings", () => {
  const s = settings(
    "-U",
    " probe/1 ",
    "--referer=http://r/",
    "-S",
    "--spider",
    "--content-on-error",
    "--ignore-length",
    "http://h/",
  );
  assert.deepEqual(
    [s.userAgent, s.referer, s.serverResponse, s.spider, s.contentOnError, s.ignoreLength],
    ["probe/1", "http://r/", true, true, true, true],
  );
  assert.equal(settings("-U", "", "http://h/").userAgent, "");
  assert.throws(() => settings("-U", "a\nb", "http://h/"), UsageError);
});
