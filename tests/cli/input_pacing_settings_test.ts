import assert from "node:assert/strict";
import { parseCommandLine, readSettings, UsageError } from "../../src/cli/options.ts";
import { parseSeconds } from "../../src/cli/input_pacing_settings.ts";
import { OptionConflictError } from "../../src/cli/request_options.ts";
import { describeFailure } from "../../src/cli/messages.ts";
import { ExitCode } from "../../src/cli/exit_codes.ts";
import { DEFAULT_FILE_NAME_RULES } from "../../src/http/mod.ts";

const settings = (...args: string[]) => readSettings(parseCommandLine([...args, "http://h/"]));

Deno.test("none of these options given: nothing of theirs is set", () => {
  const s = settings();
  const mine = [
    s.inputFile,
    s.base,
    s.noClobber,
    s.startPos,
    s.fileNameRules,
    s.pacing,
    s.retryConnRefused,
    s.timeoutMs,
    s.connectTimeoutMs,
    s.dnsTimeoutMs,
    s.noVerbose,
    s.logFile,
    s.warnings,
  ];
  assert.deepEqual(mine, Array(mine.length).fill(undefined));
});

Deno.test("-i, -B, -nc, --start-pos, --retry-connrefused and --https-only", () => {
  const s = settings("-i", "list", "-B", "198.18.2.2:8080/d/", "-nc", "--start-pos", "2k", "--retry-connrefused");
  assert.deepEqual([s.inputFile, s.base, s.noClobber, s.startPos, s.retryConnRefused], [
    "list",
    "http://198.18.2.2:8080/d/",
    true,
    2048,
    true,
  ]);
  assert.equal(settings("--no-clobber").noClobber, true);
  assert.equal(settings("--start-pos=inf").startPos, 0);
  assert.deepEqual(settings("--https-only"), settings());
  // wget: --start-pos turns -c off, with a warning on stderr.
  const both = settings("-c", "--start-pos=0");
  assert.deepEqual([both.resume, both.warnings?.length], [false, 1]);
});

Deno.test("wget's -n short forms: -nv, -nc, -nvc, and -nd/-nH/-np that change nothing without -r, -p or -x", () => {
  assert.equal(settings("-nv").noVerbose, true);
  assert.equal(settings("-nc").noClobber, true);
  const both = settings("-nvc");
  assert.deepEqual([both.noVerbose, both.noClobber], [true, true]);
  assert.deepEqual(settings("-nd", "-nH", "-np"), settings());
  // -nv is not -v, -d or -q's business: they win.
  assert.equal(settings("-nv", "-v").noVerbose, undefined);
  assert.equal(settings("-nv", "-q").noVerbose, undefined);
  assert.throws(() => settings("-nx"), OptionConflictError);
});

Deno.test("--restrict-file-names: modes add up, also over several options", () => {
  assert.deepEqual(settings("--restrict-file-names=unix").fileNameRules, DEFAULT_FILE_NAME_RULES);
  assert.deepEqual(settings("--restrict-file-names=windows", "--restrict-file-names=lowercase").fileNameRules, {
    ...DEFAULT_FILE_NAME_RULES,
    os: "windows",
    case: "lower",
  });
  assert.throws(() => settings("--restrict-file-names=vms"), UsageError);
});

Deno.test("-w, --random-wait and --waitretry make one pacing for the run", () => {
  const s = settings("-w", "1.5", "--random-wait", "--waitretry=3");
  assert.ok(s.pacing !== undefined);
  assert.equal(s.pacing.beforeRequestMs(), 0);
  const p = settings("-w", "0.5m").pacing!;
  p.beforeRequestMs();
  assert.equal(p.beforeRequestMs(), 30_000);
  assert.equal(settings("--waitretry=2").pacing!.beforeRetryMs(5), 2000);
});

Deno.test("-T sets the three timeouts, each of its own overrides it, the last given winning; 0 means none", () => {
  const pick = (...args: string[]) => {
    const s = settings(...args);
    return [s.timeoutMs, s.connectTimeoutMs, s.dnsTimeoutMs];
  };
  assert.deepEqual(pick("-T", "5"), [5000, 5000, 5000]);
  assert.deepEqual(pick("--timeout=0.25"), [250, 250, 250]);
  assert.deepEqual(pick("-T", "5", "--read-timeout=1", "--connect-timeout=2s"), [1000, 2000, 5000]);
  assert.deepEqual(pick("--read-timeout=1", "-T", "5"), [5000, 5000, 5000]);
  assert.deepEqual(pick("--dns-timeout=0.5"), [undefined, undefined, 500]);
  assert.deepEqual(pick("-T", "0"), [2 ** 31, 2 ** 31, undefined]);
  assert.deepEqual(pick("-e", "read_timeout = 3"), [3000, undefined, undefined]);
  for (const bad of ["-1", "x", "1x", ""]) assert.throws(() => settings("-T", bad), UsageError, bad);
});

Deno.test("parseSeconds() reads wget's time values", () => {
  assert.deepEqual(["1", "0.5", ".5", " 2s ", "1.5m", "1h", "1d", "1w", "2M"].map((v) => parseSeconds("--wait", v)), [
    1,
    0.5,
    0.5,
    2,
    90,
    3600,
    86400,
    604800,
    120,
  ]);
  assert.throws(() => parseSeconds("--wait", "-1"), UsageError);
});

Deno.test("-o and -a: the last one names the log; -a anywhere appends", () => {
  assert.deepEqual(settings("-o", "log").logFile, { path: "log", append: false });
  assert.deepEqual(settings("-a", "log").logFile, { path: "log", append: true });
  assert.deepEqual(settings("-o", "l1", "-a", "l2").logFile, { path: "l2", append: true });
  assert.deepEqual(settings("-a", "l1", "-o", "l2").logFile, { path: "l2", append: true });
});

Deno.test("-nc with -N is exit 1, as in wget; -i alone needs no URL", () => {
  assert.throws(() => settings("-nc", "-N"), OptionConflictError);
  try {
    settings("-nc", "-N");
  } catch (e) {
    assert.equal(describeFailure(e).code, ExitCode.Generic);
  }
  assert.equal(readSettings(parseCommandLine(["-i", "-"])).inputFile, "-");
});
