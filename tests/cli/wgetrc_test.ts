import assert from "node:assert/strict";
import { parseCommandLine, readSettings, type Settings, UsageError } from "../../src/cli/options.ts";
import { OPTIONS } from "../../src/cli/option_table.ts";
import { describeFailure } from "../../src/cli/messages.ts";
import { ExitCode } from "../../src/cli/exit_codes.ts";
import { applyAssignments } from "../../src/cli/configuration.ts";
import {
  canonicalCommand,
  isWgetCommand,
  parseExecute,
  parseWgetrc,
  parseWgetrcLine,
  supportedCommands,
  wgetrcCommandOf,
  WgetrcError,
} from "../../src/cli/wgetrc.ts";

/** A machine: its environment and its files. */
function machine(env: Record<string, string>, files: Record<string, string>) {
  return {
    env: (name: string) => env[name],
    readText: (path: string) => files[path] ?? null,
  };
}

/** readSettings() on `args` with these files and environment (HOME=/home/u unless given). */
function settingsOn(
  args: string[],
  files: Record<string, string>,
  env: Record<string, string> = {},
): Settings {
  const m = machine({ HOME: "/home/u", ...env }, files);
  return readSettings(parseCommandLine([...args, "http://h/"]), m.env, m.readText);
}

function wgetrcFailure(f: () => unknown): WgetrcError {
  try {
    f();
  } catch (e) {
    if (e instanceof WgetrcError) return e;
    throw e;
  }
  throw new Error("no WgetrcError");
}

Deno.test("parseWgetrcLine() reads wget's syntax: blanks, comments, NAME = VALUE", () => {
  assert.deepEqual(parseWgetrcLine(""), { kind: "blank" });
  assert.deepEqual(parseWgetrcLine(" \t\r"), { kind: "blank" });
  assert.deepEqual(parseWgetrcLine("   # tries = 1"), { kind: "blank" });
  assert.deepEqual(parseWgetrcLine("tries=1"), { kind: "command", name: "tries", value: "1" });
  assert.deepEqual(parseWgetrcLine("  use-proxy\t =  off \r"), { kind: "command", name: "use-proxy", value: "off" });
  // "#" after the start and quotes are part of the value, as in wget.
  assert.deepEqual(parseWgetrcLine('user = "a#b" # c'), { kind: "command", name: "user", value: '"a#b" # c' });
  assert.deepEqual(parseWgetrcLine("http_proxy = http://p:3128/?a=b"), {
    kind: "command",
    name: "http_proxy",
    value: "http://p:3128/?a=b",
  });
  assert.deepEqual(parseWgetrcLine("tries ="), { kind: "command", name: "tries", value: "" });
  for (const bad of ["quiet", "use proxy = off", "tries : 1", "tries.x = 1"]) {
    assert.deepEqual(parseWgetrcLine(bad), { kind: "malformed" }, bad);
  }
});

Deno.test("command names ignore case, dashes and underscores, as wget's", () => {
  assert.equal(canonicalCommand("use_proxy"), "useproxy");
  for (const name of ["use_proxy", "usEProxy", "use-proxy", "USE__PRO-XY"]) {
    assert.deepEqual(parseExecute(`${name}=off`), { kind: "option", option: "no-proxy", value: true }, name);
  }
  assert.deepEqual(parseExecute("Check-Certificate = Off"), {
    kind: "option",
    option: "no-check-certificate",
    value: true,
  });
});

Deno.test("booleans are on/off, yes/no, 1/0 in any case; check_certificate also takes quiet", () => {
  const quiet = (v: string) => parseExecute(`quiet = ${v}`);
  for (const on of ["on", "ON", "yes", "Yes", "1"]) {
    assert.deepEqual(quiet(on), { kind: "option", option: "quiet", value: true });
  }
  for (const off of ["off", "Off", "no", "NO", "0"]) {
    assert.deepEqual(quiet(off), { kind: "option", option: "quiet", value: false });
  }
  assert.deepEqual(parseExecute("check_certificate = quiet"), {
    kind: "option",
    option: "no-check-certificate",
    value: true,
  });
  for (const bad of ["", "true", "2", "onn"]) assert.throws(() => quiet(bad), WgetrcError, bad);
});

