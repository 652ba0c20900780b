/**
 * The options of pacing and naming (`--limit-rate`, `--content-disposition`, `--iri`, `--local-encoding`,
 * `--remote-encoding`) as the command line and wgetrc commands set them: wget's byte values, the last of a flag and
 * its `--no-` form winning, the locale's encoding by default, and one sentence (exit 2) for what cannot be used.
 */

import assert from "node:assert/strict";
import { parseCommandLine, readSettings, UsageError } from "../../src/cli/options.ts";
import { parseRate } from "../../src/cli/transfer_settings.ts";
import { describeFailure } from "../../src/cli/messages.ts";
import { ExitCode } from "../../src/cli/exit_codes.ts";

const settings = (args: string[], env: Record<string, string> = {}) =>
  readSettings(parseCommandLine([...args, "http://h/"]), (name) => env[name]);

Deno.test("parseRate() reads wget's byte values (src/init.c parse_bytes_helper)", () => {
  const table: Array<[string, number]> = [
    ["500k", 512_000],
    ["500K", 512_000],
    ["1.5k", 1536],
    ["2m", 2 * 1024 * 1024],
    ["0.5m", 524_288],
    ["1g", 1024 ** 3],
    ["20000", 20_000],
    [" 64 k ", 65_536],
    [".5k", 512],
    ["0", 0],
    ["0.5", 0], // wget truncates to whole bytes: no limit
    ["inf", 0],
  ];
  for (const [value, bytes] of table) assert.equal(parseRate(value), bytes, value);
  for (const bad of ["", "abc", "-5", "5x", "1.2.3", "k", "5 kb", "Infinity"]) {
    assert.throws(() => parseRate(bad), UsageError, bad);
  }
});

Deno.test("--limit-rate sets the transport's rate; 0 is no limit; a bad value is exit 2", () => {
  assert.equal(settings(["--limit-rate=500k"]).rateLimit, 512_000);
  assert.equal(settings(["--limit-rate", "0"]).rateLimit, undefined);
  assert.equal(settings([]).rateLimit, undefined);
  assert.equal(settings(["-e", "limit_rate = 20k"]).rateLimit, 20_480);
  try {
    settings(["--limit-rate=fast"]);
    assert.fail("no error");
  } catch (e) {
    assert.deepEqual(describeFailure(e), {
      message: 'The rate "fast" is not a number of bytes per second (a k, m, g or t suffix may follow, e.g. 500k)',
      code: ExitCode.Usage,
    });
  }
});

Deno.test("--content-disposition and --iri: the last of a flag, its --no- form and its wgetrc command wins", () => {
  assert.equal(settings([]).contentDisposition, undefined);
  assert.equal(settings(["--content-disposition"]).contentDisposition, true);
  assert.equal(settings(["--content-disposition", "--no-content-disposition"]).contentDisposition, undefined);
  assert.equal(settings(["--no-content-disposition", "--content-disposition"]).contentDisposition, true);
  assert.equal(settings(["-e", "content_disposition=on"]).contentDisposition, true);
  assert.equal(settings([]).encodings, undefined); // IRIs in UTF-8
  assert.deepEqual(settings(["--no-iri"]).encodings, { iri: false });
  assert.equal(settings(["--no-iri", "--iri"]).encodings, undefined);
  assert.deepEqual(settings(["-e", "iri=off"]).encodings, { iri: false });
  assert.equal(settings(["-e", "iri=off", "--iri"]).encodings, undefined);
});

Deno.test("--local-encoding defaults to the locale's codeset; --remote-encoding has no default", () => {
  assert.equal(settings([], { LANG: "de_DE.ISO-8859-1" }).encodings?.local?.name, "ISO-8859-1");
  assert.equal(settings([], { LANG: "de_DE.ISO-8859-1", LC_ALL: "C.UTF-8" }).encodings, undefined);
  assert.equal(settings([], { LC_CTYPE: "ru_RU.KOI8-R" }).encodings?.local?.name, "koi8-r");
  const both = settings(["--local-encoding=latin1", "--remote-encoding", "windows-1252"], { LANG: "C.UTF-8" });
  assert.equal(both.encodings?.local?.name, "ISO-8859-1");
  assert.equal(both.encodings?.remote?.name, "windows-1252");
  assert.equal(settings(["-e", "remote_encoding=ISO-8859-15"]).encodings?.remote?.name, "iso-8859-15");
});

Deno.test("an encoding that cannot be converted here is one sentence and exit 2", () => {
  for (const [option, label] of [["--local-encoding", "Shift_JIS"], ["--remote-encoding", "no-such"]]) {
    try {
      settings([`${option}=${label}`]);
      assert.fail("no error");
    } catch (e) {
      const failure = describeFailure(e);
      assert.equal(failure.code, ExitCode.Usage);
      assert.equal(
        failure.message,
        `Cannot convert the encoding "${label}" (${option}): only UTF-8, ISO-8859-1, US-ASCII and single-byte ` +
          "encodings such as ISO-8859-15, windows-1252 or KOI8-R are supported",
      );
    }
  }
});

Deno.test("--connections, wget2's --max-threads and --chunk-size: counts from 1 to 16, byte sizes, 5 with a chunk size alone", () => {
  assert.equal(settings([]).parallelConnections, undefined);
  assert.equal(settings(["--connections", "4"]).parallelConnections, 4);
  assert.equal(settings(["--connections=1"]).parallelConnections, undefined); // one connection is the default
  assert.equal(settings(["--max-threads", "8"]).parallelConnections, 8);
  assert.equal(settings(["--connections", "2", "--max-threads", "8"]).parallelConnections, 2);
  const chunked = settings(["--chunk-size", "1m"]);
  assert.equal(chunked.chunkSize, 1024 * 1024);
  assert.equal(chunked.parallelConnections, 5); // wget2's default --max-threads
  assert.equal(settings(["--chunk-size=512k", "--connections=3"]).parallelConnections, 3);
  for (
    const [args, sentence] of [
      [["--connections", "0"], /^The number of connections "0" is not a whole number from 1 to 16$/],
      [["--connections", "17"], /not a whole number from 1 to 16/],
      [["--max-threads", "two"], /"two" is not a whole number/],
      [["--connections", "2.5"], /not a whole number/],
      [["--chunk-size", "0"], /^The chunk size "0" is not a number of bytes/],
      [["--chunk-size", "big"], /^The chunk size "big" is not a number of bytes/],
    ] as const
  ) {
    assert.throws(() => settings([...args]), (e: unknown) => {
      assert.ok(e instanceof UsageError, String(e));
      assert.match(e.message, sentence);
      assert.equal(describeFailure(e).code, ExitCode.Usage);
      return true;
    });
  }
});
