/**
 * Every command-line option, declared once and grouped as wget's `--help` groups them: the parser's configuration and
 * `--help` are both generated from this table.
 *
 * @module
 */

/** The `--help` groups, in wget's order (ours last). */
export const GROUPS = [
  "Startup",
  "Logging and input file",
  "Download",
  "Directories",
  "HTTP options",
  "HTTPS (SSL/TLS) options",
  "Our own stack",
] as const;

/** One `--help` group. */
export type OptionGroup = typeof GROUPS[number];

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
  /** Where `--help` lists it. */
  readonly group: OptionGroup;
  /** It may be given several times (e.g. `--header`): its value is then the list, in order. */
  readonly multiple?: boolean;
}

/** Every option rawhttpget accepts, in `--help` order within each group. */
export const OPTIONS: readonly OptionSpec[] = [
  { name: "version", short: "V", type: "boolean", help: "print the version and exit", group: "Startup" },
  { name: "help", short: "h", type: "boolean", help: "print this help and exit", group: "Startup" },
  {
    name: "no-config",
    type: "boolean",
    help: "read no configuration file (accepted as wget's; none is read yet)",
    group: "Startup",
  },
  { name: "quiet", short: "q", type: "boolean", help: "print nothing but errors", group: "Logging and input file" },
  {
    name: "verbose",
    short: "v",
    type: "boolean",
    help: "explain each step and trace every packet sent and received",
    group: "Logging and input file",
  },
  {
    name: "debug",
    short: "d",
    type: "boolean",
    help: "what -v prints, and every request and response head",
    group: "Logging and input file",
  },
  {
    name: "output-document",
    short: "O",
    type: "string",
    value: "FILE",
    help: "write to FILE, emptied first ('-' for stdout; several URLs are concatenated)",
    group: "Download",
  },
  {
    name: "continue",
    short: "c",
    type: "boolean",
    help: "resume NAME.part or a partial NAME with a byte range",
    group: "Download",
  },
  {
    name: "timestamping",
    short: "N",
    type: "boolean",
    help: "fetch only if the server's file is newer than the local one or differs in size",
    group: "Download",
  },
  {
    name: "no-if-modified-since",
    type: "boolean",
    help: "with -N, compare after a HEAD request instead of asking with If-Modified-Since",
    group: "Download",
  },
  {
    name: "no-use-server-timestamps",
    type: "boolean",
    help: "do not set the saved file's time from the server's Last-Modified",
    group: "Download",
  },
  {
    name: "timeout",
    type: "string",
    value: "SECONDS",
    help: "give up after SECONDS of silence from the server (60)",
    group: "Download",
  },
  {
    name: "tries",
    short: "t",
    type: "string",
    value: "N",
    help: "attempts per URL on network failures and 504 Gateway Timeout (3)",
    group: "Download",
  },
  {
    name: "user",
    type: "string",
    value: "USER",
    help: "the user name for servers that ask (Basic or Digest)",
    group: "Download",
  },
  { name: "password", type: "string", value: "PASS", help: "the password for servers that ask", group: "Download" },
  {
    name: "no-proxy",
    type: "boolean",
    help: "connect directly even when http_proxy/https_proxy are set",
    group: "Download",
  },
  { name: "no-netrc", type: "boolean", help: "do not read credentials from ~/.netrc", group: "Download" },
  {
    name: "directory-prefix",
    short: "P",
    type: "string",
    value: "DIR",
    help: "save files in DIR (created if missing)",
    group: "Directories",
  },
  {
    name: "http-user",
    type: "string",
    value: "USER",
    help: "like --user, for HTTP (overrides it)",
    group: "HTTP options",
  },
  {
    name: "http-password",
    type: "string",
    value: "PASS",
    help: "like --password, for HTTP (overrides it)",
    group: "HTTP options",
  },
  {
    name: "proxy-user",
    type: "string",
    value: "USER",
    help: "the user name for the proxy (Basic)",
    group: "HTTP options",
  },
  {
    name: "proxy-password",
    type: "string",
    value: "PASS",
    help: "the password for the proxy (Basic)",
    group: "HTTP options",
  },
  {
    name: "auth-no-challenge",
    type: "boolean",
    help: "send Basic credentials with the first request, before the server asks",
    group: "HTTP options",
  },
  { name: "max-redirect", type: "string", value: "N", help: "follow at most N redirects (20)", group: "HTTP options" },
  {
    name: "http1.1",
    type: "boolean",
    help: "ask in HTTP/1.1 (chunked responses) instead of HTTP/1.0",
    group: "HTTP options",
  },
  {
    name: "trust-server-names",
    type: "boolean",
    help: "name the file after the last URL of a redirect, not the one given",
    group: "HTTP options",
  },
  {
    name: "ca-certificate",
    type: "string",
    value: "FILE",
    help: "trust the CA certificates in the PEM FILE too (https)",
    group: "HTTPS (SSL/TLS) options",
  },
  {
    name: "no-check-certificate",
    type: "boolean",
    help: "download even when the server's certificate does not verify (warns)",
    group: "HTTPS (SSL/TLS) options",
  },
  {
    name: "pcap",
    type: "string",
    value: "FILE",
    help: "save every frame sent and received to FILE (libpcap)",
    group: "Our own stack",
  },
  {
    name: "no-firewall",
    type: "boolean",
    help: "do not add the rule that stops the kernel's RSTs (manage it yourself)",
    group: "Our own stack",
  },
  {
    name: "interface",
    type: "string",
    value: "IFNAME",
    help: "send and receive through the interface IFNAME",
    group: "Our own stack",
  },
  {
    name: "source",
    type: "string",
    value: "ADDR",
    help: "send from the local IPv4 address ADDR",
    group: "Our own stack",
  },
];