Deno.test("wget's commands for our options set them, negated flags included", () => {
  const expected: Record<string, string> = {
    "use_proxy=off": "no-proxy",
    "check_certificate=off": "no-check-certificate",
    "netrc=off": "no-netrc",
    "if_modified_since=off": "no-if-modified-since",
    "use_server_timestamps=off": "no-use-server-timestamps",
  };
  for (const [command, option] of Object.entries(expected)) {
    assert.deepEqual(parseExecute(command), { kind: "option", option, value: true }, command);
  }
  const strings: Record<string, string> = {
    tries: "tries",
    timeout: "timeout",
    user: "user",
    password: "password",
    http_user: "http-user",
    http_password: "http-password",
    http_passwd: "http-password",
    proxy_user: "proxy-user",
    proxy_password: "proxy-password",
    dir_prefix: "directory-prefix",
    output_document: "output-document",
    max_redirect: "max-redirect",
    ca_certificate: "ca-certificate",
    num_tries: "tries",
  };
  for (const [command, option] of Object.entries(strings)) {
    assert.deepEqual(parseExecute(`${command} = v`), { kind: "option", option, value: "v" }, command);
  }
  for (const flag of ["continue", "timestamping", "verbose", "quiet", "debug", "auth_no_challenge"]) {
    const option = OPTIONS.find((o) => canonicalCommand(o.name) === canonicalCommand(flag))!.name;
    assert.deepEqual(parseExecute(`${flag}=on`), { kind: "option", option, value: true }, flag);
  }
  assert.deepEqual(parseExecute("trust_server_names=1"), { kind: "option", option: "trust-server-names", value: true });
  assert.deepEqual(parseExecute("http_proxy = http://p:3128/"), {
    kind: "proxy",
    variable: "http_proxy",
    value: "http://p:3128/",
  });
  assert.deepEqual(parseExecute("https_proxy="), { kind: "proxy", variable: "https_proxy", value: "" });
  assert.deepEqual(parseExecute("no_proxy = a,b"), { kind: "proxy", variable: "no_proxy", value: "a,b" });
});

Deno.test("every option wget has maps to its wgetrc command; ours and the configuration's own have none", () => {
  for (const command of supportedCommands().keys()) assert.ok(isWgetCommand(command), command);
  assert.ok(!isWgetCommand("foo") && isWgetCommand("Passive-FTP"));
  for (const spec of OPTIONS) {
    const found = wgetrcCommandOf(spec);
    if (found === undefined) continue;
    // The command sets this option, or a twin for the same command (`--foo` and `--no-foo`).
    const set = parseExecute(`${found.command} = ${spec.type === "boolean" ? "on" : "v"}`);
    assert.equal(set.kind, "option", spec.name);
    const target = OPTIONS.find((o) => set.kind === "option" && o.name === set.option)!;
    assert.equal(wgetrcCommandOf(target)?.command, found.command, spec.name);
  }
  const none = ["pcap", "no-firewall", "interface", "source", "http1.1", "config", "no-config", "execute", "help"];
  for (const name of none) {
    const spec = OPTIONS.find((o) => o.name === name);
    if (spec !== undefined) assert.equal(wgetrcCommandOf(spec), undefined, name);
  }
  assert.deepEqual(wgetrcCommandOf({ name: "no-clobber", type: "boolean", help: "", group: "Download" }), {
    command: "noclobber",
    negated: false,
  });
  assert.deepEqual(wgetrcCommandOf({ name: "no-cookies", type: "boolean", help: "", group: "HTTP options" }), {
    command: "cookies",
    negated: true,
  });
  assert.deepEqual(wgetrcCommandOf({ name: "input-file", type: "string", help: "", group: "Download" }), {
    command: "input",
    negated: false,
  });
});

Deno.test("a command wget knows and we have no option for is ignored, with a sentence for -v", () => {
  const s = settingsOn([], { "/etc/wgetrc": "passive_ftp = on\nwarc_file=x\nnoconfig = on\n" });
  assert.deepEqual(s.ignoredCommands, [
    'The wgetrc command "passive_ftp" (/etc/wgetrc, line 1) does nothing in rawhttpget',
    'The wgetrc command "warc_file" (/etc/wgetrc, line 2) does nothing in rawhttpget',
    'The wgetrc command "noconfig" (/etc/wgetrc, line 3) does nothing in rawhttpget',
  ]);
  assert.equal(settingsOn([], {}).ignoredCommands, undefined);
  assert.deepEqual(parseExecute("dot_style=mega"), {
    kind: "ignored",
    note: 'The wgetrc command "dot_style" (-e) does nothing in rawhttpget',
  });
  // robots = off is wget's way to say our --no-robots.
  assert.deepEqual(parseExecute("robots=off"), { kind: "option", option: "no-robots", value: true });
});

Deno.test("errors name the file and the line, as wget's do", () => {
  const text = "tries = 1\n\n# fine\nfoo = 1\n";
  const unknown = wgetrcFailure(() => parseWgetrc(text, "/root/.wgetrc"));
  assert.equal(unknown.reason, "invalid");
  assert.equal(
    unknown.message,
    'Unknown command "foo" in /root/.wgetrc at line 4 (--no-config reads no configuration file)',
  );
  assert.match(
    wgetrcFailure(() => parseWgetrc("quiet\n", "/etc/wgetrc")).message,
    /^Syntax error in \/etc\/wgetrc at line 1:/,
  );
  assert.match(
    wgetrcFailure(() => parseWgetrc("\r\nuse_proxy = maybe\r\n", "rc")).message,
    /^"maybe" is not a boolean for use_proxy \(use on or off\) in rc at line 2 /,
  );
  assert.deepEqual(describeFailure(unknown), { message: unknown.message, code: ExitCode.Usage });
});

