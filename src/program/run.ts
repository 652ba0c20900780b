/**
 * The program: parse the arguments, run the downloads one after another, return wget's exit code. `main.ts` starts
 * the privileged helper first (when root will be dropped) and loads this module next, so that the helper starts
 * while this module graph loads.
 *
 * @module
 */

import { fileInfo, getEnv, isTerminal, openFile, OsError, readFileBytes, strerror } from "../../ffi/mod.ts";
import {
  combineExitCodes,
  describeFailure,
  downloadSummary,
  ExitCode,
  FFI_PERMISSION_MESSAGE,
  finishedBlock,
  formatSummary,
  helpText,
  humanSize,
  type NonVerboseFile,
  nonVerboseLine,
  parseCommandLine,
  ProgressBar,
  readSettings,
  readUrlList,
  type Settings,
  summaryState,
  traceTap,
  UsageError,
  versionText,
} from "../cli/mod.ts";
import {
  ConnectionPool,
  download,
  type DownloadResult,
  type FetchEvents,
  saveCookieFile,
  saveHstsDatabase,
  VERSION,
} from "../fetch/mod.ts";
import { ConcatOutput, createOutputFile, prepareDirectory, sudoOwner } from "../save/mod.ts";
import { DriverLoop } from "../transport/mod.ts";
import { type SpawnedHelper, startRun } from "../privilege/mod.ts";
import { holdFiles } from "./before_drop.ts";
import type { Fetched } from "./crawl_run.ts";

const encoder = new TextEncoder();
function writeErr(text: string): void {
  Deno.stderr.writeSync(encoder.encode(text));
}

function terminalWidth(): number {
  let columns = 0;
  try {
    columns = Deno.consoleSize().columns; // 0 on a pseudo-terminal nobody sized (script)
  } catch { /* not a terminal */ }
  if (columns < 40) columns = Number(getEnv("COLUMNS"));
  return Number.isInteger(columns) && columns >= 40 ? columns : 80;
}

/** A file's text, or null when it cannot be read (a missing `~/.netrc` or `~/.wgetrc` is no error). */
function readTextOrNull(path: string): string | null {
  try {
    return new TextDecoder().decode(readFileBytes(path));
  } catch {
    return null;
  }
}

/** What `main.ts` hands the program: the helper it may have started, and the process's exit. */
export interface ProgramStart {
  /** The privileged helper, started before this module loaded when root is likely to be dropped. */
  readonly helper?: SpawnedHelper;
  /** Ends the process now (a signal before any connection): `main.ts`'s `Deno.exit`. */
  exit(code: number): never;
}

/**
 * Runs rawhttpget with `args`; returns the exit code. Throws only what {@linkcode failureCode} reports.
 *
 * @example
 * ```ts
 * const code = await main(["-q", "http://198.18.2.2/a"], { exit: Deno.exit });
 * ```
 */
export async function main(args: string[], start: ProgramStart): Promise<number> {
  try {
    return await program(args, start);
  } finally {
    // A helper the run did not take (help, a usage error, no drop) is told to go.
    start.helper?.channel.close();
  }
}

/**
 * Says an error that ended the program in one sentence on stderr and returns its exit code.
 *
 * @example
 * ```ts
 * code = failureCode(e);
 * ```
 */
export function failureCode(e: unknown): number {
  const failure = describeFailure(e);
  writeErr(`rawhttpget: ${failure.message}\n`);
  return failure.code;
}

async function program(args: string[], start: ProgramStart): Promise<number> {
  const cmd = parseCommandLine(args);
  if (cmd.values.help) {
    console.log(helpText(VERSION));
    return ExitCode.Ok;
  }
  if (cmd.values.version) {
    console.log(versionText(VERSION));
    return ExitCode.Ok;
  }
  const settings = readSettings(cmd, getEnv, readTextOrNull);
  if (cmd.urls.length === 0 && settings.inputFile === undefined) {
    throw new UsageError("Missing URL; see 'rawhttpget --help'");
  }
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    writeErr(`rawhttpget: ${FFI_PERMISSION_MESSAGE}\n`);
    return ExitCode.Generic;
  }
  return await runAll(cmd.urls, settings, start);
}

/** Where the messages go with `-o FILE` or `-a FILE` (`-`: standard output), with a way to close it. */
interface LogFile {
  write(text: string): void;
  close(): void;
}

/** Opens the log file; a failure is said on stderr and gives null (wget then exits 1). */
function openLog(logFile: NonNullable<Settings["logFile"]>): LogFile | null {
  if (logFile.path === "-") return { write: (text) => void Deno.stdout.writeSync(encoder.encode(text)), close() {} };
  try {
    const append = logFile.append;
    const file = openFile(logFile.path, { create: true, write: true, append, truncate: !append });
    const owner = sudoOwner();
    if (owner !== null) file.chown(owner.uid, owner.gid);
    return { write: (text) => file.write(encoder.encode(text)), close: () => file.close() };
  } catch (e) {
    const why = e instanceof OsError ? strerror(e.errno) : (e as Error).message;
    writeErr(`rawhttpget: Cannot open the log file '${logFile.path}': ${why}\n`);
    return null;
  }
}

