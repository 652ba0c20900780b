/**
 * `-4`, `-6`, `--prefer-family` and `--bind-address` (and their wgetrc commands), checked against what wget 1.21.3
 * does with the same command lines: the messages and exit codes named in the tests were observed with it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { helpText, parseCommandLine, readSettings, type Settings, UsageError } from "../../src/cli/options.ts";
import { describeFailure } from "../../src/cli/messages.ts";
import { ExitCode } from "../../src/cli/exit_codes.ts";
import { OptionConflictError } from "../../src/cli/request_options.ts";
import { addressFamilySettings } from "../../src/cli/address_family_settings.ts";
import { parseExecute } from "../../src/cli/wgetrc.ts";
import { parseIpv4Address, parseIpv6Address } from "../../src/wire/mod.ts";

/** readSettings() on `args` (and a URL) with these wgetrc files; HOME=/home/u. */
function settings(args: string[], files: Record<string, string> = {}): Settings {
  const env = (name: string) => ({ HOME: "/home/u" } as Record<string, string>)[name];
  return readSettings(parseCommandLine([...args, "http://h/"]), env, (path) => files[path] ?? null);
}

const family = (s: Settings) => [s.family, s.preferFamily, s.source];

Deno.test("-4 and -6 (--inet4-only, --inet6-only) choose the family the transport may use", () => {
  assert.deepEqual(family(settings([])), [undefined, undefined, undefined]);
  assert.equal(settings(["-4"]).family, "ipv4");
  assert.equal(settings(["--inet4-only"]).family, "ipv4");
  assert.equal(settings(["-6"]).family, "ipv6");
  assert.equal(settings(["--inet6-only"]).family, "ipv6");
  assert.equal(settings(["-6", "-6"]).family, "ipv6");
});

Deno.test("-4 with -6 is refused as wget refuses it: 'Cannot specify both --inet4-only and --inet6-only.', exit 1", () => {
  // wget 1.21.3: `wget -4 -6 http://198.18.0.1/` prints that sentence and the usage line, and exits 1 (not 2).
  for (const args of [["-4", "-6"], ["--inet6-only", "--inet4-only"], ["-46"]]) {
    assert.throws(() => settings(args), OptionConflictError, args.join(" "));
  }
  try {
    settings(["-4", "-6"]);
    assert.fail("no error");
  } catch (e) {
    assert.deepEqual(describeFailure(e), {
      message: "Cannot specify both --inet4-only and --inet6-only",
      code: ExitCode.Generic,
    });
  }
});

Deno.test("--prefer-family takes IPv4, IPv6 or none in any case, as wget's", () => {
  const table: Array<[string, string]> = [
    ["IPv4", "ipv4"],
    ["ipv4", "ipv4"],
    ["IPV6", "ipv6"],
    ["IPv6", "ipv6"],
    ["none", "none"],
    ["NONE", "none"],
  ];
  for (const [value, want] of table) assert.equal(settings([`--prefer-family=${value}`]).preferFamily, want, value);
  assert.deepEqual(family(settings(["-6", "--prefer-family", "IPv4"])), ["ipv6", "ipv4", undefined]);
});

Deno.test("a bad --prefer-family is a usage error (wget: '--prefer-family: Invalid value ‘foo’.', exit 2)", () => {
  for (const value of ["foo", "", "ipv5", "inet6"]) {
    assert.throws(() => settings([`--prefer-family=${value}`]), UsageError, value);
  }
  try {
    settings(["--prefer-family=foo"]);
    assert.fail("no error");
  } catch (e) {
    assert.deepEqual(describeFailure(e), {
      message: '--prefer-family takes IPv4, IPv6 or none, not "foo"',
      code: ExitCode.Usage,
    });
  }
});

Deno.test("the wgetrc commands inet4_only, inet6_only, prefer_family and bind_address set the same", () => {
  assert.deepEqual(parseExecute("inet4_only = on"), { kind: "option", option: "inet4-only", value: true });
  assert.deepEqual(parseExecute("inet6only=yes"), { kind: "option", option: "inet6-only", value: true });
  assert.deepEqual(parseExecute("prefer_family = IPv6"), { kind: "option", option: "prefer-family", value: "IPv6" });
  assert.deepEqual(parseExecute("bind_address = 2001:2::5"), {
    kind: "option",
    option: "bind-address",
    value: "2001:2::5",
  });
  const rc = { "/home/u/.wgetrc": "inet6_only = on\nprefer_family = none\nbind_address = 2001:2::5\n" };
  assert.deepEqual(family(settings([], rc)), ["ipv6", "none", parseIpv6Address("2001:2::5")]);
  assert.equal(settings([], { "/home/u/.wgetrc": "inet4_only = on\ninet4_only = off\n" }).family, undefined);
  assert.equal(settings(["-e", "inet4_only=on"]).family, "ipv4");
});