Deno.test("-e with an unknown, malformed or bad command is a usage error (exit 2)", () => {
  for (
    const [command, message] of [
      ["foo=1", 'Invalid --execute command "foo=1": unknown command "foo"'],
      ["use_proxy", 'Invalid --execute command "use_proxy": a command is NAME = VALUE'],
      ["=1", 'Invalid --execute command "=1": unknown command ""'],
      ["quiet=maybe", 'Invalid --execute command "quiet=maybe": "maybe" is not a boolean for quiet (use on or off)'],
    ]
  ) {
    assert.throws(() => parseCommandLine(["-e", command, "http://h/"]), (e) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.message, message);
      assert.equal(describeFailure(e).code, ExitCode.Usage);
      return true;
    });
  }
});

Deno.test("-e commands run in order among the options; the last one wins", () => {
  const tries = (...args: string[]) => settingsOn(args, {}).tries;
  assert.equal(tries("-e", "tries=1", "-t", "5"), 5);
  assert.equal(tries("-t", "5", "-e", "tries=1"), 1);
  assert.equal(tries("--execute=tries = 2"), 2);
  assert.equal(settingsOn(["-q", "-e", "quiet=off"], {}).quiet, false);
  assert.equal(settingsOn(["-e", "quiet=off", "-q"], {}).quiet, true);
  assert.equal(settingsOn(["--no-check-certificate", "-e", "check_certificate=on"], {}).checkCertificate, true);
  const values = parseCommandLine(["-O", "a", "-e", "output_document=b", "http://h/"]).values;
  assert.equal(values["output-document"], "b");
});

Deno.test("the files come first: /etc/wgetrc, then ~/.wgetrc, then the command line", () => {
  const files = { "/etc/wgetrc": "tries = 2\ntimeout = 9\n", "/home/u/.wgetrc": "tries = 4\n" };
  const s = settingsOn([], files);
  assert.deepEqual([s.tries, s.timeoutMs], [4, 9000]);
  assert.equal(settingsOn(["-t", "6"], files).tries, 6);
  assert.equal(settingsOn(["-e", "tries=7"], files).tries, 7);
  // $SYSTEM_WGETRC replaces /etc/wgetrc when it can be read; $WGETRC replaces ~/.wgetrc.
  const more = { ...files, "/sys.rc": "timeout = 3\n", "/user.rc": "quiet = on\n" };
  const env = { SYSTEM_WGETRC: "/sys.rc", WGETRC: "/user.rc" };
  const both = settingsOn([], more, env);
  assert.deepEqual([both.tries, both.timeoutMs, both.quiet], [3, 3000, true]);
  assert.equal(settingsOn([], files, { SYSTEM_WGETRC: "/missing" }).timeoutMs, 9000);
  assert.equal(settingsOn([], files, { WGETRC: "" }).tries, 4);
  // No HOME: no ~/.wgetrc.
  const m = machine({}, files);
  assert.equal(readSettings(parseCommandLine(["http://h/"]), m.env, m.readText).tries, 2);
});

Deno.test("--config FILE reads only FILE; --no-config reads none; the first of the two decides", () => {
  const files = {
    "/etc/wgetrc": "timeout = 9\n",
    "/home/u/.wgetrc": "tries = 4\n",
    "/mine.rc": "tries = 1\n",
  };
  const only = settingsOn(["--config", "/mine.rc"], files);
  assert.deepEqual([only.tries, only.timeoutMs], [1, undefined]);
  const none = settingsOn(["--no-config"], files);
  assert.deepEqual([none.tries, none.timeoutMs], [3, undefined]);
  assert.equal(settingsOn(["--no-config", "--config", "/mine.rc"], files).tries, 3);
  assert.equal(settingsOn(["--config", "/mine.rc", "--no-config"], files).tries, 1);
  assert.equal(settingsOn(["--config=/mine.rc", "--config", "/home/u/.wgetrc"], files).tries, 1);
  // -e still applies with --no-config, as in wget.
  assert.equal(settingsOn(["--no-config", "-e", "tries=8"], files).tries, 8);
});