async function runAll(urls: readonly string[], s: Settings, boot: ProgramStart): Promise<number> {
  // wget writes these to stderr, whatever -q or -o say.
  for (const warning of s.warnings ?? []) writeErr(`${warning}\n`);
  const log = s.logFile === undefined ? null : openLog(s.logFile);
  if (s.logFile !== undefined && log === null) return ExitCode.Generic;
  const write = log?.write ?? writeErr;
  // No progress line with -nv, nor in a log file (wget draws dots there).
  const quietBar = s.quiet || s.verbose || s.noVerbose || log !== null;
  const bar = !quietBar && isTerminal(2) ? new ProgressBar(writeErr, terminalWidth()) : null;
  const say = (line: string) => {
    bar?.clear();
    write(`${line}\n`);
  };
  // -nv keeps wget's warnings and drops the other notices (what wget prints only when verbose).
  const notice = s.quiet
    ? undefined
    : s.noVerbose
    ? (line: string) => void (line.startsWith("WARNING") && say(line))
    : (line: string) => say(line);
  // wget -nc -O FILE: a FILE that exists ends the run before anything is fetched or emptied (exit 1).
  if (s.noClobber && s.output !== undefined && s.output !== "-" && fileInfo(s.output) !== null) {
    if (!s.quiet && !s.noVerbose) say(`File '${s.output}' already there; not retrieving`);
    log?.close();
    return ExitCode.Generic;
  }
  if (s.verbose) { for (const note of s.ignoredCommands ?? []) say(note); }
  if (s.timestamping && s.output !== undefined) {
    notice?.("WARNING: timestamping does nothing in combination with -O: the file is fetched whatever its date");
  }
  // What root may still open or read, held for the run (report, HSTS, cookies, the files the options name).
  const held = await holdFiles(s, notice);
  if (typeof held === "string") {
    say(`rawhttpget: ${held}`);
    log?.close();
    return ExitCode.FileIo;
  }
  const { report, hsts, cookieJar, readFile } = held;
  // The crawl (and htmlparser2) is loaded only by a run that crawls, and before the drop: the module cache may be
  // one the user we become cannot read (root's).
  const crawlModule = s.recursion === undefined ? null : await import("./crawl_run.ts");
  // Root only opens sockets, through the helper started here; nothing below runs with a privilege.
  const start = startRun(s, boot.helper);
  if (!start.ok) {
    say(`rawhttpget: ${start.message}`);
    log?.close();
    return start.failure === "usage" ? ExitCode.Usage : start.failure === "file" ? ExitCode.FileIo : ExitCode.Generic;
  }
  const privileges = start.run;
  if (s.verbose) say(privileges.description);
  if (s.directory !== undefined && s.output === undefined) prepareDirectory(s.directory);
  // wget opens -O FILE before the first download, so FILE is there (empty unless -c) whatever becomes of them.
  if (s.output !== undefined && s.output !== "-") createOutputFile(s.output, { keep: s.resume ?? false });
  const several = urls.length > 1 || s.inputFile !== undefined;
  const sink = s.output !== undefined && s.output !== "-" && several ? new ConcatOutput(s.output) : undefined;
  const tap = traceTap(s.verbose, s.pcap, say);
  let interrupt: (() => void) | null = null;
  const events: FetchEvents = {
    notice,
    onBody: (path, offset) => bar?.start(path, offset),
    onProgress: (bytes, total) => bar?.update(bytes, total),
    onConnections: (live) => bar?.connections(live),
    onInterruptible: (f) => (interrupt = f),
    // -S: wget prints the heads even with -q.
    serverResponse: s.serverResponse ? (head) => say(head) : undefined,
  };
  let signalCode: number | null = null;
  const onSignal = (code: number) => () => {
    signalCode ??= code;
    // Nothing to interrupt yet (resolving, opening sockets): leave now; the firewall rule goes with the process.
    if (interrupt === null) boot.exit(code);
    interrupt();
  };
  const onInt = onSignal(ExitCode.Interrupted), onTerm = onSignal(ExitCode.Terminated);
  Deno.addSignalListener("SIGINT", onInt);
  Deno.addSignalListener("SIGTERM", onTerm);
  let worst: number = ExitCode.Ok;
  // -i FILE is read once the URLs of the command line are done, as wget reads it.
  const listed = function* (): Generator<string> {
    if (s.inputFile === undefined) return;
    const list = readUrlList(s.inputFile!, s, say, readFile);
    if (list.problems.length > 0) worst = combineExitCodes(worst, ExitCode.Generic);
    if (list.urls.length === 0 && !s.quiet) say(`No URLs found in ${s.inputFile}.`);
    yield* list.urls;
  };
  const queue = function* (): Generator<string> {
    yield* urls;
    yield* listed();
  };
  const started = performance.now();
  const totals = { files: 0, bytes: 0, seconds: 0 };
  let saved = 0; // every byte saved, for -Q
  // HTTP keep-alive: the connections of the run, kept between the hops and downloads of one origin.
  const connections = s.keepAlive ? new ConnectionPool() : undefined;
  // One event loop turns every connection of the run (parts of a file, kept connections waiting for a request).
  const loop = new DriverLoop();
  // Hosts that asked for Basic credentials: the run's later requests to them carry them at once, as wget's.
  const auth = { ...s.auth, basicHosts: new Set<string>() };
  /** One download with its messages; a failure is said and counted, and returned (null: a signal ended it). */
  const fetchOne = async (url: string, extra: Partial<Settings> = {}, counted = true): Promise<Fetched> => {
    try {
      report?.recorder.startDownload(url);
      const result = await download(url, {
        ...s,
        ...extra,
        sink,
        tap,
        watch: report?.recorder,
        segments: report?.recorder,
        cookieJar,
        connections,
        loop,
        auth,
        hsts: hsts?.store,
        opener: privileges.opener,
        readFile,
        log: s.verbose ? say : undefined,
      }, events);
      bar?.clear();
      report?.recorder.endDownload(downloadSummary(result, null));
      const nv = s.noVerbose ? nonVerboseFile(result) : null;
      if (nv !== null) {
        if (!s.quiet) say(nonVerboseLine(nv));
        totals.files++;
        totals.bytes += result.received;
        totals.seconds += result.elapsedMs / 1000;
      } else if (!s.quiet && !s.noVerbose && result.saved) {
        say(formatSummary(summaryState(result)));
      }
      if (result.saved) saved += result.received;
      return { ok: true, result };
    } catch (e) {
      if (signalCode !== null) {
        report?.recorder.endDownload(downloadSummary(null, "interrupted"));
        say(`rawhttpget: interrupted; the partial file is kept for -c`);
        return null;
      }
      const failure = describeFailure(e);
      report?.recorder.endDownload(downloadSummary(null, failure.message));
      say(`rawhttpget: ${failure.message}`);
      if (s.verbose && e instanceof Error && e.stack) say(e.stack);
      if (counted) worst = combineExitCodes(worst, failure.code);
      return { ok: false, error: e };
    }
  };
  // -Q: a run of several URLs (or a crawl) stops once it has saved more than the quota (a single file is whole).
  const overQuota = () => s.quota !== undefined && saved > s.quota;
  const crawl = crawlModule === null || s.recursion === undefined ? null : new crawlModule.CrawlRun(s, s.recursion, {
    fetch: fetchOne,
    say,
    notice,
    stopped: () => signalCode !== null || overQuota(),
    progress: (p) => bar?.crawl(p),
  });
  try {
    for (const url of queue()) {
      if (overQuota()) break;
      if (crawl !== null) await crawl.tree(url);
      else await fetchOne(url);
      if (signalCode !== null) return signalCode;
    }
    if (crawl !== null) worst = combineExitCodes(worst, crawl.finish());
    // wget's summary of a run of several URLs (or of a list), when it got bytes; with -nv it is wget's text.
    if (s.noVerbose && !s.quiet && totals.bytes > 0 && (several || crawl !== null)) {
      const wallSeconds = (performance.now() - started) / 1000;
      say(finishedBlock({ at: new Date(), wallSeconds, ...totals }));
    }
    if (overQuota() && !s.quiet) say(`Download quota of ${humanSize(s.quota!)} EXCEEDED!`);
    if (cookieJar !== undefined && s.saveCookies !== undefined) {
      const note = saveCookieFile(cookieJar, s.saveCookies, { keepSession: s.keepSessionCookies }, new Date());
      if (note !== null) notice?.(note);
    }
    // After a drop, a database the new user may not create is not saved: said only with -v (wget says nothing).
    const hstsNotice = privileges.user === undefined || s.verbose ? notice : undefined;
    if (hsts !== null) saveHstsDatabase(hsts, (line) => hstsNotice?.(line), sudoOwner());
  } finally {
    await connections?.close();
    report?.finish(say);
    await privileges.finish();
    sink?.close();
    Deno.removeSignalListener("SIGINT", onInt);
    Deno.removeSignalListener("SIGTERM", onTerm);
    log?.close();
  }
  return worst;
}

/** The `-nv` line's facts for a download that got a body (or a 204, which wget lists as `[0]`), else null. */
function nonVerboseFile(result: DownloadResult): NonVerboseFile | null {
  const at = new Date();
  const { url, path, attempt } = result;
  if (result.extent !== undefined) return { at, url, path, attempt, ...result.extent };
  return result.status === 204 ? { at, url, path, attempt, end: 0, size: null } : null;
}
