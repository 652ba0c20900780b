/**
 * The command-line options, declared once: the parser configuration and `--help` are both generated from this table.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { FetchOptions } from "../fetch/mod.ts";
import { type Ipv4Address, parseIpv4Address } from "../wire/mod.ts";

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
    help: "write to FILE, overwriting it ('-' for stdout; several URLs are concatenated)",
  },
  {
    name: "directory-prefix",
    short: "P",
    type: "string",
    value: "DIR",
    help: "save files in DIR (created if missing)",
  },
  {
    name: "continue",
    short: "c",
    type: "boolean",
    help: "resume NAME.part or a partial NAME with a byte range",
  },
  { name: "quiet", short: "q", type: "boolean", help: "print nothing but errors" },
  { name: "verbose", short: "v", type: "boolean", help: "explain each step and trace every packet sent and received" },
  { name: "pcap", type: "string", value: "FILE", help: "save every frame sent and received to FILE (libpcap)" },
  { name: "timeout", type: "string", value: "SECONDS", help: "give up after SECONDS of silence from the server (60)" },
  {
    name: "tries",
    short: "t",
    type: "string",
    value: "N",
    help: "attempts per URL on network failures (3)",
  },
  { name: "max-redirect", type: "string", value: "N", help: "follow at most N redirects (20)" },
  { name: "http1.1", type: "boolean", help: "ask in HTTP/1.1 (chunked responses) instead of HTTP/1.0" },
  {
    name: "trust-server-names",
    type: "boolean",
    help: "name the file after the last URL of a redirect, not the one given",
  },
  {
    name: "no-firewall",
    type: "boolean",
    help: "do not add the rule that stops the kernel's RSTs (manage it yourself)",
  },
  {
    name: "ca-certificate",
    type: "string",
    value: "FILE",
    help: "trust the CA certificates in the PEM FILE too (https)",
  },
  {
    name: "no-check-certificate",
    type: "boolean",
    help: "download even when the server's certificate does not verify (warns)",
  },
  { name: "interface", type: "string", value: "IFNAME", help: "send and receive through the interface IFNAME" },
  { name: "source", type: "string", value: "ADDR", help: "send from the local IPv4 address ADDR" },
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
    return `  ${names.padEnd(32)} ${o.help}`;
  });
  return [
    `rawhttpget ${version}: download over HTTP and HTTPS through a TCP/IP stack that runs in user space.`,
    "",
    "Usage: sudo rawhttpget [options] URL...   (several URLs are fetched one after another)",
    "",
    ...rows,
    "",
    "Raw sockets need root or CAP_NET_RAW. Exit codes follow wget: 0 ok, 1 generic, 2 usage, 3 file I/O,",
    "4 network, 5 TLS certificate verification, 7 protocol, 8 server error response.",
  ].join("\n");
}

/**
 * The options, checked and typed: the download's own options (`FetchOptions`, which the download loop, each hop and
 * the transport read as they are) and what only the command line uses.
 */
export interface Settings extends FetchOptions {
  /** `-c`. */
  readonly resume: boolean;
  /** `-t`. */
  readonly tries: number;
  /** `--max-redirect`. */
  readonly maxRedirects: number;
  /** `-q`. */
  readonly quiet: boolean;
  /** `-v`. */
  readonly verbose: boolean;
  /** `--pcap`. */
  readonly pcap?: string;
}

/**
 * Checks the values of a parsed command line; throws {@linkcode UsageError} for a bad value or combination.
 *
 * @example
 * ```ts
 * readSettings(parseCommandLine(["--tries", "5", "http://h/"])).tries; // 5
 * ```
 */
export function readSettings(cmd: CommandLine): Settings {
  const v = cmd.values;
  const text = (name: string) => (typeof v[name] === "string" ? v[name] as string : undefined);
  const flag = (name: string) => v[name] === true;
  const timeout = text("timeout");
  const seconds = timeout === undefined ? undefined : Number(timeout);
  if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0)) {
    throw new UsageError(`The timeout "${timeout}" is not a positive number of seconds`);
  }
  const settings: Settings = {
    output: text("output-document"),
    directory: text("directory-prefix"),
    resume: flag("continue"),
    quiet: flag("quiet"),
    verbose: flag("verbose"),
    pcap: text("pcap"),
    timeoutMs: seconds === undefined ? undefined : seconds * 1000,
    tries: count("tries", text("tries"), 3, 1),
    maxRedirects: count("max-redirect", text("max-redirect"), 20, 0),
    http11: flag("http1.1"),
    trustServerNames: flag("trust-server-names"),
    firewall: flag("no-firewall") ? "none" : "auto",
    device: text("interface"),
    source: sourceAddress(text("source")),
    caFile: text("ca-certificate"),
    checkCertificate: !flag("no-check-certificate"),
  };
  if (settings.resume && settings.output === "-") throw new UsageError("-c cannot resume standard output");
  if (settings.resume && settings.output !== undefined && cmd.urls.length > 1) {
    throw new UsageError("-c cannot resume a file that several URLs are concatenated into");
  }
  return settings;
}

function sourceAddress(text: string | undefined): Ipv4Address | undefined {
  if (text === undefined) return undefined;
  try {
    return parseIpv4Address(text);
  } catch {
    throw new UsageError(`The source address "${text}" is not a dotted IPv4 address`);
  }
}

function count(name: string, value: string | undefined, fallback: number, least: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < least) {
    throw new UsageError(`--${name} takes a whole number of at least ${least}, not "${value}"`);
  }
  return n;
}