Deno.test("a wgetrc -4 with a command-line -6 conflicts too (wget: same sentence, exit 1)", () => {
  // wget 1.21.3: `wget --config=rc -6 URL` with `inet4_only = on` in rc, and `wget -e inet4_only=on -e
  // inet6_only=on URL`, both print "Cannot specify both --inet4-only and --inet6-only." and exit 1.
  assert.throws(() => settings(["-6"], { "/home/u/.wgetrc": "inet4_only = on\n" }), OptionConflictError);
  assert.throws(() => settings(["-e", "inet4_only=on", "-e", "inet6_only=on"]), OptionConflictError);
  // A bad prefer_family in a file fails as on the command line (wget: "prefer_family: Invalid value", exit 2).
  assert.throws(() => settings([], { "/home/u/.wgetrc": "prefer_family = bogus\n" }), UsageError);
});

Deno.test("--bind-address takes an IPv4 or an IPv6 address; --source is the same setting, the last one wins", () => {
  assert.equal(settings(["--bind-address=198.18.0.5"]).source, parseIpv4Address("198.18.0.5"));
  assert.equal(settings(["--bind-address", "2001:2:0::5"]).source, parseIpv6Address("2001:2::5"));
  assert.equal(settings(["--source", "2001:2::5"]).source, parseIpv6Address("2001:2::5"));
  assert.equal(
    settings(["--source", "198.18.0.5", "--bind-address", "2001:2::5"]).source,
    parseIpv6Address("2001:2::5"),
  );
  assert.equal(
    settings(["--bind-address", "2001:2::5", "--source", "198.18.0.5"]).source,
    parseIpv4Address("198.18.0.5"),
  );
  assert.equal(
    settings(["--source=198.18.0.5"], { "/home/u/.wgetrc": "bind_address = 2001:2::5\n" }).source,
    0xc6120005,
  );
});

Deno.test("--bind-address refuses a host name, brackets and a zone id with a usage error", () => {
  // wget looks a name up ("unable to resolve bind address ‘foo.invalid’; disabling bind." and goes on without);
  // rawhttpget keeps refusing a name, as --source always did.
  for (const value of ["foo.invalid", "[2001:2::5]", "fe80::1%eth0", "198.18.01.5", ""]) {
    assert.throws(() => settings([`--bind-address=${value}`]), UsageError, value);
  }
  assert.throws(() => settings(["--bind-address=foo.invalid"]), {
    message: 'The bind address "foo.invalid" is not an IPv4 or IPv6 address (host names are not looked up)',
  });
});

Deno.test("addressFamilySettings() returns only what is set", () => {
  assert.deepEqual(addressFamilySettings(() => undefined, () => false, []), {});
  assert.deepEqual(addressFamilySettings((n) => (n === "prefer-family" ? "IPv6" : undefined), () => false, []), {
    preferFamily: "ipv6",
  });
});

Deno.test("--help lists -4, -6, --prefer-family and --bind-address in wget's words", () => {
  const help = helpText("1").split("\n");
  const line = (start: string) => help.find((l) => l.trimStart().startsWith(start)) ?? "";
  assert.match(line("-4, --inet4-only"), /connect only to IPv4 addresses$/);
  assert.match(line("-6, --inet6-only"), /connect only to IPv6 addresses$/);
  assert.match(
    line("--prefer-family FAMILY"),
    /connect first to addresses of specified family, one of IPv6, IPv4, or none$/,
  );
  assert.match(
    line("--bind-address ADDRESS"),
    /bind to ADDRESS \(an IPv4 or IPv6 address, not a host name\) on local host$/,
  );
  const download = help.indexOf("Download:");
  for (const start of ["-4, --inet4-only", "-6, --inet6-only", "--prefer-family", "--bind-address"]) {
    assert.ok(help.indexOf(line(start)) > download, start);
  }
});
