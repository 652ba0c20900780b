/**
 * Makes sure the programs the real-network tests, the benchmark and the demo need are installed.
 *
 * Run as root, it installs what is missing from Debian's packages; otherwise it names what is missing and fails.
 * Usage: `deno run --allow-run --allow-env tests/tools/ensure_deps.ts [test|demo|bench]`.
 *
 * @module
 */

/** One required program (or Perl module) and the Debian package that provides it. */
export interface Requirement {
  /** Command looked up on PATH (or an absolute path). */
  readonly command: string;
  /** Debian package that installs it. */
  readonly pkg: string;
  /** A Perl module the package provides (the command is then `perl`), checked with `perl -MModule -e 1`. */
  readonly perlModule?: string;
}

/** What each tool needs beyond Deno. */
export const REQUIREMENTS: Readonly<Record<string, readonly Requirement[]>> = {
  demo: [{ command: "ip", pkg: "iproute2" }],
  test: [
    { command: "ip", pkg: "iproute2" },
    { command: "tcpdump", pkg: "tcpdump" },
    { command: "nginx", pkg: "nginx-light" },
    { command: "nft", pkg: "nftables" },
    { command: "iptables", pkg: "iptables" },
    // The IPv6 RST guard's iptables method (tests/transport/firewall_ipv6_test.ts).
    { command: "ip6tables", pkg: "iptables" },
    { command: "ethtool", pkg: "ethtool" },
    { command: "curl", pkg: "curl" },
    { command: "wget", pkg: "wget" },
    { command: "script", pkg: "bsdutils" },
    { command: "setpriv", pkg: "util-linux" },
    { command: "python3", pkg: "python3" },
    { command: "sudo", pkg: "sudo" },
    { command: "openssl", pkg: "openssl" },
    { command: "time", pkg: "time" },
    // Builds the testbed's delay line (tests/testbed/delay_line.c).
    { command: "gcc", pkg: "gcc" },
    // Opens the --report page of tests/report/report_browser_test.ts, headless and offline.
    { command: "chromium", pkg: "chromium" },
    // The Perl HTTPS server of tests/https/perl_tls_test.ts (tests/testbed/perl_tls_server.pl).
    { command: "perl", pkg: "libio-socket-ssl-perl", perlModule: "IO::Socket::SSL" },
    { command: "perl", pkg: "libhttp-daemon-perl", perlModule: "HTTP::Daemon" },
  ],
  bench: [
    { command: "ip", pkg: "iproute2" },
    { command: "nginx", pkg: "nginx-light" },
    { command: "ethtool", pkg: "ethtool" },
    { command: "curl", pkg: "curl" },
    { command: "wget", pkg: "wget" },
    { command: "openssl", pkg: "openssl" },
    { command: "time", pkg: "time" },
    { command: "gcc", pkg: "gcc" },
    // The parallel rows' peer: `aria2c -x4 -s4`, four connections to one file.
    { command: "aria2c", pkg: "aria2" },
  ],
};

async function has(command: string): Promise<boolean> {
  const paths = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin", "/usr/local/sbin"];
  for (const dir of paths) {
    try {
      await Deno.stat(`${dir}/${command}`);
      return true;
    } catch { /* not here */ }
  }
  return false;
}

async function satisfied(r: Requirement): Promise<boolean> {
  if (!(await has(r.command))) return false;
  if (r.perlModule === undefined) return true;
  const check = new Deno.Command("perl", { args: [`-M${r.perlModule}`, "-e", "1"], stdout: "null", stderr: "null" });
  return (await check.output()).code === 0;
}

async function run(cmd: string[]): Promise<void> {
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const { code } = await new Deno.Command(cmd[0], { args: cmd.slice(1), env, stdout: "inherit", stderr: "inherit" })
    .output();
  if (code !== 0) throw new Error(`Command failed with exit code ${code}: ${cmd.join(" ")}`);
}

if (import.meta.main) {
  const kind = Deno.args[0] ?? "test";
  const wanted = [...(REQUIREMENTS[kind] ?? REQUIREMENTS.test)];
  const missing: Requirement[] = [];
  for (const r of wanted) if (!(await satisfied(r))) missing.push(r);
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((r) => r.pkg))];
    if (Deno.uid() !== 0) {
      const names = [...new Set(missing.map((r) => r.perlModule ?? r.command))];
      console.error(`Missing programs: ${names.join(", ")}; install: apt-get install ${pkgs.join(" ")}`);
      Deno.exit(1);
    }
    console.error(`Installing ${pkgs.join(" ")} from Debian's packages…`);
    await run(["apt-get", "update", "-qq"]);
    await run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", ...pkgs]);
  }
}
