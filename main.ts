/**
 * rawhttpget: parse the arguments, run the downloads, exit with wget's code. The only `Deno.exit` of the program.
 *
 * @module
 */

import { PcapWriter } from "./src/wire/pcap.ts";
import { formatTrace } from "./src/wire/format.ts";
import { openFile } from "./ffi/fs.ts";
import { ExitCode } from "./src/cli/exit_codes.ts";
import { describeFailure } from "./src/cli/messages.ts";
import { helpText, parseCommandLine, UsageError } from "./src/cli/options.ts";
import { download, type DownloadResult, VERSION } from "./src/net/download.ts";
import type { FrameTap } from "./src/net/driver.ts";
import type { FirewallMode } from "./src/net/firewall.ts";

const encoder = new TextEncoder();
function stderr(line: string): void {
  Deno.stderr.writeSync(encoder.encode(`${line}\n`));
}

function parseTimeout(value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!(Number.isFinite(seconds) && seconds > 0)) {
    throw new UsageError(`The timeout "${value}" is not a positive number of seconds`);
  }
  return seconds * 1000;
}

function makeTap(verbose: boolean, pcapPath: string | undefined): FrameTap | undefined {
  if (!verbose && pcapPath === undefined) return undefined;
  let pcap: PcapWriter | null = null;
  if (pcapPath !== undefined) {
    const file = openFile(pcapPath, { create: true, truncate: true, write: true });
    pcap = new PcapWriter((bytes) => file.write(bytes as Uint8Array<ArrayBuffer>));
    pcap.header();
  }
  const wallMicros = (now: number) => (performance.timeOrigin + now) * 1000;
  return {
    sent(frame, segment, now) {
      pcap?.frame(wallMicros(now), frame);
      if (verbose) stderr(formatTrace("-->", segment, frame.length));
    },
    received(frame, segment, now) {
      pcap?.frame(wallMicros(now), frame);
      if (verbose && segment !== null) stderr(formatTrace("<--", segment, frame.length));
    },
  };
}

function summary(r: DownloadResult): string {
  const seconds = r.elapsedMs / 1000;
  const rate = seconds > 0 ? r.bytes / seconds / (1024 * 1024) : 0;
  const where = r.path === "-" ? "standard output" : `'${r.path}'`;
  return `Saved ${where} (${r.bytes} bytes) in ${seconds.toFixed(2)} s, ${rate.toFixed(1)} MiB/s; ` +
    `${r.tcp.retransmissions} retransmitted, ${r.tcp.outOfOrderSegments} out of order, ` +
    `${r.frames.badChecksum} bad checksums`;
}

async function main(args: string[]): Promise<number> {
  const cmd = parseCommandLine(args);
  const v = cmd.values;
  if (v.help) {
    console.log(helpText(VERSION));
    return ExitCode.Ok;
  }
  if (v.version) {
    console.log(`rawhttpget ${VERSION}`);
    return ExitCode.Ok;
  }
  if (cmd.urls.length === 0) throw new UsageError("Missing URL; see 'rawhttpget --help'");
  const quiet = v.quiet === true;
  const verbose = v.verbose === true;
  const timeoutMs = parseTimeout(v.timeout);
  const output = typeof v["output-document"] === "string" ? v["output-document"] : undefined;
  if (output !== undefined && output !== "-" && cmd.urls.length > 1) {
    throw new UsageError("-O FILE takes one URL; use -O - to concatenate several");
  }
  const tap = makeTap(verbose, typeof v.pcap === "string" ? v.pcap : undefined);
  let interrupt: (() => void) | null = null;
  let signalCode: number | null = null;
  const onSignal = (code: number) => () => {
    signalCode ??= code;
    interrupt?.();
  };
  const onInt = onSignal(ExitCode.Interrupted), onTerm = onSignal(ExitCode.Terminated);
  Deno.addSignalListener("SIGINT", onInt);
  Deno.addSignalListener("SIGTERM", onTerm);
  let worst: number = ExitCode.Ok;
  try {
    for (const url of cmd.urls) {
      try {
        const result = await download({
          url,
          output,
          timeoutMs,
          firewall: (v["no-firewall"] ? "none" : "auto") as FirewallMode,
          tap,
          log: verbose ? stderr : undefined,
          onInterruptible: (f) => (interrupt = f),
        });
        if (!quiet) stderr(summary(result));
      } catch (e) {
        if (signalCode !== null) {
          stderr(`rawhttpget: interrupted; the partial file is kept for -c`);
          return signalCode;
        }
        const failure = describeFailure(e);
        stderr(`rawhttpget: ${failure.message}`);
        if (verbose && e instanceof Error && e.stack) stderr(e.stack);
        worst = worst === ExitCode.Ok ? failure.code : worst;
      }
      if (signalCode !== null) return signalCode;
    }
  } finally {
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
    stderr(`rawhttpget: ${failure.message}`);
    code = failure.code;
  }
  Deno.exit(code);
}
