/**
 * The command-line options, declared once: the parser configuration and `--help` are both generated from this table.
 *
 * @module
 */

import { parseArgs } from "node:util";

/** One command-line option. */
export interface OptionSpec {
  /** Long name, without the dashes. */
  readonly name: string;
  /** Single-letter alias, if any. */
  readonly short?: string;
  /** A flag or an option taking a value. */
  readonly type: "boolean" | "string";
  /** Placeholder for the value in `--help`. */
  readonly value?: string;
  /** One line for `--help`. */
  readonly help: string;
}

/** Every option rawhttpget accepts, in `--help` order. */
export const OPTIONS: readonly OptionSpec[] = [
  {
    name: "output-document",
    short: "O",
    type: "string",
    value: "FILE",
    help: "write the body to FILE ('-' for stdout)",
  },
  { name: "quiet", short: "q", type: "boolean", help: "print nothing but errors" },
  { name: "verbose", short: "v", type: "boolean", help: "explain each step and trace every packet sent and received" },
  { name: "pcap", type: "string", value: "FILE", help: "save every frame sent and received to FILE (libpcap)" },
  { name: "timeout", type: "string", value: "SECONDS", help: "give up after SECONDS of silence from the server (60)" },
  {
    name: "no-firewall",
    type: "boolean",
    help: "do not add the rule that stops the kernel's RSTs (manage it yourself)",
  },
  { name: "version", short: "V", type: "boolean", help: "print the version and exit" },
  { name: "help", short: "h", type: "boolean", help: "print this help and exit" },
];

/** The parsed command line. */
export interface CommandLine {
  /** URLs to download, in order. */
  readonly urls: readonly string[];
  /** Option values by long name (`true` for flags). */
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
}

/** A command line that cannot be understood (exit code 2). */
export class UsageError extends Error {
  /** Builds the error from one sentence. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parses `args` against {@linkcode OPTIONS}.
 *
 * @example
 * ```ts
 * parseCommandLine(["-O", "out.bin", "http://198.18.2.2/x"]).values["output-document"]; // "out.bin"
 * ```
 */
export function parseCommandLine(args: readonly string[]): CommandLine {
  const options: Record<string, { type: "boolean" | "string"; short?: string }> = {};
  for (const o of OPTIONS) options[o.name] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { urls: positionals, values: values as Record<string, string | boolean | undefined> };
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\.$/, "")}; see 'rawhttpget --help'`);
  }
}

/** The `--help` text, generated from {@linkcode OPTIONS}. */
export function helpText(version: string): string {
  const rows = OPTIONS.map((o) => {
    const names = `${o.short ? `-${o.short}, ` : "    "}--${o.name}${o.value ? ` ${o.value}` : ""}`;
    return `  ${names.padEnd(30)} ${o.help}`;
  });
  return [
    `rawhttpget ${version}: download over HTTP through a TCP/IP stack that runs in user space.`,
    "",
    "Usage: sudo rawhttpget [options] URL...",
    "",
    ...rows,
    "",
    "Raw sockets need root or CAP_NET_RAW. Exit codes follow wget: 0 ok, 1 generic, 2 usage, 3 file I/O,",
    "4 network, 7 protocol, 8 server error response.",
  ].join("\n");
}