Deno.test("a --config FILE or $WGETRC that cannot be read stops the run as wget does (exit 2 and 1)", () => {
  const noFile = wgetrcFailure(() => settingsOn(["--config", "/missing.rc"], {}));
  assert.equal(noFile.message, 'Cannot read the configuration file "/missing.rc"');
  assert.equal(describeFailure(noFile).code, ExitCode.Usage);
  const noWgetrc = wgetrcFailure(() => settingsOn([], {}, { WGETRC: "/missing.rc" }));
  assert.equal(noWgetrc.message, 'WGETRC names "/missing.rc", which cannot be read');
  assert.equal(describeFailure(noWgetrc).code, ExitCode.Generic);
  // A missing /etc/wgetrc or ~/.wgetrc is no error; --no-config does not look at $WGETRC.
  assert.equal(settingsOn([], {}).tries, 3);
  assert.equal(settingsOn(["--no-config"], {}, { WGETRC: "/missing.rc" }).tries, 3);
});

Deno.test("http_proxy, https_proxy and no_proxy commands override the environment's; use_proxy = off", () => {
  const env = { http_proxy: "http://env:1/", HTTPS_PROXY: "http://env:2/", no_proxy: "a.test" };
  assert.deepEqual(settingsOn([], {}, env).proxy, {
    http: "http://env:1/",
    https: "http://env:2/",
    noProxy: ["a.test"],
    user: undefined,
    password: undefined,
  });
  const rc = "http_proxy = http://rc:1/\nhttps_proxy = http://rc:2/\nno_proxy = b.test, c.test\n";
  assert.deepEqual(settingsOn([], { "/home/u/.wgetrc": rc }, env).proxy, {
    http: "http://rc:1/",
    https: "http://rc:2/",
    noProxy: ["a.test", "b.test", "c.test"], // wget adds the command's hosts to the environment's
    user: undefined,
    password: undefined,
  });
  // An empty value: no proxy for that scheme, or no exempt host at all.
  const cleared = settingsOn(["-e", "http_proxy=", "-e", "no_proxy=", "-e", "no_proxy=d.test"], {}, env).proxy;
  assert.deepEqual([cleared?.http, cleared?.noProxy], [undefined, ["d.test"]]);
  assert.equal(settingsOn(["-e", "use_proxy=off"], {}, env).proxy, undefined);
  assert.equal(settingsOn(["--no-proxy", "-e", "use_proxy=on"], {}, env).proxy?.http, "http://env:1/");
  assert.equal(settingsOn(["-e", "use_proxy=on", "--no-proxy"], {}, env).proxy, undefined);
  assert.equal(settingsOn(["-e", "http_proxy=http://e:3/"], {}).proxy?.http, "http://e:3/");
});

Deno.test("~/ in a file's path value is $HOME/, not in -e", () => {
  const rc = "ca_certificate = ~/ca.pem\ndir_prefix = ~//dl\noutput_document = ~x\nuser = ~/me\n";
  const s = settingsOn([], { "/rc": rc }, { HOME: "/home/u/", WGETRC: "/rc" });
  assert.deepEqual([s.caFile, s.directory, s.output], ["/home/u/ca.pem", "/home/u/dl", "~x"]);
  assert.equal(s.auth?.user, "~/me");
  assert.equal(settingsOn(["-e", "ca_certificate=~/ca.pem"], {}).caFile, "~/ca.pem");
});

Deno.test("applyAssignments() collects a list option in order; an empty command value empties it", () => {
  const option = (value: string, reset?: boolean) => ({ kind: "option" as const, option: "execute", value, reset });
  assert.deepEqual(applyAssignments([option("a"), option("b")]).values.execute, ["a", "b"]);
  assert.deepEqual(applyAssignments([option("a"), option("", true), option("c")]).values.execute, ["c"]);
});

Deno.test("a flag and its no- twin say opposite things, whichever was set last (as wget's --FOO and --no-FOO)", () => {
  const pair = OPTIONS.find((o) =>
    o.type === "boolean" && OPTIONS.some((t) => t.name === `no-${o.name}` && t.type === "boolean")
  );
  if (pair === undefined) return; // the table has no such pair today
  const [on, off] = [pair.name, `no-${pair.name}`];
  const values = (...args: string[]) => parseCommandLine([...args, "http://h/"]).values;
  assert.deepEqual([values(`--${on}`)[on], values(`--${on}`)[off]], [true, false]);
  assert.deepEqual([values(`--${on}`, `--${off}`)[on], values(`--${on}`, `--${off}`)[off]], [false, true]);
  const command = wgetrcCommandOf(pair)!.command;
  const v = values("-e", `${command}=off`);
  assert.deepEqual([v[on], v[off]], [false, true]);
});

Deno.test("bad values from a file fail like the same option on the command line (exit 2)", () => {
  assert.throws(() => settingsOn([], { "/home/u/.wgetrc": "tries = x\n" }), UsageError);
  assert.throws(() => settingsOn([], { "/home/u/.wgetrc": "timeout = -1\n" }), UsageError);
});
