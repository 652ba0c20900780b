/**
 * rawhttpget: parse the arguments, run the downloads one after another, exit with wget's code. The only `Deno.exit`
 * of the program. It needs `--allow-ffi` and nothing else: files, the environment and name resolution go through
 * libc (ffi/).
 *
 * @module
 */

import { getEnv, isTerminal, openFile, readFileBytes } from "./ffi/mod.ts";
import {
  describeFailure,
  ExitCode,
  FFI_PERMISSION_MESSAGE,
  formatSummary,
  helpText,
  parseCommandLine,
  ProgressBar,
  readSettings,
  type Settings,
  UsageError,
  versionText,
} from "./src/cli/mod.ts";
import { download, type FetchEvents, VERSION } from "./src/fetch/mod.ts";
import { ConcatOutput, createOutputFile, prepareDirectory, sudoOwner } from "./src/save/mod.ts";
import { type FrameTap, segmentOf } from "./src/transport/mod.ts";
import { formatTrace, PcapWriter } from "./src/wire/mod.ts";

const encoder = new TextEncoder();
function writeErr(text: string): void {
  Deno.stderr.writeSync(encoder.encode(text));
}

function makeTap(verbose: boolean, pcapPath: string | undefined, say: (line: string) => void): FrameTap | undefined {
  if (!verbose && pcapPath === undefined) return undefined;
  let pcap: PcapWriter | null = null;
  if (pcapPath !== undefined) {
    const file = openFile(pcapPath, { create: true, truncate: true, write: true });
    const owner = sudoOwner();
    if (owner !== null) file.chown(owner.uid, owner.gid);
    pcap = new PcapWriter((bytes) => file.write(bytes as Uint8Array<ArrayBuffer>));
    pcap.header();
  }
  const wallMicros = (now: number) => (performance.timeOrigin + now) * 1000;
  const trace = (direction: "-->" | "<--", frame: Uint8Array) => {
    const segment = segmentOf(frame);
    if (segment !== null) say(formatTrace(direction, segment, frame.length));
  };
  return {
    sent(frame, now) {
      pcap?.frame(wallMicros(now), frame);
      if (verbose) trace("-->", frame);
    },
    received(frame, now) {
      pcap?.frame(wallMicros(now), frame);
      if (verbose) trace("<--", frame);
    },
  };
}

function terminalWidth(): number {
  let columns = 0;
  try {
    columns = Deno.consoleSize().columns; // 0 on a pseudo-terminal nobody sized (script)
  } catch { /* not a terminal */ }
  if (columns < 40) columns = Number(getEnv("COLUMNS"));
  return Number.isInteger(columns) && columns >= 40 ? columns : 80;
}

/** A file's text, or null when it cannot be read (a missing `~/.netrc` is no error). */
function readTextOrNull(path: string): string | null {
  try {
    return new TextDecoder().decode(readFileBytes(path));
  } catch {
    return null;
  }
}

/** wget: "with the exceptions of 0 and 1, the lower-numbered exit codes take precedence". */
function combineCodes(a: number, b: number): number {
  if (a === ExitCode.Ok || a === ExitCode.Generic) return b === ExitCode.Ok ? a : b;
  return b === ExitCode.Ok || b === ExitCode.Generic ? a : Math.min(a, b);
}

async function main(args: string[]): Promise<number> {
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
  if (cmd.urls.length === 0) throw new UsageError("Missing URL; see 'rawhttpget --help'");
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    writeErr(`rawhttpget: ${FFI_PERMISSION_MESSAGE}\n`);
    return ExitCode.Generic;
  }
  return await runAll(cmd.urls, settings);
}

async function runAll(urls: readonly string[], s: Settings): Promise<number> {
  const bar = !s.quiet && !s.verbose && isTerminal(2) ? new ProgressBar(writeErr, terminalWidth()) : null;
  const say = (line: string) => {
    bar?.clear();
    writeErr(`${line}\n`);
  };
  const notice = s.quiet ? undefined : (line: string) => say(line);
  if (s.timestamping && s.output !== undefined) {
    notice?.("WARNING: timestamping does nothing in combination with -O: the file is fetched whatever its date");
  }
  if (s.directory !== undefined && s.output === undefined) prepareDirectory(s.directory);
  // wget opens -O FILE before the first download, so FILE is there (empty unless -c) whatever becomes of them.
  if (s.output !== undefined && s.output !== "-") createOutputFile(s.output, { keep: s.resume ?? false });
  const sink = s.output !== undefined && s.output !== "-" && urls.length > 1 ? new ConcatOutput(s.output) : undefined;
  const tap = makeTap(s.verbose, s.pcap, say);
  let interrupt: (() => void) | null = null;
  const events: FetchEvents = {
    notice,
    onBody: (path, offset) => bar?.start(path, offset),
    onProgress: (bytes, total) => bar?.update(bytes, total),
    onInterruptible: (f) => (interrupt = f),
  };
  let signalCode: number | null = null;
  const onSignal = (code: number) => () => {
    signalCode ??= code;
    // Nothing to interrupt yet (resolving, opening sockets): leave now; the firewall rule goes with the process.
    if (interrupt === null) Deno.exit(code);
    interrupt();
  };
  const onInt = onSignal(ExitCode.Interrupted), onTerm = onSignal(ExitCode.Terminated);
  Deno.addSignalListener("SIGINT", onInt);
  Deno.addSignalListener("SIGTERM", onTerm);
  let worst: number = ExitCode.Ok;
  try {
    for (const url of urls) {
      try {
        const result = await download(url, { ...s, sink, tap, log: s.verbose ? say : undefined }, events);
        bar?.clear();
        if (!s.quiet && result.saved) {
          say(formatSummary({
            path: result.path,
            bytes: result.bytes,
            received: result.received,
            seconds: result.elapsedMs / 1000,
            retransmissions: result.tcp.retransmissions,
            outOfOrder: result.tcp.outOfOrderSegments,
            badChecksums: result.frames.badChecksum,
          }));
        }
      } catch (e) {
        if (signalCode !== null) {
          say(`rawhttpget: interrupted; the partial file is kept for -c`);
          return signalCode;
        }
        const failure = describeFailure(e);
        say(`rawhttpget: ${failure.message}`);
        if (s.verbose && e instanceof Error && e.stack) say(e.stack);
        worst = combineCodes(worst, failure.code);
      }
      if (signalCode !== null) return signalCode;
    }
  } finally {
    sink?.close();
    Deno.removeSignalListener("SIGINT", onInt);
    Deno.removeSignalListener("SIGTERM", onTerm);
  }
  return worst;
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (e) {
    const failure = describeFailure(e);
    writeErr(`rawhttpget: ${failure.message}\n`);
    code = failure.code;
  }
  Deno.exit(code);
}
